//! `shnor.xlsx`: the ranked ШНОР list with reasons, ШНСУ, all schools, municipalities and the
//! parameters used. Frozen header, autofilter, column widths, number formats, category colours.
//! Text is always written as text (never a formula); document dates are fixed, so the same
//! inputs give the same bytes.

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook as XWorkbook, Worksheet};

use crate::identify::{counts_by_municipality, region_counts, shnsu_list, Counts, Dynamics, SchoolRow};
use super::lines::yes;
use super::{Export, RunOutput};
use crate::identify::Category;

pub struct Workbook;

pub(super) fn x(e: rust_xlsxwriter::XlsxError) -> anyhow::Error {
    anyhow!("XLSX: {e}")
}

pub(super) fn category_format(category: Category) -> Format {
    Format::new().set_background_color(category.fill().map_or(Color::White, Color::RGB))
}

pub(super) struct Sheet<'a> {
    pub ws: &'a mut Worksheet,
    pub row: u32,
}

impl Sheet<'_> {
    pub fn header(&mut self, cells: &[String], widths: &[f64]) -> Result<()> {
        let bold = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top);
        for (c, h) in cells.iter().enumerate() {
            self.ws.write_string_with_format(0, c as u16, h, &bold).map_err(x)?;
            if let Some(w) = widths.get(c) {
                self.ws.set_column_width(c as u16, *w).map_err(x)?;
            }
        }
        self.ws.set_freeze_panes(1, 0).map_err(x)?;
        self.row = 1;
        Ok(())
    }

    pub fn text(&mut self, col: u16, v: &str) -> Result<()> {
        if !v.is_empty() {
            self.ws.write_string(self.row, col, v).map_err(x)?;
        }
        Ok(())
    }

    pub fn text_fmt(&mut self, col: u16, v: &str, f: &Format) -> Result<()> {
        self.ws.write_string_with_format(self.row, col, v, f).map_err(x)?;
        Ok(())
    }

    /// Number formats of whole columns: numbers written with `plain` take their column's
    /// format (no per-cell format lookup, which dominates writing 40,000 schools).
    pub fn column_formats(&mut self, formats: &[(u16, &Format)]) -> Result<()> {
        for (c, f) in formats {
            self.ws.set_column_format(*c, f).map_err(x)?;
        }
        Ok(())
    }

    /// A number in its column's format (see `column_formats`).
    pub fn plain(&mut self, col: u16, v: Option<f64>) -> Result<()> {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            self.ws.write_number(self.row, col, v).map_err(x)?;
        }
        Ok(())
    }

    pub fn num(&mut self, col: u16, v: Option<f64>, f: &Format) -> Result<()> {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            self.ws.write_number_with_format(self.row, col, v, f).map_err(x)?;
        }
        Ok(())
    }

    pub fn finish(&mut self, cols: u16) -> Result<()> {
        let last = self.row.saturating_sub(1).max(1);
        self.ws.autofilter(0, 0, last, cols.saturating_sub(1)).map_err(x)?;
        Ok(())
    }
}

/// A workbook with fixed document properties, so that the same content gives the same bytes.
pub(super) fn new_workbook() -> Result<XWorkbook> {
    let mut wb = XWorkbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(x)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed).set_author("shnor"));
    // The level Excel itself uses: a third faster than the default for a file a few % larger.
    wb.set_zip_compression_level(3);
    Ok(wb)
}


/// The category cell: its label on its colour, formats and labels made once per sheet.
struct Categories {
    cells: Vec<(Category, String, Format)>,
}

impl Categories {
    fn new() -> Categories {
        let cells = Category::ALL.into_iter().map(|c| (c, c.label(), category_format(c))).collect();
        Categories { cells }
    }

    fn write(&self, s: &mut Sheet, col: u16, category: Category) -> Result<()> {
        match self.cells.iter().find(|(c, _, _)| *c == category) {
            Some((_, label, format)) => s.text_fmt(col, label, format),
            None => s.text_fmt(col, &category.label(), &category_format(category)),
        }
    }
}

