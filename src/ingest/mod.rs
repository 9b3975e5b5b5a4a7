//! Reading input files into a uniform frame of text columns: format detection by content,
//! encodings, CSV dialects, XLSX/XLS/ODS sheets, Parquet, header rows and aliases.

pub mod blocks;
pub mod file;
mod csv;
mod excel;
pub mod headers;
mod parquet;
pub mod text;
pub mod wide;

use std::path::Path;

use polars::prelude::*;

pub use self::csv::delimiter_by_name;
pub use headers::Matcher;

/// Why a file cannot be read as a table. Each kind carries the sentence the user reads (the
/// caller adds the file's name and reports it as an unreadable file).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be opened or read (an OS error, in the user's language).
    #[error("{0}")]
    Io(String),
    /// Not a table of a known format: empty, binary, corrupt, an unknown encoding or delimiter,
    /// a sheet that is not there, CSV that does not parse.
    #[error("{0}")]
    Format(String),
    /// No header row, or a wide form whose layout cannot be made out.
    #[error("{0}")]
    Layout(String),
    /// Headers that cannot be mapped unambiguously (a name twice, a header fitting two names).
    #[error("{0}")]
    Columns(String),
    /// A table operation failed while building the frame (not caused by the file's content).
    #[error("{0}")]
    Internal(String),
}

impl From<PolarsError> for ReadError {
    fn from(e: PolarsError) -> Self {
        ReadError::Internal(e.to_string())
    }
}

/// A block-by-block read that stopped: the file could not be read, or the caller's handling of
/// a block failed.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Handler(anyhow::Error),
}

/// Cell values that mean "no data" in Russian exports.
pub const PLACEHOLDERS: &[&str] = &["X", "x", "Х", "х", "-", "—", "–", "н/д", "Н/Д", "Н/д", "нд", "НД", "n/a", "N/A", "#Н/Д", "#N/A", "нет отметки", "Нет отметки", "НЕТ ОТМЕТКИ"];

/// Name of the column that carries the source row number (as the user sees it).
pub const ROW_COL: &str = "__row";

/// How a file was read.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SourceInfo {
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
    pub header_row: Option<u64>,
    /// The row of column numbers under the header, skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_row: Option<u64>,
}

/// A column of the source mapped to a canonical name (or kept as an extra column).
#[derive(Debug, Clone, serde::Serialize)]
pub struct MappedColumn {
    pub source: String,
    pub canonical: String,
    /// Header says the values are shares or percentages.
    #[serde(skip)]
    pub share: bool,
    /// How the header was matched when not as it stands (shown by `check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<String>,
}

/// A table read from a file: text columns named by canonical names, plus `__row`.
pub struct RawFrame {
    pub df: DataFrame,
    pub info: SourceInfo,
    pub mapped: Vec<MappedColumn>,
    pub unknown: Vec<String>,
    /// Data rows read (excluding the header, title rows and empty rows).
    pub rows_read: u64,
    /// Rows with a wrong number of fields, excluded: (row, fields, expected).
    pub ragged: Vec<(u64, usize, usize)>,
    /// Rows in which invalid UTF-8 bytes were replaced.
    pub bad_utf8_rows: Vec<u64>,
    pub empty_rows: u64,
    /// How a wide form was read (sheets, blocks, skipped rows); None for other tables.
    pub wide: Option<crate::layout::WideSummary>,
    /// Text of the title rows above the header («Проведение работы по математике, 5 класс. ВПР
    /// 2021»): the year, grade, subject and procedure of a file that has no such columns.
    pub titles: Vec<String>,
}

impl ReadOptions<'_> {
    /// Everything detected, nothing kept beyond the mapped columns, text as text.
    pub fn detect() -> ReadOptions<'static> {
        ReadOptions {
            encoding: None,
            delimiter: None,
            sheet: None,
            header_row: None,
            keep_unknown: false,
            numeric: &[],
            wide: None,
            codes: false,
        }
    }
}

