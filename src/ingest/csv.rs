//! CSV (and other delimited text): decoding, delimiter sniffing, quoted fields with newlines.

use super::ReadError;
use super::{clean_cell, text, Grid, ReadOptions, SourceInfo};

const CANDIDATES: [u8; 3] = [b';', b'\t', b','];

/// Counts a delimiter per line outside quotes, over the first lines of the text.
fn counts_per_line(sample: &str, delim: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut in_quotes = false;
    let mut n = 0usize;
    for b in sample.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                counts.push(n);
                n = 0;
                if counts.len() >= 50 {
                    return counts;
                }
            }
            _ if b == delim && !in_quotes => n += 1,
            _ => {}
        }
    }
    if n > 0 {
        counts.push(n);
    }
    counts
}

/// Picks `;`, tab or `,`: a delimiter that splits the lines consistently wins, in that order
/// of preference (a `;` file with decimal commas also has commas on every line).
pub fn sniff_delimiter(text: &str) -> u8 {
    let sample: String = text.chars().take(64 * 1024).collect();
    let mut best: Option<(u8, usize)> = None;
    for &d in &CANDIDATES {
        let counts: Vec<usize> = counts_per_line(&sample, d)
            .into_iter()
            .filter(|&c| c > 0)
            .collect();
        let Some(&max) = counts.iter().max() else {
            continue;
        };
        let consistent = counts.iter().filter(|&&c| c == max).count();
        // Title rows above the header have fewer fields: judge by the widest lines.
        if consistent * 2 >= counts.len() {
            return d;
        }
        if best.is_none_or(|(_, m)| max > m) {
            best = Some((d, max));
        }
    }
    best.map(|(d, _)| d).unwrap_or(b';')
}

pub fn delimiter_label(d: u8) -> String {
    match d {
        b'\t' => "TAB".to_string(),
        other => (other as char).to_string(),
    }
}

/// A delimiter setting that is neither a character nor «tab».
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownDelimiter(pub String);

/// Parses the user's delimiter setting.
/// `Err` holds the setting that is not a delimiter.
pub fn delimiter_by_name(s: &str) -> Result<Option<u8>, UnknownDelimiter> {
    match s {
        "" | "auto" => Ok(None),
        "\\t" | "\t" | "tab" | "TAB" => Ok(Some(b'\t')),
        s if s.len() == 1 => Ok(s.bytes().next()),
        other => Err(UnknownDelimiter(other.to_string())),
    }
}

/// A decoded text table: either a grid of cells, or (for large regular files) the text itself
/// for polars' multi-threaded reader.
pub(super) enum Text {
    Grid(Grid),
    Regular { text: String, delim: u8, info: SourceInfo },
}

/// Large files with no quotes at all are handed to polars whole (see `ingest::regular_frame`).
const FAST_PATH_BYTES: usize = 256 * 1024;

/// The longest line (or record: a quoted field may span lines) a table may have: 4 MiB, a
/// thousand columns of 4 KB each. A longer one is not a row of a table (a file without line
/// breaks, binary data, a quote never closed) and is refused before it is split into fields.
pub const MAX_LINE_BYTES: usize = 4 << 20;
/// The most fields a line may have: Excel's 16,384 columns.
pub const MAX_FIELDS: usize = 16_384;
/// The most line breaks the quoted fields of one record may hold: an address or a comment over a
/// few lines is text; a quote that closes only hundreds of lines later (or never) would make
/// every row in between one field, and those rows vanish as one ragged row.
pub const MAX_BREAKS_IN_RECORD: usize = 100;

/// The error for a line or record longer than [`MAX_LINE_BYTES`] (line numbers from 1).
fn too_long(line: u64, bytes: usize) -> ReadError {
    ReadError::Format(tr!(
        "строка {line} длиной {} КБ — в таблице таких строк не бывает (больше {} КБ): в файле нет переводов строк, это не таблица или не закрыта кавычка (\") и всё после неё читается как одно поле",
        "line {line} is {} KB long — tables have no such lines (over {} KB): the file has no line breaks, is not a table, or a quote (\") is never closed and all after it reads as one field",
        bytes / 1024,
        MAX_LINE_BYTES / 1024
    ))
}

