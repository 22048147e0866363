//! The reference in `docs/` states what the code does: every flag of `send-api` and `send-import` is documented with
//! the default its command line takes, and the fixed limits with the code's constants. A figure is written once, in
//! the code; a doc that restates it fails here when the code changes.

use std::collections::BTreeMap;
use std::path::Path;

use clap::CommandFactory;
use send_api::cli::ServeArgs;
use send_api::graphql::Documents;
use send_api::graphql::limits::{MAX_NESTING, MAX_SELECTIONS};
use send_api::read_model::search::{MAX_SEARCH_CHARS, MAX_SEARCH_WORDS};
use send_api::{HttpConfig, Limits};
use send_importer::cli::ImportArgs;
use send_importer::limits;
use send_model::backend::{LOCK_PATIENCE, LOCK_TRY};

const MIB: u64 = 1024 * 1024;

fn doc(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The body rows of every Markdown table of `text`, each cell with its column's name.
fn table_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let cells =
        |line: &str| -> Vec<String> { line.trim().trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect() };
    let mut rows = Vec::new();
    let mut header: Option<Vec<String>> = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        match &header {
            None => header = Some(cells(line)),
            Some(_) if line.starts_with("|---") => {}
            Some(names) => rows.push(names.iter().cloned().zip(cells(line)).collect()),
        }
    }
    rows
}

/// The numbers a cell states, in order, units applied: `1 024` is 1024 (a space groups thousands), `64 KiB` is
/// 65536, `32 MiB` is 33554432, `10 s` is 10 (seconds, as the flags take them).
fn quantities(cell: &str) -> Vec<u64> {
    let chars: Vec<char> = cell.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        loop {
            while i < chars.len() && chars[i].is_ascii_digit() {
                digits.push(chars[i]);
                i += 1;
            }
            // A space followed by exactly three digits continues the number.
            let group = chars.get(i + 1..i + 4).is_some_and(|g| g.iter().all(char::is_ascii_digit))
                && !chars.get(i + 4).is_some_and(char::is_ascii_digit);
            if chars.get(i) == Some(&' ') && group {
                i += 1;
            } else {
                break;
            }
        }
        let rest: String = chars[i..].iter().collect();
        let unit = if rest.starts_with(" KiB") {
            1024
        } else if rest.starts_with(" MiB") {
            MIB
        } else {
            1
        };
        found.push(digits.parse::<u64>().expect("digits") * unit);
    }
    found
}

/// The `--flags` a cell names.
fn flags(cell: &str) -> Vec<String> {
    cell.split('`').filter(|part| part.starts_with("--")).map(str::to_owned).collect()
}

/// Every long flag of `send-api` and `send-import` with its default as the command line shows it (`None`: no
/// default; several values joined by commas).
fn command_line_defaults() -> BTreeMap<String, Option<String>> {
    let mut defaults = BTreeMap::new();
    for mut command in [ServeArgs::command(), ImportArgs::command()] {
        // Built as for parsing: a switch's implied default (`false`) is set then.
        command.build();
        for arg in command.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if ["help", "version"].contains(&long) {
                continue;
            }
            let values: Vec<String> =
                arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
            let default = (!values.is_empty()).then(|| values.join(","));
            let previous = defaults.insert(format!("--{long}"), default.clone());
            assert!(previous.is_none_or(|p| p == default), "--{long} has two defaults");
        }
    }
    defaults
}

/// What a documented default says, as the command line would show it: a `code` value as written, `off` as `false`, a
/// quantity as its number; `None` for a default the flag does not have (none, or said in words).
fn documented(cell: &str) -> Option<String> {
    if let Some(code) = cell.strip_prefix('`') {
        return code.split('`').next().map(str::to_owned);
    }
    if cell.starts_with("off") {
        return Some("false".to_owned());
    }
    if cell.starts_with(|c: char| c.is_ascii_digit()) {
        return quantities(cell).first().map(u64::to_string);
    }
    None
}

