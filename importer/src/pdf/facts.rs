//! What a report states, as `send-import --extract` prints it: the facts, and each area for priority action or for
//! improvement with its theme.

use chrono::NaiveDate;
use send_model::domain::{Framework, InspectionType, Outcome};

use crate::rows::ReportAction;

/// What one report says, as printed by `send-import --extract`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportFacts {
    /// The path as given.
    pub file: String,
    /// The GSS code of the local area (e.g. `E10000029`).
    pub area_code: String,
    /// First day of the inspection.
    pub inspection_start: NaiveDate,
    /// Last day of the inspection (`None` if the report gives one day).
    pub inspection_end: Option<NaiveDate>,
    /// First day of the previous inspection (`None`: not previously inspected, or not stated).
    pub previous_inspection_start: Option<NaiveDate>,
    /// Last day of the previous inspection (`None` when the report gives a single day).
    pub previous_inspection_end: Option<NaiveDate>,
    /// The inspection framework: always `"2023"` (only 2023-framework reports are read).
    #[serde(serialize_with = "serialize_framework")]
    pub framework: Framework,
    /// `"full"` or `"monitoring"`.
    #[serde(serialize_with = "serialize_inspection_type")]
    pub inspection_type: InspectionType,
    /// The outcome, written as the GraphQL enum value (`TYPICALLY_POSITIVE`, `INCONSISTENT`,
    /// `WIDESPREAD_SYSTEMIC_FAILINGS`; monitoring: `EFFECTIVE_ACTION`, `NOT_EFFECTIVE_ACTION`).
    #[serde(serialize_with = "serialize_outcome")]
    pub outcome: Outcome,
    /// The GSS codes (`E54...`) of the ICBs of the partnership, in the order the report names them.
    pub icb_codes: Vec<String>,
    /// The areas for priority action, in report order.
    pub priority_actions: Vec<ReportAction>,
    /// The areas for improvement, in report order.
    pub areas_for_improvement: Vec<ReportAction>,
    /// The publication date. Always `None`: the text does not state it, and the PDF metadata only holds the date
    /// the file was made (0 to 3 days before publication in the reports seen), which is not the same fact.
    pub published: Option<NaiveDate>,
}

/// The outcome as the GraphQL API names it (the `Outcome` enum of `send-api`).
pub fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::TypicallyPositive => "TYPICALLY_POSITIVE",
        Outcome::Inconsistent => "INCONSISTENT",
        Outcome::WidespreadSystemicFailings => "WIDESPREAD_SYSTEMIC_FAILINGS",
        Outcome::WsoaRequired => "WSOA_REQUIRED",
        Outcome::WsoaNotRequired => "WSOA_NOT_REQUIRED",
        Outcome::AllWeaknessesAddressed => "ALL_WEAKNESSES_ADDRESSED",
        Outcome::SomeWeaknessesAddressed => "SOME_WEAKNESSES_ADDRESSED",
        Outcome::NoWeaknessesAddressed => "NO_WEAKNESSES_ADDRESSED",
        Outcome::EffectiveAction => "EFFECTIVE_ACTION",
        Outcome::NotEffectiveAction => "NOT_EFFECTIVE_ACTION",
    }
}

fn serialize_outcome<S: serde::Serializer>(outcome: &Outcome, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(outcome_name(*outcome))
}

fn serialize_framework<S: serde::Serializer>(framework: &Framework, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(framework.code())
}

fn serialize_inspection_type<S: serde::Serializer>(t: &InspectionType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.code())
}
