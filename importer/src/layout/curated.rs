//! The rows of our curated CSVs (`data/*.csv`).

use send_model::domain::{
    DfeCode, Framework, GssCode, GssKind, InspectionType, OfstedUrn, Outcome, ParseError, PartialDate, Pathway, Theme,
    VisitTheme,
};

use super::cells::{Cells, iso_day, url};
use crate::rows::{
    AliasRow, AreaRef, AreaRow, IcbRow, InspectionFacts, InspectionRow, LineageRow, RegionRef, RegionRow,
    ReportLinkRow, VisitRow,
};

pub(super) fn region_row(c: &mut Cells<'_>) -> Option<RegionRow> {
    let code = c.required("region_code", |t| GssCode::parse(t, GssKind::Region));
    let name = c.text("region_name", "a region name");
    let ofsted_region = c.text("ofsted_region", "an Ofsted region name");
    Some(RegionRow { line: c.line, code: code?, name: name?, ofsted_region: ofsted_region? })
}

pub(super) fn icb_row(c: &mut Cells<'_>) -> Option<IcbRow> {
    let code = c.required("icb_code", |t| GssCode::parse(t, GssKind::Icb));
    let name = c.text("icb_name", "an ICB name");
    Some(IcbRow { line: c.line, code: code?, name: name? })
}

