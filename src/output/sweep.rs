//! `sweep`: identification over a grid of one or two parameters — the size of each list per
//! setting, how often each school is ШНОР (how robust its status is), and the schools whose
//! status flips inside the grid. Written as text, JSON, sweep.md (with a chart) and sweep.xlsx.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use rust_xlsxwriter::Format;
use serde::Serialize;

use super::charts::{self, category_colour};
use crate::identify::{Category, SchoolRow};
use super::report::md_escape;
use super::whatif::{md_table, LISTS};
use super::xlsx::{x, Sheet};
use crate::error::usage;

/// At most this many settings in one grid.
pub const MAX_SETTINGS: usize = 1000;

#[derive(Debug, Clone, Serialize)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// A number written without float noise: 0.15000000000000002 → «0.15».
fn clean(v: f64) -> String {
    let r = (v * 1e10).round() / 1e10;
    format!("{r}")
}

/// `key=FROM:TO:STEP` (inclusive, exact decimal steps) or `key=v1,v2,…` (values as in --set).
pub fn parse_axis(spec: &str) -> Result<Axis> {
    let bad = |why: String| usage(tr!("--param {spec}: {why}", "--param {spec}: {why}"));
    let Some((key, raw)) = spec.split_once('=') else {
        return Err(bad(tr!("ожидается ключ=ОТ:ДО:ШАГ или ключ=знач1,знач2", "expected key=FROM:TO:STEP or key=v1,v2")));
    };
    let key = key.trim().to_string();
    let raw = raw.trim();
    let parts: Vec<&str> = raw.split(':').collect();
    let values = if let (false, [from, to, step]) = (raw.starts_with('['), parts.as_slice()) {
        let num = |s: &str| s.trim().replace(',', ".").parse::<f64>().map_err(|_| bad(tr!("«{s}» — не число", "'{s}' is not a number")));
        let (from, to, step) = (num(from)?, num(to)?, num(step)?);
        if !(step > 0.0) || !from.is_finite() || !to.is_finite() || to < from {
            return Err(bad(tr!("нужно ОТ ≤ ДО и ШАГ > 0", "FROM ≤ TO and STEP > 0 are needed")));
        }
        let n = ((to - from) / step + 1e-9).floor() as usize + 1;
        if n > MAX_SETTINGS {
            return Err(bad(tr!("больше {MAX_SETTINGS} значений", "more than {MAX_SETTINGS} values")));
        }
        (0..n).map(|i| clean(from + step * i as f64)).collect()
    } else if raw.starts_with('[') {
        vec![raw.to_string()]
    } else {
        raw.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect::<Vec<_>>()
    };
    if values.is_empty() {
        return Err(bad(tr!("нет значений", "no values")));
    }
    Ok(Axis { key, values })
}

