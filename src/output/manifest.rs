//! `manifest.json`: the audit trail — tool version, the full effective configuration, every input
//! file with its size, SHA-256 and row accounting, and the start and end time of the run.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Export, RunOutput};
use crate::model::report::ExclusionCount;

#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    pub kind: String,
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl InputFile {
    pub fn of(kind: &str, path: &Path) -> Result<InputFile> {
        let mut f = std::fs::File::open(path)?;
        let size = f.metadata()?.len();
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(buf.get(..n).unwrap_or_default());
        }
        let digest = hasher.finalize();
        Ok(InputFile {
            kind: kind.to_string(),
            path: path.display().to_string(),
            size,
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

pub struct Manifest;

#[derive(Serialize)]
struct InputEntry<'a> {
    #[serde(flatten)]
    file: &'a InputFile,
    format: &'a str,
    rows_read: u64,
    rows_used: u64,
    rows_excluded: u64,
    excluded: &'a [ExclusionCount],
    #[serde(skip_serializing_if = "Option::is_none")]
    name_matching: Option<&'a crate::model::names::MatchCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wide: Option<&'a crate::ingest::wide::WideSummary>,
}

#[derive(Serialize)]
struct ManifestJson<'a> {
    tool: &'static str,
    version: &'static str,
    started: &'a str,
    finished: String,
    latest_year: i32,
    window_years: &'a [i32],
    /// Last year's list the dynamics compare against, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<&'a str>,
    configuration: serde_json::Value,
    inputs: Vec<InputEntry<'a>>,
}

impl Export for Manifest {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let inputs = run
            .inputs
            .iter()
            .zip(run.dataset.reports.iter())
            .map(|(file, r)| InputEntry {
                file,
                format: &r.source.format,
                rows_read: r.rows_read,
                rows_used: r.rows_used,
                rows_excluded: r.rows_excluded,
                excluded: &r.excluded,
                name_matching: r.name_matching.as_ref(),
                wide: r.wide.as_ref(),
            })
            .collect();
        let m = ManifestJson {
            tool: "shnor",
            version: env!("CARGO_PKG_VERSION"),
            started: &run.started,
            finished: jiff::Timestamp::now().to_string(),
            latest_year: run.ident.latest_year,
            window_years: &run.ident.years,
            previous: run.ident.previous.as_deref(),
            configuration: serde_json::to_value(run.config)?,
            inputs,
        };
        let mut bytes = serde_json::to_vec_pretty(&m)?;
        bytes.push(b'\n');
        Ok(vec![(PathBuf::from("manifest.json"), bytes)])
    }
}
