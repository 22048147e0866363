//! The reader against the three real snapshots (copied from the shared data into `tests/fixtures/d2i/`), and every
//! refusal built by cutting or editing one of them.

use chrono::NaiveDate;
use send_model::domain::Outcome;

use super::*;

const S2024: &str = include_str!("../../../tests/fixtures/d2i/summary_2024-08-08.html");
const S2025: &str = include_str!("../../../tests/fixtures/d2i/summary_2025-06-09.html");
// The newest snapshot is bundled: read from data/, not kept twice.
const S2026: &str = include_str!("../../../data/d2i_summary_2026-06-29.html");

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// The rows of the table's body, counted independently of the reader: `<tr>` after `<tbody>`.
fn body_rows(page: &str) -> usize {
    let body = &page[page.find("<tbody>").expect("a tbody")..];
    body.matches("<tr>").count()
}

fn read(name: &str, page: &str) -> Summary {
    read_summary(name, page.as_bytes()).unwrap_or_else(|p| panic!("{name} refused: {p}"))
}

fn row<'a>(s: &'a Summary, name: &str) -> &'a SummaryRow {
    s.rows.iter().find(|r| r.local_authority == name).unwrap_or_else(|| panic!("no row for {name}"))
}

fn refused(page: &str) -> Problem {
    read_summary("cut.html", page.as_bytes()).expect_err("the page is refused")
}

#[test]
fn each_snapshot_reads_every_row_and_its_time() {
    for (name, page, rows, taken_at) in [
        ("2024", S2024, 39, day(2024, 8, 8).and_hms_opt(17, 43, 0)),
        ("2025", S2025, 62, day(2025, 6, 9).and_hms_opt(11, 2, 0)),
        ("2026", S2026, 96, day(2026, 6, 29).and_hms_opt(7, 36, 0)),
    ] {
        let s = read(name, page);
        assert_eq!(body_rows(page), rows, "{name}: the fixture's own count");
        assert_eq!(s.rows.len(), rows, "{name}");
        assert_eq!(Some(s.taken_at), taken_at, "{name}");
        assert!(s.unknown_columns.is_empty(), "{name}: {:?}", s.unknown_columns);
        assert!(s.rows.iter().all(|r| r.report_url.as_deref().is_some_and(|u| u.starts_with("https://files.ofsted"))));
        assert!(s.rows.iter().enumerate().all(|(i, r)| r.row == i + 1));
    }
}

#[test]
fn cornwall_2024_and_2026_are_different_inspections() {
    let old = read("2024", S2024);
    let new = read("2026", S2026);
    let (a, b) = (row(&old, "cornwall"), row(&new, "cornwall"));
    assert_eq!((a.urn.as_str(), a.la_code.as_str()), ("80454", "908"));
    assert_eq!(a.ltla23cd.as_ref().map(|g| g.as_str()), Some("E06000052"));
    assert_eq!(a.region_code.as_deref(), Some("SW"));
    assert_eq!((a.inspection_start, a.inspection_end), (Some(day(2023, 2, 6)), Some(day(2023, 2, 10))));
    assert_eq!(a.published, Some(day(2023, 5, 5)));
    assert_eq!(a.previous_inspection, None, "no such column in 2024");
    assert_eq!(a.grade, Some(Outcome::Inconsistent));
    assert_eq!(a.next_inspection.as_deref(), Some("3 years"));
    assert_eq!(a.next_inspection_by, Some(day(2026, 2, 6)));
    assert_eq!(a.report_url.as_deref(), Some("https://files.ofsted.gov.uk/v1/file/50215730"));

    assert_eq!((b.inspection_start, b.inspection_end), (Some(day(2026, 3, 23)), Some(day(2026, 3, 27))));
    assert_eq!(b.previous_inspection, Some(day(2023, 2, 10)));
    assert_eq!(b.published, Some(day(2026, 5, 27)));
    assert_eq!(b.grade, Some(Outcome::Inconsistent));
    assert_eq!(b.stated_outcome, Some(Outcome::Inconsistent));
    assert_eq!(b.outcome(), Some(Outcome::Inconsistent));
    assert_eq!(b.report_url.as_deref(), Some("https://files.ofsted.gov.uk/v1/file/50302846"));
    // The two snapshots disagree on nothing else about the row's identity.
    assert_eq!((a.urn.clone(), a.la_code.clone()), (b.urn.clone(), b.la_code.clone()));
}

