//! A data file as a publisher (or whoever serves its URL) controls it: arbitrary bytes through
//! `send_importer::layout::parse`, which tells CSV, ODS and XLSX apart by content, finds the table and its layout,
//! and types every row. It must answer rows or problems, never panic, hang or exhaust memory (the workbook limits
//! of `send_importer::limits` bound what a zip may inflate to).
#![no_main]

use libfuzzer_sys::fuzz_target;
use send_importer::SourceFile;
use send_importer::layout::parse;

fuzz_target!(|data: &[u8]| {
    let (parsed, problems) = parse(SourceFile::new("fuzz.csv", data.to_vec()));
    // A file that cannot be read as a whole says why.
    assert!(parsed.is_some() || !problems.is_empty(), "no rows and no problem");
});