impl RawFrame {
    /// A frame read without a ragged row, replaced bytes or an empty row (the fast paths).
    pub(crate) fn regular(df: DataFrame, info: SourceInfo, mapped: Vec<MappedColumn>, unknown: Vec<String>) -> RawFrame {
        RawFrame {
            rows_read: df.height() as u64,
            df,
            info,
            mapped,
            unknown,
            ragged: Vec::new(),
            bad_utf8_rows: Vec::new(),
            empty_rows: 0,
            wide: None,
            titles: Vec::new(),
        }
    }
}

/// Options of one read.
pub struct ReadOptions<'a> {
    pub encoding: Option<&'static encoding_rs::Encoding>,
    pub delimiter: Option<u8>,
    pub sheet: Option<&'a str>,
    /// 1-based header row given by the user.
    pub header_row: Option<usize>,
    /// Keep unmapped columns (named by their header) instead of listing them as unknown.
    pub keep_unknown: bool,
    /// Canonical columns that may come back as numbers (Float64) instead of text: the fast CSV
    /// path reads such a column typed when every cell of it is a plain number or blank.
    pub numeric: &'a [&'a str],
    /// Read as a wide form (subjects in column blocks), see [`wide`].
    pub wide: Option<&'a wide::WideOptions>,
    /// Large files read block by block: text columns come as categoricals (each value coded once
    /// a block), for the checks that work on distinct values.
    pub codes: bool,
}

/// Rows of cells as read (trimmed, empty → None) with their row numbers.
pub(crate) struct Grid {
    pub rows: Vec<Vec<Option<String>>>,
    pub numbers: Vec<u64>,
    pub info: SourceInfo,
    pub lossy: bool,
    /// 0-based column of the first cell of each row in the sheet (for column letters).
    pub first_col: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Zip,
    Ole,
    Parquet,
    Text,
}

fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        Format::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Format::Ole
    } else if bytes.starts_with(b"PAR1") {
        Format::Parquet
    } else {
        Format::Text
    }
}

/// Cleans one cell: trimmed, empty → None.
pub(crate) fn clean_cell(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// Whether a file is Parquet (by its first bytes).
pub fn is_parquet(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok() && sniff(&magic) == Format::Parquet
}

/// Reads any supported file. Errors are fatal problems, worded for the user.
pub fn read_table(path: &Path, matcher: &Matcher, opts: &ReadOptions) -> Result<RawFrame, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        ReadError::Io(if e.kind() == std::io::ErrorKind::NotFound {
            tr!("файл не найден", "file not found")
        } else {
            tr!("файл недоступен: {}", "file cannot be opened: {}", crate::i18n::io_message(&e))
        })
    })?;
    if meta.is_dir() {
        return Err(ReadError::Io(tr!(
            "это каталог, а не файл",
            "this is a directory, not a file"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(tr!("не удалось прочитать файл: {}", "cannot read the file: {}", crate::i18n::io_message(&e))))?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Format(tr!("файл пуст", "the file is empty")));
    }
    if let Some(w) = opts.wide {
        return read_wide(bytes, matcher, opts, w);
    }
    let grid = match sniff(&bytes) {
        Format::Zip | Format::Ole => excel::read(bytes, opts.sheet)?,
        Format::Parquet => return parquet::read(&bytes, matcher, opts),
        Format::Text => match csv::read_text(bytes, opts)? {
            csv::Text::Grid(g) => g,
            csv::Text::Regular { text, delim, info } => {
                if let Some(frame) = regular_frame(&text, delim, info, matcher, opts)? {
                    return Ok(frame);
                }
                csv::read(text.as_bytes(), &ReadOptions { encoding: Some(encoding_rs::UTF_8), delimiter: Some(delim), ..*opts })?
            }
        },
    };
    build_frame(grid, matcher, opts)
}

