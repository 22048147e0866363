//! What a PDF may cost to read (see [`crate::limits`]): its streams are inflated here through a capped reader
//! before the PDF library decodes them, and its pages are counted.
//!
//! The PDF library (lopdf, under pdf-extract) inflates a stream whole when it is read: the cross-reference and
//! object streams while the file is loaded, the page contents and fonts while its text is extracted. A stream of
//! compressed zeros inflates a thousandfold. So, before loading, every stream of the file is inflated through a
//! counting reader from its `stream` keyword (a deflate stream ends itself, so what a stream's declared `/Length`
//! says does not matter) and the file is refused when they inflate past [`MAX_PDF_INFLATED_BYTES`] in all; the
//! same is done after loading on the streams as decrypted (the bytes of an encrypted file's streams are not
//! deflate data before that). The library's two other expanding filters (LZW and ASCII85) are refused wherever
//! they are named: the real reports use deflate (and JPEG, which is never decoded) only.

use std::io::{Read, Write};

use crate::limits::{MAX_PDF_INFLATED_BYTES, MAX_PDF_PAGES};

/// Counts what is written to it and keeps nothing.
#[derive(Default)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How many bytes `data` inflates to, reading at most `cap + 1`: as a zlib stream, or, when that gives nothing,
/// as a raw deflate stream after the two bytes of a zlib header (what the PDF library falls back to).
fn inflated(data: &[u8], cap: u64) -> u64 {
    let mut zlib = Counter::default();
    // An error ends the stream: what was inflated before it is what the library would hold too.
    let _ = std::io::copy(&mut flate2::read::ZlibDecoder::new(data).take(cap + 1), &mut zlib);
    if zlib.0 > 0 || data.len() <= 2 {
        return zlib.0;
    }
    let mut raw = Counter::default();
    let _ = std::io::copy(
        &mut flate2::read::DeflateDecoder::new(data.get(2..).unwrap_or_default()).take(cap + 1),
        &mut raw,
    );
    raw.0
}

/// The refusal of a PDF whose streams inflate past the limit.
fn too_large(at: &str) -> String {
    format!("expected a PDF whose streams inflate to at most {MAX_PDF_INFLATED_BYTES} bytes in all, found more ({at})")
}

/// The filters the PDF library decodes besides FlateDecode, which are not bounded here.
const UNBOUNDED_FILTERS: [&[u8]; 2] = [b"LZWDecode", b"ASCII85Decode"];

/// Checks the file's bytes before the PDF library loads them: every stream's deflate data inflates within the
/// limit in all, and no stream is declared with a filter that is not bounded here.
pub fn check_bytes(bytes: &[u8]) -> Result<(), String> {
    let mut total: u64 = 0;
    let mut from = 0;
    while let Some(at) = find(bytes, b"stream", from) {
        from = at + b"stream".len();
        if at >= 3 && bytes.get(at - 3..at) == Some(b"end") {
            continue;
        }
        // The data starts after the keyword's end of line (CR LF or LF; a lone CR is tolerated).
        let rest = bytes.get(from..).unwrap_or_default();
        let start = if rest.starts_with(b"\r\n") {
            from + 2
        } else if rest.starts_with(b"\n") || rest.starts_with(b"\r") {
            from + 1
        } else {
            continue;
        };
        let left = MAX_PDF_INFLATED_BYTES - total;
        total += inflated(bytes.get(start..).unwrap_or_default(), left);
        if total > MAX_PDF_INFLATED_BYTES {
            return Err(too_large(&format!("the stream at byte {at} reaches the limit")));
        }
    }
    if let Some(name) = unbounded_filters(bytes).first() {
        return Err(format!(
            "expected a PDF whose streams are compressed with FlateDecode (or hold images), found a stream filter {}",
            String::from_utf8_lossy(name)
        ));
    }
    Ok(())
}

/// Checks a loaded (and decrypted) document: its streams inflate within the limit in all, and it has at most
/// [`MAX_PDF_PAGES`] pages.
pub fn check_document(doc: &pdf_extract::Document) -> Result<(), String> {
    let pages = doc.get_pages().len();
    if pages > MAX_PDF_PAGES {
        return Err(format!("expected a PDF of at most {MAX_PDF_PAGES} pages, found {pages}"));
    }
    let mut total: u64 = 0;
    for (id, object) in &doc.objects {
        let Ok(stream) = object.as_stream() else { continue };
        let Ok(filters) = stream.filters() else { continue };
        if let Some(filter) = filters.iter().find(|f| UNBOUNDED_FILTERS.contains(f)) {
            return Err(format!(
                "expected a PDF whose streams are compressed with FlateDecode (or hold images), found a stream filter \
                 {} (object {} {})",
                String::from_utf8_lossy(filter),
                id.0,
                id.1
            ));
        }
        if filters.first() == Some(&b"FlateDecode".as_slice()) {
            total += inflated(&stream.content, MAX_PDF_INFLATED_BYTES - total);
            if total > MAX_PDF_INFLATED_BYTES {
                return Err(too_large(&format!("object {} {} reaches the limit", id.0, id.1)));
            }
        }
    }
    Ok(())
}

/// The first place `needle` occurs in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// The name tokens (`/Name`) of the bytes, their `#hh` escapes decoded as a PDF reader decodes them, that name a
/// filter of [`UNBOUNDED_FILTERS`].
fn unbounded_filters(bytes: &[u8]) -> Vec<Vec<u8>> {
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'/' {
            i += 1;
            continue;
        }
        i += 1;
        let mut name = Vec::new();
        while i < bytes.len() && !delimiter(bytes[i]) {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'#', Some(b)) => {
                    name.push(b);
                    i += 3;
                }
                (b, _) => {
                    name.push(b);
                    i += 1;
                }
            }
        }
        if UNBOUNDED_FILTERS.contains(&name.as_slice()) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_names_are_decoded() {
        assert_eq!(unbounded_filters(b"<</Filter/LZWD#65code>>"), vec![b"LZWDecode".to_vec()]);
        assert!(unbounded_filters(b"<</Filter/FlateDecode>>").is_empty());
    }
}
