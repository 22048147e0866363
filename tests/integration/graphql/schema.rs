//! `schema.graphql` is generated from the code: this test rewrites it when stale, and fails so that the change is
//! seen and committed.

use std::path::Path;

#[test]
fn schema_graphql_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let generated = send_api::sdl();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        std::fs::write(&path, &generated).expect("write schema.graphql");
        panic!("schema.graphql was stale and has been regenerated: review and commit it");
    }
}

/// Every type, field, argument, input field and enum value of the schema has a description: they are the API's
/// documentation in GraphiQL and in `schema.graphql`. Read through introspection, as a client would.
#[tokio::test]
async fn every_type_field_argument_and_enum_value_is_described() {
    let t = crate::support::TestDb::new(&crate::support::Backend::Sqlite).await;
    let data = crate::support::gql_data(
        &t.db,
        "{ __schema { types { name kind description
            fields { name description args { name description } }
            inputFields { name description }
            enumValues { name description } } } }",
    )
    .await;
    let mut missing = Vec::new();
    let undescribed = |v: &serde_json::Value| v["description"].as_str().is_none_or(|d| d.trim().is_empty());
    for ty in data["__schema"]["types"].as_array().expect("types") {
        let name = ty["name"].as_str().expect("name");
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if undescribed(ty) {
            missing.push(name.to_owned());
        }
        for field in
            ty["fields"].as_array().into_iter().flatten().chain(ty["inputFields"].as_array().into_iter().flatten())
        {
            if undescribed(field) {
                missing.push(format!("{name}.{}", field["name"]));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if undescribed(arg) {
                    missing.push(format!("{name}.{}({})", field["name"], arg["name"]));
                }
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if undescribed(value) {
                missing.push(format!("{name}.{}", value["name"]));
            }
        }
    }
    t.close().await;
    assert!(missing.is_empty(), "undescribed: {missing:#?}");
}
