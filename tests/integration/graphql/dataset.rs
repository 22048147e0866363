//! The dataset through the schema: its licence, sources and import runs, the run each record came from, a version
//! that changes only with the data, and an empty database's answers.

use serde_json::Value;

use crate::support::{csv_rows, each_backend, each_backend_with_data, gql_data};

#[tokio::test]
async fn the_dataset_names_its_licence_sources_and_last_import() {
    each_backend_with_data(|t| async move {
        let data = gql_data(&t.db, "{ dataset { title licence licenceUrl attribution lastUpdated lastImport { id source format rowsRead } sources { source sha256 } importRuns(first: 3) { id } } }").await;
        let d = &data["dataset"];
        assert_eq!(d["licence"], "Open Government Licence v3.0");
        assert!(d["attribution"].as_str().expect("a").starts_with("Contains public sector information licensed under the Open Government Licence v3.0"));
        // The file loaded last: Data to Insight's lookup of statistical neighbours.
        assert_eq!(d["lastImport"]["source"], "bundled:data/d2i_provider_data_lookup.csv");
        assert_eq!(d["lastImport"]["rowsRead"], csv_rows("d2i_provider_data_lookup.csv").len());
        assert_eq!(d["sources"].as_array().map(Vec::len), Some(send_importer::bundled().len()));
        assert!(d["sources"].as_array().expect("s").iter().all(|s| s["sha256"].as_str().is_some_and(|h| h.len() == 64)));
        assert_eq!(d["importRuns"].as_array().map(Vec::len), Some(3));
        assert!(d["lastUpdated"].is_string());
        t
    })
    .await;
}

#[tokio::test]
async fn an_empty_database_answers_with_empty_results_not_errors() {
    each_backend(|t| async move {
        let data = gql_data(&t.db, "{ dataset { lastImport { id } lastUpdated } areas { totalCount } outcomeProfile(filter: {framework: FRAMEWORK_2023}) { total outcomes { count share } } }").await;
        assert_eq!(data["dataset"]["lastImport"], Value::Null);
        assert_eq!(data["areas"]["totalCount"], 0);
        assert_eq!(data["outcomeProfile"]["total"], 0);
        assert_eq!(data["outcomeProfile"]["outcomes"][0]["share"], Value::Null, "no share of nothing");
        t
    })
    .await;
}

#[tokio::test]
async fn the_dataset_version_changes_only_when_data_changes() {
    each_backend_with_data(|t| async move {
        let version = |db: sea_orm::DatabaseConnection| async move {
            gql_data(&db, "{ dataset { version } }").await["dataset"]["version"].as_str().expect("version").to_owned()
        };
        let first = version(t.db.clone()).await;
        send_importer::import(&t.db, send_importer::bundled(), Default::default()).await.expect("re-import");
        assert_eq!(version(t.db.clone()).await, first, "an import that changes nothing keeps the version");
        let ods = crate::support::data_file("official/Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods");
        send_importer::import(&t.db, send_importer::read_paths(&[ods]).expect("read"), Default::default())
            .await
            .expect("ods");
        assert_ne!(version(t.db.clone()).await, first, "an import that adds values changes it");
        t
    })
    .await;
}

#[tokio::test]
async fn every_kind_of_record_names_the_import_run_it_came_from() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            r#"{ area(code: "E10000029") { importRun { source } region { importRun { source } }
                   partners { importRun { source } }
                   inspections { importRun { source finishedAt } priorityActions { importRun { source } } } }
                 thematicVisits { importRun { source } } }"#,
        )
        .await;
        let area = &data["area"];
        assert_eq!(area["importRun"]["source"], "bundled:data/ofsted_report_links.csv", "the URN came last");
        assert_eq!(area["region"]["importRun"]["source"], "bundled:data/regions.csv");
        assert_eq!(area["partners"][0]["importRun"]["source"], "bundled:data/icbs.csv");
        assert_eq!(area["inspections"][0]["importRun"]["source"], "bundled:data/inspections.csv");
        assert!(area["inspections"][0]["importRun"]["finishedAt"].is_string());
        assert_eq!(area["inspections"][2]["priorityActions"][0]["importRun"]["source"], "bundled:data/inspections.csv");
        assert_eq!(data["thematicVisits"][0]["importRun"]["source"], "bundled:data/thematic_visits.csv");
        t
    })
    .await;
}
