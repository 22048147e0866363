//! The precedence rule between sources, field by field: the more specific kind of source wins, a date known to the
//! day is never replaced by the same month, and every disagreement is a warning naming both values and sources.

use chrono::Datelike;
use send_model::domain::{DatePrecision, PartialDate, SourceKind};
use send_model::fact::Fact;

/// Whether a date value only restates another at a coarser precision (`2017-05` against `2017-05-12`), or refines
/// it. Returns `Some(true)` when `new` refines `old`, `Some(false)` when it is coarser, `None` when they differ.
pub(super) fn precision_relation(fact: Fact, old: &str, new: &str) -> Option<bool> {
    if !fact.is_date() {
        return None;
    }
    let (old, new) = (PartialDate::parse(old).ok()?, PartialDate::parse(new).ok()?);
    let same_month = (old.date.year(), old.date.month()) == (new.date.year(), new.date.month());
    match (same_month, old.precision, new.precision) {
        (true, DatePrecision::Month, DatePrecision::Day) => Some(true),
        (true, DatePrecision::Day, DatePrecision::Month) => Some(false),
        _ => None,
    }
}

/// Who said a stored value: its kind of source and the file or URL.
pub(super) struct Said {
    pub(super) kind: SourceKind,
    pub(super) source: String,
}

/// The precedence rule between sources, for one field whose stored value differs from a new source's.
/// Returns whether to take the new value, and a warning when the two sources disagree.
pub(super) fn decide(
    record: &str,
    fact: Fact,
    old: &Option<String>,
    new: &Option<String>,
    said: &Said,
    kind: SourceKind,
    source: &str,
) -> (bool, Option<String>) {
    match (old, new) {
        // Filling an empty field is an addition, not a disagreement. (A source that says "empty" where another gave
        // a value is a disagreement like any other, ranked below.)
        (None, _) => return (true, None),
        // The same date at another precision: a day refines a month; a month never replaces a day.
        (Some(old_text), Some(new_text)) => {
            if let Some(refines) = precision_relation(fact, old_text, new_text) {
                return (refines, None);
            }
        }
        (Some(_), None) => {}
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(empty)".to_owned());
    let same_source = said.kind == kind && said.source == source;
    if same_source {
        // A revised edition of the same file: its new value replaces its old one (reported as a change).
        return (true, None);
    }
    let take = kind.rank() >= said.kind.rank();
    let kept = if take { new } else { old };
    let reason = if kind.rank() == said.kind.rank() {
        "the later import of the same kind of source wins".to_owned()
    } else {
        format!("{} ranks above {}", if take { kind } else { said.kind }, if take { said.kind } else { kind })
    };
    let warning = format!(
        "sources disagree on {record}: {}: {} ({}) says {}; {} ({}) says {}; kept {} ({reason})",
        fact.name(),
        said.kind,
        said.source,
        show(old),
        kind,
        source,
        show(new),
        show(kept)
    );
    (take, Some(warning))
}
