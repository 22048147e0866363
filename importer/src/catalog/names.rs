//! Names as people write them: folded for comparison and stripped of designators (Borough, City of, ...).

/// Words that say what kind of council an area is rather than which: publishers add or drop them ("Bedford
/// Borough", "Bristol, City of", "County Durham", "Herefordshire Council", "Royal Borough of Greenwich").
const DESIGNATORS: [&str; 9] =
    ["borough", "council", "city", "county", "of", "the", "royal", "metropolitan", "district"];

/// Lower-cases a name and folds punctuation and spacing, so that "St. Helens" and "St Helens" meet.
pub fn normalise_name(name: &str) -> String {
    let folded: String = name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name without its designators (`DESIGNATORS`), normalised: what two spellings of one area share. Empty for a
/// name of designators only.
pub fn name_stem(name: &str) -> String {
    let name = normalise_name(name);
    // "London Borough of Barnet": `london` is a designator only in that phrase ("City of London" keeps it).
    let name = name.replace("london borough", "borough");
    name.split(' ').filter(|w| !DESIGNATORS.contains(w)).collect::<Vec<_>>().join(" ")
}