#[test]
fn slough_2026_has_no_outcome_and_is_a_row_problem() {
    let s = read("2026", S2026);
    let slough = row(&s, "slough");
    assert_eq!(slough.grade, None);
    assert_eq!(slough.outcome_text, None);
    assert_eq!(slough.outcome(), None);
    assert_eq!(slough.previous_inspection, None, "01/01/1900 is no date");
    assert_eq!(slough.next_inspection, None, "NaN");
    assert_eq!(slough.next_inspection_by, None, "the tool's sentence for no date");
    assert_eq!(slough.inspection_start, Some(day(2025, 7, 7)));
    // The problem is on the grade's line, within the row's 16 lines.
    let problems: Vec<_> = s.problems.iter().filter(|p| (slough.line..slough.line + 16).contains(&p.line)).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].column, "Outcome Grade");
    assert!(problems[0].message.starts_with("expected an outcome"), "{}", problems[0]);
    // Slough is the only row of the real snapshots with a problem: grades and sentences agree everywhere else.
    assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
    assert!(read("2024", S2024).problems.is_empty());
    assert!(read("2025", S2025).problems.is_empty());
}

#[test]
fn quirks_of_the_real_pages() {
    let s = read("2026", S2026);
    // Barnsley: previous inspection 01/01/1900, grade 1.0.
    let barnsley = row(&s, "barnsley");
    assert_eq!(barnsley.previous_inspection, None);
    assert_eq!(barnsley.grade, Some(Outcome::TypicallyPositive));
    assert_eq!(barnsley.stated_outcome, Some(Outcome::TypicallyPositive));
    // Buckinghamshire: empty dates are unknown, not problems.
    let bucks = row(&s, "buckinghamshire");
    assert_eq!((bucks.inspection_start, bucks.inspection_end, bucks.next_inspection_by), (None, None, None));
    // A region code of NaN.
    assert_eq!(s.rows.iter().filter(|r| r.region_code.is_none()).count(), 1);
    // `&nbsp;` decoded, and the sentence still read.
    let nbsp = s
        .rows
        .iter()
        .find(|r| r.outcome_text.as_deref().is_some_and(|t| t.contains("urgently.\u{a0}\u{a0}A monitoring")))
        .expect("nbsp");
    assert_eq!(nbsp.stated_outcome, Some(Outcome::WidespreadSystemicFailings));
    // 2024: grades are written without ".0".
    assert_eq!(row(&read("2024", S2024), "blackpool").grade, Some(Outcome::Inconsistent));
}

/// The page with its first column (`URN`) moved to the end, in the header and in every row.
fn first_column_last(page: &str) -> String {
    let page = page.replacen("      <th>URN</th>\n", "", 1).replacen(
        "    </tr>\n  </thead>",
        "      <th>URN</th>\n    </tr>\n  </thead>",
        1,
    );
    let (head, mut rest) = page.split_at(page.find("<tbody>").expect("a tbody"));
    let mut out = head.to_owned();
    while let Some(i) = rest.find("<tr>\n      <td>") {
        out.push_str(&rest[..i + 5]);
        let after = &rest[i + 5..];
        let cell_end = after.find('\n').expect("a line") + 1;
        let remaining = &after[cell_end..];
        let close = remaining.find("    </tr>").expect("a row end");
        out.push_str(&remaining[..close]);
        out.push_str(&after[..cell_end]);
        rest = &remaining[close..];
    }
    out.push_str(rest);
    out
}

#[test]
fn columns_are_read_by_name_in_any_order_with_extra_ones() {
    // URN moved from first to last: every row reads the same.
    let moved = first_column_last(S2026);
    assert!(moved.contains("<th>Inspection Link</th>\n      <th>URN</th>"), "the header was reordered");
    assert_eq!(read("moved", &moved).rows, read("2026", S2026).rows);
    // An extra column, first: ignored and listed.
    let page = S2024
        .replacen("<th>URN</th>", "<th>Extra</th><th>URN</th>", 1)
        .replace("<tr>\n      <td>", "<tr>\n      <td>x</td>\n      <td>");
    let s = read("extra", &page);
    assert_eq!(s.rows.len(), 39);
    assert_eq!(s.unknown_columns, vec!["Extra".to_owned()]);
    let unlined = |rows: Vec<SummaryRow>| rows.into_iter().map(|r| SummaryRow { line: 0, ..r }).collect::<Vec<_>>();
    assert_eq!(unlined(s.rows.clone()), unlined(read("2024", S2024).rows));
    assert_eq!(row(&s, "cornwall").urn.as_str(), "80454");
    // Headers in other case and spacing.
    let s = read("case", &S2025.replace("<th>Outcome Grade</th>", "<th> outcome  GRADE </th>"));
    assert_eq!(row(&s, "cornwall").grade, Some(Outcome::Inconsistent));
}

