//! A file's bytes as a PDF's pages of text, or why they are not: not a PDF, truncated, damaged (any panic of the PDF
//! library caught), encrypted, past the limits of `bounds`, or without text.

use super::bounds;
use super::error::ExtractError;
use super::text::{self, Page, is_empty_line};

/// Reads the pages of a PDF, refusing what is not a readable PDF with text. Catches any panic of the PDF library.
pub(super) fn read_pdf(file: &str, bytes: &[u8]) -> Result<Vec<Page>, ExtractError> {
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    if !head.windows(5).any(|w| w == b"%PDF-") {
        let found: String = String::from_utf8_lossy(bytes.get(..bytes.len().min(16)).unwrap_or_default()).into_owned();
        return Err(ExtractError::NotPdf { file: file.to_owned(), found });
    }
    let tail = bytes.get(bytes.len().saturating_sub(2048)..).unwrap_or_default();
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(ExtractError::Truncated { file: file.to_owned() });
    }
    let limit = |reason: String| ExtractError::Limit { file: file.to_owned(), reason };
    bounds::check_bytes(bytes).map_err(limit)?;
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Result<Vec<Page>, ExtractError> {
        let mut doc = pdf_extract::Document::load_mem(bytes).map_err(|e| match e {
            pdf_extract::Error::Decryption(_) => ExtractError::Encrypted { file: file.to_owned() },
            e => ExtractError::Damaged { file: file.to_owned(), reason: e.to_string() },
        })?;
        if doc.is_encrypted() && doc.decrypt("").is_err() {
            return Err(ExtractError::Encrypted { file: file.to_owned() });
        }
        bounds::check_document(&doc).map_err(limit)?;
        text::read_pages(&doc).map_err(|e| ExtractError::Damaged { file: file.to_owned(), reason: e.to_string() })
    }));
    let pages = match read {
        Ok(result) => result?,
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown error".to_owned());
            return Err(ExtractError::Damaged {
                file: file.to_owned(),
                reason: format!("the PDF library failed on it ({reason})"),
            });
        }
    };
    if pages.iter().all(|p| p.body.iter().chain(&p.footer).all(|l| is_empty_line(&l.text()))) {
        return Err(ExtractError::NoText { file: file.to_owned() });
    }
    Ok(pages)
}