/// Every setting of the grid, as the values of each axis (the first axis varies slowest).
pub fn grid(axes: &[Axis]) -> Result<Vec<Vec<String>>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for a in axes {
        out = out.into_iter().flat_map(|prefix| a.values.iter().map(move |v| [prefix.clone(), vec![v.clone()]].concat())).collect();
        if out.len() > MAX_SETTINGS {
            return Err(usage(tr!("в сетке больше {MAX_SETTINGS} вариантов", "the grid has more than {MAX_SETTINGS} settings")));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub values: Vec<String>,
    /// Schools per list and category (the codes of `whatif`).
    pub counts: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Robustness {
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    /// Settings in which the school is on the ШНОР list.
    pub shnor_settings: usize,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    pub region: String,
    pub params: Vec<String>,
    pub settings: Vec<Setting>,
    pub always: usize,
    pub never: usize,
    /// Schools that are ШНОР in some settings and not in others, least robust first.
    pub flipping: Vec<Robustness>,
    /// Every school that is ШНОР in at least one setting.
    pub schools: Vec<Robustness>,
}


/// Accumulates the outcomes of the settings in grid order.
pub struct Collector {
    names: BTreeMap<String, (String, String)>,
    hits: BTreeMap<String, usize>,
    settings: Vec<Setting>,
}

impl Collector {
    /// `names`: school id → (name, municipality) for every register school.
    pub fn new(names: BTreeMap<String, (String, String)>) -> Self {
        Collector { names, hits: BTreeMap::new(), settings: Vec::new() }
    }

    pub fn add(&mut self, values: Vec<String>, rows: &[SchoolRow]) {
        let mut counts: BTreeMap<&'static str, u64> = LISTS.iter().map(|l| (*l, 0)).collect();
        for r in rows {
            let (shnor, shnsu) = (r.shnor, r.shnsu);
            let cat = r.category.code();
            for (code, yes) in [("shnor_list", shnor), ("shnsu_list", shnsu)] {
                if yes {
                    *counts.entry(code).or_default() += 1;
                }
            }
            if let Some(c) = counts.get_mut(cat) {
                *c += 1;
            }
            if shnor {
                *self.hits.entry(r.school_id.clone()).or_default() += 1;
            }
        }
        self.settings.push(Setting { values, counts });
    }

    pub fn finish(self, region: &str, params: Vec<String>) -> Sweep {
        let total = self.settings.len().max(1);
        let mut schools: Vec<Robustness> = self
            .hits
            .iter()
            .map(|(id, n)| {
                let (name, municipality) = self.names.get(id).cloned().unwrap_or_default();
                Robustness { school_id: id.clone(), name, municipality, shnor_settings: *n, share: *n as f64 / total as f64 }
            })
            .collect();
        schools.sort_by(|a, b| b.shnor_settings.cmp(&a.shnor_settings).then_with(|| a.school_id.cmp(&b.school_id)));
        let always = schools.iter().filter(|s| s.shnor_settings == total).count();
        let never = self.names.len().saturating_sub(schools.len());
        let mut flipping: Vec<Robustness> = schools.iter().filter(|s| s.shnor_settings < total).cloned().collect();
        flipping.sort_by(|a, b| {
            (a.share - 0.5).abs().total_cmp(&(b.share - 0.5).abs()).then_with(|| a.school_id.cmp(&b.school_id))
        });
        Sweep { region: region.to_string(), params, settings: self.settings, always, never, flipping, schools }
    }
}

pub fn setting_headers(s: &Sweep) -> Vec<String> {
    let mut h = s.params.clone();
    h.extend(LISTS.iter().map(|l| short_label(l)));
    h
}

fn short_label(code: &str) -> String {
    match code {
        "shnor_list" => tr!("Список ШНОР", "ШНОР list"),
        "shnsu_list" => tr!("ШНСУ всего", "ШНСУ total"),
        other => crate::identify::Category::from_code(other).label(),
    }
}

pub fn setting_rows(s: &Sweep) -> Vec<Vec<String>> {
    s.settings
        .iter()
        .map(|st| {
            let mut r = st.values.clone();
            r.extend(LISTS.iter().map(|l| st.counts.get(l).copied().unwrap_or(0).to_string()));
            r
        })
        .collect()
}

pub fn school_headers() -> Vec<String> {
    vec![
        tr!("Код ОО", "School id"),
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
    let title = tr!("Размер списков в зависимости от {first}", "List sizes against {first}");
    let y_desc = tr!("школ", "schools");
    if s.params.len() == 1 {
        let labels: Vec<String> = s.settings.iter().map(|st| st.values.first().cloned().unwrap_or_default()).collect();
        let series: Vec<(String, plotters::style::RGBColor, Vec<f64>)> = [("shnor_list", Category::ShnorShnsu), ("shnsu_list", Category::Shnsu), ("resilient", Category::Resilient)]
            .iter()
            .map(|(l, c)| (short_label(l), category_colour(*c), s.settings.iter().map(|st| st.counts.get(l).copied().unwrap_or(0) as f64).collect()))
            .collect();
        return charts::lines(&title, first, &y_desc, &labels, &series);
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
        by_second.entry(b).or_default().push(st.counts.get("shnor_list").copied().unwrap_or(0) as f64);
    }
    let palette = Category::ALL;
    let second = s.params.get(1).cloned().unwrap_or_default();
    let series = order
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let colour = category_colour(palette.get(i % palette.len()).copied().unwrap_or(Category::None));
            (format!("{second} = {b}"), colour, by_second.get(b).cloned().unwrap_or_default())
        })
        .collect::<Vec<_>>();
    charts::lines(&title, first, &tr!("школ в списке ШНОР", "schools on the ШНОР list"), &firsts, &series)
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
        for (j, l) in LISTS.iter().enumerate() {
            sh.num((st.values.len() + j) as u16, Some(st.counts.get(l).copied().unwrap_or(0) as f64), &Format::new())?;
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

/// sweep.md, sweep.xlsx and charts/sweep.svg.
pub fn files(s: &Sweep) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    Ok(vec![
        (PathBuf::from("sweep.md"), markdown(s).into_bytes()),
        (PathBuf::from("sweep.xlsx"), workbook(s)?),
        (PathBuf::from("charts/sweep.svg"), chart(s)?.into_bytes()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_and_grids() {
        let a = parse_axis("criteria.bottom.share=0.05:0.25:0.05").unwrap();
        assert_eq!(a.values, ["0.05", "0.1", "0.15", "0.2", "0.25"]);
        let b = parse_axis("criteria.combine=any,all").unwrap();
        assert_eq!(b.values, ["any", "all"]);
        assert_eq!(parse_axis("k=1:1:1").unwrap().values, ["1"]);
        assert!(parse_axis("k=0.3:0.1:0.05").is_err());
        assert!(parse_axis("k=0:1:0").is_err());
        assert!(parse_axis("k=a:b:c").is_err());
        assert!(parse_axis("novalue").is_err());
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g.len(), 10);
        assert_eq!(g[0], ["0.05", "any"]);
        assert_eq!(g[1], ["0.05", "all"]);
        assert!(parse_axis("k=0:1:0.0001").is_err());
    }

    #[test]
    fn robustness_counts() {
        let names: BTreeMap<String, (String, String)> =
            ["a", "b", "c"].iter().map(|s| (s.to_string(), (format!("Школа {s}"), "М".to_string()))).collect();
        let mut c = Collector::new(names);
        let rows = |cats: [Category; 3]| -> Vec<SchoolRow> { ["a", "b", "c"].iter().zip(cats).map(|(id, c)| SchoolRow::of_category(id, c)).collect() };
        c.add(vec!["1".into()], &rows([Category::Shnor, Category::Shnor, Category::None]));
        c.add(vec!["2".into()], &rows([Category::Shnor, Category::None, Category::Shnsu]));
        let s = c.finish("R", vec!["k".into()]);
        assert_eq!(s.always, 1);
        assert_eq!(s.never, 1);
        assert_eq!(s.flipping.len(), 1);
        assert_eq!(s.flipping[0].school_id, "b");
        assert_eq!(s.settings[0].counts["shnor_list"], 2);
        assert_eq!(s.settings[1].counts["shnsu"], 1);
    }
}
