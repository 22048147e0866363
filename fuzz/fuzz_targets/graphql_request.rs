//! A GraphQL request as a client controls it: the query text and its variables. The input is the query, then
//! optionally a NUL byte and the variables as JSON.
//!
//! First the steps the server takes before executing, on their own (parse, measure the operation's shape, check it
//! against the default limits), which must never panic; then the whole request through `send_api::graphql::execute`
//! on the schema over the bundled data, whose every error must carry an `extensions.code` other than `INTERNAL`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use send_api::graphql::limits::Shape;
use send_api::{Limits, execute};

fuzz_target!(|data: &[u8]| {
    let (query, variables) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    // Queries arrive in JSON strings or URL query parameters, always text.
    let Ok(query) = std::str::from_utf8(query) else { return };

    if let Ok(document) = async_graphql::parser::parse_query(query) {
        // An operation name the document may or may not have: the first one it names.
        let name = document.operations.iter().find_map(|(name, _)| name.map(|n| n.to_string()));
        for operation_name in [None, name.as_deref()] {
            if let Ok(shape) = Shape::of(&document, operation_name) {
                let _ = Limits::default().check_shape(&shape);
            }
        }
    }

    let mut request = async_graphql::Request::new(query);
    if let Some(variables) = variables.and_then(|v| serde_json::from_slice::<serde_json::Value>(v).ok()) {
        request = request.variables(async_graphql::Variables::from_json(variables));
    }
    let server = send_fuzz::server();
    let response = server.runtime.block_on(execute(&server.schema, &server.db, request));
    let answer = serde_json::to_value(&response).expect("a GraphQL response serialises");
    send_fuzz::assert_errors_coded(&answer, query);
});
