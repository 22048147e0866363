//! What changed since a dataset version or a date: `changes(since:)` in GraphQL.

use send_importer::{ImportOptions, SourceFile, import};

use crate::support::{INSPECTIONS_HEADER, bundled_inspections, each_backend_with_data, error_code, gql, gql_data};

#[tokio::test]
async fn changes_since_a_version_list_what_was_added_and_what_changed_with_its_source() {
    each_backend_with_data(|t| async move {
        let version = gql_data(&t.db, "{ dataset { version } }").await["dataset"]["version"].as_str().expect("v").to_owned();
        // A new inspection, and a later edition of a row already held with another end date.
        let slough = bundled_inspections().into_iter().find(|r| r["area_name"] == "Slough" && r["framework"] == "2023").expect("row");
        let file = format!(
            "{INSPECTIONS_HEADER}\nSlough,E06000039,871,South East,2023,monitoring,2026-10-05,2026-10-06,2026-11-20,effective_action,,https://example.org/a\n\
             Slough,E06000039,871,South East,2023,full,{},2025-07-12,{},systemic,,https://example.org/b\n",
            slough["inspection_start"], slough["published"]
        );
        import(&t.db, vec![SourceFile::new("later.csv", file.into_bytes())], ImportOptions::default()).await.expect("import");
        let query = format!(
            r#"{{ changes(since: "{version}") {{ afterVersion truncated items {{ change fields inspection {{ key inspectionType }} importRun {{ source }} }} }} }}"#
        );
        let data = gql_data(&t.db, &query).await;
        let changes = &data["changes"];
        assert_eq!(changes["afterVersion"], version.as_str());
        assert_eq!(changes["truncated"], false);
        let items = changes["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "{items:#?}");
        let added = items.iter().find(|i| i["change"] == "ADDED").expect("added");
        assert_eq!(added["inspection"]["inspectionType"], "MONITORING");
        assert_eq!(added["importRun"]["source"], "later.csv");
        let updated = items.iter().find(|i| i["change"] == "UPDATED").expect("updated");
        assert_eq!(updated["fields"], serde_json::json!(["inspection_end"]));
        assert_eq!(updated["importRun"]["source"], "later.csv");

        // Since a date before every import: everything, a page at a time.
        let data = gql_data(&t.db, r#"{ changes(since: "2000-01-01", first: 5) { afterVersion truncated items { change } } }"#).await;
        assert_eq!(data["changes"]["afterVersion"], "r0");
        assert_eq!(data["changes"]["truncated"], true);
        assert_eq!(data["changes"]["items"].as_array().map(Vec::len), Some(5));
        // Nothing since now.
        let latest = gql_data(&t.db, "{ dataset { version } }").await["dataset"]["version"].as_str().expect("v").to_owned();
        let data = gql_data(&t.db, &format!(r#"{{ changes(since: "{latest}") {{ items {{ change }} }} }}"#)).await;
        assert_eq!(data["changes"]["items"].as_array().map(Vec::len), Some(0));
        // A `since` that is neither is the client's mistake.
        let answer = gql(&t.db, r#"{ changes(since: "last week") { truncated } }"#).await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT");
        t
    })
    .await;
}
