//! Text search (`nameContains`, `search`): checked (length, words, control characters) and matched with `LIKE`,
//! case-insensitive, its wildcards escaped.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition};
use send_model::entity::{local_area, priority_action};

use crate::error::{ApiError, ApiResult};

/// The longest text a text search (`nameContains`, `search`) may be, in characters: longer than any area's name or
/// any sensible search, and short enough that no database refuses the pattern (SQLite's LIKE stops at 50 000 bytes).
pub const MAX_SEARCH_CHARS: usize = 200;

/// Most words a `search` may have: each is one `LIKE` term of one expression, whose size databases bound.
pub const MAX_SEARCH_WORDS: usize = 16;

/// A case-insensitive "contains" pattern for `LIKE … ESCAPE '\'`: lowercased, with `%`, `_` and `\` matched
/// literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The words of a text search given as `argument`, checked: at most [`MAX_SEARCH_CHARS`] characters and
/// [`MAX_SEARCH_WORDS`] words, and no control characters (a NUL would cut the text short in some databases and be
/// refused by others). `whole` keeps the text as one term instead of splitting it into words.
pub fn search_terms(argument: &str, text: &str, whole: bool) -> ApiResult<Vec<String>> {
    let chars = text.chars().count();
    if chars > MAX_SEARCH_CHARS {
        return Err(ApiError::bad_input(format!(
            "`{argument}` is {chars} characters long; the limit is {MAX_SEARCH_CHARS}"
        )));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && !c.is_whitespace()) {
        return Err(ApiError::bad_input(format!(
            "`{argument}` contains the control character {c:?}: search with printable text"
        )));
    }
    let terms: Vec<String> =
        if whole { vec![text.to_owned()] } else { text.split_whitespace().map(str::to_owned).collect() };
    if terms.len() > MAX_SEARCH_WORDS {
        return Err(ApiError::bad_input(format!(
            "`{argument}` has {} words; the limit is {MAX_SEARCH_WORDS}",
            terms.len()
        )));
    }
    Ok(terms)
}

/// Priority actions whose text contains every word of `search` (case-insensitive substring match, `LIKE` on the
/// lowercased text; `%`, `_` and `\` are matched literally).
pub fn text_contains_words(search: &str) -> ApiResult<Condition> {
    let mut all = Condition::all().add(priority_action::Column::Text.is_not_null());
    for word in search_terms("search", search, false)? {
        let text = Func::lower(Expr::col((priority_action::Entity, priority_action::Column::Text)));
        all = all.add(text.like(LikeExpr::new(contains_pattern(&word)).escape('\\')));
    }
    Ok(all)
}

/// A case-insensitive "contains" on an area's name (`nameContains`), with LIKE's wildcards escaped.
pub fn name_contains(text: &str) -> ApiResult<Condition> {
    let mut all = Condition::all();
    for term in search_terms("nameContains", text, true)? {
        let name = Func::lower(sea_orm::sea_query::Expr::col((local_area::Entity, local_area::Column::Name)));
        all = all.add(name.like(LikeExpr::new(contains_pattern(&term)).escape('\\')));
    }
    Ok(all)
}