/// The ШНОР list ready to print as an order's appendix (the rows of prilozhenie.docx): a title
/// row, the header repeated on every page, landscape A4 fitted to the page width, wrapped text.
fn print_sheet(ws: &mut Worksheet, run: &RunOutput) -> Result<()> {
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top).set_border(rust_xlsxwriter::FormatBorder::Thin);
    let head = wrap.clone().set_bold().set_background_color(0xEEEEEE);
    let title = Format::new().set_bold().set_font_size(13).set_text_wrap();
    let widths = [6.0, 38.0, 28.0, 13.0, 70.0, 14.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(x)?;
    }
    ws.merge_range(0, 0, 0, widths.len() as u16 - 1, &super::docx::title(run), &title).map_err(x)?;
    ws.set_row_height(0, 34).map_err(x)?;
    for (c, h) in super::docx::headers().iter().enumerate() {
        ws.write_string_with_format(1, c as u16, h, &head).map_err(x)?;
    }
    for (i, r) in super::docx::listed(run).into_iter().enumerate() {
        for (c, v) in super::docx::cells(i + 1, r).iter().enumerate() {
            ws.write_string_with_format(i as u32 + 2, c as u16, v, &wrap).map_err(x)?;
        }
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(1, 1).map_err(x)?;
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_footer("&R&P / &N");
    Ok(())
}

/// Which list a list sheet shows: the ШНОР list (its rank, solidity and the full reasons) or the
/// ШНСУ list (its own order and the indicators that pull ИСБШ down).
enum ListKind<'r, 'a> {
    Shnor(&'r RunOutput<'a>),
    Shnsu(&'r RunOutput<'a>),
}

fn list_sheet(ws: &mut Worksheet, rows: &[&SchoolRow], kind: ListKind) -> Result<()> {
    let one = Format::new().set_num_format("0.0");
    let mut s = Sheet { ws, row: 0 };
    let mut head = vec![
        tr!("Место", "Rank"),
        tr!("Логин ОО", "school_id"),
        tr!("Наименование ОО", "name"),
        tr!("Муниципалитет", "municipality"),
        tr!("Категория", "category"),
        tr!("ИНР", "ИНР"),
        tr!("ИСБШ", "ИСБШ"),
    ];
    let mut widths = vec![7.0, 14.0, 44.0, 34.0, 14.0, 9.0, 9.0];
    match kind {
        ListKind::Shnor(run) => {
            head.extend([tr!("Надёжность отбора", "Solidity"), tr!("Основания", "Reasons")]);
            widths.extend([16.0, 100.0]);
            if run.ident.previous.is_some() {
                head.extend([tr!("Лет в перечне подряд", "Years on the list in a row"), tr!("ИНР по годам перечня", "ИНР by list year")]);
                widths.extend([10.0, 30.0]);
            }
        }
        ListKind::Shnsu(_) => {
            head.push(tr!("Основание: показатели, сильнее всего снижающие ИСБШ", "Reason: the indicators that pull ИСБШ down most"));
            widths.push(100.0);
        }
    }
    s.header(&head, &widths)?;
    s.column_formats(&[(5, &one), (6, &one)])?;
    let categories = Categories::new();
    for (i, r) in rows.iter().enumerate() {
        // The ШНОР list shows the list's rank; the ШНСУ list its own order.
        let place = match kind {
            ListKind::Shnor(_) => r.rank.map(|v| v as f64).unwrap_or((i + 1) as f64),
            ListKind::Shnsu(_) => (i + 1) as f64,
        };
        s.plain(0, Some(place))?;
        s.text(1, &r.school_id)?;
        s.text(2, &r.name)?;
        s.text(3, &r.municipality)?;
        categories.write(&mut s, 4, r.category)?;
        s.plain(5, r.inr)?;
        s.plain(6, r.isbsh)?;
        match kind {
            ListKind::Shnor(run) => {
                s.text(7, &r.standing_label())?;
                s.text(8, &run.reasons_text(&r.school_id))?;
                if let Some(t) = super::lines::tenure(run, r) {
                    s.plain(9, Some(f64::from(t.years)))?;
                    s.text(10, &super::lines::inr_by_year(t, crate::identify::num1))?;
                }
            }
            ListKind::Shnsu(run) => s.text(7, &super::brief::shnsu_reason(run, r))?,
        }
        s.row += 1;
    }
    s.finish(head.len() as u16)
}