pub(super) fn area_row(c: &mut Cells<'_>) -> Option<AreaRow> {
    let gss = c.required("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let dfe = c.required("la_code_dfe", DfeCode::parse);
    let name = c.text("name", "the area's name");
    let region = c.text("region", "an ONS region name");
    let icbs = c.list("icb_codes", ';', |t| GssCode::parse(t, GssKind::Icb));
    Some(AreaRow { line: c.line, gss: gss?, dfe: dfe?, name: name?, region: region?, icbs: icbs? })
}

pub(super) fn lineage_row(c: &mut Cells<'_>) -> Option<LineageRow> {
    let predecessor_gss = c.required("predecessor_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let predecessor_dfe = c.required("predecessor_dfe", DfeCode::parse);
    let predecessor_name = c.text("predecessor_name", "the predecessor's name");
    let successor_gss = c.required("successor_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let successor_dfe = c.required("successor_dfe", DfeCode::parse);
    let successor_name = c.text("successor_name", "the successor's name");
    let effective = c.required("effective", iso_day);
    if let (Some(p), Some(s)) = (&predecessor_gss, &successor_gss)
        && p == s
    {
        c.problem("successor_gss", format!("expected a code different from the predecessor's, found {s}"));
        return None;
    }
    Some(LineageRow {
        line: c.line,
        predecessor_gss: predecessor_gss?,
        predecessor_dfe: predecessor_dfe?,
        predecessor_name: predecessor_name?,
        successor_gss: successor_gss?,
        successor_dfe: successor_dfe?,
        successor_name: successor_name?,
        effective: effective?,
    })
}

pub(super) fn alias_row(c: &mut Cells<'_>) -> Option<AliasRow> {
    let alias = c.text("alias", "a name");
    let gss = c.required("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let publisher = c.text("publisher", "the publisher that uses the name");
    Some(AliasRow { line: c.line, alias: alias?, gss: gss?, publisher: publisher? })
}

pub(super) fn report_link_row(c: &mut Cells<'_>) -> Option<ReportLinkRow> {
    let area_name = c.text("area_name", "the area's name");
    let dfe = c.required("la_code_dfe", DfeCode::parse);
    let urn = c.required("ofsted_urn", OfstedUrn::parse);
    let published = c.required("published", PartialDate::parse);
    let report_url = c.required("report_url", url);
    let source_url = c.required("source_url", url);
    Some(ReportLinkRow {
        line: c.line,
        area_name: area_name?,
        dfe: dfe?,
        urn: urn?,
        published: published?,
        report_url: report_url?,
        source_url: source_url?,
    })
}

pub(super) fn inspection_row(c: &mut Cells<'_>) -> Option<InspectionRow> {
    let area_name = c.text("area_name", "the area's name");
    let gss = c.required("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let dfe = c.optional("la_code_dfe", DfeCode::parse);
    let region = c.text("region", "an ONS region name");
    let framework = c.required("framework", Framework::parse);
    let inspection_type = c.required("inspection_type", InspectionType::parse);
    let stated_start = c.optional("inspection_start", PartialDate::parse);
    let end = c.optional("inspection_end", PartialDate::parse);
    let published = c.optional("published", PartialDate::parse);
    // No source may give the start date of an inspection whose outcome is published (two of 2026): such a row is
    // held, placed at its publication date, rather than refused or given a guessed date.
    let start_known = !matches!(stated_start, Some(None));
    if let (Some(None), Some(None)) = (stated_start, published) {
        c.problem(
            "inspection_start",
            "expected a date (yyyy-mm-dd or yyyy-mm), or an empty cell with a publication date to place the \
             inspection by, found an empty cell and no publication date",
        );
    }
    let start = stated_start.flatten();
    let outcome = c.optional("outcome", Outcome::parse);
    let themes = c.list("priority_actions", ';', Theme::parse);
    let source_url = c.required("source_url", url);

    // Coherence within the row: each check runs only on the values that parsed.
    if let (Some(f), Some(t)) = (framework, inspection_type)
        && let Some(only) = t.only_framework()
        && only != f
    {
        c.problem(
            "inspection_type",
            format!(
                "expected full or a type of the {f} framework, found {t:?} (a {only}-framework type)",
                t = t.code()
            ),
        );
    }
    if let (Some(f), Some(t), Some(Some(o))) = (framework, inspection_type, outcome) {
        let (of, ot) = o.belongs_to();
        if (of, ot) != (f, t) {
            let valid: Vec<&str> = Outcome::of(f, t).iter().map(|o| o.code()).collect();
            c.problem(
                "outcome",
                format!(
                    "expected an outcome of a {f}-framework {t} inspection ({}), found {:?} (a {of}-framework {ot} outcome)",
                    if valid.is_empty() { "none exist".to_owned() } else { valid.join(", ") },
                    o.code(),
                    t = t.code(),
                    ot = ot.code(),
                ),
            );
        }
    }
    if let (Some(s), Some(Some(e))) = (start, end)
        && e.latest() < s.date
    {
        c.problem("inspection_end", format!("expected a date on or after inspection_start ({s}), found {e}"));
    }
    if let (Some(s), Some(Some(p))) = (start, published)
        && p.latest() < s.date
    {
        c.problem("published", format!("expected a date on or after inspection_start ({s}), found {p}"));
    }
    if let (Some(Some(e)), Some(Some(p))) = (end, published)
        && p.latest() < e.date
    {
        c.problem("published", format!("expected a date on or after inspection_end ({e}), found {p}"));
    }
    // A widespread/systemic failings outcome is published weeks before anyone codes the report's priority actions:
    // an empty cell then says they are not yet read (filled later by the report or a curated row), not that there
    // are none.
    let mut not_yet_read = false;
    if let (Some(o), Some(themes)) = (outcome, &themes) {
        let systemic = o == Some(Outcome::WidespreadSystemicFailings);
        if systemic && themes.is_empty() {
            not_yet_read = true;
        } else if !systemic && !themes.is_empty() {
            c.problem(
                "priority_actions",
                format!(
                    "expected an empty cell (only widespread/systemic failings outcomes have areas for priority action), found {} theme(s)",
                    themes.len()
                ),
            );
        }
    }
    let (gss, framework, inspection_type, _) = (gss?, framework?, inspection_type?, stated_start?);
    let start = start.or(published.flatten())?;
    let themes = themes?;
    let count = (framework == Framework::F2023 && inspection_type == InspectionType::Full)
        .then(|| i32::try_from(themes.len()).unwrap_or(i32::MAX));
    // Not yet read: the row says nothing of the priority actions, so a stored reading of them stands.
    let (count, themes) = if not_yet_read { (None, None) } else { (Some(count), Some(themes)) };
    let _ = area_name?;
    Some(InspectionRow {
        line: c.line,
        area: AreaRef::Code(gss.clone()),
        gss: Some(gss),
        dfe: dfe?,
        region: RegionRef::Ons(region?),
        framework,
        inspection_type,
        start,
        start_known,
        facts: InspectionFacts {
            end: Some(end?),
            published: Some(published?),
            outcome: Some(outcome?),
            priority_action_count: count,
            themes,
            ..InspectionFacts::default()
        },
        source_url: source_url?,
        report: None,
    })
}

pub(super) fn visit_row(c: &mut Cells<'_>) -> Option<VisitRow> {
    let year = c.required("year", |t| {
        t.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2016..=2100).contains(y))
            .ok_or_else(|| ParseError::new("a year such as 2024", t))
    });
    let theme = c.required("theme", VisitTheme::parse);
    let gss = c.optional("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let label = c.optional_text("label");
    let pathways = c.list("pathways", ';', Pathway::parse);
    let start = c.optional("visit_start", PartialDate::parse);
    let end = c.optional("visit_end", PartialDate::parse);
    let report_title = c.text("report_title", "the national report's title");
    let report_published = c.optional("report_published", iso_day);
    let report_url = c.optional("report_url", url);
    let source = c.text("source", "where the facts were read");
    if matches!(gss, Some(None)) && label.is_none() {
        c.problem(
            "label",
            "expected a label for a visit whose area is not named (la_code_gss is empty), found an empty cell",
        );
        return None;
    }
    Some(VisitRow {
        line: c.line,
        year: year?,
        theme: theme?,
        gss: gss?,
        label,
        pathways: pathways?,
        start: start?,
        end: end?,
        report_title: report_title?,
        report_published: report_published?,
        report_url: report_url?,
        source: source?,
    })
}
