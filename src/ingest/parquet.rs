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
        first_col: 0,
    };
    let opts = ReadOptions {
        header_row: Some(1),
        ..*opts
    };
    super::build_frame(grid, matcher, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_table, ReadOptions};

    #[test]
    fn parquet_register_reads_with_aliases_and_types_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schools.bin");
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("Логин ОО".into(), vec!["007", "008"]),
            Column::new("Наименование ОО".into(), vec!["  Школа 7 ", "Школа 8"]),
            Column::new("Численность обучающихся".into(), vec![Some(120i64), None]),
        ])
        .unwrap();
        let mut f = std::fs::File::create(&path).unwrap();
        ParquetWriter::new(&mut f).finish(&mut df).unwrap();
        let m = Matcher::new([("school_id", "Логин ОО"), ("name", "Наименование ОО"), ("students", "Численность обучающихся")]);
        let opts = ReadOptions { encoding: None, delimiter: None, sheet: None, header_row: None, keep_unknown: false, numeric: &[], wide: None, codes: false };
        // Recognised by content although the extension says nothing.
        let raw = read_table(&path, &m, &opts).unwrap();
        assert_eq!(raw.info.format, "Parquet");
        assert_eq!(raw.rows_read, 2);
        let ids: Vec<Option<&str>> = raw.df.column("school_id").unwrap().str().unwrap().iter().collect();
        assert_eq!(ids, vec![Some("007"), Some("008")]);
        let names: Vec<Option<&str>> = raw.df.column("name").unwrap().str().unwrap().iter().collect();
        assert_eq!(names, vec![Some("Школа 7"), Some("Школа 8")]);
        let students: Vec<Option<&str>> = raw.df.column("students").unwrap().str().unwrap().iter().collect();
        assert_eq!(students, vec![Some("120"), None]);
        let rows: Vec<Option<u64>> = raw.df.column(crate::ingest::ROW_COL).unwrap().u64().unwrap().iter().collect();
        assert_eq!(rows, vec![Some(2), Some(3)]);
    }
}