impl Export<RunOutput<'_>> for Workbook {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let mut wb = new_workbook()?;
        let shnor = crate::identify::shnor_list(&run.ident.rows);
        let ws = wb.add_worksheet();
        ws.set_name(tr!("Список ШНОР", "ШНОР list")).map_err(x)?;
        print_sheet(ws, run)?;

        let ws = wb.add_worksheet();
        ws.set_name(tr!("Список ШНОР подробно", "ШНОР list in full")).map_err(x)?;
        list_sheet(ws, &shnor, ListKind::Shnor(run))?;

        let shnsu = shnsu_list(&run.ident.rows);
        let ws = wb.add_worksheet();
        ws.set_name(tr!("ШНСУ", "ШНСУ")).map_err(x)?;
        list_sheet(ws, &shnsu, ListKind::Shnsu(run))?;

        let ws = wb.add_worksheet_with_low_memory().map_err(x)?;
        ws.set_name(tr!("Признаки (требуют проверки)", "Signs to check")).map_err(x)?;
        objectivity_sheet(ws, run)?;

        let ws = wb.add_worksheet_with_low_memory().map_err(x)?;
        ws.set_name(tr!("Рисковые профили", "Risk profiles")).map_err(x)?;
        risk_sheet(ws, run)?;

        let ws = wb.add_worksheet_with_low_memory().map_err(x)?;
        ws.set_name(tr!("Все школы", "All schools")).map_err(x)?;
        all_schools_sheet(ws, run)?;

        let ws = wb.add_worksheet();
        ws.set_name(tr!("Муниципалитеты", "Municipalities")).map_err(x)?;
        municipalities_sheet(ws, run)?;

        let ws = wb.add_worksheet();
        ws.set_name(tr!("Параметры", "Parameters")).map_err(x)?;
        parameters_sheet(ws, run)?;
        let bytes = wb.save_to_buffer().map_err(x)?;
        Ok(vec![(PathBuf::from("shnor.xlsx"), bytes)])
    }
}

