//! `prilozhenie.docx`: the ranked ШНОР list as an appendix to an order — heading, then a table
//! (№ п/п, full name, municipality, category, short reason, solidity) on landscape A4 with the
//! header row repeated on every page. One row per listed school.

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use docx_rs::{
    AlignmentType, Docx, PageMargin, PageOrientationType, Paragraph, Run, RunFonts, Table, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::{Export, RunOutput};
use crate::identify::SchoolRow;

pub struct Appendix;

/// Landscape A4 in twentieths of a point, and 15 mm margins.
const A4_LONG: u32 = 16838;
const A4_SHORT: u32 = 11906;
const MARGIN: i32 = 850;
/// Column widths (twentieths of a point) over the 15,138 the page leaves.
const WIDTHS: [usize; 6] = [600, 3600, 2600, 1800, 4738, 1800];

/// The listed schools in list order.
pub fn listed<'a>(run: &RunOutput<'a>) -> Vec<&'a SchoolRow> {
    crate::identify::shnor_list(&run.ident.rows)
}

/// The appendix's columns.
pub fn headers() -> [String; 6] {
    [
        tr!("№ п/п", "No."),
        tr!("Полное наименование ОО", "School"),
        tr!("Муниципальное образование", "Municipality"),
        tr!("Категория", "Category"),
        tr!("Основание: худшие процедуры — доля «2» (95 % интервал; n), критерии", "Reason: worst procedures — share of «2» (95 % interval; n), criteria"),
        tr!("Надёжность отбора", "Solidity"),
    ]
}

/// One listed school's cells, in the order of [`headers`].
pub fn cells(no: usize, r: &SchoolRow) -> [String; 6] {
    [no.to_string(), r.name.clone(), r.municipality.clone(), r.category.label(), crate::identify::short_reason(r), r.standing_label()]
}

/// The title above the table.
pub fn title(run: &RunOutput) -> String {
    tr!(
        "Перечень школ с низкими образовательными результатами (ШНОР), {} — {}\u{a0}г.",
        "List of schools with low educational results (ШНОР), {} — {}",
        run.config.region.name,
        run.ident.latest_year
    )
}

fn cell(text: &str, width: usize, bold: bool) -> TableCell {
    let mut r = Run::new().add_text(text).size(20);
    if bold {
        r = r.bold();
    }
    TableCell::new().width(width, WidthType::Dxa).add_paragraph(Paragraph::new().add_run(r))
}

fn row(texts: &[String], bold: bool) -> TableRow {
    TableRow::new(texts.iter().zip(WIDTHS).map(|(t, w)| cell(t, w, bold)).collect()).cant_split()
}

impl Export<RunOutput<'_>> for Appendix {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let schools = listed(run);
        let mut rows = vec![row(&headers(), true)];
        rows.extend(schools.iter().enumerate().map(|(i, r)| row(&cells(i + 1, r), false)));
        let table = Table::new(rows).set_grid(WIDTHS.to_vec()).layout(TableLayoutType::Fixed).width(WIDTHS.iter().sum(), WidthType::Dxa);
        let heading = |text: String, size: usize| Paragraph::new().add_run(Run::new().add_text(text).bold().size(size)).align(AlignmentType::Center);
        let mut doc = Docx::new()
            .page_size(A4_LONG, A4_SHORT)
            .page_orient(PageOrientationType::Landscape)
            .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN))
            .default_fonts(RunFonts::new().ascii("Times New Roman").hi_ansi("Times New Roman").cs("Times New Roman").east_asia("Times New Roman"))
            .default_size(22)
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(tr!("Приложение к приказу от «___» ________ 20__ г. № ____", "Appendix to the order of ________ No. ____")).size(22)).align(AlignmentType::Right))
            .add_paragraph(heading(title(run), 28));
        if schools.is_empty() {
            doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(tr!("Школ в перечне нет.", "The list is empty."))));
        } else {
            doc = doc.add_table(table);
        }
        let mut xml = doc.build();
        // The header row repeats on every page (w:tblHeader, which docx-rs does not write).
        xml.document = repeat_first_row(&xml.document)?;
        let mut out = std::io::Cursor::new(Vec::new());
        xml.pack(&mut out).map_err(|e| anyhow!("prilozhenie.docx: {e}"))?;
        Ok(vec![(PathBuf::from("prilozhenie.docx"), out.into_inner())])
    }
}

/// The document with `<w:tblHeader/>` in the first table row's properties.
fn repeat_first_row(document: &[u8]) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(document).map_err(|e| anyhow!("prilozhenie.docx: {e}"))?;
    Ok(match text.find("<w:trPr>") {
        Some(at) => {
            let end = at + "<w:trPr>".len();
            format!("{}<w:tblHeader />{}", &text[..end], &text[end..]).into_bytes()
        }
        None => document.to_vec(),
    })
}
