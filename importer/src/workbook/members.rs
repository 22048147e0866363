//! A workbook's zip members: each inflated through a counting reader before calamine opens the file (the bytes a
//! member really inflates to, not the size it declares), and the kind of workbook they make.

use std::io::{Cursor, Read, Seek};

use crate::limits::{MAX_WORKBOOK_ENTRIES, MAX_WORKBOOK_INFLATED_BYTES};
use crate::names::shown;

/// The kinds of workbook read: both are zip files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Ods,
    Xlsx,
}

/// The `i`th member of a workbook's zip; one that cannot be read makes the workbook unreadable.
pub(super) fn member<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    i: usize,
) -> Result<zip::read::ZipFile<'_, R>, String> {
    archive
        .by_index(i)
        .map_err(|e| format!("expected a readable workbook, found a zip member that cannot be read ({e})"))
}

/// Inflates every member of the workbook's zip through a counting reader, refusing a zip of more than
/// [`MAX_WORKBOOK_ENTRIES`] members or whose members inflate to more than [`MAX_WORKBOOK_INFLATED_BYTES`] in all;
/// tells an ODS from an XLSX by the members it holds.
pub(super) fn check_members(bytes: &[u8]) -> Result<Kind, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("expected an ODS or XLSX workbook, found a zip file that cannot be read ({e})"))?;
    if archive.len() > MAX_WORKBOOK_ENTRIES {
        return Err(format!(
            "expected a workbook of at most {MAX_WORKBOOK_ENTRIES} zip members, found {}",
            archive.len()
        ));
    }
    let mut total: u64 = 0;
    let mut kind = None;
    for i in 0..archive.len() {
        let mut member = member(&mut archive, i)?;
        let name = member.name().map(|n| n.into_owned()).unwrap_or_default();
        match name.as_str() {
            "content.xml" => kind = kind.or(Some(Kind::Ods)),
            "xl/workbook.xml" => kind = Some(Kind::Xlsx),
            "xl/workbook.bin" => {
                return Err(
                    "expected an ODS or XLSX workbook, found an XLSB workbook (save it as .xlsx or .ods)".to_owned()
                );
            }
            _ => {}
        }
        // Read one byte past what is left: a member that reaches it is over the limit, whatever it declares.
        let left = MAX_WORKBOOK_INFLATED_BYTES - total;
        let inflated = std::io::copy(&mut (&mut member).take(left + 1), &mut std::io::sink()).map_err(|e| {
            format!("expected a readable workbook, found a zip member {:?} that cannot be inflated ({e})", shown(&name))
        })?;
        total += inflated;
        if total > MAX_WORKBOOK_INFLATED_BYTES {
            return Err(format!(
                "expected a workbook whose zip members inflate to at most {MAX_WORKBOOK_INFLATED_BYTES} bytes in all, \
                 found more (member {:?} reaches the limit)",
                shown(&name)
            ));
        }
    }
    kind.ok_or_else(|| {
        "expected an ODS or XLSX workbook, found a zip file of neither (no content.xml or xl/workbook.xml)".to_owned()
    })
}
