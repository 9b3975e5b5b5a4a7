//! The computed school-level tables from which every index can be recomputed without the raw
//! inputs (their format is `store`'s: `store::aggregate_files`).

use std::path::PathBuf;

use anyhow::Result;

use super::{Export, RunOutput};

pub struct Aggregates;

impl Export<RunOutput<'_>> for Aggregates {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        crate::store::aggregate_files(run.dataset, run.ident.latest_year, run.tables.as_ref())
    }
}
