//! Prints the first rows of every sheet of a workbook: a quick look at the layout of a new Ofsted file.
//! `cargo run -p send-importer --example dump -- FILE.ods`
fn main() {
    use calamine::{Reader, open_workbook_auto};
    let path = std::env::args().nth(1).expect("path");
    let mut wb = open_workbook_auto(&path).expect("open");
    for name in wb.sheet_names().to_vec() {
        let range = wb.worksheet_range(&name).expect("range");
        println!("=== {name} {:?}", range.get_size());
        for row in range.rows().take(12) {
            println!("{:?}", row);
        }
    }
}
