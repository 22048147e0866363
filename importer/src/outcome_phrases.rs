//! The phrases that state an inspection's outcome in a sentence (a report's outcome section, the outcome column of
//! Data to Insight's summary), and the finding of the first one a text holds: both readers find outcomes this way.

use send_model::domain::Outcome;

/// The phrases of a 2023-framework full inspection's three outcomes, as the reports word them.
pub(crate) const FULL_INSPECTION: [(&str, Outcome); 5] = [
    ("typically lead to positive experiences and outcomes", Outcome::TypicallyPositive),
    ("lead to inconsistent experiences and outcomes", Outcome::Inconsistent),
    ("widespread and or systemic failings", Outcome::WidespreadSystemicFailings),
    ("widespread and systemic failings", Outcome::WidespreadSystemicFailings),
    ("widespread or systemic failings", Outcome::WidespreadSystemicFailings),
];

/// The outcome of the phrase of `phrases` that starts first in `text` (none when it holds none of them).
pub(crate) fn first_stated<'a>(
    text: &str,
    phrases: impl IntoIterator<Item = &'a (&'a str, Outcome)>,
) -> Option<Outcome> {
    phrases.into_iter().filter_map(|(p, o)| text.find(p).map(|at| (at, *o))).min_by_key(|(at, _)| *at).map(|(_, o)| o)
}
