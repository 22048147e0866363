//! Untrusted files and URLs never get unbounded memory, time or disk. Each hostile input is built here, in memory and
//! small; before the importer bounded them, each drove `send-import` to gigabytes (or read a device until the machine
//! ran out of memory). Each test runs the import in-process and asserts it returns the refusal, naming the file and the
//! limit, with the database exactly as it was: a test that would exhaust memory now returns.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use send_importer::limits::{MAX_PDF_INFLATED_BYTES, MAX_WORKBOOK_CELLS, MAX_WORKBOOK_INFLATED_BYTES};
use send_importer::{ImportError, ImportOptions, SourceFile, import};

use crate::support::import::cli_args;
use crate::support::serve::{Reply, Server};
use crate::support::{TempDir, data_file, each_backend, gql_data, snapshot};

/// A zip of `members` (name, content), deflated.
fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in members {
        let options = if *name == "mimetype" {
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        } else {
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
        };
        writer.start_file(*name, options).expect("member");
        writer.write_all(content).expect("write member");
    }
    writer.finish().expect("zip").into_inner()
}

/// An XLSX of one sheet named `x` whose `<sheetData>` is `sheet_data`, plus `padding` bytes of spaces after it.
fn xlsx(sheet_data: &str, padding: usize) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="x" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let mut sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData>"#
    )
    .into_bytes();
    sheet.resize(sheet.len() + padding, b' ');
    sheet.extend_from_slice(b"</worksheet>");
    zip_of(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

/// An ODS of one table named `x` whose rows are `rows` (no white space between elements: calamine reads none).
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="x">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", content.as_bytes()),
        ("META-INF/manifest.xml", manifest.as_bytes()),
    ])
}

