//! What an untrusted file or URL may cost the importer: every limit, stated once, with why it is what it is.
//!
//! A source is untrusted: a small file can describe an enormous one (a zip member that inflates a thousandfold, a
//! sheet with one cell in its last row and column, a run of repeated rows, a PDF stream of compressed zeros). Each
//! limit below bounds what the importer materialises, measured on real bytes and real cells, never on sizes a file
//! declares about itself. A source past a limit is refused with a problem naming the file and the limit; nothing
//! is written. The real files are far below every limit (the largest, Ofsted's 2016 ODS, is 50 KB holding 320 KB
//! of XML and about 3 000 cells; a report PDF is 300 KB with under 1 MB of streams and 20 pages).

/// Largest source accepted, in bytes, from a URL (`--max-download-bytes`) or a path (the same option): 100 MiB, a
/// hundred times the largest file published so far, and what a download was already capped at. A path is read
/// through this cap too, so a device (`/dev/zero`) or a file that grows while it is read cannot exceed it.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// Largest total of a workbook's (ODS/XLSX) zip members once inflated, counted on the bytes inflated: 64 MiB.
/// XML inflates about tenfold from a real workbook (Ofsted's ODS: 50 KB to 322 KB); deflate can inflate a
/// thousandfold, so a small file of compressed whitespace would otherwise become gigabytes of XML.
pub const MAX_WORKBOOK_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

/// Most members a workbook's zip may hold: 1 000. A real workbook has under a dozen (content, styles, metadata,
/// one XML part per sheet); each member is indexed and opened, so a zip of millions of empty members costs time.
pub const MAX_WORKBOOK_ENTRIES: usize = 1_000;

/// Most cells the importer holds for one workbook, over all its sheets, counting every cell between the first and
/// last of a row that is held (the gaps of a row are filled, as its columns are positions): 5 million. A
/// published file holds thousands; 5 million is a sheet of 100 000 rows of 50 columns. A cell costs about 50 bytes
/// held, so the budget bounds a workbook's cells to a few hundred MB however its rows and columns are described
/// (an XLSX sparse range up to `XFD1048576`, an ODS `number-rows-repeated`/`number-columns-repeated`).
pub const MAX_WORKBOOK_CELLS: u64 = 5_000_000;

/// Largest total of a PDF's streams once decoded, counted on the bytes inflated: 32 MiB. A report's streams
/// (page contents, embedded fonts) decode to under 1 MB; a compressed stream of zeros would otherwise decode to
/// gigabytes when its page is read.
pub const MAX_PDF_INFLATED_BYTES: u64 = 32 * 1024 * 1024;

/// Most pages a PDF may have: 200. A report has about 15; every page is laid out character by character.
pub const MAX_PDF_PAGES: usize = 200;

/// Largest Data to Insight summary page read ([`crate::d2i`]), in bytes: 20 MiB. The real page is under 100 KB
/// for about 100 local authorities and can at most reach 153 rows (one per local area), about 150 KB. The page is
/// held whole as text and its cells' text copied once; with [`MAX_SUMMARY_CELLS`] the reader holds at most about
/// 60 MB however the page is made.
pub const MAX_SUMMARY_BYTES: usize = 20 * 1024 * 1024;

/// Most rows (header included) of a summary page's table: 10 000. England has 153 local areas and the page holds
/// one row per area; a table of thousands of rows is not the summary, and each row is parsed into a typed record.
pub const MAX_SUMMARY_ROWS: usize = 10_000;

/// Most cells of a summary page's table, over all its rows: 200 000 (the real table has 14 columns, at most
/// 153 × 14 ≈ 2 100 cells). A cell costs about 56 bytes held before its text, so an empty `<td></td>` (9 bytes of
/// page) would otherwise cost six times its size: this bounds that overhead to about 11 MB.
pub const MAX_SUMMARY_CELLS: usize = 200_000;
