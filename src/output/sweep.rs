//! The files and tables of `sweep` (the grid and its counts are `identify::sweep`): text
//! tables, sweep.md (with a chart) and sweep.xlsx.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use rust_xlsxwriter::Format;

use super::charts::{self, category_colour};
use super::report::md_escape;
use super::whatif::md_table;
use crate::identify::whatif::Group;
use super::xlsx::{x, Sheet};
use super::Export;
pub use crate::identify::sweep::*;
use crate::identify::Category;

pub fn setting_headers(s: &Sweep) -> Vec<String> {
    let mut h = s.params.clone();
    h.extend(Group::ALL.iter().map(|g| g.short_label()));
    h
}

pub fn setting_rows(s: &Sweep) -> Vec<Vec<String>> {
    s.settings
        .iter()
        .map(|st| {
            let mut r = st.values.clone();
            r.extend(Group::ALL.iter().map(|g| st.counts.get(g).copied().unwrap_or(0).to_string()));
            r
        })
        .collect()
}

pub fn school_headers() -> Vec<String> {
    vec![
        tr!("Логин ОО", "School id"),
        tr!("Наименование", "Name"),
        tr!("Муниципалитет", "Municipality"),
        tr!("В ШНОР, вариантов", "ШНОР in settings"),
        tr!("Доля вариантов", "Share of settings"),
    ]
}

pub fn school_rows(v: &[Robustness], total: usize) -> Vec<Vec<String>> {
    v.iter()
        .map(|r| {
            vec![
                r.school_id.clone(),
                r.name.clone(),
                r.municipality.clone(),
                format!("{} / {total}", r.shnor_settings),
                format!("{} %", crate::identify::num1(Some(r.share * 100.0))),
            ]
        })
        .collect()
}

pub fn summary_line(s: &Sweep) -> String {
    tr!(
        "Вариантов: {}. Всегда в списке ШНОР: {}; ни разу: {}; меняют статус внутри сетки: {}.",
        "Settings: {}. Always on the ШНОР list: {}; never: {}; status flips inside the grid: {}.",
        s.settings.len(),
        s.always,
        s.never,
        s.flipping.len()
    )
}

/// List sizes against the first parameter (with two parameters, the ШНОР list per value of the
/// second).
pub fn chart(s: &Sweep) -> Result<String> {
    let Some(first) = s.params.first() else { return Ok(String::new()) };
    let first_words = super::whatif::param_words(first);
    let title = tr!("Размер списков в зависимости от параметра «{first_words}»", "List sizes against «{first_words}»");
    let y_desc = tr!("школ", "schools");
    if s.params.len() == 1 {
        let labels: Vec<String> = s.settings.iter().map(|st| super::whatif::param_value(first, &st.values.first().cloned().unwrap_or_default())).collect();
        let series: Vec<(String, plotters::style::RGBColor, Vec<f64>)> = [Group::ShnorList, Group::ShnsuList, Group::Category(Category::Resilient)]
            .iter()
            .map(|g| (g.short_label(), category_colour(g.colour_of()), s.settings.iter().map(|st| st.counts.get(g).copied().unwrap_or(0) as f64).collect()))
            .collect();
        return charts::lines(&title, &first_words, &y_desc, &labels, &series);
    }
    // Two parameters: one line per value of the second, the ШНОР list size over the first.
    let mut firsts: Vec<String> = Vec::new();
    let mut by_second: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for st in &s.settings {
        let (a, b) = (st.values.first().cloned().unwrap_or_default(), st.values.get(1).cloned().unwrap_or_default());
        if !firsts.contains(&a) {
            firsts.push(a);
        }
        if !order.contains(&b) {
            order.push(b.clone());
        }
        by_second.entry(b).or_default().push(st.counts.get(&Group::ShnorList).copied().unwrap_or(0) as f64);
    }
    let palette = Category::ALL;
    let second = s.params.get(1).cloned().unwrap_or_default();
    let series = order
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let colour = category_colour(palette.get(i % palette.len()).copied().unwrap_or(Category::None));
            (format!("{} = {}", super::whatif::param_words(&second), super::whatif::param_value(&second, b)), colour, by_second.get(b).cloned().unwrap_or_default())
        })
        .collect::<Vec<_>>();
    let firsts: Vec<String> = firsts.iter().map(|v| super::whatif::param_value(first, v)).collect();
    charts::lines(&title, &first_words, &tr!("школ в списке ШНОР", "schools on the ШНОР list"), &firsts, &series)
}