/// An ODS text cell.
fn text_cell(text: &str) -> String {
    format!(r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#)
}

/// Imports `bytes` as the file `name` and returns the problems, asserting that nothing was written.
async fn refused(db: &sea_orm::DatabaseConnection, name: &str, bytes: Vec<u8>) -> Vec<String> {
    let before = snapshot(db).await;
    let result = import(db, vec![SourceFile::new(name, bytes)], ImportOptions::default()).await;
    assert_eq!(snapshot(db).await, before, "{name}: a refused file leaves the database exactly as it was");
    match result {
        Err(ImportError::Invalid(problems)) => {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            let shown = send_importer::names::shown(name);
            assert!(problems.iter().all(|p| p.starts_with(&shown)), "each problem names the file: {problems:#?}");
            problems
        }
        other => panic!("{name}: expected problems, got {other:?}"),
    }
}

/// On every backend, asserts that the file `name` of `bytes` is refused (as [`refused`] checks) with one problem,
/// which contains `expected`.
async fn assert_refused_with_one_problem(name: &str, bytes: Vec<u8>, expected: &str) {
    each_backend(|t| {
        let bytes = bytes.clone();
        async move {
            let problems = refused(&t.db, name, bytes).await;
            assert!(
                problems.len() == 1 && problems[0].contains(expected),
                "{name}: expected one problem containing {expected:?}, got {problems:#?}"
            );
            t
        }
    })
    .await;
}

#[tokio::test]
async fn an_xlsx_with_cells_in_a1_and_xfd1048576_is_read_as_the_two_cells_it_holds() {
    // calamine's range of it was 17 billion cells (23.6 GB before the process died).
    let data = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#;
    let bytes = xlsx(data, 0);
    assert!(bytes.len() < 2_000, "a small file: {} bytes", bytes.len());
    assert_refused_with_one_problem("sparse.xlsx", bytes, "expected the header row of a known layout").await;
}

#[tokio::test]
async fn an_xlsx_whose_cell_references_lie_outside_the_grid_is_refused() {
    // calamine 0.38 adds up a reference's letters and digits in a u32 unchecked: the first of these panicked in the
    // fuzzer's debug build ("attempt to multiply with overflow"), and a release build reads a wrapped position.
    let cases = [
        (r#"<row r="1"><c r="AAAAAAAAAAAAAAAA1"><v>1</v></c></row>"#, "AAAAAAAAAAAAAAAA1"),
        (r#"<row r="1"><c r="XFE1"><v>1</v></c></row>"#, "XFE1"),
        (r#"<row r="99999999999"><c><v>1</v></c></row>"#, "99999999999"),
        (
            r#"<row r="1"><c r="A1"><f t="shared" ref="A1:A99999999999" si="0">1</f><v>1</v></c></row>"#,
            "A1:A99999999999",
        ),
    ];
    for (data, reference) in cases {
        let expected = format!(
            "expected cell references within A1:XFD1048576, found \"{reference}\" in member \"xl/worksheets/sheet1.xml\""
        );
        assert_refused_with_one_problem("grid.xlsx", xlsx(data, 0), &expected).await;
    }
}

#[tokio::test]
async fn an_xlsx_whose_rows_span_every_column_is_refused_past_the_cell_budget() {
    // 400 rows from column A to XFD: 6.5 million cells once each row has a cell per column.
    let data: String = (1..=400)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>2</v></c></row>"#))
        .collect();
    let bytes = xlsx(&data, 0);
    let expected = format!(
        "expected a workbook whose sheets hold at most {MAX_WORKBOOK_CELLS} cells, found more (sheet \"x\" reaches row 400, column XFD)"
    );
    assert_refused_with_one_problem("wide.xlsx", bytes, &expected).await;
}

#[tokio::test]
async fn a_workbook_that_inflates_past_the_limit_is_refused_before_it_is_parsed() {
    // White space that deflates a thousandfold (5.1 GB from a 2 MB file before).
    let padding = usize::try_from(MAX_WORKBOOK_INFLATED_BYTES).expect("usize") + 1024;
    let bytes = xlsx(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#, padding);
    assert!(bytes.len() < 1024 * 1024, "a small file: {} bytes", bytes.len());
    let expected = format!(
        "expected a workbook whose zip members inflate to at most {MAX_WORKBOOK_INFLATED_BYTES} bytes in all, found more (member \"xl/worksheets/sheet1.xml\""
    );
    assert_refused_with_one_problem("whitespace.xlsx", bytes, &expected).await;
}

#[tokio::test]
async fn an_ods_of_repeated_rows_and_columns_is_refused_before_calamine_expands_them() {
    // One non-empty cell repeated over every column of every row: calamine expanded it to its own limit of 100
    // million cells (8.4 GB) when the file was opened.
    let rows = r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
    let bytes = ods(rows);
    assert!(bytes.len() < 2_000, "a small file: {} bytes", bytes.len());
    let expected = format!(
        "expected a workbook whose sheets hold at most {MAX_WORKBOOK_CELLS} cells, found more (sheet \"x\" reaches row"
    );
    assert_refused_with_one_problem("repeated.ods", bytes, &expected).await;
}

#[tokio::test]
async fn repeated_empty_rows_and_cells_of_an_ods_cost_nothing() {
    // What spreadsheet programs write after the last row: empty rows and cells repeated to the sheet's edge.
    let header: String = ["region_code", "region_name", "ofsted_region"].iter().map(|t| text_cell(t)).collect();
    let row: String = ["E12000002", "North West", "North West"].iter().map(|t| text_cell(t)).collect();
    let edge = r#"<table:table-cell table:number-columns-repeated="16381"/>"#;
    let rows = format!(
        r#"<table:table-row>{header}{edge}</table:table-row><table:table-row>{row}{edge}</table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#
    );
    let bytes = ods(&rows);
    each_backend(|t| {
        let bytes = bytes.clone();
        async move {
            let report = import(&t.db, vec![SourceFile::new("regions.ods", bytes)], ImportOptions::default())
                .await
                .expect("the sheet's two rows are read");
            assert_eq!((report.files[0].rows_read, report.inserted()), (1, 1), "{report}");
            t
        }
    })
    .await;
}

/// A PDF of one page whose content stream is `content`, deflated.
fn pdf_with_content(content: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content).expect("deflate");
    let stream = encoder.finish().expect("deflate");
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let objects: [Vec<u8>; 3] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
    ];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    offsets.push(pdf.len());
    pdf.extend_from_slice(format!("4 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n", stream.len()).as_bytes());
    pdf.extend_from_slice(&stream);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = pdf.len();
    pdf.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    pdf
}

#[tokio::test]
async fn a_pdf_whose_stream_inflates_past_the_limit_is_refused() {
    // A content stream of spaces: 3.2 GB when its page was read before.
    let content = vec![b' '; usize::try_from(MAX_PDF_INFLATED_BYTES).expect("usize") + 1024];
    let bytes = pdf_with_content(&content);
    drop(content);
    assert!(bytes.len() < 256 * 1024, "a small file: {} bytes", bytes.len());
    let expected =
        format!("expected a PDF whose streams inflate to at most {MAX_PDF_INFLATED_BYTES} bytes in all, found more");
    assert_refused_with_one_problem("bomb.pdf", bytes, &expected).await;
    // The same stream, small, is read as far as it goes (a PDF with no report in it).
    let small = pdf_with_content(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET");
    let extractor = send_importer::pdf::Extractor::bundled().expect("reference data");
    let error = extractor.extract_bytes("small.pdf", &small).expect_err("not a report");
    assert!(!error.to_string().contains("inflate"), "{error}");
}

#[tokio::test]
async fn a_local_file_is_read_through_the_size_cap() {
    // /dev/zero was read until the machine ran out of memory.
    each_backend(|t| async move {
        // `send-import` of `path` with what it reads capped at `cap` bytes.
        let import_capped = |cap: &str, path: &str| {
            send_importer::cli::run(cli_args(&["--database-url", &t.url, "--max-download-bytes", cap, path]))
        };
        let before = snapshot(&t.db).await;
        let error = import_capped("4096", "/dev/zero").await.expect_err("a device is refused");
        let message = format!("{error:#}");
        assert!(
            message.contains("cannot read /dev/zero: expected a file of at most 4096 bytes, found more"),
            "{message}"
        );
        let dir = TempDir::new();
        let big = dir.join("regions.csv");
        let mut bytes = std::fs::read(data_file("regions.csv")).expect("regions");
        bytes.resize(5000, b'\n');
        std::fs::write(&big, &bytes).expect("write");
        let big = big.display().to_string();
        let error = import_capped("4096", &big).await.expect_err("a file over the cap is refused");
        assert!(format!("{error:#}").contains("regions.csv: expected a file of at most 4096 bytes"), "{error:#}");
        assert_eq!(snapshot(&t.db).await, before);
        // Under the cap, the same file is read.
        import_capped("5000", &big).await.expect("a file within the cap is imported");
        t
    })
    .await;
    assert!(matches!(
        send_importer::read_paths_within(&[PathBuf::from("/dev/zero")], 1024),
        Err(ImportError::TooLarge { limit: 1024, .. })
    ));
}

#[tokio::test]
async fn import_runs_publish_no_credentials_and_no_host_path() {
    let mut reply = Reply::ok(std::fs::read(data_file("regions.csv")).expect("regions"), "text/csv");
    reply.etag = Some("\"regions-v1\"".to_owned());
    let server = Server::start(HashMap::from([("/regions.csv?token=s3cret", vec![reply])])).await;
    let url = server.url("/regions.csv?token=s3cret").replacen("http://", "http://user:secret@", 1);
    let recorded = server.url("/regions.csv?token");
    each_backend(|t| {
        let (url, recorded) = (url.clone(), recorded.clone());
        async move {
            let dir = TempDir::new();
            let icbs = dir.join("icbs.csv");
            std::fs::copy(data_file("icbs.csv"), &icbs).expect("copy");
            let folder = dir.0.display().to_string();
            let out = send_importer::cli::run(cli_args(&["--database-url", &t.url, &url, &icbs.display().to_string()]))
                .await
                .expect("import");
            let json = send_importer::cli::run(cli_args(&[
                "--database-url",
                &t.url,
                "--format",
                "json",
                "--force",
                &url,
                &icbs.display().to_string(),
            ]))
            .await
            .expect("import again");
            let runs = gql_data(&t.db, "{ dataset { importRuns(first: 10) { source } } }").await;
            let runs = runs.to_string();
            for shown in [&out, &json, &runs] {
                for secret in ["secret", "s3cret", folder.as_str()] {
                    assert!(!shown.contains(secret), "{secret:?} is shown: {shown}");
                }
            }
            assert!(runs.contains(&format!("\"{}\"", recorded)), "{runs}");
            assert!(runs.contains("\"icbs.csv\""), "{runs}");
            // The last import of the same URL is found by its recorded form: the server is asked whether it changed.
            let again = send_importer::cli::run(cli_args(&["--database-url", &t.url, &url])).await.expect("again");
            assert!(again.contains("not modified since its last import") && !again.contains("s3cret"), "{again}");
            t
        }
    })
    .await;
    let requests = server.requests.lock().expect("log").clone();
    assert!(requests.iter().any(|r| r.to_ascii_lowercase().contains("if-none-match: \"regions-v1\"")), "{requests:#?}");
}

#[tokio::test]
async fn control_characters_of_file_names_are_escaped_where_they_are_shown() {
    each_backend(|t| async move {
        let name = "bad\u{1b}[2J\rname.csv";
        let problems = refused(&t.db, name, b"not,a,known\nheader,at,all\n".to_vec()).await;
        let shown = problems.join("\n");
        assert!(!shown.contains('\u{1b}') && !shown.contains('\r'), "{shown:?}");
        assert!(shown.starts_with("bad\\u{1b}[2J\\u{d}name.csv:1: header: "), "{shown}");
        let missing = send_importer::read_paths(&[PathBuf::from(name)]).expect_err("no such file").to_string();
        assert!(missing.starts_with("cannot read bad\\u{1b}[2J\\u{d}name.csv: "), "{missing}");
        t
    })
    .await;
}