/// Every school with every column of schools.csv.
fn all_schools_sheet(ws: &mut Worksheet, run: &RunOutput) -> Result<()> {
    let (one, pct) = (Format::new().set_num_format("0.0"), Format::new().set_num_format("0%"));
    let head = super::csv::headers(&run.ident.years, run.config.criteria.bottom.share, run.config.method.uncertainty.rank_interval);
    let mut widths = vec![14.0, 44.0, 34.0, 10.0, 10.0];
    widths.extend(std::iter::repeat_n(9.0, run.ident.years.len() + 2));
    widths.extend([9.0, 9.0, 7.0, 7.0, 12.0, 14.0, 10.0, 12.0, 12.0, 10.0, 10.0, 10.0, 16.0, 9.0, 10.0, 12.0, 10.0, 80.0, 16.0, 10.0, 10.0, 10.0, 30.0, 12.0]);
    widths.extend([10.0, 10.0, 10.0, 10.0, 16.0, 40.0, 10.0, 10.0, 10.0, 10.0, 60.0]);
    let mut s = Sheet { ws, row: 0 };
    s.header(&head, &widths)?;
    // Columns (as `csv::headers`): 5 register texts, one ИНР per window year, ИНР, ИСБШ,
    // the criteria's flags and the three lists', then the category and the columns after it.
    let index_cols = 5..5 + run.ident.years.len() as u16 + 2;
    let n_flags = crate::identify::criteria::of_list(crate::identify::criteria::List::Shnor).count() as u16 + 3;
    let flag_cols = index_cols.end..index_cols.end + n_flags;
    // The category and the rank, then the standing's six columns (`u`), then the rest (`c`).
    let u = flag_cols.end + 2;
    let c = u + 6;
    let mut formats: Vec<(u16, &Format)> = index_cols.clone().map(|i| (i, &one)).collect();
    formats.extend([(u + 1, &pct), (u + 2, &one), (c + 3, &pct), (c + 6, &one), (c + 7, &one)]);
    s.column_formats(&formats)?;
    let categories = Categories::new();
    let no_word = yes(false);
    let (yes_word, dynamics): (String, Vec<(Dynamics, String)>) =
        (yes(true), [Dynamics::Entered, Dynamics::Stayed, Dynamics::Left].into_iter().map(|d| (d, d.label())).collect());
    for r in &run.ident.rows {
        for (i, t) in [&r.school_id, &r.name, &r.municipality, &r.school_type, &r.locality].into_iter().enumerate() {
            s.text(i as u16, t)?;
        }
        for (i, v) in index_cols.clone().zip(r.inr_years.iter().chain([r.inr, r.isbsh].iter())) {
            s.plain(i, *v)?;
        }
        let flags = r.flags.0.iter().map(|(_, on)| *on).chain([r.shnor, r.shnsu, r.resilient]);
        for (i, b) in flag_cols.clone().zip(flags) {
            s.text(i, if b { &yes_word } else { &no_word })?;
        }
        categories.write(&mut s, u - 2, r.category)?;
        s.plain(u - 1, r.rank.map(|v| v as f64))?;
        let st = &r.standing;
        s.plain(u, r.participants_window.map(|v| v as f64))?;
        s.plain(u + 1, st.p_worst)?;
        s.plain(u + 2, st.rank_expected)?;
        s.plain(u + 3, st.rank_low.map(|v| v as f64))?;
        s.plain(u + 4, st.rank_high.map(|v| v as f64))?;
        s.text(u + 5, &r.standing_label())?;
        s.plain(c, r.n_procedures.map(|v| v as f64))?;
        s.plain(c + 1, r.n_unreliable.map(|v| v as f64))?;
        s.plain(c + 2, r.isbsh_indicators.map(|v| v as f64))?;
        s.plain(c + 3, r.response_rate)?;
        s.text(c + 4, &run.reasons_text(&r.school_id))?;
        match dynamics.iter().find(|(d, _)| *d == r.dynamics) {
            Some((_, label)) => s.text(c + 5, label)?,
            None => s.text(c + 5, &r.dynamics.label())?,
        }
        s.plain(c + 6, r.inr_prev)?;
        s.plain(c + 7, r.isbsh_prev)?;
        if let Some(t) = super::lines::tenure(run, r) {
            s.plain(c + 8, Some(f64::from(t.years)))?;
            s.text(c + 9, &super::lines::inr_by_year(t, crate::identify::num1))?;
        }
        s.plain(c + 10, Some(run.ident.objectivity.markers_of(&r.school_id).len() as f64))?;
        context_cells(&mut s, c + 11, r, run)?;
        s.row += 1;
    }
    s.finish(head.len() as u16)
}

