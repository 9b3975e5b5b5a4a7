//! `manifest.json`: the audit trail — tool version, the full effective configuration, every input
//! file with its size, SHA-256 and row accounting, and the start and end time of the run. The
//! format is `store::format`'s.

use std::path::PathBuf;

use anyhow::Result;

use super::{Export, RunOutput};
use crate::store::format::{json_bytes, InputEntry, ManifestFile};

pub struct Manifest;

impl Export<RunOutput<'_>> for Manifest {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let inputs = run
            .inputs
            .iter()
            .zip(run.dataset.reports.iter())
            .map(|(file, r)| InputEntry {
                file: file.clone(),
                format: r.source.format.clone(),
                rows_read: r.rows_read,
                rows_used: r.rows_used,
                rows_excluded: r.rows_excluded,
                excluded: r.excluded.clone(),
                name_matching: r.name_matching.clone(),
                wide: r.wide.clone(),
            })
            .collect();
        let m = ManifestFile {
            tool: "shnor".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            started: run.started.clone(),
            finished: jiff::Timestamp::now().to_string(),
            latest_year: Some(run.ident.latest_year),
            window_years: run.ident.years.clone(),
            previous: run.ident.previous.clone(),
            configuration: serde_json::to_value(run.config)?,
            inputs,
        };
        Ok(vec![(PathBuf::from("manifest.json"), json_bytes(&m)?)])
    }
}
