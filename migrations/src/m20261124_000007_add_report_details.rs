//! What only an inspection report holds (issue 8): the taxonomy's evidence for each priority action's theme
//! (`priority_action.evidence`, the matched words and phrases joined by `"; "` in text order, NULL when unknown), and
//! the report's areas for improvement (`improvement_area`, one row per paragraph in report order, replaced whenever
//! the report is imported again).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("priority_action").add_column(ColumnDef::new("evidence").text().null()).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("improvement_area")
                    .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new("inspection_id").integer().not_null())
                    .col(ColumnDef::new("ordinal").integer().not_null())
                    .col(ColumnDef::new("text").text().not_null())
                    .col(ColumnDef::new("theme").text().null())
                    .col(ColumnDef::new("evidence").text().null())
                    .col(ColumnDef::new("import_run_id").integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_improvement_area_inspection_id")
                            .from("improvement_area", "inspection_id")
                            .to("inspection", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_improvement_area_import_run_id")
                            .from("improvement_area", "import_run_id")
                            .to("import_run", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_improvement_area_inspection_id_ordinal")
                    .table("improvement_area")
                    .col("inspection_id")
                    .col("ordinal")
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
