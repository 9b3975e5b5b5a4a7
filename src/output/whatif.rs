//! `whatif`: two identifications of the same stored aggregates compared list by list — how many
//! schools before and after, who enters and who leaves (with the values that moved them), and
//! the same counts by municipality. Written as text, JSON, whatif.md and whatif.xlsx.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use super::report::md_escape;
use crate::identify::{counts_by_municipality, Counts, Flags, SchoolRow};
use super::xlsx::{x, Sheet};
use crate::identify::{num1, Category};

/// A list or a category: which schools are in it.
pub const LISTS: [&str; 6] = ["shnor_list", "shnsu_list", "shnor_shnsu", "shnor", "shnsu", "resilient"];

pub fn list_label(code: &str) -> String {
    match code {
        "shnor_list" => tr!("Список ШНОР (ШНОР+ШНСУ и ШНОР)", "ШНОР list (ШНОР+ШНСУ and ШНОР)"),
        "shnsu_list" => tr!("ШНСУ (ШНОР+ШНСУ и ШНСУ)", "ШНСУ (ШНОР+ШНСУ and ШНСУ)"),
        other => tr!("Категория «{}»", "Category «{}»", Category::from_code(other).label()),
    }
}

pub fn in_list(code: &str, r: &SchoolRow) -> bool {
    match code {
        "shnor_list" => r.shnor,
        "shnsu_list" => r.shnsu,
        category => r.category.code() == category,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamChange {
    pub key: String,
    pub before: String,
    pub after: String,
}

/// One school's values under one setting.
#[derive(Debug, Clone, Serialize)]
pub struct State {
    pub category: String,
    pub inr: Option<f64>,
    pub isbsh: Option<f64>,
    #[serde(flatten)]
    pub flags: Flags,
    pub rank: Option<i64>,
}

impl State {
    fn of(r: &SchoolRow) -> State {
        State {
            category: r.category.code().to_string(),
            inr: r.inr,
            isbsh: r.isbsh,
            flags: r.flags.clone(),
            rank: r.rank,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Move {
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub before: State,
    pub after: State,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListDiff {
    pub list: &'static str,
    pub before: u64,
    pub after: u64,
    /// The schools in the list after the change, by id.
    pub ids: Vec<String>,
    pub entered: Vec<Move>,
    pub left: Vec<Move>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityDiff {
    pub municipality: String,
    pub before: Counts,
    pub after: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    pub region: String,
    pub changes: Vec<ParamChange>,
    pub lists: Vec<ListDiff>,
    pub municipalities: Vec<MunicipalityDiff>,
}

/// Compares two identifications of the same register (rows in any order).
pub fn compare(region: &str, changes: Vec<ParamChange>, before: &[SchoolRow], after: &[SchoolRow]) -> WhatIf {
    let after_by: BTreeMap<&str, &SchoolRow> = after.iter().map(|r| (r.school_id.as_str(), r)).collect();
    let mut pairs: Vec<(&SchoolRow, &SchoolRow)> = before
        .iter()
        .filter_map(|b| after_by.get(b.school_id.as_str()).map(|a| (b, *a)))
        .collect();
    pairs.sort_by(|a, b| a.0.school_id.cmp(&b.0.school_id));
    let lists = LISTS
        .iter()
        .map(|code| {
            let mv = |(b, a): &(&SchoolRow, &SchoolRow)| Move {
                school_id: b.school_id.clone(),
                name: b.name.clone(),
                municipality: b.municipality.clone(),
                before: State::of(b),
                after: State::of(a),
            };
            ListDiff {
                list: code,
                before: before.iter().filter(|r| in_list(code, r)).count() as u64,
                after: after.iter().filter(|r| in_list(code, r)).count() as u64,
                ids: pairs.iter().filter(|(_, a)| in_list(code, a)).map(|(_, a)| a.school_id.clone()).collect(),
                entered: pairs.iter().filter(|(b, a)| !in_list(code, b) && in_list(code, a)).map(mv).collect(),
                left: pairs.iter().filter(|(b, a)| in_list(code, b) && !in_list(code, a)).map(mv).collect(),
            }
        })
        .collect();
    let mb = counts_by_municipality(before);
    let ma = counts_by_municipality(after);
    let names: std::collections::BTreeSet<&String> = mb.keys().chain(ma.keys()).collect();
    let municipalities = names
        .into_iter()
        .map(|m| MunicipalityDiff {
            municipality: m.clone(),
            before: mb.get(m).cloned().unwrap_or_default(),
            after: ma.get(m).cloned().unwrap_or_default(),
        })
        .collect();
    WhatIf { region: region.to_string(), changes, lists, municipalities }
}

fn flags(s: &State) -> String {
    let v = s.flags.names();
    if v.is_empty() { "—".to_string() } else { v.join("+") }
}

fn arrow(a: &str, b: &str) -> String {
    if a == b { a.to_string() } else { format!("{a} → {b}") }
}

/// The columns of one entering or leaving school: id, name, municipality, category, ИНР, ИСБШ,
/// criteria (before → after when they differ).
pub fn move_cells(m: &Move) -> Vec<String> {
    vec![
        m.school_id.clone(),
        m.name.clone(),
        m.municipality.clone(),
        arrow(&Category::from_code(&m.before.category).label(), &Category::from_code(&m.after.category).label()),
        arrow(&num1(m.before.inr), &num1(m.after.inr)),
        arrow(&num1(m.before.isbsh), &num1(m.after.isbsh)),
        arrow(&flags(&m.before), &flags(&m.after)),
    ]
}

pub fn move_headers() -> Vec<String> {
    vec![
        tr!("Код ОО", "School id"),
        tr!("Наименование", "Name"),
        tr!("Муниципалитет", "Municipality"),
        tr!("Категория", "Category"),
        tr!("ИНР", "ИНР"),
        tr!("ИСБШ", "ИСБШ"),
        tr!("Критерии", "Criteria"),
    ]
}

fn signed(d: i64) -> String {
    if d > 0 { format!("+{d}") } else if d < 0 { format!("−{}", -d) } else { "0".to_string() }
}

/// A Markdown table; every cell escaped.
pub fn md_table(head: &[String], rows: &[Vec<String>]) -> String {
    let mut s = String::new();
    s.push_str(&format!("| {} |\n", head.iter().map(|h| md_escape(h)).collect::<Vec<_>>().join(" | ")));
    s.push_str(&format!("|{}\n", "---|".repeat(head.len())));
    for r in rows {
        s.push_str(&format!("| {} |\n", r.iter().map(|c| md_escape(c)).collect::<Vec<_>>().join(" | ")));
    }
    s
}

pub fn change_rows(w: &WhatIf) -> Vec<Vec<String>> {
    w.changes.iter().map(|c| vec![c.key.clone(), c.before.clone(), c.after.clone()]).collect()
}

pub fn change_headers() -> Vec<String> {
    vec![tr!("Параметр", "Parameter"), tr!("Было", "Before"), tr!("Стало", "After")]
}

pub fn list_rows(w: &WhatIf) -> Vec<Vec<String>> {
    w.lists
        .iter()
        .map(|l| {
            vec![
                list_label(l.list),
                l.before.to_string(),
                l.after.to_string(),
                signed(l.after as i64 - l.before as i64),
                l.entered.len().to_string(),
                l.left.len().to_string(),
            ]
        })
        .collect()
}

pub fn list_headers() -> Vec<String> {
    vec![
        tr!("Список / категория", "List / category"),
        tr!("Было", "Before"),
        tr!("Стало", "After"),
        tr!("Изменение", "Change"),
        tr!("Вошли", "Entered"),
        tr!("Вышли", "Left"),
    ]
}

/// Municipalities where any count changed (all of them with `all`).
pub fn municipality_rows(w: &WhatIf, all: bool) -> Vec<Vec<String>> {
    w.municipalities
        .iter()
        .filter(|m| all || m.before.on_shnor_list() != m.after.on_shnor_list() || m.before.in_shnsu() != m.after.in_shnsu() || m.before.resilient != m.after.resilient)
        .map(|m| {
            vec![
                m.municipality.clone(),
                m.before.schools.to_string(),
                arrow(&m.before.on_shnor_list().to_string(), &m.after.on_shnor_list().to_string()),
                arrow(&m.before.in_shnsu().to_string(), &m.after.in_shnsu().to_string()),
                arrow(&m.before.shnor_shnsu.to_string(), &m.after.shnor_shnsu.to_string()),
                arrow(&m.before.resilient.to_string(), &m.after.resilient.to_string()),
            ]
        })
        .collect()
}

pub fn municipality_headers() -> Vec<String> {
    vec![
        tr!("Муниципалитет", "Municipality"),
        tr!("Школ", "Schools"),
        tr!("Список ШНОР", "ШНОР list"),
        tr!("ШНСУ", "ШНСУ"),
        tr!("ШНОР+ШНСУ", "ШНОР+ШНСУ"),
        tr!("Резильентные", "Resilient"),
    ]
}

pub fn markdown(w: &WhatIf) -> String {
    let mut s = format!("# {}\n\n**{}**\n\n", tr!("Что если: изменение параметров", "What if: changed parameters"), md_escape(&w.region));
    s.push_str(&format!("## {}\n\n", tr!("Изменённые параметры", "Changed parameters")));
    if w.changes.is_empty() {
        s.push_str(&tr!("Параметры не изменены.\n\n", "No parameter changed.\n\n"));
    } else {
        s.push_str(&md_table(&change_headers(), &change_rows(w)));
        s.push('\n');
    }
    s.push_str(&format!("## {}\n\n", tr!("Списки и категории", "Lists and categories")));
    s.push_str(&md_table(&list_headers(), &list_rows(w)));
    for l in &w.lists {
        for (title, v) in [(tr!("вошли", "entered"), &l.entered), (tr!("вышли", "left"), &l.left)] {
            if v.is_empty() {
                continue;
            }
            s.push_str(&format!("\n### {}: {} ({})\n\n", list_label(l.list), title, v.len()));
            let rows: Vec<Vec<String>> = v.iter().map(move_cells).collect();
            s.push_str(&md_table(&move_headers(), &rows));
        }
    }
    s.push_str(&format!("\n## {}\n\n", tr!("По муниципалитетам", "By municipality")));
    let rows = municipality_rows(w, false);
    if rows.is_empty() {
        s.push_str(&tr!("Ни в одном муниципалитете числа не изменились.\n", "No municipality's counts changed.\n"));
    } else {
        s.push_str(&md_table(&municipality_headers(), &rows));
    }
    s
}

fn sheet(wb: &mut Workbook, name: &str, head: &[String], widths: &[f64], rows: &[Vec<String>]) -> Result<()> {
    let ws = wb.add_worksheet();
    ws.set_name(name).map_err(x)?;
    let mut s = Sheet { ws, row: 0 };
    s.header(head, widths)?;
    for r in rows {
        for (c, v) in r.iter().enumerate() {
            // Counts as numbers, everything else as text (never a formula).
            match v.parse::<f64>() {
                Ok(n) if !v.is_empty() && v.chars().all(|ch| ch.is_ascii_digit()) => s.num(c as u16, Some(n), &Format::new())?,
                _ => s.text(c as u16, v)?,
            }
        }
        s.row += 1;
    }
    s.finish(head.len() as u16)
}

pub fn workbook(w: &WhatIf) -> Result<Vec<u8>> {
    let mut wb = super::xlsx::new_workbook()?;
    sheet(&mut wb, &tr!("Параметры", "Parameters"), &change_headers(), &[40.0, 30.0, 30.0], &change_rows(w))?;
    sheet(&mut wb, &tr!("Списки", "Lists"), &list_headers(), &[40.0, 9.0, 9.0, 11.0, 9.0, 9.0], &list_rows(w))?;
    let mut head = vec![tr!("Список / категория", "List / category"), tr!("Движение", "Move")];
    head.extend(move_headers());
    let mut rows = Vec::new();
    for l in &w.lists {
        for (dir, v) in [(tr!("вошла", "entered"), &l.entered), (tr!("вышла", "left"), &l.left)] {
            for m in v {
                let mut r = vec![list_label(l.list), dir.clone()];
                r.extend(move_cells(m));
                rows.push(r);
            }
        }
    }
    sheet(&mut wb, &tr!("Вошли и вышли", "Entered and left"), &head, &[34.0, 9.0, 14.0, 44.0, 34.0, 24.0, 14.0, 14.0, 18.0], &rows)?;
    sheet(&mut wb, &tr!("Муниципалитеты", "Municipalities"), &municipality_headers(), &[34.0, 8.0, 12.0, 10.0, 12.0, 12.0], &municipality_rows(w, true))?;
    wb.save_to_buffer().map_err(x)
}

/// whatif.md and whatif.xlsx.
pub fn files(w: &WhatIf) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    Ok(vec![
        (PathBuf::from("whatif.md"), markdown(w).into_bytes()),
        (PathBuf::from("whatif.xlsx"), workbook(w)?),
    ])
}
