//! Where bytes come from: files, folders of files, or the dataset bundled into the binary.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::ImportError;
use crate::limits::MAX_FILE_BYTES;

/// The bytes of one source, with the name the user knows it by and their SHA-256.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given, or the URL without its secrets (see [`crate::names::redact_url`]), or `bundled:NAME` for the
    /// embedded dataset. Problems name the file so; the import run records [`SourceFile::recorded_name`].
    pub name: String,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
    /// The HTTP `ETag` of a file fetched from a URL.
    pub etag: Option<String>,
    /// The HTTP `Last-Modified` of a file fetched from a URL.
    pub last_modified: Option<String>,
}

impl SourceFile {
    /// Wraps bytes read from `name`, computing their digest.
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        Self { name: name.into(), bytes, sha256, etag: None, last_modified: None }
    }

    /// The name its import run records, which the API publishes: no path of the import host, no credentials
    /// (see [`crate::names::recorded`]).
    pub fn recorded_name(&self) -> String {
        crate::names::recorded(&self.name)
    }
}

/// The extensions of the files a folder contributes.
const DATA_EXTENSIONS: [&str; 5] = ["csv", "ods", "xlsx", "pdf", "html"];

/// Reads each path; a folder contributes its `.csv`, `.ods`, `.xlsx` and `.pdf` (inspection report) files, sorted by
/// name (not its subfolders). A file larger than [`MAX_FILE_BYTES`] is refused.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<SourceFile>, ImportError> {
    read_paths_within(paths, MAX_FILE_BYTES)
}

/// [`read_paths`], refusing a file larger than `max_bytes` (`--max-download-bytes`, the cap of downloads too).
pub fn read_paths_within(paths: &[PathBuf], max_bytes: u64) -> Result<Vec<SourceFile>, ImportError> {
    let mut sources = Vec::new();
    for path in paths {
        let read_err = |error| ImportError::Read { source_name: path.display().to_string(), error };
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(read_err)?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && DATA_EXTENSIONS.iter().any(|ext| has_extension(p, ext)))
                .collect();
            files.sort();
            for file in files {
                sources.push(read_file(&file, max_bytes)?);
            }
        } else {
            sources.push(read_file(path, max_bytes)?);
        }
    }
    Ok(sources)
}

/// Reads at most `max_bytes` of a file: one byte more is read to tell a file of exactly `max_bytes` from a larger
/// one, so that neither a device (`/dev/zero`) nor a file growing while it is read can exceed the cap, whatever
/// size the file system reports.
fn read_file(path: &Path, max_bytes: u64) -> Result<SourceFile, ImportError> {
    let name = path.display().to_string();
    match read_capped(path, max_bytes) {
        Ok(Some(bytes)) => Ok(SourceFile::new(name, bytes)),
        Ok(None) => Err(ImportError::TooLarge { source_name: name, limit: max_bytes }),
        Err(error) => Err(ImportError::Read { source_name: name, error }),
    }
}

/// The bytes of a file, or `None` when it holds more than `max_bytes` (of which at most one more is read).
pub(crate) fn read_capped(path: &Path, max_bytes: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max_bytes).then_some(bytes))
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// The dataset in `data/`, compiled into the binary so that `send-api` can load it on a fresh machine from any
/// working directory.
pub fn bundled() -> Vec<SourceFile> {
    macro_rules! bundled_file {
        ($name:literal) => {
            SourceFile::new(concat!("bundled:data/", $name), include_bytes!(concat!("../../data/", $name)).to_vec())
        };
    }
    vec![
        bundled_file!("regions.csv"),
        bundled_file!("icbs.csv"),
        bundled_file!("local_areas.csv"),
        bundled_file!("area_lineage.csv"),
        bundled_file!("area_aliases.csv"),
        bundled_file!("inspections.csv"),
        bundled_file!("inspections_2025_2026.csv"),
        bundled_file!("d2i_summary_2026-06-29.html"),
        bundled_file!("ofsted_report_links.csv"),
        bundled_file!("thematic_visits.csv"),
        bundled_file!("d2i_provider_data_lookup.csv"),
    ]
}
