//! A deterministic synthetic dataset at any size, in the curated CSV layouts the importer reads: the real regions,
//! ICBs and 153 areas plus synthetic areas (about eight inspections each), and inspections following the
//! frameworks' real shape: 2016-framework full inspections (a written statement of action in about 54% of them,
//! then a revisit), then 2023-framework full inspections every three to five years with the 2023 outcome mix
//! (27% / 42% / 31%), priority actions with the systemic outcome and a monitoring inspection after it. Dates run on
//! past 2028 as needed ("more years"). The same seed and size give the same bytes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use send_model::domain::Theme;

/// splitmix64: small, fast, and deterministic across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// The files written, in load order, and how many inspections.
pub struct Dataset {
    /// Paths of the CSV files, in the order to import them.
    pub files: Vec<PathBuf>,
    /// Inspection rows written.
    pub inspections: usize,
    /// Areas (real and synthetic).
    pub areas: usize,
}

fn bundled(name: &str) -> anyhow::Result<Vec<u8>> {
    send_importer::bundled()
        .into_iter()
        .find(|f| f.name.ends_with(name))
        .map(|f| f.bytes)
        .ok_or_else(|| anyhow::anyhow!("no bundled {name}"))
}

struct Area {
    gss: String,
    dfe: String,
    name: String,
    region: String,
}

/// Writes a dataset of `inspections` inspections into `dir`.
pub fn generate(dir: &Path, inspections: usize, seed: u64) -> anyhow::Result<Dataset> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(seed);
    let regions = String::from_utf8(bundled("regions.csv")?)?;
    let region_names: Vec<(String, String)> = regions
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            Some((f.next()?.to_owned(), f.next()?.to_owned()))
        })
        .collect();
    let icbs = String::from_utf8(bundled("icbs.csv")?)?;
    let icb_codes: Vec<String> = icbs.lines().skip(1).filter_map(|l| l.split(',').next().map(str::to_owned)).collect();
    let real = String::from_utf8(bundled("local_areas.csv")?)?;
    let mut areas: Vec<Area> = Vec::new();
    let mut reader = csv_rows(&real);
    reader.next();
    for row in reader {
        areas.push(Area { gss: row[0].clone(), dfe: row[1].clone(), name: row[2].clone(), region: row[3].clone() });
    }
    let mut local_areas = real.trim_end().to_owned();
    local_areas.push('\n');
    let wanted_areas = (inspections / 8).max(areas.len());
    for i in 0..wanted_areas - areas.len() {
        let (_, region) = &region_names[rng.below(region_names.len() as u64) as usize];
        let area = Area {
            gss: format!("E07{:06}", 500_000 + i),
            dfe: format!("{}", 100 + rng.below(900)),
            name: format!("Synthetic Area {i:06}"),
            region: region.clone(),
        };
        let icb = &icb_codes[rng.below(icb_codes.len() as u64) as usize];
        let _ = writeln!(local_areas, "{},{},{},{},{icb}", area.gss, area.dfe, area.name, area.region);
        areas.push(area);
    }
    let themes: Vec<&str> = Theme::ALL.iter().map(|t| t.code()).collect();
    let mut out = String::from(
        "area_name,la_code_gss,la_code_dfe,region,framework,inspection_type,inspection_start,inspection_end,published,outcome,priority_actions,source_url\n",
    );
    let per_area = inspections / areas.len();
    let extra = inspections % areas.len();
    let epoch = chrono::NaiveDate::from_ymd_opt(2016, 5, 2).unwrap_or_default();
    let framework_2023 = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).unwrap_or_default();
    let mut written = 0;
    for (k, area) in areas.iter().enumerate() {
        let quota = per_area + usize::from(k < extra);
        let mut day = epoch + chrono::Days::new(rng.below(600));
        let mut pending_followup: Option<(&str, &str)> = None;
        for _ in 0..quota {
            let (framework, kind, outcome, actions);
            if let Some((fw, ty)) = pending_followup.take() {
                day = day + chrono::Days::new(500 + rng.below(240));
                (framework, kind) = (fw, ty);
                outcome = if fw == "2016" {
                    match rng.below(100) {
                        0..45 => "all_addressed",
                        45..95 => "some_addressed",
                        _ => "none_addressed",
                    }
                } else if rng.chance(0.6) {
                    "effective_action"
                } else {
                    "not_effective_action"
                };
                actions = String::new();
            } else {
                if written > 0 {
                    day = day + chrono::Days::new(if day < framework_2023 { 400 } else { 1100 } + rng.below(700));
                }
                kind = "full";
                if day < framework_2023 {
                    framework = "2016";
                    outcome = if rng.chance(0.54) { "wsoa" } else { "no_wsoa" };
                    if outcome == "wsoa" {
                        pending_followup = Some(("2016", "revisit"));
                    }
                    actions = String::new();
                } else {
                    framework = "2023";
                    outcome = match rng.below(100) {
                        0..27 => "positive",
                        27..69 => "inconsistent",
                        _ => "systemic",
                    };
                    actions = if outcome == "systemic" {
                        pending_followup = Some(("2023", "monitoring"));
                        let n = 1 + rng.below(6) as usize;
                        (0..n).map(|_| themes[rng.below(themes.len() as u64) as usize]).collect::<Vec<_>>().join("; ")
                    } else {
                        String::new()
                    };
                }
            }
            written += 1;
            let end = day + chrono::Days::new(4);
            let published = day + chrono::Days::new(50 + rng.below(40));
            let _ = writeln!(
                out,
                "{},{},{},{},{framework},{kind},{day},{end},{published},{outcome},{actions},https://example.org/synthetic/{seed}",
                quote(&area.name),
                area.gss,
                area.dfe,
                quote(&area.region)
            );
        }
    }
    let mut files = Vec::new();
    for (name, bytes) in [
        ("regions.csv", regions.into_bytes()),
        ("icbs.csv", icbs.into_bytes()),
        ("local_areas.csv", local_areas.into_bytes()),
        ("inspections.csv", out.into_bytes()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes)?;
        files.push(path);
    }
    Ok(Dataset { files, inspections: written, areas: areas.len() })
}

fn quote(text: &str) -> String {
    if text.contains([',', '"']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// Rows of a small CSV text (quotes handled), as owned cells.
fn csv_rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.lines().filter(|l| !l.is_empty()).map(|line| {
        let mut cells = Vec::new();
        let (mut cell, mut quoted) = (String::new(), false);
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cell.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => cells.push(std::mem::take(&mut cell)),
                c => cell.push(c),
            }
        }
        cells.push(cell);
        cells
    })
}
