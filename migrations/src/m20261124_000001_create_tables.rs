//! The first schema: reference data (regions, areas, lineage, ICBs), inspections with their priority actions,
//! thematic visits, and the import runs that brought every row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A foreign key from `table.column` to `target.target_column`, named after both ends.
fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    target_column: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, target_column)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A (possibly unique) index on `table` over `columns`.
fn index(table: &'static str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("{}_{}_{}", if unique { "ux" } else { "ix" }, table, columns.join("_"))).table(table);
    for column in columns {
        stmt.col(*column);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        // All or nothing on every backend: a half-created schema would be worse than none.
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("import_run")
                    .col(pk_auto("id"))
                    .col(text("source"))
                    .col(string("format"))
                    .col(string("sha256"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone("finished_at"))
                    .col(string("status"))
                    .col(integer("rows_read"))
                    .col(integer("rows_inserted"))
                    .col(integer("rows_updated"))
                    .col(integer("rows_unchanged"))
                    .col(text_null("error"))
                    .col(text_null("summary"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("region")
                    .col(string("code").primary_key())
                    .col(string("name"))
                    .col(string("ofsted_region"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("region", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("icb")
                    .col(string("code").primary_key())
                    .col(string("name"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("icb", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("local_area")
                    .col(pk_auto("id"))
                    .col(string_uniq("gss_code"))
                    .col(string_null("dfe_code"))
                    .col(string_null("ofsted_urn"))
                    .col(string("name"))
                    .col(string("region_code"))
                    .col(date_null("valid_from"))
                    .col(date_null("valid_to"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("local_area", "region_code", "region", "code"))
                    .foreign_key(&mut fk("local_area", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("local_area", &["dfe_code"], false)).await?;
        manager.create_index(index("local_area", &["ofsted_urn"], false)).await?;
        manager.create_index(index("local_area", &["region_code"], false)).await?;
        manager.create_index(index("local_area", &["name"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("area_alias")
                    .col(pk_auto("id"))
                    .col(integer("area_id"))
                    .col(string("alias"))
                    .col(string("normalised"))
                    .col(string("publisher"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("area_alias", "area_id", "local_area", "id"))
                    .foreign_key(&mut fk("area_alias", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("area_alias", &["normalised"], true)).await?;
        manager.create_index(index("area_alias", &["area_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("area_lineage")
                    .col(pk_auto("id"))
                    .col(integer("predecessor_id"))
                    .col(integer("successor_id"))
                    .col(date("effective"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("area_lineage", "predecessor_id", "local_area", "id"))
                    .foreign_key(&mut fk("area_lineage", "successor_id", "local_area", "id"))
                    .foreign_key(&mut fk("area_lineage", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("area_lineage", &["predecessor_id", "successor_id"], true)).await?;
        manager.create_index(index("area_lineage", &["successor_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("area_partner")
                    .col(pk_auto("id"))
                    .col(integer("area_id"))
                    .col(string("icb_code"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("area_partner", "area_id", "local_area", "id"))
                    .foreign_key(&mut fk("area_partner", "icb_code", "icb", "code"))
                    .foreign_key(&mut fk("area_partner", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("area_partner", &["area_id", "icb_code"], true)).await?;
        manager.create_index(index("area_partner", &["icb_code"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("inspection")
                    .col(pk_auto("id"))
                    .col(integer("area_id"))
                    .col(string("framework"))
                    .col(string("inspection_type"))
                    .col(date("start_date"))
                    .col(string("start_precision"))
                    .col(integer("start_year"))
                    .col(date_null("end_date"))
                    .col(string_null("end_precision"))
                    .col(date_null("published"))
                    .col(string_null("published_precision"))
                    .col(string_null("outcome"))
                    .col(integer_null("significant_weaknesses"))
                    .col(integer_null("weaknesses_progress_made"))
                    .col(integer_null("weaknesses_progress_not_made"))
                    .col(integer_null("priority_action_count"))
                    .col(text_null("report_url"))
                    .col(text("source_url"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("inspection", "area_id", "local_area", "id"))
                    .foreign_key(&mut fk("inspection", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("inspection", &["area_id", "framework", "inspection_type", "start_date"], true))
            .await?;
        manager.create_index(index("inspection", &["framework", "inspection_type", "start_year"], false)).await?;
        manager.create_index(index("inspection", &["start_date"], false)).await?;
        manager.create_index(index("inspection", &["outcome"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("priority_action")
                    .col(pk_auto("id"))
                    .col(integer("inspection_id"))
                    .col(integer("ordinal"))
                    .col(string("theme"))
                    .col(text_null("text"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("priority_action", "inspection_id", "inspection", "id"))
                    .foreign_key(&mut fk("priority_action", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("priority_action", &["inspection_id", "ordinal"], true)).await?;
        manager.create_index(index("priority_action", &["theme"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("thematic_visit")
                    .col(pk_auto("id"))
                    .col(integer("year"))
                    .col(string("theme"))
                    .col(string("visit_key"))
                    .col(integer_null("area_id"))
                    .col(string_null("label"))
                    .col(string("pathways"))
                    .col(date_null("visit_start"))
                    .col(string_null("visit_start_precision"))
                    .col(date_null("visit_end"))
                    .col(string_null("visit_end_precision"))
                    .col(text("report_title"))
                    .col(date_null("report_published"))
                    .col(text_null("report_url"))
                    .col(text("source"))
                    .col(integer("import_run_id"))
                    .foreign_key(&mut fk("thematic_visit", "area_id", "local_area", "id"))
                    .foreign_key(&mut fk("thematic_visit", "import_run_id", "import_run", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("thematic_visit", &["year", "theme", "visit_key"], true)).await?;
        Ok(())
    }
}