/// The all-schools sheet's last columns (as schools.csv): ИНР against the expected, the similar
/// schools, the risk index and factors.
fn context_cells(s: &mut Sheet, c: u16, r: &SchoolRow, run: &RunOutput) -> Result<()> {
    let ex = r.expected;
    for (i, v) in [ex.map(|e| e.value), ex.map(|e| e.residual), ex.map(|e| e.low), ex.map(|e| e.high)].into_iter().enumerate() {
        s.plain(c + i as u16, v)?;
    }
    if let Some(st) = ex.and_then(|e| e.standing()) {
        s.text(c + 4, &st.label())?;
    }
    if let Some(n) = &r.similar {
        s.text(c + 5, &n.ids.join(", "))?;
        s.plain(c + 6, Some(n.worse as f64))?;
        s.plain(c + 7, Some(n.median_inr))?;
    }
    if let Some(k) = &r.risk {
        s.plain(c + 8, Some(k.index.round()))?;
        s.plain(c + 9, Some(k.actual as f64))?;
        s.text(c + 10, &crate::identify::risk::names(run.config, Some(k)))?;
    }
    Ok(())
}

/// The listed schools' risk profiles: a row per actual factor, with the school's value, the
/// region's median, where the level came from and the suggested directions.
fn risk_sheet(ws: &mut Worksheet, run: &RunOutput) -> Result<()> {
    let head = [
        tr!("Место в перечне", "Rank"),
        tr!("Логин ОО", "School id"),
        tr!("Наименование ОО", "School"),
        tr!("Муниципалитет", "Municipality"),
        tr!("Категория", "Category"),
        tr!("Индекс риска (0–100)", "Risk index (0–100)"),
        tr!("Актуальных факторов", "Actual factors"),
        tr!("Фактор риска", "Risk factor"),
        tr!("Значение школы", "School's value"),
        tr!("Медиана региона", "Region's median"),
        tr!("Источник", "Source"),
        tr!("Направления антирисковой программы", "Directions of an anti-risk programme"),
    ];
    let mut s = Sheet { ws, row: 0 };
    s.header(&head, &[8.0, 14.0, 40.0, 28.0, 12.0, 10.0, 10.0, 40.0, 12.0, 12.0, 16.0, 90.0])?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for r in super::risk::profiled(&run.ident.rows) {
        let p = super::risk::profile(run, r);
        for f in &p.factors {
            for (i, t) in [&p.rank, &p.school_id, &p.name, &p.municipality, &p.category, &p.index, &p.count, &f.factor, &f.value, &f.median, &f.source].into_iter().enumerate() {
                s.text(i as u16, t)?;
            }
            s.text_fmt(11, &f.directions.join("\n"), &wrap)?;
            s.row += 1;
        }
    }
    s.finish(head.len() as u16)
}

/// The objectivity screen's set markers (the rows of objectivity.csv), numbers as numbers.
fn objectivity_sheet(ws: &mut Worksheet, run: &RunOutput) -> Result<()> {
    let mut s = Sheet { ws, row: 0 };
    s.header(&super::objectivity::headers(), &[14.0, 40.0, 30.0, 22.0, 50.0, 18.0, 10.0, 12.0, 7.0, 10.0, 10.0, 14.0])?;
    let three = Format::new().set_num_format("0.000");
    s.column_formats(&[(6, &three), (7, &three), (9, &three)])?;
    for l in super::objectivity::lines(run) {
        let (r, m) = (l.school, l.marker);
        for (i, t) in [&r.school_id, &r.name, &r.municipality, &m.procedure].into_iter().enumerate() {
            s.text(i as u16, t)?;
        }
        s.text(4, &m.kind.label())?;
        s.text(5, m.kind.code())?;
        s.plain(6, Some(m.value))?;
        s.plain(7, Some(m.reference))?;
        s.plain(8, Some(m.n as f64))?;
        s.plain(9, m.q)?;
        s.text(10, &yes(r.shnor))?;
        s.text(11, &yes(l.hidden))?;
        s.row += 1;
    }
    s.finish(12)
}

