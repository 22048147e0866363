//! Workbooks whose zip is well formed but whose content is not: the test fixtures `mi_2023_framework.xlsx` and
//! `.ods` (tests/fixtures) rebuilt with one member replaced by the fuzzer's bytes, then read by
//! `send_importer::layout::parse` as in `tabular_file`. Mutating a whole zip mostly breaks its checksums, so this
//! target reaches the XML readers (calamine's, and the importer's own cell counting and streaming) far more often.
//!
//! The first byte picks the workbook (its high bit: ODS, else XLSX) and the member (the rest, modulo the number of
//! members, in the zip's order); the remaining bytes are that member's new content.
#![no_main]

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use send_importer::SourceFile;
use send_importer::layout::parse;
use zip::write::SimpleFileOptions;

type Members = Vec<(String, Vec<u8>)>;

fn members(zip: &[u8]) -> Members {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a fixture workbook");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("a fixture member");
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("a fixture member's bytes");
            (file.name().expect("a fixture member's name").into_owned(), bytes)
        })
        .collect()
}

fn fixtures() -> &'static [Members; 2] {
    static FIXTURES: OnceLock<[Members; 2]> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        [
            members(include_bytes!("../../tests/fixtures/mi_2023_framework.xlsx")),
            members(include_bytes!("../../tests/fixtures/mi_2023_framework.ods")),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else { return };
    let (name, workbook) =
        if selector & 0x80 == 0 { ("fuzz.xlsx", &fixtures()[0]) } else { ("fuzz.ods", &fixtures()[1]) };
    let replaced = usize::from(selector & 0x7f) % workbook.len();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (i, (member, bytes)) in workbook.iter().enumerate() {
        zip.start_file(member.as_str(), stored).expect("a zip member");
        zip.write_all(if i == replaced { content } else { bytes }).expect("a zip member's bytes");
    }
    let bytes = zip.finish().expect("a zip").into_inner();
    let (parsed, problems) = parse(SourceFile::new(name, bytes));
    assert!(parsed.is_some() || !problems.is_empty(), "no rows and no problem");
});