/// The error for a line with more than [`MAX_FIELDS`] fields.
fn too_wide(line: u64, fields: usize) -> ReadError {
    ReadError::Format(tr!(
        "в строке {line} {fields} полей — больше, чем бывает столбцов в таблице ({MAX_FIELDS}, как в Excel); проверьте разделитель или выгрузите только нужные столбцы",
        "line {line} has {fields} fields — more than a table has columns ({MAX_FIELDS}, as in Excel); check the delimiter or export only the columns needed"
    ))
}

/// Refuses text with a line longer than [`MAX_LINE_BYTES`], or whose first line (the header of
/// a regular file, where every line has as many fields) has more than [`MAX_FIELDS`] fields.
fn check_lines(text: &str, delim: Option<u8>) -> Result<(), ReadError> {
    let bytes = text.as_bytes();
    let (mut start, mut line) = (0usize, 1u64);
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if end.saturating_sub(start) > MAX_LINE_BYTES {
            return Err(too_long(line, end - start));
        }
        if line == 1 {
            let delim = delim.unwrap_or_else(|| sniff_delimiter(text));
            let fields = bytecount::count(bytes.get(start..end).unwrap_or_default(), delim) + 1;
            if fields > MAX_FIELDS {
                return Err(too_wide(line, fields));
            }
        }
        (start, line) = (end + 1, line + 1);
    }
    Ok(())
}

pub(super) fn read_text(bytes: Vec<u8>, opts: &ReadOptions) -> Result<Text, ReadError> {
    check_not_binary(&bytes)?;
    let large = bytes.len() >= FAST_PATH_BYTES;
    let decoded = text::decode_owned(bytes, opts.encoding);
    check_lines(&decoded.text, opts.delimiter)?;
    if large && !decoded.lossy && !decoded.text.contains('"') {
        let delim = opts.delimiter.unwrap_or_else(|| sniff_delimiter(&decoded.text));
        let info = SourceInfo {
            format: "CSV".to_string(),
            encoding: Some(decoded.encoding.to_string()),
            delimiter: Some(delimiter_label(delim)),
            sheet: None,
            header_row: None,
            number_row: None,
        };
        return Ok(Text::Regular { text: decoded.text, delim, info });
    }
    read_decoded(decoded, opts).map(Text::Grid)
}

fn check_not_binary(bytes: &[u8]) -> Result<(), ReadError> {
    let probe = bytes.get(..bytes.len().min(8192)).unwrap_or_default();
    let is_utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if !is_utf16 && probe.contains(&0u8) {
        return Err(ReadError::Format(tr!(
            "файл не является таблицей CSV, XLSX, XLS, ODS или Parquet (двоичные данные)",
            "the file is not a CSV, XLSX, XLS, ODS or Parquet table (binary data)"
        )));
    }
    Ok(())
}

pub(super) fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Grid, ReadError> {
    check_not_binary(bytes)?;
    read_decoded(text::decode(bytes, opts.encoding), opts)
}

