//! Large text tables read block by block, so that memory stays bounded whatever the size of the
//! file: the header is found in the first block, then each block of whole lines is parsed by
//! polars' multi-threaded reader (numbers typed where the first block shows plain numbers) and
//! handed over on its own. A block that is not regular — a line with another number of fields, a
//! blank line, bytes that are not UTF-8, a number that does not parse — is read cell by cell like
//! a small file, with the same accounting. A quote character sends the rest of the file to the
//! cell-by-cell reader (quoted fields may span lines).

use super::{BlockError, ReadError};
use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use super::{clean_cell, headers, lines_are_regular, names_of, plan_columns, sniff, Format, Matcher, MappedColumn, RawFrame, ReadOptions, Rows, SourceInfo, ROW_COL};

/// Bytes of one block.
pub const BLOCK_BYTES: usize = 48 << 20;

/// What the first block told about the file.
struct Plan {
    delim: u8,
    /// Delimiters a line has.
    want: usize,
    columns: Vec<(usize, MappedColumn)>,
    width: usize,
    /// Columns read as numbers.
    plain: Vec<bool>,
    /// Text columns read as categoricals.
    codes: bool,
    info: SourceInfo,
    mapped: Vec<MappedColumn>,
    unknown: Vec<String>,
}

/// Reads a table and hands it to `on_block`: whole when it is small or not a plain UTF-8 text
/// table, else block by block; `progress` hears the bytes of each block read. A
/// `BlockError::Read` is a problem with the file (fatal, for the user); a `BlockError::Handler`
/// is a failure of `on_block` (or of reading on after the file was opened).
pub fn read_blocks(path: &Path, matcher: &Matcher, opts: &ReadOptions, progress: &dyn Fn(u64), on_block: &mut dyn FnMut(RawFrame) -> anyhow::Result<()>) -> Result<(), BlockError> {
    let (bytes, min) = block_sizes();
    read_blocks_sized(path, matcher, opts, bytes, min, progress, on_block)
}

/// The block size, and the size from which a file is read in blocks. `SHNOR_BLOCK_BYTES` sets
/// the block size (for tests and measurements: small blocks on small files).
pub fn block_sizes() -> (usize, u64) {
    let bytes = std::env::var("SHNOR_BLOCK_BYTES").ok().and_then(|v| v.parse::<usize>().ok()).filter(|b| *b >= 1024).unwrap_or(BLOCK_BYTES);
    (bytes, 2 * bytes as u64)
}

