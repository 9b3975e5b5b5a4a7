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
    // LZ4: a third of the time of the default ZSTD for these small tables.
    // No column statistics: the tables are read whole, never filtered by row group.
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Lz4Raw)
        .with_statistics(StatisticsOptions::empty())
        .finish(&mut df)?;
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
        let mut meta = serde_json::json!({ "latest_year": run.ident.latest_year });
        if let Some(t) = &run.tables {
            for (name, df) in [
                ("per_procedure", &t.per_procedure),
                ("yearly", &t.yearly),
                ("window", &t.window),
                ("base", &t.base),
                ("r30_hits", &t.hits),
            ] {
                out.push((PathBuf::from(format!("aggregates/indices/{name}.parquet")), parquet(df)?));
            }
            meta["indices"] = serde_json::json!({
                "key": t.key,
                "hits_key": t.hits_key,
                "years": t.years,
                "left_out": t.left_out,
            });
        }
        out.push((PathBuf::from("aggregates/meta.json"), serde_json::to_vec_pretty(&meta)?));
        Ok(out)
    }
}
