//! The facts of an inspection that sources give and the importer's precedence rule compares, one by one. Typed, so that every
//! place that reads, compares or writes a fact handles each of them (an exhaustive `match`, never a string that a
//! typo would make silently do nothing). Their names are what import reports, `inspection_field_source` and
//! `inspection_change` record.

/// One fact of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    /// First day on site (only given by a source that knows it).
    Start,
    /// Last day on site.
    End,
    /// Publication date.
    Published,
    /// Outcome.
    Outcome,
    /// Number of areas for priority action.
    PriorityActionCount,
    /// Themes of the areas for priority action, in report order.
    PriorityActions,
    /// Texts and evidence of the areas for priority action (reports only).
    PriorityActionTexts,
    /// Areas for improvement (reports only).
    AreasForImprovement,
    /// The report's address.
    ReportUrl,
    /// Significant weaknesses (2016 full inspections).
    SignificantWeaknesses,
    /// Weaknesses with sufficient progress (2016 revisits).
    WeaknessesProgressMade,
    /// Weaknesses without sufficient progress (2016 revisits).
    WeaknessesProgressNotMade,
}

impl Fact {
    /// The name recorded and reported.
    pub const fn name(self) -> &'static str {
        match self {
            Fact::Start => "inspection_start",
            Fact::End => "inspection_end",
            Fact::Published => "published",
            Fact::Outcome => "outcome",
            Fact::PriorityActionCount => "priority_action_count",
            Fact::PriorityActions => "priority_actions",
            Fact::PriorityActionTexts => "priority_action_texts",
            Fact::AreasForImprovement => "areas_for_improvement",
            Fact::ReportUrl => "report_url",
            Fact::SignificantWeaknesses => "significant_weaknesses",
            Fact::WeaknessesProgressMade => "weaknesses_progress_made",
            Fact::WeaknessesProgressNotMade => "weaknesses_progress_not_made",
        }
    }

    /// Whether the fact is a date (a month known only to the month never replaces the same month known to the day).
    pub const fn is_date(self) -> bool {
        matches!(self, Fact::Start | Fact::End | Fact::Published)
    }
}