fn read_blocks_sized(
    path: &Path,
    matcher: &Matcher,
    opts: &ReadOptions,
    block_bytes: usize,
    block_min: u64,
    progress: &dyn Fn(u64),
    on_block: &mut dyn FnMut(RawFrame) -> anyhow::Result<()>,
) -> Result<(), BlockError> {
    let size = std::fs::metadata(path).ok().filter(|m| m.is_file()).map_or(0, |m| m.len());
    let whole = |on_block: &mut dyn FnMut(RawFrame) -> anyhow::Result<()>| -> Result<(), BlockError> {
        match super::read_table(path, matcher, opts) {
            Ok(raw) => {
                let r = on_block(raw).map_err(BlockError::Handler);
                progress(size);
                r
            }
            Err(e) => Err(e.into()),
        }
    };
    // Parquet is compressed: whether it is large is told by its rows, not its bytes.
    if super::is_parquet(path) && opts.wide.is_none() {
        return parquet_slices(path, matcher, opts, super::parquet::SLICE_ROWS, &|done| progress(done * size / 100), on_block);
    }
    if opts.wide.is_some() || size < block_min {
        return whole(on_block);
    }
    let Ok(mut file) = std::fs::File::open(path) else { return whole(on_block) };
    let mut buf = vec![0u8; block_bytes];
    let Ok(n) = read_full(&mut file, &mut buf) else { return whole(on_block) };
    buf.truncate(n);
    let Some(plan_and_start) = plan(&buf, matcher, opts) else { return whole(on_block) };
    let (plan, data_start, first_line) = match plan_and_start {
        Ok(p) => p,
        Err(e) => return Err(e.into()),
    };
    let mut line = first_line;
    let mut carry: Vec<u8> = buf.split_off(data_start);
    drop(buf);
    let mut at_end = false;
    loop {
        // Fill the block to its size (or the end of the file).
        if !at_end && carry.len() < block_bytes {
            let have = carry.len();
            carry.resize(block_bytes.max(have + 1), 0);
            let n = read_full(&mut file, carry.get_mut(have..).unwrap_or_default()).map_err(|e| BlockError::Handler(anyhow::anyhow!(e)))?;
            carry.truncate(have + n);
            at_end = n == 0 || have + n < block_bytes;
        }
        if carry.is_empty() {
            return Ok(());
        }
        // A block of whole lines; the rest waits for the next block.
        let cut = if at_end { carry.len() } else { memchr::memrchr(b'\n', &carry).map_or(carry.len(), |i| i + 1) };
        let rest = carry.split_off(cut);
        let block = std::mem::replace(&mut carry, rest);
        if memchr::memchr(b'"', &block).is_some() {
            // Quoted fields may span lines: the rest of the file is read cell by cell.
            let mut tail = block;
            tail.extend_from_slice(&carry);
            file.read_to_end(&mut tail).map_err(|e| BlockError::Handler(anyhow::anyhow!(e)))?;
            let frame = match cell_by_cell(&tail, line, &plan) {
                Ok(f) => f,
                Err(e) => return Err(e.into()),
            };
            on_block(frame).map_err(BlockError::Handler)?;
            progress(tail.len() as u64);
            return Ok(());
        }
        let lines = line_count(&block);
        let frame = match regular(&block, lines, line, &plan) {
            Some(f) => f,
            None => match cell_by_cell(&block, line, &plan) {
                Ok(f) => f,
                Err(e) => return Err(e.into()),
            },
        };
        line += lines;
        on_block(frame).map_err(BlockError::Handler)?;
        progress(block.len() as u64);
        if at_end && carry.is_empty() {
            return Ok(());
        }
    }
}

/// A large Parquet file, a slice of rows at a time.
/// `progress` hears the percentage of rows done after each slice.
fn parquet_slices(path: &Path, matcher: &Matcher, opts: &ReadOptions, slice_rows: usize, progress: &dyn Fn(u64), on_block: &mut dyn FnMut(RawFrame) -> anyhow::Result<()>) -> Result<(), BlockError> {
    let rows = match super::parquet::rows(path) {
        Ok(n) => n,
        Err(e) => return Err(e.into()),
    };
    if rows <= slice_rows {
        return match super::read_table(path, matcher, opts) {
            Ok(raw) => {
                let r = on_block(raw).map_err(BlockError::Handler);
                progress(100);
                r
            }
            Err(e) => Err(e.into()),
        };
    }
    let mut last = 0u64;
    for offset in (0..rows).step_by(slice_rows.max(1)) {
        match super::parquet::read_slice(path, matcher, opts, offset, slice_rows) {
            Ok(raw) => on_block(raw).map_err(BlockError::Handler)?,
            Err(e) => return Err(e.into()),
        }
        let done = ((offset + slice_rows).min(rows) * 100 / rows.max(1)) as u64;
        progress(done - last);
        last = done;
    }
    Ok(())
}

