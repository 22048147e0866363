//! A report PDF as whoever publishes it controls it: arbitrary bytes through the extractor of
//! `send-import --extract` (`Extractor::extract_bytes`: the PDF bounds, the PDF library, then finding the facts).
//! It must answer facts or an error, never panic, hang or exhaust memory.
//!
//! The importer catches panics of the PDF library (`read_pdf` turns them into "damaged" errors), so this target
//! replaces libfuzzer-sys's panic hook, which aborts at any panic, even one that would be caught, with one that
//! only remembers the panic's message and place: a panic that escapes `extract_bytes` is printed and handed on, and
//! libfuzzer-sys aborts on it (a crash). Set `RUST_BACKTRACE=1` when reproducing one to get its stack.
#![no_main]

use std::cell::RefCell;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use send_importer::pdf::Extractor;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| {
        std::panic::set_hook(Box::new(|info| {
            let trace = std::backtrace::Backtrace::capture();
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(format!("{info}\n{trace}")));
        }));
        Extractor::bundled().expect("the bundled reference data")
    })
}

fuzz_target!(|data: &[u8]| {
    let extractor = extractor();
    let result = std::panic::catch_unwind(|| extractor.extract_bytes("fuzz.pdf", data));
    if let Err(panic) = result {
        let message = LAST_PANIC.with(|last| last.borrow_mut().take()).unwrap_or_default();
        eprintln!("a panic escaped Extractor::extract_bytes: {message}");
        std::panic::resume_unwind(panic);
    }
});