#[test]
fn every_flag_is_documented_with_the_default_its_command_line_takes() {
    let defaults = command_line_defaults();
    // The one default a program gives rather than its flag: `send-api`'s statement timeout.
    let statement_timeout = ServeArgs::STATEMENT_TIMEOUT_SECS;
    let by_program = [("--db-statement-timeout", format!("`{statement_timeout}` (`send-api`), none (`send-import`)"))];
    let help = ServeArgs::command().render_long_help().to_string();
    assert!(help.contains(&format!("Default: {statement_timeout} for send-api")), "{help}");

    let mut checked = Vec::new();
    let mut referred = Vec::new();
    for name in ["configuration.md", "http.md", "importing.md"] {
        for row in table_rows(&doc(name)) {
            let (Some(cell), Some(default)) = (row.get("flag").or_else(|| row.get("option")), row.get("default"))
            else {
                continue;
            };
            match flags(cell).as_slice() {
                [] => {}
                [flag] => {
                    let Some(expected) = defaults.get(flag) else {
                        panic!("{name} documents {flag}, which neither command has")
                    };
                    if let Some((_, said)) = by_program.iter().find(|(f, _)| f == flag) {
                        assert_eq!(default, said, "{name}: {flag}");
                    } else {
                        assert_eq!(&documented(default), expected, "{name}: the default of {flag} is {default:?}");
                    }
                    checked.push(flag.clone());
                }
                several => {
                    assert!(default.starts_with("see ["), "{name}: {several:?} share a row: it must refer on");
                    referred.extend(several.iter().cloned());
                }
            }
        }
    }
    for flag in &referred {
        assert!(checked.contains(flag), "{flag} is referred to a table that does not document it");
    }
    let undocumented: Vec<&String> = defaults.keys().filter(|f| !checked.contains(f)).collect();
    assert!(undocumented.is_empty(), "flags docs/ does not document with their defaults: {undocumented:?}");
}

/// Checks the tables of the doc `name`: each row that `expected` names (by the start of its first cell) states the
/// numbers given, in order, over its first cell and its default; any other row's default states at most one number,
/// its flag's (checked against the command line).
fn check_tables(name: &str, expected: &[(&str, Vec<u64>)]) {
    let mut seen = Vec::new();
    for row in table_rows(&doc(name)) {
        let (Some(what), Some(default), Some(option)) =
            (row.get("limit").or_else(|| row.get("bound")), row.get("default"), row.get("option"))
        else {
            continue;
        };
        match expected.iter().find(|(start, _)| what.starts_with(start)) {
            Some((start, numbers)) => {
                assert_eq!(&quantities(&format!("{what} | {default}")), numbers, "{name}: {what}: {default}");
                seen.push(*start);
            }
            None => assert!(
                quantities(default).len() <= usize::from(option.starts_with("`--")),
                "{name} states a limit this test does not know: {what}: {default}"
            ),
        }
    }
    assert_eq!(seen.len(), expected.len(), "{name}: rows found: {seen:?}");
}

fn n<T: TryInto<u64>>(number: T) -> u64 {
    number.try_into().unwrap_or_else(|_| panic!("a limit over u64"))
}