/// Lines of a block (the last may lack its newline).
fn line_count(block: &[u8]) -> u64 {
    bytecount::count(block, b'\n') as u64 + u64::from(block.last().is_some_and(|b| *b != b'\n'))
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut done = 0;
    while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// The header and columns from the first block; None when the file is not a plain UTF-8 text
/// table without quotes (it is then read whole). Also the offset of the first data line in the
/// block and its line number.
fn plan(first: &[u8], matcher: &Matcher, opts: &ReadOptions) -> Option<Result<(Plan, usize, u64), ReadError>> {
    if sniff(first) != Format::Text || memchr::memchr(b'"', first).is_some() {
        return None;
    }
    if first.starts_with(&[0xFF, 0xFE]) || first.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    let bom = first.starts_with(&[0xEF, 0xBB, 0xBF]);
    let start = if bom { 3 } else { 0 };
    let last = memchr::memrchr(b'\n', first)?;
    let text = std::str::from_utf8(first.get(start..=last)?).ok()?;
    if opts.encoding.is_some_and(|e| e != encoding_rs::UTF_8) {
        return None;
    }
    let delim = opts.delimiter.unwrap_or_else(|| super::csv::sniff_delimiter(text));
    let mut head: Vec<Vec<Option<String>>> = Vec::new();
    let mut offsets: Vec<usize> = Vec::new();
    let mut pos = 0usize;
    for line in text.split('\n').take(30) {
        offsets.push(pos);
        pos += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        head.push(line.split(delim as char).map(clean_cell).collect());
    }
    let header_idx = match opts.header_row {
        Some(n) => n.checked_sub(1).filter(|i| *i < head.len())?,
        None => headers::detect_header_row(&head, matcher)?,
    };
    let header = head.get(header_idx)?.clone();
    let names = names_of(&header);
    let columns = match plan_columns(&names, &header, matcher, opts.keep_unknown) {
        Ok(c) => c,
        Err(e) => return Some(Err(e)),
    };
    let want = header.len().saturating_sub(1);
    let header_start = *offsets.get(header_idx)?;
    let data_start = *offsets.get(header_idx + 1)?;
    // Which columns are plain numbers, judged on the first block.
    let mut plain = vec![false; header.len()];
    for (i, m) in &columns {
        if let Some(p) = plain.get_mut(*i) {
            *p = opts.numeric.contains(&m.canonical.as_str());
        }
    }
    if !lines_are_regular(text.as_bytes().get(header_start..).unwrap_or_default(), delim, want, &mut plain) {
        plain.iter_mut().for_each(|p| *p = false);
    }
    let info = SourceInfo {
        format: "CSV".to_string(),
        encoding: Some(if bom { "UTF-8 (BOM)" } else { "UTF-8" }.to_string()),
        delimiter: Some(super::csv::delimiter_label(delim)),
        sheet: None,
        header_row: Some(header_idx as u64 + 1),
        number_row: None,
    };
    let mapped: Vec<MappedColumn> = columns.iter().map(|(_, m)| m.clone()).collect();
    let unknown = super::unknown_of(&names, &columns);
    let plan = Plan { delim, want, width: header.len(), columns, plain, codes: opts.codes, info, mapped, unknown };
    Some(Ok((plan, start + data_start, header_idx as u64 + 2)))
}

/// A regular block parsed by polars: None when some line has another number of fields, a line is
/// blank, or the block does not parse even as text (it is then read cell by cell).
fn regular(block: &[u8], lines: u64, first_line: u64, plan: &Plan) -> Option<RawFrame> {
    let lines = usize::try_from(lines).ok()?;
    let delims = bytecount::count(block, plan.delim);
    if lines == 0 || delims != plan.want * lines {
        return None;
    }
    // Only the mapped columns are parsed; text comes as categoricals when the caller codes it
    // (each column its own categories, held by the column).
    let projection: Vec<usize> = plan.columns.iter().map(|(i, _)| *i).collect();
    let parse = |typed: bool| {
        let dtypes: Vec<DataType> = (0..plan.width)
            .map(|i| {
                if typed && plan.plain.get(i).copied().unwrap_or(false) {
                    DataType::Float64
                } else if plan.codes {
                    DataType::from_categories(Categories::random(PlSmallStr::EMPTY, CategoricalPhysical::U32))
                } else {
                    DataType::String
                }
            })
            .collect();
        CsvReadOptions::default()
            .with_has_header(false)
            .with_infer_schema_length(Some(0))
            .with_dtype_overwrite(Some(Arc::new(dtypes)))
            .with_projection(Some(Arc::new(projection.clone())))
            .map_parse_options(|p| p.with_separator(plan.delim).with_quote_char(None))
            .into_reader_with_file_handle(std::io::Cursor::new(block))
            .finish()
    };
    let parsed = parse(true).or_else(|_| parse(false)).ok()?;
    if parsed.height() != lines || parsed.width() != projection.len() {
        return None;
    }
    let src: Vec<String> = parsed.get_column_names().iter().map(|s| s.to_string()).collect();
    let mut exprs: Vec<Expr> = Vec::with_capacity(plan.columns.len() + 1);
    for (k, (_, m)) in plan.columns.iter().enumerate() {
        let name = src.get(k)?;
        exprs.push(col(name.as_str()).alias(m.canonical.as_str()));
    }
    exprs.push((col("__idx").cast(DataType::UInt64) + lit(first_line)).alias(ROW_COL));
    let df = parsed.with_row_index("__idx".into(), None).ok()?.lazy().select(exprs).collect().ok()?;
    Some(RawFrame::regular(df, plan.info.clone(), plan.mapped.clone(), plan.unknown.clone()))
}

/// A block (or the rest of the file) read cell by cell, as small files are, with its line
/// numbers in the file.
fn cell_by_cell(bytes: &[u8], first_line: u64, plan: &Plan) -> Result<RawFrame, ReadError> {
    let lossy = std::str::from_utf8(bytes).is_err();
    let text = String::from_utf8_lossy(bytes);
    let opts = ReadOptions { encoding: Some(encoding_rs::UTF_8), delimiter: Some(plan.delim), ..ReadOptions::detect() };
    let grid = super::csv::read(text.as_bytes(), &opts)?;
    let numbers: Vec<u64> = grid.numbers.iter().map(|n| n + first_line - 1).collect();
    let Rows { df, ragged, bad_utf8_rows, empty_rows, rows_read } = Rows::from_grid(grid.rows.into_iter().zip(numbers), plan.width, &plan.columns, lossy)?;
    Ok(RawFrame {
        df,
        info: plan.info.clone(),
        mapped: plan.mapped.clone(),
        unknown: plan.unknown.clone(),
        rows_read,
        ragged,
        bad_utf8_rows,
        empty_rows,
        wide: None,
        titles: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Block by block and whole, a file gives the same rows, row numbers and accounting.
    #[test]
    fn blocks_match_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let mut text = String::from("Выгрузка\nГод;Логин ОО;Отметка;Балл;Процедура\n");
        let mut i = 0u64;
        while text.len() < 1_200_000 {
            let line = match i {
                // A ragged line, a blank line, a bad number and invalid UTF-8 in later blocks.
                20_000 => "2025;s1;4;ВПР\n".to_string(),
                30_000 => "\n".to_string(),
                40_000 => "2025;s2;н/д;12;ВПР\n".to_string(),
                _ => format!("2025;s{};{};{};ВПР\n", i % 997, 2 + i % 4, i % 40),
            };
            text.push_str(&line);
            i += 1;
        }
        let mut bytes = text.into_bytes();
        let at = bytes.len() - 100;
        bytes.insert(at, 0xFF);
        std::fs::write(&path, &bytes).unwrap();
        let matcher = Matcher::new([("year", "Год"), ("school_id", "Логин ОО"), ("mark", "Отметка"), ("score", "Балл"), ("procedure", "Процедура")]);
        let numeric = ["year", "mark", "score"];
        let opts = ReadOptions { numeric: &numeric, ..super::super::tests::opts() };
        let mut frames = Vec::new();
        read_blocks_sized(&path, &matcher, &opts, 64 * 1024, 128 * 1024, &|_| {}, &mut |f| {
            frames.push(f);
            Ok(())
        })
        .unwrap();
        // Text read as categoricals gives the same values.
        let mut coded = Vec::new();
        read_blocks_sized(&path, &matcher, &ReadOptions { codes: true, ..opts }, 64 * 1024, 128 * 1024, &|_| {}, &mut |f| {
            coded.push(f);
            Ok(())
        })
        .unwrap();
        assert!(coded.iter().any(|f| matches!(f.df.column("school_id").map(|c| c.dtype().clone()), Ok(DataType::Categorical(_, _)))));
        for (a, b) in frames.iter().zip(coded.iter()) {
            let text = |df: &DataFrame| df.clone().lazy().select([col("*").cast(DataType::String)]).collect().unwrap();
            assert!(text(&a.df).equals_missing(&text(&b.df)));
        }
        assert!(frames.len() >= 10, "{}", frames.len());
        // Most blocks were parsed as regular blocks, with their plain numbers typed.
        let typed = frames.iter().filter(|f| f.df.column("score").is_ok_and(|c| c.dtype() == &DataType::Float64)).count();
        assert!(typed >= frames.len() - 4, "{typed} of {}", frames.len());
        let whole = super::super::read_table(&path, &matcher, &ReadOptions { numeric: &[], ..opts }).unwrap();
        let as_text = |df: &DataFrame| df.clone().lazy().select([col("*").cast(DataType::String)]).sort([ROW_COL], SortMultipleOptions::default()).collect().unwrap();
        let parts: Vec<LazyFrame> = frames.iter().map(|f| as_text(&f.df).lazy()).collect();
        let joined = concat(parts, UnionArgs::default()).unwrap().collect().unwrap();
        let whole_text = as_text(&whole.df);
        // Typed blocks show numbers as the reader typed them («4.0»): compare as numbers.
        let num = |df: &DataFrame| df.clone().lazy().select([col(ROW_COL).cast(DataType::UInt64), col("school_id"), col("mark").cast(DataType::Float64), col("score").cast(DataType::Float64)]).sort([ROW_COL], SortMultipleOptions::default()).collect().unwrap();
        let (a, b) = (num(&joined), num(&whole_text));
        assert!(a.equals_missing(&b));
        let sum = |f: fn(&RawFrame) -> u64| frames.iter().map(f).sum::<u64>();
        assert_eq!(sum(|f| f.rows_read), whole.rows_read);
        assert_eq!(sum(|f| f.empty_rows), whole.empty_rows);
        let ragged: Vec<u64> = frames.iter().flat_map(|f| f.ragged.iter().map(|r| r.0)).collect();
        assert_eq!(ragged, whole.ragged.iter().map(|r| r.0).collect::<Vec<_>>());
        let bad: Vec<u64> = frames.iter().flat_map(|f| f.bad_utf8_rows.iter().copied()).collect();
        assert_eq!(bad, whole.bad_utf8_rows);
        assert_eq!(ragged.len(), 1);
        assert_eq!(bad.len(), 1);
    }

    /// A Parquet file read in slices gives the rows of the whole file, numbered the same.
    #[test]
    fn parquet_slices_match_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.parquet");
        let n = 10_000usize;
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("Год".into(), vec![2025i64; n]),
            Column::new("Логин ОО".into(), (0..n).map(|i| format!(" s{} ", i % 97)).collect::<Vec<_>>()),
            Column::new("Отметка".into(), (0..n).map(|i| (2 + i % 4) as i64).collect::<Vec<_>>()),
            Column::new("Прочее".into(), vec!["x"; n]),
        ])
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        let matcher = Matcher::new([("year", "Год"), ("school_id", "Логин ОО"), ("mark", "Отметка")]);
        let numeric = ["year", "mark"];
        let opts = ReadOptions { numeric: &numeric, ..super::super::tests::opts() };
        let mut parts = Vec::new();
        parquet_slices(&path, &matcher, &opts, 3_000, &|_| {}, &mut |f| {
            parts.push(f);
            Ok(())
        })
        .unwrap();
        assert_eq!(parts.len(), 4);
        let whole = super::super::read_table(&path, &matcher, &opts).unwrap();
        let joined = concat(parts.iter().map(|p| p.df.clone().lazy()).collect::<Vec<_>>(), UnionArgs::default()).unwrap().collect().unwrap();
        assert!(joined.equals_missing(&whole.df));
        assert_eq!(whole.unknown, vec!["Прочее".to_string()]);
        let ids: Vec<Option<&str>> = whole.df.column("school_id").unwrap().str().unwrap().iter().take(2).collect();
        assert_eq!(ids, vec![Some("s0"), Some("s1")]);
        assert_eq!(whole.df.column("mark").unwrap().dtype(), &DataType::Float64);
        let rows: Vec<Option<u64>> = joined.column(ROW_COL).unwrap().u64().unwrap().iter().skip(2999).take(2).collect();
        assert_eq!(rows, vec![Some(3001), Some(3002)]);
    }
}
