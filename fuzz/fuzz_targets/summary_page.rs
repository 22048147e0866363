//! The Data to Insight summary page as whoever serves its URL controls it: arbitrary bytes through
//! `send_importer::d2i::read_summary`. It must read the table or refuse the page with a problem, never panic,
//! hang or exhaust memory (the page's size, rows and cells are bounded by `send_importer::limits`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use send_importer::d2i::read_summary;

fuzz_target!(|data: &[u8]| {
    if let Ok(summary) = read_summary("fuzz.html", data) {
        // Every row problem names the page it came from.
        assert!(summary.problems.iter().all(|p| p.file == "fuzz.html"), "a problem without its file");
    }
});