fn read_decoded(decoded: text::Decoded, opts: &ReadOptions) -> Result<Grid, ReadError> {
    let body = decoded.text.strip_prefix('\u{feff}').unwrap_or(&decoded.text);
    let delim = match opts.delimiter {
        Some(d) => d,
        None => sniff_delimiter(body),
    };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut rows = Vec::new();
    let mut numbers = Vec::new();
    let mut record = ::csv::StringRecord::new();
    // Line numbers from byte offsets: 1 + newlines before the record's first byte (right for
    // CRLF and for quoted fields that span lines).
    let text_bytes = body.as_bytes();
    let (mut seen_byte, mut seen_line) = (0usize, 1u64);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(seen_byte).max(seen_byte);
                // After a CR the reader may place the next record on the LF that follows it.
                while matches!(text_bytes.get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                seen_line += text_bytes.get(seen_byte..start).unwrap_or_default().iter().filter(|b| **b == b'\n').count() as u64;
                seen_byte = start;
                // A quote never closed swallows the lines after it into one field.
                let raw = record.as_byte_record().as_slice();
                if raw.len() > MAX_LINE_BYTES {
                    return Err(too_long(seen_line, raw.len()));
                }
                if record.len() > MAX_FIELDS {
                    return Err(too_wide(seen_line, record.len()));
                }
                let breaks = bytecount::count(raw, b'\n');
                if breaks > MAX_BREAKS_IN_RECORD {
                    return Err(ReadError::Format(tr!(
                        "в строке {seen_line} кавычка (\") открывает поле, которое тянется на {breaks} строк дальше (или до конца файла): все эти строки читались бы как одно поле; проверьте кавычки в этой строке",
                        "at line {seen_line} a quote (\") opens a field that runs {breaks} lines on (or to the end of the file): all those lines would read as one field; check the quotes in that line"
                    )));
                }
                rows.push(record.iter().map(clean_cell).collect());
                numbers.push(seen_line);
            }
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(ReadError::Format(tr!(
                    "ошибка разбора CSV в строке {line}: {e}",
                    "CSV parse error at line {line}: {e}"
                )));
            }
        }
    }
    Ok(Grid {
        rows,
        numbers,
        info: SourceInfo {
            format: "CSV".to_string(),
            encoding: Some(decoded.encoding.to_string()),
            delimiter: Some(delimiter_label(delim)),
            sheet: None,
            header_row: None,
            number_row: None,
        },
        lossy: decoded.lossy,
        first_col: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_semicolon_with_decimal_commas() {
        let t = "a;b;c\n1;2,5;3,1\n4;5,5;6,2\n";
        assert_eq!(sniff_delimiter(t), b';');
    }

    #[test]
    fn sniffs_comma_and_tab() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        let t = "name,id\n\"Школа; №1\",1\n\"Школа; №2\",2\n";
        assert_eq!(sniff_delimiter(t), b',');
    }

    use crate::ingest::tests::opts;

    proptest::proptest! {
        /// Any grid written as CSV (quotes, delimiters and newlines inside cells, any of the
        /// three delimiters, any Cyrillic encoding) reads back cell for cell.
        #[test]
        fn csv_roundtrip(
            cells in proptest::collection::vec(proptest::collection::vec("[а-яА-Я0-9 ;,\"\n.]{0,8}", 4), 2..12),
            delim_ix in 0usize..3,
            enc_ix in 0usize..4,
        ) {
            let delim = CANDIDATES[delim_ix];
            let mut w = ::csv::WriterBuilder::new().delimiter(delim).from_writer(Vec::new());
            w.write_record(["Логин ОО", "Наименование ОО", "Муниципалитет", "Тип ОО"]).unwrap();
            for row in &cells {
                w.write_record(row).unwrap();
            }
            let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
            let enc = [encoding_rs::UTF_8, encoding_rs::WINDOWS_1251, encoding_rs::KOI8_R, encoding_rs::IBM866][enc_ix];
            let (bytes, _, _) = enc.encode(&text);
            let o = ReadOptions { delimiter: Some(delim), encoding: Some(enc), ..opts() };
            let grid = read(&bytes, &o).unwrap();
            proptest::prop_assert_eq!(grid.rows.len(), cells.len() + 1);
            for (got, want) in grid.rows.iter().skip(1).zip(cells.iter()) {
                let want: Vec<Option<String>> = want.iter().map(|c| clean_cell(c)).collect();
                proptest::prop_assert_eq!(got, &want);
            }
        }

        /// The delimiter is found for tables of plain cells, including decimal commas under `;`.
        #[test]
        fn delimiter_sniffed(rows in 1usize..30, cols in 2usize..8, delim_ix in 0usize..3) {
            let delim = CANDIDATES[delim_ix] as char;
            let mut t = String::new();
            for r in 0..=rows {
                let line: Vec<String> = (0..cols)
                    .map(|c| if delim == ';' && r > 0 { format!("{r},{c}") } else { format!("к{r}{c}") })
                    .collect();
                t.push_str(&line.join(&delim.to_string()));
                t.push('\n');
            }
            proptest::prop_assert_eq!(sniff_delimiter(&t), delim as u8);
        }
    }

    #[test]
    fn title_row_above_header() {
        let t = "Реестр школ\na;b;c\n1;2;3\n4;5;6\n";
        assert_eq!(sniff_delimiter(t), b';');
    }
}
