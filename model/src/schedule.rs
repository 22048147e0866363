//! When the next inspections are expected. The rules are data with a version, because the framework changes (it
//! was reviewed in 2025): a new version is a new [`RuleSet`], and every computed date names the rule it came from.

use chrono::{Months, NaiveDate};

use crate::domain::{InspectionType, Outcome};

/// One rule: after a full inspection with `after`, an inspection of type `next` is expected within `months` of the
/// report's publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleRule {
    /// Stable identifier, e.g. `2023-positive-full`.
    pub id: &'static str,
    /// The outcome of the full inspection the rule follows.
    pub after: Outcome,
    /// The inspection expected.
    pub next: InspectionType,
    /// Within how many months of publication.
    pub months: u32,
    /// The rule in words.
    pub description: &'static str,
}

/// A versioned set of rules with its source.
#[derive(Debug, Clone, Copy)]
pub struct RuleSet {
    /// Version name.
    pub version: &'static str,
    /// Where the rules are stated.
    pub source: &'static str,
    /// The rules.
    pub rules: &'static [ScheduleRule],
}

/// The 2023 framework's rules as first published (in force for inspections from January 2023).
pub const RULES_2023: RuleSet = RuleSet {
    version: "2023-framework-v1",
    source: "Ofsted and CQC, Area SEND inspection framework and handbook (2023): next steps after each outcome, as \
             summarised in the project's data/README.md",
    rules: &[
        ScheduleRule {
            id: "2023-positive-full",
            after: Outcome::TypicallyPositive,
            next: InspectionType::Full,
            months: 60,
            description: "typically positive: next full inspection within about 5 years",
        },
        ScheduleRule {
            id: "2023-inconsistent-full",
            after: Outcome::Inconsistent,
            next: InspectionType::Full,
            months: 36,
            description: "inconsistent: next full inspection within about 3 years",
        },
        ScheduleRule {
            id: "2023-systemic-monitoring",
            after: Outcome::WidespreadSystemicFailings,
            next: InspectionType::Monitoring,
            months: 18,
            description: "widespread and/or systemic failings: monitoring inspection usually within about 18 months",
        },
        ScheduleRule {
            id: "2023-systemic-full",
            after: Outcome::WidespreadSystemicFailings,
            next: InspectionType::Full,
            months: 36,
            description: "widespread and/or systemic failings: full reinspection within about 3 years",
        },
    ],
};

/// The rule set in force.
pub fn current_rules() -> &'static RuleSet {
    &RULES_2023
}

/// The day the 2023 framework expects to have inspected every area: the end of 2027/28.
pub fn programme_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2028, 3, 31).unwrap_or(NaiveDate::MAX)
}

/// `date` plus `months` (clamped to the month's end).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_2023_full_outcome_has_a_next_full_inspection_rule() {
        for outcome in Outcome::of(crate::domain::Framework::F2023, InspectionType::Full) {
            assert!(
                current_rules().rules.iter().any(|r| r.after == outcome && r.next == InspectionType::Full),
                "{outcome}"
            );
        }
        let d = NaiveDate::from_ymd_opt(2024, 1, 30).expect("date");
        assert_eq!(add_months(d, 18), NaiveDate::from_ymd_opt(2025, 7, 30).expect("date"));
    }
}