pub fn markdown(s: &Sweep) -> String {
    let mut out = format!("# {}\n\n**{}**\n\n", tr!("Перебор параметров", "Parameter sweep"), md_escape(&s.region));
    out.push_str(&format!("{}\n\n", md_escape(&summary_line(s))));
    out.push_str(&format!("## {}\n\n", tr!("Размер списков по вариантам", "List sizes per setting")));
    out.push_str(&md_table(&setting_headers(s), &setting_rows(s)));
    out.push_str(&format!("\n![{}](charts/sweep.svg)\n\n", md_escape(&tr!("Размер списков", "List sizes"))));
    out.push_str(&format!("## {}\n\n", tr!("Школы, меняющие статус ШНОР внутри сетки", "Schools whose ШНОР status flips inside the grid")));
    if s.flipping.is_empty() {
        out.push_str(&tr!("Таких нет: статус каждой школы одинаков во всех вариантах.\n", "None: every school has the same status in every setting.\n"));
    } else {
        out.push_str(&md_table(&school_headers(), &school_rows(&s.flipping, s.settings.len())));
    }
    out
}

pub fn workbook(s: &Sweep) -> Result<Vec<u8>> {
    let mut wb = super::xlsx::new_workbook()?;
    let pct = Format::new().set_num_format("0%");
    let ws = wb.add_worksheet();
    ws.set_name(tr!("Варианты", "Settings")).map_err(x)?;
    let head = setting_headers(s);
    let mut sh = Sheet { ws, row: 0 };
    let mut widths = vec![18.0; s.params.len()];
    widths.extend([12.0; 6]);
    sh.header(&head, &widths)?;
    for st in &s.settings {
        for (c, v) in st.values.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(n) => sh.num(c as u16, Some(n), &Format::new())?,
                Err(_) => sh.text(c as u16, v)?,
            }
        }
        for (j, g) in Group::ALL.iter().enumerate() {
            sh.num((st.values.len() + j) as u16, Some(st.counts.get(g).copied().unwrap_or(0) as f64), &Format::new())?;
        }
        sh.row += 1;
    }
    sh.finish(head.len() as u16)?;
    let ws = wb.add_worksheet();
    ws.set_name(tr!("Устойчивость", "Robustness")).map_err(x)?;
    let mut sh = Sheet { ws, row: 0 };
    sh.header(&school_headers(), &[14.0, 44.0, 34.0, 16.0, 14.0])?;
    for r in &s.schools {
        sh.text(0, &r.school_id)?;
        sh.text(1, &r.name)?;
        sh.text(2, &r.municipality)?;
        sh.num(3, Some(r.shnor_settings as f64), &Format::new())?;
        sh.num(4, Some(r.share), &pct)?;
        sh.row += 1;
    }
    sh.finish(5)?;
    wb.save_to_buffer().map_err(x)
}

/// sweep.md.
pub struct SweepMarkdown;

impl Export<Sweep> for SweepMarkdown {
    fn files(&self, s: &Sweep) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        Ok(vec![(PathBuf::from("sweep.md"), markdown(s).into_bytes())])
    }
}

/// sweep.xlsx.
pub struct SweepWorkbook;

impl Export<Sweep> for SweepWorkbook {
    fn files(&self, s: &Sweep) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        Ok(vec![(PathBuf::from("sweep.xlsx"), workbook(s)?)])
    }
}

/// charts/sweep.svg.
pub struct SweepChart;

impl Export<Sweep> for SweepChart {
    fn files(&self, s: &Sweep) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        Ok(vec![(PathBuf::from("charts/sweep.svg"), chart(s)?.into_bytes())])
    }
}

/// Every file of a `sweep --out`.
pub const FILES: [&dyn Export<Sweep>; 3] = [&SweepMarkdown, &SweepWorkbook, &SweepChart];
