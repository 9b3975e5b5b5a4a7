//! XLSX, XLS, XLSB and ODS through calamine: a named or the first sheet, cached formula values,
//! merged cells filled across their whole area.

use super::ReadError;
use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Cell, Data, DataRef, Dimensions, Range, Reader, Sheets};

use super::{clean_cell, Grid, SourceInfo};

/// Text of a cell as a person sees it: integers without `.0`, errors as their code.
pub fn cell_text(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                Some(format!("{}", *f as i64))
            } else {
                Some(format!("{f}"))
            }
        }
        Data::Int(i) => Some(i.to_string()),
        Data::String(s) => clean_cell(s),
        Data::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        other => clean_cell(&other.to_string()),
    }
}

pub(super) fn read(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Grid, ReadError> {
    let sheet = sheet.map(str::to_string);
    // calamine is third-party parsing of untrusted bytes: a panic there must not reach the user.
    std::panic::catch_unwind(move || read_inner(bytes, sheet.as_deref()))
        .unwrap_or_else(|_| Err(ReadError::Format(tr!("файл электронной таблицы повреждён", "the spreadsheet file is corrupt"))))
}

/// Several sheets by name, or every sheet when `sheets` is empty (a wide form with a sheet a year).
pub(super) fn read_sheets(bytes: Vec<u8>, sheets: &[String]) -> Result<Vec<Grid>, ReadError> {
    let sheets = sheets.to_vec();
    std::panic::catch_unwind(move || {
        let mut wb = open(bytes)?;
        let names = if sheets.is_empty() {
            wb.sheet_names()
        } else {
            sheets.iter().map(|s| sheet_name(&wb, Some(s))).collect::<Result<Vec<_>, _>>()?
        };
        names.into_iter().map(|n| grid_of(&mut wb, n)).collect()
    })
    .unwrap_or_else(|_| Err(ReadError::Format(tr!("файл электронной таблицы повреждён", "the spreadsheet file is corrupt"))))
}

type Book = Sheets<Cursor<Vec<u8>>>;

/// The most cells the rectangle a sheet spans may hold (from its first to its last used row and
/// column): 2^24, e.g. Excel's 1,048,576 rows × 16 columns; ~1 GiB in memory. A sheet beyond
/// it (a cell far away from the others, a million columns) is refused before it is laid out.
pub const MAX_SHEET_AREA: u64 = 1 << 24;
/// A workbook (a zip package) unpacking to more than this many times its size, and to more than
/// [`MAX_UNPACKED`] bytes, is refused before it is opened: a "zip bomb", not a table.
/// Ordinary workbooks unpack to 4–20 times their size.
pub const MAX_RATIO: u64 = 100;
pub const MAX_UNPACKED: u64 = 256 << 20;

/// Refuses a zip package whose parts, as its own directory declares them, unpack to far more
/// than a spreadsheet would (see [`MAX_RATIO`]).
fn check_unpacked(bytes: &[u8]) -> Result<(), ReadError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // not a zip package (XLS), or a broken one: calamine says what is wrong
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(part) = zip.by_index_raw(i) {
            total = total.saturating_add(part.size());
        }
    }
    let size = bytes.len() as u64;
    if total > MAX_UNPACKED && total / size.max(1) > MAX_RATIO {
        return Err(ReadError::Format(tr!(
            "файл размером {} КБ раскрывается в {} МБ (в {} раз больше): это не похоже на таблицу (так устроены «zip-бомбы»); откройте файл в Excel и сохраните заново или выгрузите в CSV",
            "the {} KB file unpacks to {} MB ({} times its size): not what a table looks like (a \"zip bomb\"); open it in Excel and save it again, or export it to CSV",
            size / 1024,
            total >> 20,
            total / size.max(1)
        )));
    }
    Ok(())
}

/// The error for a sheet the reader cannot read.
fn unreadable(name: &str, e: impl std::fmt::Display) -> ReadError {
    ReadError::Format(tr!("лист «{name}» не читается: {e}", "sheet '{name}' cannot be read: {e}"))
}

/// The error for a sheet spanning more than [`MAX_SHEET_AREA`] cells.
fn too_large(name: &str, rows: u64, cols: u64) -> ReadError {
    ReadError::Format(tr!(
        "лист «{name}» занимает {rows} строк × {cols} столбцов — больше {} ячеек; удалите лишние ячейки далеко от таблицы или выгрузите лист в CSV",
        "sheet '{name}' spans {rows} rows × {cols} columns — more than {} cells; delete stray cells far from the table or export the sheet to CSV",
        MAX_SHEET_AREA
    ))
}

/// The used cells of an XLSX or XLSB sheet, as calamine's own `worksheet_range` gathers them
/// (empty cells skipped), but refused as soon as they span more than [`MAX_SHEET_AREA`] cells:
/// calamine would allocate the whole rectangle at once.
fn bounded_range<'a>(name: &str, mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, String>) -> Result<Range<Data>, ReadError> {
    let mut cells = Vec::new();
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = next().map_err(|e| unreadable(name, e))? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(c), c1.max(c));
        let (rows, cols) = (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1);
        if rows * cols > MAX_SHEET_AREA {
            return Err(too_large(name, rows, cols));
        }
        cells.push(Cell::new((r, c), Data::from(cell.get_value().clone())));
    }
    Ok(Range::from_sparse(cells))
}

