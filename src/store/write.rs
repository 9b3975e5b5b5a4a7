//! The stored tables of a run: the school-level aggregates (register, results per school ×
//! year × procedure, questionnaire shares, context) and the computed index tables, as Parquet,
//! with `aggregates/meta.json`. Read back by [`super::load`].

use std::path::PathBuf;

use anyhow::Result;
use polars::prelude::*;

use super::format::{AggregatesMeta, IndexMeta};
use crate::identify::IndexTables;
use crate::model::Dataset;

/// The index tables by file name (under aggregates/indices/).
pub const INDEX_TABLES: [&str; 5] = ["per_procedure", "yearly", "window", "base", "r30_hits"];

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

/// The files of aggregates/, relative to the output folder.
pub fn aggregate_files(ds: &Dataset, latest_year: i32, tables: Option<&IndexTables>) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    let named = [("register", &ds.register), ("results", &ds.results), ("questionnaire", &ds.questionnaire), ("selfdiagnosis", &ds.selfdiagnosis)];
    for (name, df) in named {
        if let Some(df) = df {
            out.push((PathBuf::from(format!("aggregates/{name}.parquet")), parquet(df)?));
        }
    }
    for (i, c) in ds.context.iter().enumerate() {
        out.push((PathBuf::from(format!("aggregates/context_{}.parquet", i + 1)), parquet(c)?));
    }
    let mut meta = AggregatesMeta { indices: None, latest_year };
    if let Some(t) = tables {
        for (name, df) in INDEX_TABLES.iter().zip([&t.per_procedure, &t.yearly, &t.window, &t.base, &t.hits]) {
            out.push((PathBuf::from(format!("aggregates/indices/{name}.parquet")), parquet(df)?));
        }
        meta.indices = Some(IndexMeta { hits_key: t.hits_key.clone(), key: t.key.clone(), left_out: t.left_out.clone(), years: t.years.clone() });
    }
    out.push((PathBuf::from("aggregates/meta.json"), serde_json::to_vec_pretty(&meta)?));
    Ok(out)
}
