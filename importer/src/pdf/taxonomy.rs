//! The theme of an area for priority action (or improvement), decided by readable keyword rules.
//!
//! # The taxonomy
//!
//! [`TAXONOMY`] lists, for each of the ten themes of `data/README.md`, the phrases that point to it, each with a
//! weight: 2 for a phrase that names the theme itself ("governance", "EHC plans", "waiting times"), 1 for a phrase
//! that usually goes with it ("oversight", "annual reviews", "speech and language"). To change how actions are
//! coded, change this table; nothing else holds a theme's words.
//!
//! # Matching
//!
//! Text and phrases are compared as lower-case words: apostrophes are dropped ("children's" is `childrens`) and
//! every other non-alphanumeric character separates words ("co-produced" is `co produced`). A phrase matches a run of
//! consecutive words; a word ending in `*` matches any word that starts with it (`commission*` matches
//! "commissioning" and "commissioned"). Before matching, the stock phrases of [`GENERIC_PHRASES`] ("education, health
//! and social care", ...) are blanked out: they name the partners, not a theme, so "social care" there is no
//! evidence of the social-care theme.
//!
//! # Scoring and tie-break
//!
//! Every occurrence of a theme's phrases counts its weight, and twice its weight when it is in the action's first
//! sentence (the requirement itself; what follows usually explains or lists details). Where two phrases of one
//! theme overlap ("waiting times" and "wait*"), only the heavier (then the longer) counts. The theme with the
//! highest score wins; on a tie, the theme whose first counted phrase comes earliest in the text; then the order of
//! [`TAXONOMY`]. No phrase at all: no theme. The phrases that counted for the winning theme are its evidence, in
//! text order.

use send_model::domain::Theme;

/// Each theme's phrases and their weights (2: names the theme; 1: usually goes with it). See the module docs.
pub const TAXONOMY: &[(Theme, &[(&str, u32)])] = &[
    (
        Theme::StrategicGovernance,
        &[
            ("governance", 2),
            ("strategic direction", 2),
            ("strategic oversight", 2),
            ("strategic planning", 2),
            ("strategic leadership", 2),
            ("oversight", 1),
            ("strategy", 1),
            ("strategies", 1),
            ("quality assurance", 1),
            ("accountab*", 1),
            ("challenge", 1),
            ("cohesive", 1),
            ("self evaluation", 1),
            ("evaluat*", 1),
            ("leadership", 1),
        ],
    ),
    (
        Theme::EhcPlans,
        &[
            ("ehc plan*", 2),
            ("ehcp*", 2),
            ("education health and care plan*", 2),
            ("ehc needs assessment*", 2),
            ("annual review*", 1),
            ("needs assessment*", 1),
            ("assessment of need*", 1),
            ("provide for the need*", 1),
            ("statutory assessment*", 1),
            ("statutory timescale*", 1),
            ("timeliness", 1),
            ("20 week*", 1),
        ],
    ),
    (
        Theme::HealthWaitingTimes,
        &[
            ("waiting time*", 2),
            ("waiting list*", 2),
            ("wait*", 1),
            ("delay*", 1),
            ("neurodevelopmental", 1),
            ("neuro developmental", 1),
            ("neurodivergen*", 1),
            ("autism", 1),
            ("adhd", 1),
            ("speech and language", 1),
            ("therap*", 1),
            ("paediatric*", 1),
            ("mental health", 1),
            ("camhs", 1),
            ("health pathway*", 1),
            ("pathway*", 1),
            ("health service*", 1),
            ("diagnos*", 1),
            ("equipment", 1),
            ("wheelchair*", 1),
        ],
    ),
    (
        Theme::Commissioning,
        &[("commission*", 2), ("sufficiency", 1), ("joint strategic needs assessment", 1), ("jsna", 1)],
    ),
    (
        Theme::InformationSharing,
        &[
            ("information sharing", 2),
            ("share information", 2),
            ("sharing of information", 2),
            ("information gathering", 1),
            ("sharing", 1),
            ("coordinat*", 1),
            ("co ordinat*", 1),
            ("multi agency", 1),
            ("multiagency", 1),
            ("joined up", 1),
            ("joint working", 1),
        ],
    ),
    (
        Theme::CoProduction,
        &[
            ("co produc*", 2),
            ("coproduc*", 2),
            ("voice*", 1),
            ("views", 1),
            ("heard", 1),
            ("listen*", 1),
            ("communicat*", 1),
            ("engage*", 1),
            ("parent carer forum", 1),
            ("parent and carer forum", 1),
            ("shape the service*", 1),
        ],
    ),
    (
        Theme::PreparationForAdulthood,
        &[
            ("adulthood", 2),
            ("transition*", 1),
            ("neet", 1),
            ("post 16", 1),
            ("post 19", 1),
            ("employment", 1),
            ("independent living", 1),
            ("supported internship*", 1),
            ("adult service*", 1),
        ],
    ),
    (
        Theme::ExclusionsMissingEducation,
        &[
            ("missing education", 2),
            ("missing from education", 2),
            ("exclu*", 2),
            ("suspension*", 2),
            ("attend*", 1),
            ("absence", 1),
            ("elective home education", 1),
            ("alternative provision", 1),
            ("part time timetable*", 1),
        ],
    ),
    (
        Theme::IdentificationOfNeeds,
        &[
            ("identification of need*", 2),
            ("identif* the need*", 2),
            ("identif* their need*", 2),
            ("early identification", 2),
            ("needs are identified", 1),
            ("needs identified", 1),
            ("unidentified", 1),
            ("unmet need*", 1),
            ("early help", 1),
        ],
    ),
    (
        Theme::SocialCare,
        &[
            ("childrens social care", 2),
            ("adult social care", 2),
            ("social work*", 2),
            ("short break*", 2),
            ("social care", 1),
            ("respite", 1),
            ("care leaver*", 1),
            ("safeguarding", 1),
            ("child protection", 1),
        ],
    ),
];