/// A wide form: the chosen sheets (or every sheet) of a workbook, or one CSV table.
fn read_wide(bytes: Vec<u8>, matcher: &Matcher, opts: &ReadOptions, w: &wide::WideOptions) -> Result<RawFrame, ReadError> {
    let mut sheets: Vec<String> = w.sheets.clone();
    if let Some(s) = opts.sheet {
        sheets.push(s.to_string());
    }
    let explicit = !sheets.is_empty();
    let grids = match sniff(&bytes) {
        Format::Zip | Format::Ole => excel::read_sheets(bytes, &sheets)?,
        Format::Parquet => {
            return Err(ReadError::Format(tr!(
                "широкая форма (layout = \"wide\") читается из XLSX, XLS, ODS или CSV, не из Parquet",
                "a wide form (layout = \"wide\") is read from XLSX, XLS, ODS or CSV, not from Parquet"
            )))
        }
        Format::Text => {
            let text_opts = ReadOptions { numeric: &[], ..*opts };
            let grid = match csv::read_text(bytes, &text_opts)? {
                csv::Text::Grid(g) => g,
                csv::Text::Regular { text, delim, .. } => {
                    csv::read(text.as_bytes(), &ReadOptions { encoding: Some(encoding_rs::UTF_8), delimiter: Some(delim), ..text_opts })?
                }
            };
            vec![grid]
        }
    };
    wide::read(grids, matcher, w, explicit)
}

/// Finds the header, maps columns and builds the text frame.
fn build_frame(grid: Grid, matcher: &Matcher, opts: &ReadOptions) -> Result<RawFrame, ReadError> {
    let Grid {
        rows,
        numbers,
        mut info,
        lossy,
        ..
    } = grid;
    let header_idx = match opts.header_row {
        Some(n) => numbers
            .iter()
            .position(|&r| r == n as u64)
            .ok_or_else(|| ReadError::Layout(tr!("строка заголовка {n} не найдена или пуста", "header row {n} not found or empty")))?,
        None => {
            let probe = rows.len().min(30);
            headers::detect_header_row(rows.get(..probe).unwrap_or_default(), matcher)
                .ok_or_else(|| ReadError::Layout(tr!("в файле нет строки заголовка", "the file has no header row")))?
        }
    };
    let header: Vec<Option<String>> = rows.get(header_idx).cloned().unwrap_or_default();
    let titles: Vec<String> = rows.iter().take(header_idx).flat_map(|r| r.iter().flatten().cloned()).collect();
    info.header_row = numbers.get(header_idx).copied();
    let width = header.len();
    let header_names = names_of(&header);
    let plan = plan_columns(&header_names, &header, matcher, opts.keep_unknown)?;

    // A row of column numbers right under the header is neither header nor data.
    let next_filled = rows.iter().enumerate().skip(header_idx + 1).find(|(_, r)| r.iter().any(Option::is_some)).map(|(i, _)| i);
    let number_row = next_filled.filter(|i| rows.get(*i).is_some_and(|r| headers::is_number_row(r)));
    info.number_row = number_row.and_then(|i| numbers.get(i).copied());
    let data = rows.into_iter().zip(numbers).enumerate().skip(header_idx + 1).filter(|(i, _)| Some(*i) != number_row).map(|(_, r)| r);
    let rows = Rows::from_grid(data, width, &plan, lossy)?;
    let Rows { df, ragged, bad_utf8_rows, empty_rows, rows_read } = rows;
    let unknown = unknown_of(&header_names, &plan);
    let mapped: Vec<MappedColumn> = plan.into_iter().map(|(_, m)| m).collect();
    Ok(RawFrame {
        df,
        info,
        mapped,
        unknown,
        rows_read,
        ragged,
        bad_utf8_rows,
        empty_rows,
        wide: None,
        titles,
    })
}

/// Data rows of a grid mapped to the planned columns: ragged rows set aside, rows with replaced
/// bytes noted, empty rows counted.
pub(crate) struct Rows {
    pub df: DataFrame,
    pub ragged: Vec<(u64, usize, usize)>,
    pub bad_utf8_rows: Vec<u64>,
    pub empty_rows: u64,
    pub rows_read: u64,
}