#[test]
fn a_grade_the_sentence_contradicts_is_a_row_problem() {
    let page = S2024.replacen("<td>2</td>", "<td>1</td>", 1);
    let s = read("edited", &page);
    assert_eq!(s.rows.len(), 39);
    assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
    assert!(s.problems[0].message.contains("agree with the outcome sentence, which states \"inconsistent\""));
    assert_eq!(s.rows[0].outcome(), None);
    // A bad date is a row problem, and the field is None.
    let s = read("edited", &S2024.replacen("<td>20/05/24</td>", "<td>31/02/24</td>", 1));
    assert_eq!(s.rows[0].inspection_start, None);
    assert!(s.problems[0].message.starts_with("expected a date dd/mm/yyyy"), "{}", s.problems[0]);
    assert_eq!(s.problems[0].column, "Inspection Start Date");
}

#[test]
fn refuses_a_page_with_no_table() {
    let start = S2026.find("<table").expect("table");
    let end = S2026.find("</table>").expect("end") + "</table>".len();
    let page = format!("{}{}", &S2026[..start], &S2026[end..]);
    let p = refused(&page);
    assert!(p.message.contains("expected an HTML page with the summary's <table>, found no table"), "{p}");
}

#[test]
fn refuses_unknown_headers_naming_expected_and_found() {
    let page = S2026.replace("<th>URN</th>", "<th>Provider</th>").replace("<th>Outcome Grade</th>", "<th>Grade</th>");
    let p = refused(&page);
    assert_eq!(p.column, "header");
    assert!(p.message.contains("expected a header row of <th> cells with the summary's columns URN, La Code"), "{p}");
    assert!(p.message.contains("(missing URN, Outcome Grade)"), "{p}");
    assert!(p.message.contains("found \"Provider, La Code"), "{p}");
}

#[test]
fn refuses_a_truncated_page() {
    // Cut in the middle of a cell: no end of the table.
    let cut = &S2026[..S2026.len() / 2];
    let p = refused(cut);
    assert!(p.message.contains("found the end of the page (the page is truncated)"), "{p}");
    // Cut after a whole row: the table is not closed.
    let end_of_row = S2026[..S2026.len() / 2].rfind("</tr>").expect("a row") + "</tr>".len();
    let p = refused(&S2026[..end_of_row]);
    assert!(p.message.contains("expected the end of the table (</table>)"), "{p}");
    // A row cut short, the table closed after it.
    let last_cell = S2026.rfind("<td><a href").expect("a link cell");
    let page = format!("{}</tr></tbody></table></body></html>", &S2026[..last_cell]);
    let p = refused(&page);
    assert!(p.message.contains("expected 14 cells in row 96 (one per header), found 13"), "{p}");
}

#[test]
fn refuses_a_page_whose_time_cannot_be_read() {
    let p = refused(&S2025.replace("09 06 2025 11:02", "9th June 2025"));
    assert!(
        p.message.contains("expected the snapshot's time as \"Summary data last updated: dd mm yyyy HH:MM\""),
        "{p}"
    );
    assert!(p.message.contains("found \"9th June 2025\""), "{p}");
    assert_eq!(p.line, 56);
    let p = refused(&S2025.replace("Summary data last updated", "Updated"));
    assert!(p.message.ends_with("found no such line"), "{p}");
}

#[test]
fn refuses_pages_past_the_limits() {
    let big = vec![b' '; MAX_SUMMARY_BYTES + 1];
    let p = read_summary("big.html", &big).expect_err("too large");
    assert!(p.message.contains(&format!("at most {MAX_SUMMARY_BYTES} bytes")), "{p}");
    let first = S2024.find("<tr>\n      <td>").expect("a row");
    let last = S2024.find("</tbody>").expect("end");
    let rows = &S2024[first..last];
    let page = format!("{}{}{}", &S2024[..first], rows.repeat(MAX_SUMMARY_ROWS / 39 + 1), &S2024[last..]);
    let p = refused(&page);
    assert!(p.message.contains(&format!("expected at most {MAX_SUMMARY_ROWS} rows")), "{p}");
}

#[test]
fn dates_and_grades() {
    assert_eq!(parse_date("07/07/2017"), Ok(Some(day(2017, 7, 7))));
    assert_eq!(parse_date("20/05/24"), Ok(Some(day(2024, 5, 20))));
    assert_eq!(parse_date("01/01/1900"), Ok(None));
    assert!(parse_date("2024-05-20").is_err());
    assert!(parse_date("1/2/345").is_err());
    assert_eq!(parse_grade("3.0"), Ok(Some(Outcome::WidespreadSystemicFailings)));
    assert!(parse_grade("4.0").is_err());
}