/// Stock phrases that name the partners rather than a theme; blanked out before matching.
pub const GENERIC_PHRASES: &[&str] = &[
    "education health and social care",
    "education health or social care",
    "education social care and health",
    "health and social care",
    "health education and social care",
    "education health and care providers",
    "education health and care services",
    "education health and care professionals",
    "education health and care partners",
];

/// The theme decided for a text, and the phrases that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The winning theme.
    pub theme: Theme,
    /// The phrases (as written in the text, normalised) that counted for it, in text order, each once.
    pub evidence: Vec<String>,
    /// The winning score (see the module docs).
    pub score: u32,
}

/// One word of the text, and whether a sentence ends after it.
struct Word {
    text: String,
    sentence_end: bool,
}

fn words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut current = String::new();
    let mut pending_end = false;
    for c in text.chars() {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_alphanumeric() {
            if current.is_empty() && pending_end {
                // A full stop ends a sentence only when a capital (or the end of the text) follows: "e.g. the".
                if let Some(last) = out.last_mut() {
                    last.sentence_end = c.is_uppercase();
                }
                pending_end = false;
            }
            current.extend(c.to_lowercase());
        } else {
            if !current.is_empty() {
                out.push(Word { text: std::mem::take(&mut current), sentence_end: false });
            }
            if matches!(c, '.' | '!' | '?') {
                pending_end = true;
            }
        }
    }
    if !current.is_empty() {
        out.push(Word { text: current, sentence_end: false });
    }
    if let Some(last) = out.last_mut() {
        last.sentence_end = true;
    }
    out
}

fn phrase_words(phrase: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in phrase.split(|c: char| !c.is_alphanumeric() && c != '*' && c != '\'') {
        let w: String = w.chars().filter(|c| *c != '\'').collect::<String>().to_lowercase();
        if !w.is_empty() {
            out.push(w);
        }
    }
    out
}

fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => pattern == word,
    }
}

/// Where `phrase` occurs in `words` (start indices), skipping blanked words.
fn occurrences(phrase: &[String], words: &[Word], blank: &[bool]) -> Vec<usize> {
    if phrase.is_empty() || phrase.len() > words.len() {
        return Vec::new();
    }
    (0..=words.len() - phrase.len())
        .filter(|&start| {
            phrase.iter().enumerate().all(|(i, p)| {
                !blank.get(start + i).copied().unwrap_or(true)
                    && words.get(start + i).is_some_and(|w| word_matches(p, &w.text))
            })
        })
        .collect()
}

