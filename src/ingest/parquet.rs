//! Parquet: only the mapped columns are read, with their types; numbers the caller takes as
//! numbers stay numbers, everything else becomes text (trimmed, empty → missing) like every other
//! source, so that one set of parsing rules applies. A large file is read in slices of rows.

use super::ReadError;
use polars::prelude::*;

use super::{names_of, plan_columns, Matcher, MappedColumn, RawFrame, ReadOptions, SourceInfo, ROW_COL};

/// Rows of one slice of a large Parquet file.
pub const SLICE_ROWS: usize = 2_000_000;

fn corrupt() -> ReadError {
    ReadError::Format(tr!("файл Parquet повреждён", "the Parquet file is corrupt"))
}

fn unreadable(e: PolarsError) -> ReadError {
    ReadError::Format(tr!("файл Parquet не читается: {e}", "cannot read the Parquet file: {e}"))
}

/// Runs a read that polars may panic in (a corrupt file): the panic becomes a problem.
fn guarded<T>(read: impl FnOnce() -> Result<T, ReadError> + std::panic::UnwindSafe) -> Result<T, ReadError> {
    std::panic::catch_unwind(read).unwrap_or_else(|_| Err(corrupt()))
}

/// What [`frame`] needs of the read options, owned (it runs inside [`guarded`]).
struct Wanted {
    matcher: Matcher,
    numeric: Vec<String>,
    keep_unknown: bool,
    codes: bool,
}

impl Wanted {
    fn of(matcher: &Matcher, opts: &ReadOptions) -> Wanted {
        Wanted {
            matcher: matcher.clone(),
            numeric: opts.numeric.iter().map(|s| s.to_string()).collect(),
            keep_unknown: opts.keep_unknown,
            codes: opts.codes,
        }
    }
}

/// The number of rows of a Parquet file.
pub(super) fn rows(path: &std::path::Path) -> Result<usize, ReadError> {
    let path = path.to_path_buf();
    guarded(move || {
        let file = std::fs::File::open(&path).map_err(|e| ReadError::Io(crate::i18n::io_message(&e)))?;
        ParquetReader::new(file).num_rows().map_err(unreadable)
    })
}

/// The whole file (its bytes read already).
pub(super) fn read(bytes: &[u8], matcher: &Matcher, opts: &ReadOptions) -> Result<RawFrame, ReadError> {
    let (bytes, wanted) = (bytes.to_vec(), Wanted::of(matcher, opts));
    guarded(move || frame(ParquetReader::new(std::io::Cursor::new(bytes)), &wanted, None))
}

/// Rows `offset .. offset + len` of a file.
pub(super) fn read_slice(path: &std::path::Path, matcher: &Matcher, opts: &ReadOptions, offset: usize, len: usize) -> Result<RawFrame, ReadError> {
    let (path, wanted) = (path.to_path_buf(), Wanted::of(matcher, opts));
    guarded(move || {
        let file = std::fs::File::open(&path).map_err(|e| ReadError::Io(crate::i18n::io_message(&e)))?;
        frame(ParquetReader::new(file), &wanted, Some((offset, len)))
    })
}

fn frame<R: polars::io::mmap::MmapBytesReader>(mut reader: ParquetReader<R>, wanted: &Wanted, slice: Option<(usize, usize)>) -> Result<RawFrame, ReadError> {
    let Wanted { matcher, numeric, keep_unknown, codes } = wanted;
    let (keep_unknown, codes) = (*keep_unknown, *codes);
    let schema = reader.schema().map_err(unreadable)?;
    let source: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let header: Vec<Option<String>> = source.iter().map(|n| super::clean_cell(n)).collect();
    let names = names_of(&header);
    let plan = plan_columns(&names, &header, matcher, keep_unknown)?;
    let wanted: Vec<String> = plan.iter().filter_map(|(i, _)| source.get(*i).cloned()).collect();
    let df = reader.with_columns(Some(wanted)).with_slice(slice).finish().map_err(unreadable)?;
    let first_row = slice.map_or(0, |(o, _)| o as u64) + 2;
    let mut exprs: Vec<Expr> = Vec::with_capacity(plan.len() + 1);
    for (i, m) in &plan {
        let Some(name) = source.get(*i) else { continue };
        let c = df.column(name.as_str()).map_err(unreadable)?;
        let e = col(name.as_str());
        let e = if c.dtype().is_primitive_numeric() && numeric.iter().any(|n| n == &m.canonical) {
            e.cast(DataType::Float64)
        } else if codes && !c.dtype().is_primitive_numeric() {
            // Coded text: cleaned once per distinct value by the checks that read it.
            e.cast(DataType::String).cast(DataType::from_categories(Categories::random(PlSmallStr::EMPTY, CategoricalPhysical::U32)))
        } else {
            // Text as every source gives it: trimmed, empty → missing.
            let t = e.cast(DataType::String).str().strip_chars(lit(NULL));
            when(t.clone().eq(lit(""))).then(lit(NULL).cast(DataType::String)).otherwise(t)
        };
        exprs.push(e.alias(m.canonical.as_str()));
    }
    exprs.push((col("__idx").cast(DataType::UInt64) + lit(first_row)).alias(ROW_COL));
    let df = df.with_row_index("__idx".into(), None).map_err(unreadable)?.lazy().select(exprs).collect().map_err(unreadable)?;
    let unknown = super::unknown_of(&names, &plan);
    let mapped: Vec<MappedColumn> = plan.into_iter().map(|(_, m)| m).collect();
    let info = SourceInfo { format: "Parquet".to_string(), header_row: Some(1), ..SourceInfo::default() };
    Ok(RawFrame::regular(df, info, mapped, unknown))
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
        let opts = ReadOptions::detect();
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