impl Rows {
    pub(crate) fn from_grid(rows: impl Iterator<Item = (Vec<Option<String>>, u64)>, width: usize, plan: &[(usize, MappedColumn)], lossy: bool) -> Result<Rows, ReadError> {
        let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); plan.len()];
        let mut row_numbers: Vec<u64> = Vec::new();
        let mut ragged = Vec::new();
        let mut bad_utf8_rows = Vec::new();
        let mut empty_rows = 0u64;
        let mut rows_read = 0u64;
        for (row, number) in rows {
            if row.iter().all(Option::is_none) {
                empty_rows += 1;
                continue;
            }
            rows_read += 1;
            if row.len() != width {
                // Trailing empty cells of a longer row are harmless; anything else is ragged.
                let extra_filled = row.iter().skip(width).any(Option::is_some);
                if row.len() < width || extra_filled {
                    ragged.push((number, row.len(), width));
                    continue;
                }
            }
            if lossy && row.iter().flatten().any(|c| c.contains('\u{FFFD}')) {
                bad_utf8_rows.push(number);
            }
            let mut row = row;
            for (slot, (src_idx, _)) in cols.iter_mut().zip(plan.iter()) {
                slot.push(row.get_mut(*src_idx).and_then(Option::take));
            }
            row_numbers.push(number);
        }
        let mut columns: Vec<Column> = Vec::with_capacity(plan.len() + 1);
        for (values, (_, mapped)) in cols.into_iter().zip(plan.iter()) {
            columns.push(Column::new(mapped.canonical.as_str().into(), values));
        }
        columns.push(Column::new(ROW_COL.into(), row_numbers));
        let df = DataFrame::new_infer_height(columns)?;
        Ok(Rows { df, ragged, bad_utf8_rows, empty_rows, rows_read })
    }
}

/// The fast path for large, regular, unquoted text tables: every line after the header has the
/// header's number of fields and none is blank. Then polars parses the text on all cores and the
/// result is the same as the cell-by-cell path (cells trimmed, empty → missing, row numbers as
/// the lines of the file). Returns None when the file is not regular (the caller falls back).
/// Whether any cell of the text has white space at an edge (space or tab next to a delimiter,
/// a line end or the text's ends), or the text holds a no-break space anywhere (then cells are
/// trimmed). The text is UTF-8: a no-break space is the pair C2 A0, while a lone A0 byte is the
/// tail of a letter such as «Р» (D0 A0).
fn needs_trim(data: &[u8], delim: u8) -> bool {
    if memchr::memmem::find(data, "\u{a0}".as_bytes()).is_some() {
        return true;
    }
    let edge = |b: Option<&u8>| matches!(b, None | Some(b'\n' | b'\r')) || b == Some(&delim);
    memchr::memchr2_iter(b' ', b'\t', data).any(|i| edge(i.checked_sub(1).and_then(|j| data.get(j))) || edge(data.get(i + 1)))
}

/// Whether every data line (after the header line) has exactly `want` delimiters and none is
/// blank; a final empty line is allowed. In the same pass, `plain[k]` is cleared when a cell of
/// field `k` holds anything but digits, `.` and `-` (such a column stays text; a cell such as
/// «1.2.3» that passes this test fails the typed read, which then falls back to text).
fn lines_are_regular(data: &[u8], delim: u8, want: usize, plain: &mut [bool]) -> bool {
    let Some(header_end) = memchr::memchr(b'\n', data) else { return true };
    let body = data.get(header_end + 1..).unwrap_or_default();
    let mut number_byte = [false; 256];
    for b in b"0123456789.-\r" {
        if let Some(slot) = number_byte.get_mut(usize::from(*b)) {
            *slot = true;
        }
    }
    // Only fields up to the last column still taken as a number are looked into.
    let fields_to_check = |plain: &[bool]| plain.iter().rposition(|p| *p).map(|i| i + 1);
    let mut check = fields_to_check(plain);
    let mut start = 0usize;
    let mut blank_seen = false;
    for end in memchr::memchr_iter(b'\n', body).chain(std::iter::once(body.len())) {
        let line = body.get(start..end).unwrap_or_default();
        start = end + 1;
        // Only the last line may be blank (the file's final white space).
        if blank_seen {
            return false;
        }
        // A plain count over the bytes (the compiler vectorises it).
        let delims = line.iter().filter(|b| **b == delim).count();
        if delims != want || want == 0 {
            if line.iter().all(u8::is_ascii_whitespace) {
                blank_seen = true;
                continue;
            } else if delims != want {
                return false;
            }
        }
        if let Some(n) = check {
            let mut changed = false;
            for (field, p) in line.split(|b| *b == delim).zip(plain.iter_mut()).take(n) {
                if *p && !field.iter().all(|b| number_byte[usize::from(*b)]) {
                    *p = false;
                    changed = true;
                }
            }
            if changed {
                check = fields_to_check(plain);
            }
        }
    }
    true
}

