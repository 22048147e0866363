//! How a source is named outside the importer: shown on a terminal (control characters escaped), and recorded
//! in the database, where the API publishes it (no credentials, no path of the import host).

use std::fmt::Write as _;

/// Whether a source names a URL rather than a path.
pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// `name` as it may be shown on a terminal or in a message: every control character (an escape sequence, a
/// carriage return, a newline) written as `\u{1b}`, so that a file name cannot rewrite what the user sees. Every
/// file name, sheet name and URL that is shown goes through this one function.
pub fn shown(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// A URL without what may be a secret: the user information (`user:password@`) is dropped, the query string
/// keeps its parameter names only (`?token=s3cret&page=2` becomes `?token&page`), and the fragment is dropped.
/// Two URLs that differ only in those secrets are the same source. Text that is not an http(s) URL is returned
/// as it is.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let rest = rest.split('#').next().unwrap_or_default();
    let (location, query) = match rest.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (rest, None),
    };
    let (authority, path) = match location.find('/') {
        Some(at) => location.split_at(at),
        None => (location, ""),
    };
    let host = authority.rsplit('@').next().unwrap_or_default();
    let mut out = format!("{scheme}://{host}{path}");
    if let Some(query) = query {
        let names: Vec<&str> =
            query.split('&').map(|pair| pair.split('=').next().unwrap_or_default()).filter(|n| !n.is_empty()).collect();
        if !names.is_empty() {
            out.push('?');
            out.push_str(&names.join("&"));
        }
    }
    out
}

/// The name an import run records for a source, which the API publishes: a URL redacted ([`redact_url`]), a file
/// by its file name only (its SHA-256, recorded beside it, identifies it; the folder is the import host's), the
/// bundled dataset as `bundled:data/NAME`.
pub fn recorded(name: &str) -> String {
    if is_url(name) {
        return redact_url(name);
    }
    if name.starts_with("bundled:") {
        return name.to_owned();
    }
    std::path::Path::new(name).file_name().map_or_else(|| name.to_owned(), |file| file.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown("a\u{1b}[2Jb\r\n.csv"), "a\\u{1b}[2Jb\\u{d}\\u{a}.csv");
        assert_eq!(shown("Écoles.csv"), "Écoles.csv");
    }

    #[test]
    fn urls_lose_their_secrets() {
        assert_eq!(
            redact_url("https://user:secret@example.org:8080/a/b.csv?token=s3cret&x=1#part"),
            "https://example.org:8080/a/b.csv?token&x"
        );
        assert_eq!(redact_url("http://example.org"), "http://example.org");
        assert_eq!(redact_url("http://a@b@example.org/f?"), "http://example.org/f");
    }

    #[test]
    fn files_are_recorded_by_name() {
        assert_eq!(recorded("/home/someone/data/inspections.csv"), "inspections.csv");
        assert_eq!(recorded("bundled:data/regions.csv"), "bundled:data/regions.csv");
        assert_eq!(recorded("https://u:p@h/x.csv?k=v"), "https://h/x.csv?k");
    }
}