/// A sheet's used cells: XLSX and XLSB cell by cell within [`MAX_SHEET_AREA`]; XLS and ODS
/// through calamine whole (their rectangle checked afterwards).
fn sheet_range(wb: &mut Book, name: &str) -> Result<Range<Data>, ReadError> {
    let range = match wb {
        Sheets::Xlsx(x) => match x.worksheet_cells_reader(name) {
            Ok(mut reader) => bounded_range(name, || reader.next_cell().map_err(|e| e.to_string()))?,
            Err(calamine::XlsxError::NotAWorksheet(_)) => Range::default(),
            Err(e) => return Err(unreadable(name, e)),
        },
        Sheets::Xlsb(x) => match x.worksheet_cells_reader(name) {
            Ok(mut reader) => bounded_range(name, || reader.next_cell().map_err(|e| e.to_string()))?,
            Err(e) => return Err(unreadable(name, e)),
        },
        other => other.worksheet_range(name).map_err(|e| unreadable(name, e))?,
    };
    let (rows, cols) = range.get_size();
    if (rows as u64).saturating_mul(cols as u64) > MAX_SHEET_AREA {
        return Err(too_large(name, rows as u64, cols as u64));
    }
    Ok(range)
}

fn open(bytes: Vec<u8>) -> Result<Book, ReadError> {
    check_unpacked(&bytes)?;
    open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        ReadError::Format(tr!(
            "файл электронной таблицы не читается (повреждён или не XLSX/XLS/ODS): {e}",
            "cannot read the spreadsheet (corrupt, or not XLSX/XLS/ODS): {e}"
        ))
    })
}

/// The sheet asked for (names compared without case and edge spaces), or the first one.
fn sheet_name(wb: &Book, sheet: Option<&str>) -> Result<String, ReadError> {
    let names = wb.sheet_names();
    match sheet {
        Some(want) => names
            .iter()
            .find(|n| n.trim().to_lowercase() == want.trim().to_lowercase())
            .cloned()
            .ok_or_else(|| {
                ReadError::Format(tr!(
                    "лист «{want}» не найден; листы файла: {}",
                    "sheet '{want}' not found; the file has: {}",
                    names.join(", ")
                ))
            }),
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ReadError::Format(tr!("в книге нет листов", "the workbook has no sheets"))),
    }
}

fn read_inner(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Grid, ReadError> {
    let mut wb = open(bytes)?;
    let name = sheet_name(&wb, sheet)?;
    grid_of(&mut wb, name)
}

fn grid_of(wb: &mut Book, name: String) -> Result<Grid, ReadError> {
    let format = match &wb {
        Sheets::Xls(_) => "XLS",
        Sheets::Xlsx(_) => "XLSX",
        Sheets::Xlsb(_) => "XLSB",
        Sheets::Ods(_) => "ODS",
    };
    let range = sheet_range(wb, &name)?;
    let merged: Vec<Dimensions> = match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
        _ => Vec::new(),
    };
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<Option<String>>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    fill_merged(&mut rows, &merged, row0, col0);
    let numbers = (0..rows.len() as u64).map(|i| i + u64::from(row0) + 1).collect();
    Ok(Grid {
        rows,
        numbers,
        info: SourceInfo {
            format: format.to_string(),
            encoding: None,
            delimiter: None,
            sheet: Some(name),
            header_row: None,
            number_row: None,
        },
        lossy: false,
        first_col: col0 as usize,
    })
}

/// Copies the value of each merged area's top-left cell into every cell of the area.
fn fill_merged(rows: &mut [Vec<Option<String>>], merged: &[Dimensions], row0: u32, col0: u32) {
    for m in merged {
        let (Some(r0), Some(c0)) = (m.start.0.checked_sub(row0), m.start.1.checked_sub(col0)) else {
            continue;
        };
        let value = rows
            .get(r0 as usize)
            .and_then(|r| r.get(c0 as usize))
            .cloned()
            .flatten();
        let Some(value) = value else { continue };
        let r_end = m.end.0.saturating_sub(row0) as usize;
        let c_end = m.end.1.saturating_sub(col0) as usize;
        for r in r0 as usize..=r_end {
            let Some(row) = rows.get_mut(r) else { break };
            for c in c0 as usize..=c_end {
                if let Some(cell) = row.get_mut(c) {
                    if cell.is_none() {
                        *cell = Some(value.clone());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_see_them() {
        assert_eq!(cell_text(&Data::Float(2025.0)).as_deref(), Some("2025"));
        assert_eq!(cell_text(&Data::Float(0.25)).as_deref(), Some("0.25"));
        assert_eq!(cell_text(&Data::String("  х ".into())).as_deref(), Some("х"));
        assert_eq!(cell_text(&Data::Empty), None);
    }

    #[test]
    fn merged_cells_filled() {
        let mut rows = vec![
            vec![Some("Отметки".to_string()), None, None],
            vec![Some("2".to_string()), Some("3".to_string()), None],
        ];
        fill_merged(&mut rows, &[Dimensions::new((0, 0), (0, 2))], 0, 0);
        assert_eq!(rows[0], vec![Some("Отметки".to_string()); 3]);
        assert_eq!(rows[1][2], None);
    }
}
