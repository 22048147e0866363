//! The curated files of `data/` imported: counts taken from the files, the bundled copy equal to them, dependency
//! order, idempotence, dry runs, a changed row reported field by field, and the command line.

use sea_orm::{EntityTrait, PaginatorTrait};
use send_importer::{ImportOptions, import, read_paths};
use send_model::entity::{
    area_alias, area_partner, import_run, inspection, local_area, priority_action, thematic_visit,
};

use super::{BUNDLED_FILES, column, edited_inspections};
use crate::support::import::cli_args;
use crate::support::{
    TempDir, bundled_inspections, csv_rows, data_dir, data_file, each_backend, each_backend_with_data, snapshot,
    without_runs,
};

async fn count<E: EntityTrait>(db: &sea_orm::DatabaseConnection, _e: E) -> u64
where
    E::Model: Sync,
{
    E::find().count(db).await.expect("count")
}

#[tokio::test]
async fn every_file_in_data_is_imported_with_counts_taken_from_the_files() {
    each_backend(|t| async move {
        let sources = read_paths(&[data_dir()]).expect("read data/");
        assert_eq!(sources.len(), BUNDLED_FILES.len(), "data/ holds exactly the bundled files");
        let report = import(&t.db, sources, ImportOptions::default()).await.expect("import data/");
        for file in &report.files {
            let name = file.source.rsplit('/').next().expect("file name");
            let rows = if name.ends_with(".html") {
                // The summary page: one `<tr>` per row, after the header row.
                std::fs::read_to_string(data_file(name)).expect("page").matches("<tr").count() - 1
            } else {
                csv_rows(name).len()
            };
            assert_eq!(file.rows_read, rows, "{name}: rows read");
        }

        let inspections = bundled_inspections();
        let lineage = csv_rows("area_lineage.csv");
        let areas = csv_rows("local_areas.csv");
        let predecessors: std::collections::HashSet<&String> = lineage.iter().map(|r| &r["predecessor_gss"]).collect();
        let themes: usize =
            inspections.iter().map(|r| r["priority_actions"].split(';').filter(|t| !t.trim().is_empty()).count()).sum();
        let partners: usize = areas.iter().map(|r| r["icb_codes"].split(';').filter(|c| !c.is_empty()).count()).sum();

        assert_eq!(count(&t.db, inspection::Entity).await, inspections.len() as u64);
        assert_eq!(inspections.len(), 254 + 44, "the bundled dataset has the 254 rows to 2024 and the 44 later ones");
        assert_eq!(count(&t.db, local_area::Entity).await, (areas.len() + predecessors.len()) as u64);
        assert_eq!(areas.len(), 153);
        assert_eq!(count(&t.db, priority_action::Entity).await, themes as u64);
        assert_eq!(count(&t.db, area_partner::Entity).await, partners as u64);
        assert_eq!(count(&t.db, area_alias::Entity).await, csv_rows("area_aliases.csv").len() as u64);
        assert_eq!(count(&t.db, thematic_visit::Entity).await, csv_rows("thematic_visits.csv").len() as u64);
        assert_eq!(count(&t.db, import_run::Entity).await, BUNDLED_FILES.len() as u64, "one import run per file");

        // Every report URL of ofsted_report_links.csv is on its inspection; the others come from the summary's links.
        let links: std::collections::HashSet<String> =
            csv_rows("ofsted_report_links.csv").into_iter().map(|r| r["report_url"].clone()).collect();
        let page = std::fs::read_to_string(data_file("d2i_summary_2026-06-29.html")).expect("page");
        let linked: std::collections::HashSet<String> =
            page.split("href=\"").skip(1).filter_map(|s| s.split('"').next()).map(str::to_owned).collect();
        let urls: Vec<String> = inspection::Entity::find()
            .all(&t.db)
            .await
            .expect("inspections")
            .into_iter()
            .filter_map(|i| i.report_url)
            .collect();
        let stored: std::collections::HashSet<String> = urls.iter().cloned().collect();
        assert!(links.is_subset(&stored), "every link of ofsted_report_links.csv is stored");
        assert!(stored.iter().all(|u| links.contains(u) || linked.contains(u)), "no URL from elsewhere");
        assert!(stored.len() > links.len(), "the summary added links for later inspections");
        t
    })
    .await;
}

#[tokio::test]
async fn the_bundled_copy_equals_the_files_in_data() {
    for (source, name) in send_importer::bundled().iter().zip(BUNDLED_FILES) {
        let on_disk = std::fs::read(data_file(name)).expect("read");
        assert_eq!(source.bytes, on_disk, "{name}: the binary embeds the current data/ file");
    }
}

