//! HTML text: escaping, and the frame every page shares (skip link, header, navigation, main, footer with the
//! licence), so that each page writes only its own content.

use std::fmt::Write as _;

use crate::licence::ATTRIBUTION;

/// Text made safe inside HTML, SVG and XML (the Atom feed) elements and attribute values; characters XML 1.0 cannot
/// carry at all are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A query-string component: everything but unreserved characters percent-encoded.
pub fn url_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A whole page: `title` (the page's own, before the site's name), the dataset version it shows, and its content.
pub fn page(title: &str, version: Option<&str>, content: &str) -> String {
    let mut out = String::with_capacity(content.len() + 2048);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} – Area SEND inspection outcomes</title>\n\
         <link rel=\"stylesheet\" href=\"/assets/site.css\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to the content</a>\n\
         <header class=\"site\"><p class=\"site-name\"><a href=\"/\">Area SEND inspection outcomes</a></p>\n\
         <nav aria-label=\"Site\"><ul><li><a href=\"/\">England</a></li><li><a href=\"/themes\">Themes</a></li>\
         <li><a href=\"/graphiql\">GraphQL explorer</a></li>\
         <li><a href=\"/export/inspections.csv\">All inspections (CSV)</a></li></ul></nav></header>\n\
         <main id=\"main\">\n{content}</main>\n<footer class=\"site\">\n<p>{}</p>\n<p>Dataset version {}. Every figure \
         here is an answer of the <a href=\"/graphiql\">GraphQL API</a>; each says which query gives it.</p>\n\
         </footer>\n</body>\n</html>\n",
        escape(title),
        escape(ATTRIBUTION),
        escape(version.unwrap_or("none (no data imported)")),
    );
    out
}

/// A bare page holding one figure, for framing in another site (`/embed/...`): the figure and its source line.
pub fn embed(title: &str, version: Option<&str>, content: &str, source: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <link rel=\"stylesheet\" href=\"/assets/site.css\">\n</head>\n<body class=\"embed\">\n<main>\n{content}\
         <p class=\"source\">Source: <a href=\"{}\" target=\"_top\">Area SEND inspection outcomes</a>, dataset version \
         {}. {}</p>\n</main>\n</body>\n</html>\n",
        escape(title),
        escape(source),
        escape(version.unwrap_or("none")),
        escape(ATTRIBUTION),
    )
}

#[cfg(test)]
mod tests {
    use super::{escape, url_component};

    #[test]
    fn text_is_escaped_for_html_and_urls() {
        assert_eq!(escape("A & <B> \"c\" 'd'\u{1}"), "A &amp; &lt;B&gt; &quot;c&quot; &apos;d&apos;");
        assert_eq!(url_component("{ a(b: \"c\") }"), "%7B%20a%28b%3A%20%22c%22%29%20%7D");
        assert_eq!(url_component("Az09-_.~"), "Az09-_.~");
    }
}