struct Hit {
    start: usize,
    len: usize,
    weight: u32,
}

/// Decides the theme of `text` by the rules of [`TAXONOMY`] (see the module docs); `None` when no phrase matches.
pub fn classify(text: &str) -> Option<Classification> {
    let words = words(text);
    let first_sentence_end = words.iter().position(|w| w.sentence_end).unwrap_or(words.len());
    let mut blank = vec![false; words.len()];
    for generic in GENERIC_PHRASES {
        let generic = phrase_words(generic);
        for start in occurrences(&generic, &words, &vec![false; words.len()]) {
            for b in blank.iter_mut().skip(start).take(generic.len()) {
                *b = true;
            }
        }
    }
    let mut best: Option<(u32, usize, usize, Vec<Hit>)> = None;
    for (order, (_, phrases)) in TAXONOMY.iter().enumerate() {
        let mut hits: Vec<Hit> = Vec::new();
        for (phrase, weight) in phrases.iter() {
            let pattern = phrase_words(phrase);
            for start in occurrences(&pattern, &words, &blank) {
                hits.push(Hit { start, len: pattern.len(), weight: *weight });
            }
        }
        // Overlapping phrases of one theme count once: the heavier, then the longer, then the earlier.
        hits.sort_by(|a, b| b.weight.cmp(&a.weight).then(b.len.cmp(&a.len)).then(a.start.cmp(&b.start)));
        let mut kept: Vec<Hit> = Vec::new();
        for hit in hits {
            if kept.iter().all(|k| hit.start + hit.len <= k.start || k.start + k.len <= hit.start) {
                kept.push(hit);
            }
        }
        if kept.is_empty() {
            continue;
        }
        kept.sort_by_key(|h| h.start);
        let score: u32 = kept.iter().map(|h| if h.start <= first_sentence_end { h.weight * 2 } else { h.weight }).sum();
        let first = kept.first().map_or(usize::MAX, |h| h.start);
        let better = match &best {
            None => true,
            Some((s, f, o, _)) => {
                (score, std::cmp::Reverse(first), std::cmp::Reverse(order))
                    > (*s, std::cmp::Reverse(*f), std::cmp::Reverse(*o))
            }
        };
        if better {
            best = Some((score, first, order, kept));
        }
    }
    let (score, _, order, kept) = best?;
    let (theme, _) = TAXONOMY.get(order)?;
    let mut evidence: Vec<String> = Vec::new();
    for hit in &kept {
        let phrase = words.iter().skip(hit.start).take(hit.len).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        if !evidence.contains(&phrase) {
            evidence.push(phrase);
        }
    }
    Some(Classification { theme: *theme, evidence, score })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_theme_wins_and_its_words_are_the_evidence() {
        let c = classify("Leaders should improve the joint commissioning of services.").expect("a theme");
        assert_eq!(c.theme, Theme::Commissioning);
        assert_eq!(c.evidence, vec!["commissioning".to_owned()]);
    }

    #[test]
    fn the_first_sentence_counts_double() {
        // One phrase each; the strategic one is in the first sentence.
        let c = classify("Leaders should improve strategic planning. This includes transitions.").expect("a theme");
        assert_eq!(c.theme, Theme::StrategicGovernance);
    }

    #[test]
    fn stock_partner_phrases_are_not_social_care_evidence() {
        let c = classify("Leaders across education, health and social care should reduce waiting times.");
        assert_eq!(c.map(|c| c.theme), Some(Theme::HealthWaitingTimes));
        assert_eq!(classify("Leaders across education, health and social care should meet."), None);
    }

    #[test]
    fn a_tie_goes_to_the_earliest_evidence() {
        // "exclusions" (2) and "commissioning" (2), both in the first sentence: exclusions comes first.
        let c = classify("Reduce exclusions and improve commissioning.").expect("a theme");
        assert_eq!(c.theme, Theme::ExclusionsMissingEducation);
    }
}