#[tokio::test]
async fn files_load_in_dependency_order_whatever_order_they_are_given_in() {
    each_backend(|t| async move {
        let mut paths: Vec<_> = BUNDLED_FILES.iter().map(|n| data_file(n)).collect();
        paths.reverse();
        let report = import(&t.db, read_paths(&paths).expect("read"), ImportOptions::default()).await.expect("import");
        let order: Vec<&str> = report.files.iter().map(|f| f.format.as_str()).collect();
        assert_eq!(order.first(), Some(&"curated-csv/regions"));
        assert_eq!(order.last(), Some(&"d2i-provider-data-lookup"));
        assert_eq!(count(&t.db, inspection::Entity).await, bundled_inspections().len() as u64);
        t
    })
    .await;
}

#[tokio::test]
async fn reimporting_changes_nothing_but_the_import_runs() {
    each_backend_with_data(|t| async move {
        let before = snapshot(&t.db).await;
        let report =
            import(&t.db, read_paths(&[data_dir()]).expect("read"), ImportOptions::default()).await.expect("re-import");
        assert_eq!(report.inserted(), 0);
        assert_eq!(report.updated(), 0);
        assert!(report.files.iter().all(|f| f.changes.is_empty()));
        assert!(report.files.iter().all(|f| f.unchanged > 0));
        let after = snapshot(&t.db).await;
        assert_eq!(without_runs(&before), without_runs(&after), "only import runs were written");
        assert_eq!(count(&t.db, import_run::Entity).await, 2 * BUNDLED_FILES.len() as u64);
        t
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_reports_what_would_change_and_writes_nothing() {
    each_backend(|t| async move {
        let before = snapshot(&t.db).await;
        let report = import(&t.db, send_importer::bundled(), ImportOptions { dry_run: true, ..Default::default() })
            .await
            .expect("dry run");
        assert!(report.dry_run);
        assert_eq!(report.files.iter().find(|f| f.format.ends_with("/inspections")).map(|f| f.inserted), Some(254));
        let later = report.files.iter().find(|f| f.source.ends_with("inspections_2025_2026.csv")).map(|f| f.inserted);
        assert_eq!(later, Some(csv_rows("inspections_2025_2026.csv").len() as i32));
        assert_eq!(snapshot(&t.db).await, before, "a dry run leaves the database as it was");
        assert!(report.to_string().contains("dry run: nothing was written"));
        t
    })
    .await;
}

#[tokio::test]
async fn a_changed_row_is_reported_field_by_field() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let path = edited_inspections(&dir, |rows| {
            let suffolk_2023 = rows.iter_mut().find(|r| r[1] == "E10000029" && r[4] == "2023").expect("Suffolk 2023");
            suffolk_2023[8] = "2024-01-31".to_owned();
        });
        let report = import(&t.db, read_paths(&[path]).expect("read"), ImportOptions::default()).await.expect("import");
        let file = &report.files[0];
        assert_eq!((file.inserted, file.updated, file.unchanged), (0, 1, 253));
        let change = &file.changes[0];
        assert_eq!(change.record, "inspection E10000029 2023 full 2023-11-13");
        assert_eq!(change.fields.len(), 1);
        assert_eq!(change.fields[0].field, "published");
        assert_eq!(change.fields[0].before.as_deref(), Some("2024-01-30"));
        assert_eq!(change.fields[0].after.as_deref(), Some("2024-01-31"));
        assert!(report.to_string().contains("published: 2024-01-30 -> 2024-01-31"), "{report}");
        t
    })
    .await;
}

#[tokio::test]
async fn the_command_line_imports_reports_and_fails_with_every_problem() {
    each_backend(|t| async move {
        let data = data_dir().display().to_string();
        let out =
            send_importer::cli::run(cli_args(&["--database-url", &t.url, "--dry-run", &data])).await.expect("dry run");
        assert!(out.contains("inspections.csv (curated-csv/inspections): 254 rows read; would insert 254"), "{out}");
        assert_eq!(count(&t.db, inspection::Entity).await, 0);

        let out = send_importer::cli::run(cli_args(&["--database-url", &t.url, &data])).await.expect("import");
        assert!(out.contains("254 rows read; inserted 254, updated 0, unchanged 0"), "{out}");

        let out = send_importer::cli::run(cli_args(&["--database-url", &t.url, "--format", "json", &data]))
            .await
            .expect("json");
        let json: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
        assert_eq!(json["files"].as_array().map(Vec::len), Some(BUNDLED_FILES.len()));
        assert!(json["files"].as_array().expect("files").iter().all(|f| f["inserted"] == 0 && f["updated"] == 0));

        let dir = TempDir::new();
        let bad = edited_inspections(&dir, |rows| rows[1][column("outcome")] = "good".into());
        let before = snapshot(&t.db).await;
        let err = send_importer::cli::run(cli_args(&["--database-url", &t.url, &bad.display().to_string()]))
            .await
            .expect_err("bad file fails");
        let message = format!("{err:#}");
        assert!(message.contains("nothing was written"), "{message}");
        assert!(message.contains(&format!("{}:2: outcome: expected an outcome", bad.display())), "{message}");
        assert_eq!(snapshot(&t.db).await, before);
        t
    })
    .await;
}
