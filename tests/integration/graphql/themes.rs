//! Priority-action themes and thematic visits through the schema: themes counted by action and by inspection, their
//! shares of systemic-failings inspections by year and region, and the preparation-for-adulthood visits.

use std::collections::{HashMap, HashSet};

use crate::support::{bundled_inspections, each_backend_with_data, gql_data};

#[tokio::test]
async fn priority_action_themes_count_actions_and_inspections() {
    each_backend_with_data(|t| async move {
        let mut actions: HashMap<String, i64> = HashMap::new();
        let mut inspections: HashMap<String, i64> = HashMap::new();
        for r in bundled_inspections() {
            let themes: Vec<&str> = r["priority_actions"].split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
            for theme in &themes {
                *actions.entry((*theme).to_owned()).or_default() += 1;
            }
            for theme in themes.into_iter().collect::<HashSet<_>>() {
                *inspections.entry(theme.to_owned()).or_default() += 1;
            }
        }
        let data = gql_data(&t.db, "{ priorityActionThemes { theme label priorityActions inspections } }").await;
        let themes = data["priorityActionThemes"].as_array().expect("themes");
        assert_eq!(themes.len(), 10, "every theme, zero counts included");
        for theme in themes {
            let label = theme["label"].as_str().expect("label");
            assert_eq!(theme["priorityActions"], actions.get(label).copied().unwrap_or(0), "{label}");
            assert_eq!(theme["inspections"], inspections.get(label).copied().unwrap_or(0), "{label}");
        }
        let counts: Vec<i64> = themes.iter().map(|t| t["priorityActions"].as_i64().expect("n")).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most cited first: {counts:?}");
        let data = gql_data(
            &t.db,
            r#"{ priorityActionThemes(filter: {year: 2023, region: "E12000006"}) { label priorityActions } }"#,
        )
        .await;
        let total: i64 = data["priorityActionThemes"]
            .as_array()
            .expect("t")
            .iter()
            .map(|t| t["priorityActions"].as_i64().expect("n"))
            .sum();
        let expected: usize = bundled_inspections()
            .iter()
            .filter(|r| r["region"] == "East of England" && r["inspection_start"].starts_with("2023"))
            .map(|r| r["priority_actions"].split(';').filter(|s| !s.trim().is_empty()).count())
            .sum();
        assert_eq!(total, expected as i64);
        t
    })
    .await;
}

#[tokio::test]
async fn theme_shares_are_of_systemic_failings_inspections_by_year_and_region() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        for (year, region, region_name) in [
            (None, None, None),
            (Some("2023"), Some("E12000006"), Some("East of England")),
            (Some("2024"), Some("E12000006"), Some("East of England")),
            (Some("2025"), None, None),
        ] {
            let systemic: Vec<_> = rows
                .iter()
                .filter(|r| r["outcome"] == "systemic")
                .filter(|r| year.is_none_or(|y| r["inspection_start"].starts_with(y)))
                .filter(|r| region_name.is_none_or(|n| r["region"] == n))
                .collect();
            let mut filter = Vec::new();
            if let Some(y) = year {
                filter.push(format!("year: {y}"));
            }
            if let Some(r) = region {
                filter.push(format!("region: \"{r}\""));
            }
            let data = gql_data(
                &t.db,
                &format!("{{ priorityActionThemes(filter: {{{}}}) {{ label inspections systemicInspections systemicInspectionsNotYetRead shareOfSystemicInspections }} }}", filter.join(", ")),
            )
            .await;
            // A systemic-failings row without themes has its priority actions not yet read: out of the share.
            let unread = systemic.iter().filter(|r| r["priority_actions"].trim().is_empty()).count();
            let read = systemic.len() - unread;
            for theme in data["priorityActionThemes"].as_array().expect("themes") {
                let label = theme["label"].as_str().expect("label");
                let citing = systemic.iter().filter(|r| r["priority_actions"].split(';').any(|p| p.trim() == label)).count();
                assert_eq!(theme["systemicInspections"], systemic.len(), "{label}");
                assert_eq!(theme["systemicInspectionsNotYetRead"], unread, "{label}");
                assert_eq!(theme["inspections"], citing, "{label}");
                if read == 0 {
                    assert!(theme["shareOfSystemicInspections"].is_null(), "no share of nothing: {label}");
                } else {
                    let share = theme["shareOfSystemicInspections"].as_f64().expect("share");
                    assert!((share - citing as f64 / read as f64).abs() < 1e-12, "{label}");
                }
            }
        }
        t
    })
    .await;
}

#[tokio::test]
async fn thematic_visits_list_the_named_pfa_partnerships_and_one_anonymous() {
    each_backend_with_data(|t| async move {
        let data = gql_data(&t.db, "{ thematicVisits(filter: {year: 2024, theme: PREPARATION_FOR_ADULTHOOD}) { area { name } label pathways start { text precision } reportPublished } }").await;
        let visits = data["thematicVisits"].as_array().expect("visits");
        assert_eq!(visits.len(), 6);
        let named: Vec<&str> = visits.iter().filter_map(|v| v["area"]["name"].as_str()).collect();
        assert_eq!(named, vec!["Bath and North East Somerset", "Newcastle upon Tyne", "Thurrock", "Wandsworth", "Wolverhampton"]);
        assert!(visits[5]["area"].is_null() && visits[5]["label"].is_string(), "the unnamed sixth comes last");
        assert!(visits.iter().all(|v| v["pathways"] == serde_json::json!(["HEALTH", "INDEPENDENT_LIVING", "EMPLOYMENT", "COMMUNITY_INCLUSION"])));
        assert!(visits.iter().all(|v| v["reportPublished"] == "2024-12-16"));
        assert_eq!(visits[4]["start"]["text"], "2024-02");
        assert_eq!(visits[4]["start"]["precision"], "MONTH");
        let data = gql_data(&t.db, r#"{ thematicVisits(filter: {region: "E12000005"}) { area { name } } }"#).await;
        assert_eq!(data["thematicVisits"], serde_json::json!([{"area": {"name": "Wolverhampton"}}]));
        let data = gql_data(&t.db, "{ thematicVisits(filter: {year: 2023}) { year } }").await;
        assert_eq!(data["thematicVisits"], serde_json::json!([]));
        t
    })
    .await;
}