/// Schools per category by municipality, and the region's total.
fn municipalities_sheet(ws: &mut Worksheet, run: &RunOutput) -> Result<()> {
    let pct = Format::new().set_num_format("0%");
    let head = vec![
        tr!("Муниципалитет", "Municipality"),
        tr!("Школ", "Schools"),
        tr!("ШНОР+ШНСУ", "ШНОР+ШНСУ"),
        tr!("ШНОР", "ШНОР"),
        tr!("ШНСУ", "ШНСУ"),
        tr!("Резильентные", "Resilient"),
        tr!("Доля в списке ШНОР", "Share on the ШНОР list"),
        tr!("Доля ШНСУ", "Share ШНСУ"),
    ];
    let mut s = Sheet { ws, row: 0 };
    s.header(&head, &[34.0, 8.0, 12.0, 8.0, 8.0, 13.0, 12.0, 10.0])?;
    let by = counts_by_municipality(&run.ident.rows);
    let total = region_counts(&run.ident.rows);
    let rows: Vec<(String, &Counts)> = by
        .iter()
        .map(|(m, c)| (m.clone(), c))
        .chain(std::iter::once((tr!("Всего по региону", "Region total"), &total)))
        .collect();
    for (m, c) in rows {
        s.text(0, &m)?;
        for (i, v) in [c.schools, c.shnor_shnsu, c.shnor, c.shnsu, c.resilient].iter().enumerate() {
            s.num(1 + i as u16, Some(*v as f64), &Format::new())?;
        }
        let share = |n: u64| if c.schools > 0 { Some(n as f64 / c.schools as f64) } else { None };
        s.num(6, share(c.on_shnor_list()), &pct)?;
        s.num(7, share(c.in_shnsu()), &pct)?;
        s.row += 1;
    }
    s.finish(head.len() as u16)
}

/// Every parameter of the run, flattened.
fn parameters_sheet(ws: &mut Worksheet, run: &RunOutput) -> Result<()> {
    let mut s = Sheet { ws, row: 0 };
    s.header(&[tr!("Параметр", "Parameter"), tr!("Значение", "Value")], &[40.0, 60.0])?;
    let params = run.config.parameters_json()?;
    let mut flat: Vec<(String, String)> = Vec::new();
    crate::config::flatten("", &params, &mut flat);
    for (k, v) in flat {
        s.text(0, &k)?;
        s.text(1, &v)?;
        s.row += 1;
    }
    s.finish(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader};

    fn fill(ws: &mut Worksheet) -> Result<()> {
        let mut s = Sheet { ws, row: 0 };
        s.header(&["Логин".to_string(), "Доля".to_string(), "Вывод".to_string()], &[10.0, 8.0, 30.0])?;
        s.column_formats(&[(1, &Format::new().set_num_format("0%"))])?;
        for i in 0..50u32 {
            s.text(0, &format!("школа {}", i % 7))?;
            s.plain(1, (i % 3 != 0).then_some(f64::from(i) / 50.0))?;
            s.text_fmt(2, if i % 2 == 0 { "ШНОР" } else { "" }, &category_format(Category::Shnor))?;
            s.row += 1;
        }
        s.finish(3)
    }

    /// The big sheets are written in the library's low-memory mode (rows flushed as they are
    /// completed): the same cells as the standard mode, whatever the internal numbering.
    #[test]
    fn low_memory_sheets_hold_the_same_cells() -> Result<()> {
        let mut wb = new_workbook()?;
        fill(wb.add_worksheet().set_name("a").map_err(x)?)?;
        fill(wb.add_worksheet_with_low_memory().map_err(x)?.set_name("b").map_err(x)?)?;
        let bytes = wb.save_to_buffer().map_err(x)?;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))?;
        let (a, b) = (book.worksheet_range("a")?, book.worksheet_range("b")?);
        assert_eq!(a.get_size(), (51, 3));
        assert_eq!(a.get((5, 0)), Some(&Data::String("школа 4".into())));
        let cells = |r: &calamine::Range<Data>| r.rows().map(|row| row.to_vec()).collect::<Vec<_>>();
        assert_eq!(cells(&a), cells(&b));
        Ok(())
    }
}