fn regular_frame(text: &str, delim: u8, mut info: SourceInfo, matcher: &Matcher, opts: &ReadOptions) -> Result<Option<RawFrame>, ReadError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = body.split('\n');
    let mut head: Vec<Vec<Option<String>>> = Vec::new();
    let mut offsets: Vec<usize> = Vec::new();
    let mut pos = 0usize;
    for line in lines.by_ref().take(30) {
        offsets.push(pos);
        pos += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        head.push(line.split(delim as char).map(clean_cell).collect());
    }
    let header_idx = match opts.header_row {
        Some(n) => n.checked_sub(1).filter(|i| *i < head.len()),
        None => headers::detect_header_row(&head, matcher),
    };
    let Some(header_idx) = header_idx else { return Ok(None) };
    let Some(header) = head.get(header_idx).cloned() else { return Ok(None) };
    // A row of column numbers under the header: the cell-by-cell path skips it.
    if head.get(header_idx + 1).is_some_and(|r| headers::is_number_row(r)) {
        return Ok(None);
    }
    let want = header.len().saturating_sub(1);
    // Every data line: same number of delimiters, not blank (a final empty line is allowed).
    let start = offsets.get(header_idx).copied().unwrap_or(0);
    let data = body.get(start..).unwrap_or_default();
    let names = names_of(&header);
    let plan = plan_columns(&names, &header, matcher, opts.keep_unknown)?;
    // Columns the caller takes as numbers are read typed when all their cells are plain.
    let mut plain = vec![false; header.len()];
    for (i, m) in &plan {
        if let Some(p) = plain.get_mut(*i) {
            *p = opts.numeric.contains(&m.canonical.as_str());
        }
    }
    if !lines_are_regular(data.as_bytes(), delim, want, &mut plain) {
        return Ok(None);
    }
    let needs_trim = needs_trim(data.as_bytes(), delim);
    if needs_trim {
        plain.iter_mut().for_each(|p| *p = false);
    }

    let parse = |plain: &[bool]| {
        let dtypes: Vec<DataType> = plain.iter().map(|p| if *p { DataType::Float64 } else { DataType::String }).collect();
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_dtype_overwrite(Some(Arc::new(dtypes)))
            .map_parse_options(|p| p.with_separator(delim).with_quote_char(None))
            .into_reader_with_file_handle(std::io::Cursor::new(data.as_bytes()))
            .finish()
    };
    let parsed = match parse(&plain) {
        Ok(df) => df,
        // A cell of digits, dots and minuses that is no number («1.2.3»): all columns as text.
        Err(_) if plain.iter().any(|p| *p) => {
            plain.iter_mut().for_each(|p| *p = false);
            parse(&plain).map_err(|e| ReadError::Format(tr!("ошибка разбора CSV: {e}", "CSV parse error: {e}")))?
        }
        Err(e) => return Err(ReadError::Format(tr!("ошибка разбора CSV: {e}", "CSV parse error: {e}"))),
    };

    let src: Vec<String> = parsed.get_column_names().iter().map(|s| s.to_string()).collect();
    let first_row = header_idx as u64 + 2;
    let mut exprs: Vec<Expr> = Vec::with_capacity(plan.len() + 1);
    for (i, m) in &plan {
        let Some(name) = src.get(*i) else { return Ok(None) };
        if needs_trim {
            let v = col(name.as_str()).cast(DataType::String).str().strip_chars(lit(NULL));
            exprs.push(when(v.clone().eq(lit(""))).then(lit(NULL).cast(DataType::String)).otherwise(v).alias(m.canonical.as_str()));
        } else if plain.get(*i).copied().unwrap_or(false) {
            exprs.push(col(name.as_str()).alias(m.canonical.as_str()));
        } else {
            // Empty fields are already missing (polars reads them as null).
            exprs.push(col(name.as_str()).cast(DataType::String).alias(m.canonical.as_str()));
        }
    }
    exprs.push((col("__idx").cast(DataType::UInt64) + lit(first_row)).alias(ROW_COL));
    let parsed = parsed.with_row_index("__idx".into(), None)?;
    let df = parsed.lazy().select(exprs).collect()?;

    info.header_row = Some(header_idx as u64 + 1);
    let unknown = unknown_of(&names, &plan);
    let mapped: Vec<MappedColumn> = plan.into_iter().map(|(_, m)| m).collect();
    let mut frame = RawFrame::regular(df, info, mapped, unknown);
    frame.titles = head.iter().take(header_idx).flat_map(|r| r.iter().flatten().cloned()).collect();
    Ok(Some(frame))
}

