//! Writing outputs: one file per format behind one trait. Every file is written atomically (a
//! temporary file in the same directory, then a rename), so a failed run never leaves a
//! half-written file that looks complete. Only school-level aggregates are ever written.

mod aggregates;
mod bias;
mod brief;
mod lines;
pub(crate) mod docx;
mod packages;
mod risk;
pub mod charts;
mod csv;
mod json;
mod manifest;
mod objectivity;
pub mod report;
pub mod sweep;
pub mod whatif;
mod xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::Config;
use crate::identify::Identification;
use crate::model::Dataset;

pub use aggregates::Aggregates as AggregatesExport;
pub use brief::list_warnings;
pub use docx::Appendix as OrderAppendix;
pub use packages::Packages as MunicipalPackages;
pub use report::Report;
pub use csv::SchoolsCsv;
pub use json::Summary;
pub use manifest::Manifest;
pub use objectivity::ObjectivityCsv;
pub use crate::store::InputFile;
pub use xlsx::Workbook;

/// Everything a writer may use.
pub struct RunOutput<'a> {
    pub config: &'a Config,
    pub dataset: &'a Dataset,
    pub ident: &'a Identification,
    pub inputs: Vec<InputFile>,
    pub started: String,
    /// The computed index tables, stored for `whatif`, `sweep` and `report`.
    pub tables: Option<crate::identify::IndexTables>,
    /// Each flagged school's reasons, a sentence per criterion, rendered once for every writer.
    reasons: std::collections::HashMap<String, Vec<String>>,
}

impl<'a> RunOutput<'a> {
    pub fn new(
        config: &'a Config,
        dataset: &'a Dataset,
        ident: &'a Identification,
        inputs: Vec<InputFile>,
        started: String,
        tables: Option<crate::identify::IndexTables>,
    ) -> Self {
        let reasons = ident
            .rows
            .iter()
            .filter(|r| !r.reasons.is_empty())
            .map(|r| (r.school_id.clone(), crate::identify::reason_texts(&r.reasons)))
            .collect();
        RunOutput { config, dataset, ident, inputs, started, tables, reasons }
    }

    /// A school's reasons, a sentence per criterion.
    pub fn reason_texts(&self, school_id: &str) -> &[String] {
        self.reasons.get(school_id).map_or(&[], Vec::as_slice)
    }

    /// A school's reasons as one text, sentence after sentence («R30: …. BOTTOM: …»).
    pub fn reasons_text(&self, school_id: &str) -> String {
        self.reason_texts(school_id).join(". ")
    }
}

/// One output format: the files it produces from its input (a run's [`RunOutput`], a `whatif`
/// comparison, a `sweep`), rendered to bytes (then written atomically).
pub trait Export<I>: Sync {
    fn files(&self, input: &I) -> Result<Vec<(PathBuf, Vec<u8>)>>;
}

/// Renders every export first, then writes them: a failure while rendering writes nothing.
/// For folders written in place (`report --out`, `whatif`, `sweep`).
pub fn write_all<I: Sync>(dir: &Path, run: &I, exports: &[&dyn Export<I>]) -> Result<Vec<PathBuf>> {
    let rendered = render(run, exports, |files| Ok(files))?;
    let mut written = Vec::new();
    for (rel, bytes) in rendered.into_iter().flatten() {
        written.push(write_one(dir, &rel, &bytes)?);
    }
    Ok(written)
}

/// Writes each export's files as soon as they are rendered, so that at most two formats' bytes
/// are in memory at once (the country's outputs are ~340 MB). Only into a staging folder, which
/// is discarded whole on an error ([`crate::store::Staging`]).
pub fn write_staged<I: Sync>(dir: &Path, run: &I, exports: &[&dyn Export<I>]) -> Result<Vec<PathBuf>> {
    let written = render(run, exports, |files| files.into_iter().map(|(rel, bytes)| write_one(dir, &rel, &bytes)).collect::<Result<Vec<_>>>())?;
    Ok(written.into_iter().flatten().collect())
}

/// Renders the exports on two threads (XLSX, Parquet and the report each take tens of
/// milliseconds for a region), each export's files passed to `then` on its thread; the results
/// gathered in the order of `exports`.
fn render<I: Sync, R: Send>(
    run: &I,
    exports: &[&dyn Export<I>],
    then: impl Fn(Vec<(PathBuf, Vec<u8>)>) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let order: Vec<usize> = (0..exports.len()).collect();
    crate::parallel::in_parallel(exports, &order, 2, |_, e| {
        let t0 = std::time::Instant::now();
        let files = e.files(run)?;
        let names: Vec<String> = files.iter().take(3).map(|(p, _)| p.display().to_string()).collect();
        crate::i18n::trace(&tr!("подготовка {}", "rendered {}", names.join(", ")), t0);
        then(files)
    })
}

/// Writes one file atomically. Tests stretch the writing (`SHNOR_WRITE_PAUSE_MS`, a pause after
/// each file) to kill a run while it writes.
fn write_one(dir: &Path, rel: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let path = dir.join(rel);
    write_atomic(&path, bytes)?;
    if let Some(pause) = std::env::var("SHNOR_WRITE_PAUSE_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(pause));
    }
    Ok(path)
}

/// Text that would start a formula in a spreadsheet (`=`, `+`, `-`, `@`, tab, CR) gets a
/// leading apostrophe, so that it is shown as text and never evaluated.
pub fn defuse(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// A number written unrounded (shortest exact form), with the given decimal separator.
pub fn number(v: Option<f64>, decimal: char) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x}");
            if decimal == '.' {
                s
            } else {
                s.replace('.', &decimal.to_string())
            }
        }
        _ => String::new(),
    }
}

/// Tests fill the disk (`SHNOR_WRITE_FAIL_AFTER=N`): every file written after the first N fails
/// where a full disk fails it, with ENOSPC.
fn simulated_full_disk() -> std::io::Result<()> {
    static WRITTEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    match std::env::var("SHNOR_WRITE_FAIL_AFTER").ok().and_then(|v| v.parse::<usize>().ok()) {
        Some(n) if WRITTEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= n => Err(std::io::Error::from_raw_os_error(28)),
        _ => Ok(()),
    }
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| tr!("не удалось создать каталог {}", "cannot create directory {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| tr!("не удалось создать временный файл в {}", "cannot create a temporary file in {}", dir.display()))?;
    simulated_full_disk()
        .and_then(|()| tmp.write_all(bytes))
        .with_context(|| tr!("не удалось записать {}", "cannot write {}", path.display()))?;
    // Temporary files are private; outputs are ordinary files (rw-r--r--).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| tr!("не удалось записать {}", "cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+7"), "'+7");
        assert_eq!(defuse("@cmd"), "'@cmd");
        assert_eq!(defuse("Школа № 1"), "Школа № 1");
        assert_eq!(number(Some(0.5), ','), "0,5");
        assert_eq!(number(None, ','), "");
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
