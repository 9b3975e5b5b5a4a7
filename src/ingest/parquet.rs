//! Parquet: columns are read with their types and turned into text like every other source,
//! so that one set of parsing rules applies.

use polars::prelude::*;

use super::{Grid, Matcher, RawFrame, ReadOptions, SourceInfo};

pub(super) fn read(bytes: &[u8], matcher: &Matcher, opts: &ReadOptions) -> Result<RawFrame, String> {
    let cursor = std::io::Cursor::new(bytes.to_vec());
    let df = std::panic::catch_unwind(move || ParquetReader::new(cursor).finish())
        .map_err(|_| tr!("файл Parquet повреждён", "the Parquet file is corrupt"))?
        .map_err(|e| tr!("файл Parquet не читается: {e}", "cannot read the Parquet file: {e}"))?;
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let height = df.height();
    let mut rows: Vec<Vec<Option<String>>> = Vec::with_capacity(height + 1);
    rows.push(names.iter().cloned().map(Some).collect());
    let mut text_cols: Vec<Vec<Option<String>>> = Vec::with_capacity(names.len());
    for c in df.columns() {
        let s = c
            .cast(&DataType::String)
            .map_err(|e| tr!("столбец {} не читается: {e}", "column {} cannot be read: {e}", c.name()))?;
        let ca = s.str().map_err(|e| e.to_string())?;
        text_cols.push(ca.iter().map(|v| v.and_then(super::clean_cell)).collect());
    }
    for i in 0..height {
        rows.push(text_cols.iter().map(|c| c.get(i).cloned().flatten()).collect());
    }
    let numbers = (1..=rows.len() as u64).collect();
    let grid = Grid {
        rows,
        numbers,
        info: SourceInfo {
            format: "Parquet".to_string(),
            ..SourceInfo::default()
        },
        lossy: false,
    };
    let opts = ReadOptions {
        header_row: Some(1),
        ..*opts
    };
    super::build_frame(grid, matcher, &opts)
}