/// The headers of the columns a plan does not take (a repeated header is listed each time).
pub(crate) fn unknown_of(names: &[String], plan: &[(usize, MappedColumn)]) -> Vec<String> {
    names.iter().enumerate().filter(|(i, _)| !plan.iter().any(|(j, _)| j == i)).map(|(_, n)| n.clone()).collect()
}

/// Header cells as names; an empty header cell is «столбец N».
fn names_of(header: &[Option<String>]) -> Vec<String> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| h.clone().unwrap_or_else(|| tr!("столбец {}", "column {}", i + 1)))
        .collect()
}

/// Which source columns to keep and under which names. Two columns that map to the same
/// canonical name are a fatal problem.
fn plan_columns(
    names: &[String],
    header: &[Option<String>],
    matcher: &Matcher,
    keep_unknown: bool,
) -> Result<Vec<(usize, MappedColumn)>, ReadError> {
    // A header that matches a name only loosely never takes it from a column that matches it
    // exactly («Наименование учредителя» beside «Наименование ОО» stays an unknown column).
    let resolved: Vec<headers::Resolved> = names.iter().map(|n| matcher.resolve(n)).collect();
    let exact: Vec<&str> = resolved.iter().filter_map(|r| if let headers::Resolved::Exact(c) = r { Some(c.as_str()) } else { None }).collect();
    let mut plan: Vec<(usize, MappedColumn)> = Vec::new();
    for (i, (name, resolved)) in names.iter().zip(resolved.iter()).enumerate() {
        let unknown = keep_unknown && header.get(i).is_some_and(Option::is_some) && !plan.iter().any(|(_, m)| m.canonical == *name);
        let (canonical, matched_by) = match resolved {
            headers::Resolved::Exact(c) => (c.clone(), None),
            headers::Resolved::Loose(c, _) if exact.contains(&c.as_str()) => {
                if !unknown {
                    continue;
                }
                (name.clone(), None)
            }
            headers::Resolved::Loose(c, how) => (c.clone(), Some(how.clone())),
            headers::Resolved::Ambiguous(all) => {
                let open: Vec<&String> = all.iter().filter(|c| !exact.contains(&c.as_str())).collect();
                match open.as_slice() {
                    [] if unknown => (name.clone(), None),
                    [] => continue,
                    [one] => ((*one).clone(), Some(tr!("по части заголовка (другие подходящие имена уже заняты)", "by a part of the header (the other names that fit are taken)"))),
                    _ => {
                        let list = open.iter().map(|c| format!("«{c}»")).collect::<Vec<_>>().join(tr!(" и ", " and ").as_str());
                        return Err(ReadError::Columns(tr!(
                            "столбец «{name}» подходит сразу к {list} — задайте сопоставление явно в input.columns",
                            "column '{name}' fits both {list} — map it explicitly in input.columns"
                        )));
                    }
                }
            }
            // Two unknown columns with the same header are harmless: the first is kept, the other listed.
            headers::Resolved::None if unknown => (name.clone(), None),
            headers::Resolved::None => continue,
        };
        if let Some((_, prev)) = plan.iter().find(|(_, m)| m.canonical == canonical) {
            return Err(ReadError::Columns(tr!(
                "столбцы «{}» и «{}» оба соответствуют «{}» — оставьте один или задайте сопоставление в input.columns",
                "columns '{}' and '{}' both map to '{}' — keep one or map them explicitly in input.columns",
                prev.source,
                name,
                canonical
            )));
        }
        plan.push((
            i,
            MappedColumn {
                source: name.clone(),
                canonical,
                share: headers::header_is_share(name),
                matched_by,
            },
        ));
    }
    Ok(plan)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Default read options for tests (unknown columns listed, not kept).
    pub(crate) fn opts() -> ReadOptions<'static> {
        ReadOptions::detect()
    }

    #[test]
    fn trimming_is_needed_only_for_white_space_at_cell_edges() {
        // «ВПР» ends in the byte A0 (Р = D0 A0): not a no-break space.
        assert!(!needs_trim("2024,sch1,ВПР,4,Русский язык,38,5,5".as_bytes(), b','));
        assert!(!needs_trim("Р;Р;Р".as_bytes(), b';'));
        assert!(needs_trim("2024, sch1".as_bytes(), b','));
        assert!(needs_trim("2024 ,sch1".as_bytes(), b','));
        assert!(needs_trim(" 2024,sch1".as_bytes(), b','));
        assert!(needs_trim("2024,sch1\t".as_bytes(), b','));
        assert!(needs_trim("2024;1\u{a0}234".as_bytes(), b';'));
        assert!(needs_trim("2024;\u{a0}ВПР".as_bytes(), b';'));
        assert!(needs_trim("a;b\r\n1 ;2\r\n".as_bytes(), b';'));
        assert!(needs_trim("a;b\n1;2\n 3;4".as_bytes(), b';'));
        assert!(!needs_trim("a;b c\n1;2 3\n".as_bytes(), b';'));
    }

    #[test]
    fn read_errors_say_what_kind_of_problem_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let matcher = Matcher::new([("school_id", "Логин ОО"), ("year", "Год")]);
        let read = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            read_table(&p, &matcher, &opts()).err().unwrap()
        };
        assert!(matches!(read_table(&dir.path().join("нет.csv"), &matcher, &opts()).err(), Some(ReadError::Io(_))));
        assert!(matches!(read_table(dir.path(), &matcher, &opts()).err(), Some(ReadError::Io(_))));
        assert!(matches!(read("empty.csv", b"  \n"), ReadError::Format(_)));
        assert!(matches!(read("bad.xlsx", b"PK\x03\x04 not a zip"), ReadError::Format(_)));
        let twice = read("twice.csv", "Год;Логин ОО;Логин ОО\n2025;a;b\n".as_bytes());
        assert!(matches!(twice, ReadError::Columns(_)), "{twice:?}");
    }

    #[test]
    fn regular_lines() {
        assert!(lines_are_regular(b"a;b\n1;2\n3;4\n", b';', 1, &mut []));
        assert!(lines_are_regular(b"a;b\r\n1;2\r\n3;4", b';', 1, &mut []));
        assert!(!lines_are_regular(b"a;b\n1;2\n3;4;5\n", b';', 1, &mut []));
        assert!(!lines_are_regular(b"a;b\n1;2\n\n3;4\n", b';', 1, &mut []));
        assert!(!lines_are_regular(b"a;b\n1;2\n\n\n", b';', 1, &mut []));
        assert!(!lines_are_regular(b"a;b\n1;2\n  \n", b';', 1, &mut []));
        // Columns of plain numbers are found in the same pass (a «н/д» or a letter clears one).
        let mut plain = [true, true, true, false];
        assert!(lines_are_regular(b"a;b;c;d\n1;x;2.5;q\r\n3;4;-7;w\n10;5;;e\n", b';', 3, &mut plain));
        assert_eq!(plain, [true, false, true, false]);
        let mut plain = [true, true];
        assert!(lines_are_regular("a;b\n1;2\n3;н/д\n".as_bytes(), b';', 1, &mut plain));
        assert_eq!(plain, [true, false]);
    }

    /// The fast path for large regular files gives exactly what the cell-by-cell path gives.
    #[test]
    fn fast_path_matches_cell_by_cell_path() {
        let matcher = Matcher::new([("school_id", "Логин ОО"), ("mark", "Отметка"), ("year", "Год")]);
        let mut text = String::from("Выгрузка ВПР\nГод;Логин ОО;Отметка;Комментарий\n");
        for i in 0..20_000 {
            text.push_str(&format!("2025; s{:05} ;{};{}\r\n", i % 300, 2 + i % 4, if i % 7 == 0 { "" } else { "ок" }));
        }
        assert!(text.len() > 256 * 1024);
        let fast = regular_frame(&text, b';', SourceInfo::default(), &matcher, &opts()).unwrap().unwrap();
        let grid = csv::read(text.as_bytes(), &opts()).unwrap();
        let slow = build_frame(grid, &matcher, &opts()).unwrap();
        assert_eq!(fast.rows_read, 20_000);
        assert_eq!(fast.rows_read, slow.rows_read);
        assert_eq!(fast.info.header_row, slow.info.header_row);
        assert_eq!(fast.unknown, slow.unknown);
        assert!(fast.df.equals_missing(&slow.df), "{:?}\n{:?}", fast.df.head(Some(3)), slow.df.head(Some(3)));
        // Without any white space at cell edges (no trimming needed) both paths agree too.
        let plain = text.replace(" s", "s").replace(" ;", ";");
        let fast = regular_frame(&plain, b';', SourceInfo::default(), &matcher, &opts()).unwrap().unwrap();
        let slow = build_frame(csv::read(plain.as_bytes(), &opts()).unwrap(), &matcher, &opts()).unwrap();
        assert!(fast.df.equals_missing(&slow.df), "{:?}\n{:?}", fast.df.head(Some(3)), slow.df.head(Some(3)));
        // A ragged line sends the file to the cell-by-cell path, which reports it.
        let ragged = format!("{text}2025;s1;3\n");
        assert!(regular_frame(&ragged, b';', SourceInfo::default(), &matcher, &opts()).unwrap().is_none());
    }

    #[test]
    fn exact_headers_win_over_loose_ones() {
        let m = Matcher::new([("name", "Наименование ОО"), ("name", "Наименование"), ("school_type", "Тип ОО"), ("school_id", "Логин ОО")]);
        let names: Vec<String> = ["Логин ОО", "Наименование учредителя", "Наименование ОО", "Наименование и тип ОО", "Тип ОО"].iter().map(|s| s.to_string()).collect();
        let header: Vec<Option<String>> = names.iter().cloned().map(Some).collect();
        let plan = plan_columns(&names, &header, &m, false).unwrap();
        let got: Vec<(usize, &str)> = plan.iter().map(|(i, c)| (*i, c.canonical.as_str())).collect();
        assert_eq!(got, [(0, "school_id"), (2, "name"), (4, "school_type")]);
        // Kept as extra columns where the table keeps unknown ones (the register).
        let plan = plan_columns(&names, &header, &m, true).unwrap();
        assert!(plan.iter().any(|(i, c)| *i == 1 && c.canonical == "Наименование учредителя"));
        // Without the exact columns, a header that fits two names is an error naming both.
        let names: Vec<String> = ["Логин ОО", "Наименование и тип ОО"].iter().map(|s| s.to_string()).collect();
        let header: Vec<Option<String>> = names.iter().cloned().map(Some).collect();
        let err = plan_columns(&names, &header, &m, false).unwrap_err().to_string();
        assert!(err.contains("«name»") && err.contains("«school_type»"), "{err}");
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Format::Zip);
        assert_eq!(sniff(b"PAR1...."), Format::Parquet);
        assert_eq!(sniff(b"a;b;c\n"), Format::Text);
    }
}
