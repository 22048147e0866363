//! Provenance for merging sources: which kind of source set each inspection field (so that a less specific source
//! never silently overwrites a more specific one), and the HTTP validators of an import fetched from a URL (so that
//! an unchanged remote file is not downloaded and imported again).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in ["etag", "last_modified"] {
            manager.alter_table(Table::alter().table("import_run").add_column(text_null(column)).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("inspection_field_source")
                    .col(pk_auto("id"))
                    .col(integer("inspection_id"))
                    .col(string("field"))
                    .col(string("source_kind"))
                    .col(integer("import_run_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inspection_field_source_inspection_id")
                            .from("inspection_field_source", "inspection_id")
                            .to("inspection", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inspection_field_source_import_run_id")
                            .from("inspection_field_source", "import_run_id")
                            .to("import_run", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_inspection_field_source_inspection_id_field")
                    .table("inspection_field_source")
                    .col("inspection_id")
                    .col("field")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