#[test]
fn the_fixed_limits_and_the_cache_sizes_documented_are_the_codes() {
    check_tables(
        "http.md",
        &[
            ("selections once fragments are spread", vec![n(MAX_SELECTIONS)]),
            ("nesting of selections", vec![n(MAX_NESTING)]),
            ("`nameContains`, `search`", vec![n(MAX_SEARCH_CHARS), n(MAX_SEARCH_WORDS)]),
            ("parsed documents kept", vec![n(Documents::CAPACITY), n(Documents::BYTES)]),
            ("persisted queries kept", vec![n(HttpConfig::default().apq_capacity), n(HttpConfig::APQ_STORE_BYTES)]),
        ],
    );
    check_tables(
        "importing.md",
        &[
            ("what a workbook's zip members inflate to", vec![limits::MAX_WORKBOOK_INFLATED_BYTES]),
            ("members of a workbook's zip", vec![n(limits::MAX_WORKBOOK_ENTRIES)]),
            ("cells held for a workbook", vec![limits::MAX_WORKBOOK_CELLS]),
            ("what a PDF's streams inflate to", vec![limits::MAX_PDF_INFLATED_BYTES]),
            ("pages of a report PDF", vec![n(limits::MAX_PDF_PAGES)]),
            ("a Data to Insight summary page's size", vec![n(limits::MAX_SUMMARY_BYTES)]),
            ("rows of a summary page's table", vec![n(limits::MAX_SUMMARY_ROWS)]),
            ("cells of a summary page's table", vec![n(limits::MAX_SUMMARY_CELLS)]),
            ("a bulk load's wait", vec![n(LOCK_TRY.as_millis()), LOCK_PATIENCE.as_secs()]),
        ],
    );
    // The same figures where `send-import --help` states them.
    let help = ImportArgs::command().render_long_help().to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    let said = format!(
        "a workbook's zip members {} MiB and {} million cells, a PDF's streams {} MiB and {} pages",
        limits::MAX_WORKBOOK_INFLATED_BYTES / MIB,
        limits::MAX_WORKBOOK_CELLS / 1_000_000,
        limits::MAX_PDF_INFLATED_BYTES / MIB,
        limits::MAX_PDF_PAGES
    );
    assert!(help.contains(&said), "send-import --help does not say {said:?}: {help}");

    let text = doc("http.md");
    // The caches' bound together, as the prose under the table says it.
    let together = n(HttpConfig::default().response_cache_bytes + HttpConfig::APQ_STORE_BYTES + Documents::BYTES);
    let said = format!("the caches hold at most {} MiB together", together / MIB);
    assert!(text.contains(&said), "http.md does not say {said:?}");
    // The limits as a request's `extensions.cost` reports them in the example.
    let limits = Limits::default();
    let reported = format!(
        "\"limits\":{{\"complexity\":{},\"depth\":{},\"aliases\":{},\"rootFields\":{},\"pageSize\":{},\"timeoutMs\":{}}}",
        limits.max_complexity,
        limits.max_depth,
        limits.max_aliases,
        limits.max_root_fields,
        limits.max_page_size,
        limits.timeout.as_millis()
    );
    assert!(text.contains(&reported), "http.md's cost example does not report {reported}");
}

#[test]
fn quantities_read_grouped_thousands_and_units() {
    assert_eq!(quantities("1 024 and 32 MiB (keys and texts)"), vec![1024, 32 * MIB]);
    assert_eq!(quantities("200 characters; 16 words; refused"), vec![200, 16]);
    assert_eq!(quantities("64 KiB"), vec![65536]);
    assert_eq!(quantities("100 000"), vec![100_000]);
    assert_eq!(quantities("10 s"), vec![10]);
    assert_eq!(quantities("E12000006 and 3"), vec![3]);
}

#[test]
fn the_schemas_descriptions_state_the_text_limits_the_code_enforces() {
    let sdl = send_api::sdl().to_lowercase();
    let mut stated = 0;
    for (i, _) in sdl.match_indices("at most ") {
        // To the end of the sentence or the parenthesis.
        let text = sdl[i..].split(['.', ')']).next().unwrap_or("");
        let numbers = quantities(text);
        if text.contains("characters") {
            assert_eq!(numbers.first(), Some(&n(MAX_SEARCH_CHARS)), "schema.graphql: {text}");
            stated += 1;
        }
        if text.contains("words") {
            assert_eq!(numbers.get(1), Some(&n(MAX_SEARCH_WORDS)), "schema.graphql: {text}");
        }
    }
    // `AreaFilter.nameContains`, `InspectionFilter.nameContains`, `priorityActions(search:)`.
    assert_eq!(stated, 3, "the descriptions of the text arguments state their length");
}
