//! The computed school-level tables (Parquet) from which every index can be recomputed without
//! the raw inputs: the register, results per school × year × procedure, questionnaire shares.

use std::path::PathBuf;

use anyhow::Result;
use polars::prelude::*;

use super::{Export, RunOutput};

pub struct Aggregates;

fn parquet(df: &DataFrame) -> Result<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::new();
    let mut df = df.clone();
    ParquetWriter::new(&mut buf).finish(&mut df)?;
    Ok(buf)
}

impl Export for Aggregates {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let ds = run.dataset;
        let mut out = Vec::new();
        if let Some(r) = &ds.register {
            out.push((PathBuf::from("aggregates/register.parquet"), parquet(r)?));
        }
        if let Some(r) = &ds.results {
            out.push((PathBuf::from("aggregates/results.parquet"), parquet(r)?));
        }
        if let Some(q) = &ds.questionnaire {
            out.push((PathBuf::from("aggregates/questionnaire.parquet"), parquet(q)?));
        }
        for (i, c) in ds.context.iter().enumerate() {
            out.push((PathBuf::from(format!("aggregates/context_{}.parquet", i + 1)), parquet(c)?));
        }
        let meta = serde_json::json!({ "latest_year": run.ident.latest_year });
        out.push((PathBuf::from("aggregates/meta.json"), serde_json::to_vec_pretty(&meta)?));
        Ok(out)
    }
}
