//! The files and tables of `whatif` (the comparison itself is `identify::whatif`): text tables,
//! whatif.md and whatif.xlsx.

use std::path::PathBuf;

use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook};

use super::report::md_escape;
use super::xlsx::{x, Sheet};
use super::Export;
pub use crate::identify::whatif::*;
use crate::identify::num1;

fn flags(s: &State) -> String {
    let v = crate::identify::criteria::names(&s.flags);
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
        arrow(&m.before.category.label(), &m.after.category.label()),
        arrow(&num1(m.before.inr), &num1(m.after.inr)),
        arrow(&num1(m.before.isbsh), &num1(m.after.isbsh)),
        arrow(&flags(&m.before), &flags(&m.after)),
        arrow(&standing(&m.before), &standing(&m.after)),
        arrow(&risk(&m.before), &risk(&m.after)),
    ]
}

/// «62 (8)»: the risk index with the number of actual factors, «—» without a profile.
fn risk(s: &State) -> String {
    match (s.risk_index, s.risk_factors) {
        (Some(i), Some(n)) => format!("{i:.0} ({n})"),
        _ => "—".to_string(),
    }
}

/// «надёжно (P = 93 %)»: the listing's solidity with P(in the worst X %), «—» when neither.
fn standing(s: &State) -> String {
    let p = s.p_worst.map(|p| format!("P = {}", crate::identify::words::pct(Some(p))));
    match (s.standing.is_empty(), p) {
        (true, None) => "—".to_string(),
        (true, Some(p)) => p,
        (false, None) => s.standing.clone(),
        (false, Some(p)) => format!("{} ({p})", s.standing),
    }
}

pub fn move_headers() -> Vec<String> {
    vec![
        tr!("Логин ОО", "School id"),
        tr!("Наименование", "Name"),
        tr!("Муниципалитет", "Municipality"),
        tr!("Категория", "Category"),
        tr!("ИНР", "ИНР"),
        tr!("ИСБШ", "ИСБШ"),
        tr!("Критерии", "Criteria"),
        tr!("Надёжность (P — вероятность быть в худших)", "Solidity (P — probability of being among the worst)"),
        tr!("Индекс риска (актуальных факторов)", "Risk index (actual factors)"),
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
    w.changes.iter().map(|c| vec![c.key.clone(), param_value(&c.key, &c.before), param_value(&c.key, &c.after)]).collect()
}

pub fn change_headers() -> Vec<String> {
    vec![tr!("Параметр", "Parameter"), tr!("Было", "Before"), tr!("Стало", "After")]
}

pub fn list_rows(w: &WhatIf) -> Vec<Vec<String>> {
    w.lists
        .iter()
        .map(|l| {
            vec![
                l.list.label(),
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
            s.push_str(&format!("\n### {}: {} ({})\n\n", l.list.label(), title, v.len()));
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

/// A cell's text as a number when it is one: digits with an optional sign («+», «−») and one
/// decimal comma or point.
fn as_number(v: &str) -> Option<f64> {
    let t = v.trim();
    let (sign, digits) = match t.chars().next()? {
        '−' | '-' => (-1.0, &t[t.chars().next()?.len_utf8()..]),
        '+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    let ok = !digits.is_empty() && digits.chars().all(|ch| ch.is_ascii_digit() || ch == ',' || ch == '.') && digits.chars().filter(|ch| *ch == ',' || *ch == '.').count() <= 1 && digits.chars().next()?.is_ascii_digit();
    // A leading zero before another digit is an identifier («00123»), kept as text.
    let id_like = digits.len() > 1 && digits.starts_with('0') && digits.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
    if !ok || id_like {
        return None;
    }
    digits.replace(',', ".").parse::<f64>().ok().map(|n| sign * n)
}

/// A parameter's name in words for chart axes and legends («доля худших школ (BOTTOM)»); the
/// key itself for a parameter without words.
pub(super) fn param_words(key: &str) -> String {
    match key {
        "criteria.bottom.share" => tr!("доля худших школ (BOTTOM)", "worst share (BOTTOM)"),
        "criteria.bottom.min_probability" => tr!("вероятность быть в худших (BOTTOM)", "probability of being among the worst (BOTTOM)"),
        "criteria.r30.threshold" => tr!("порог доли «2» (R30)", "share of «2» threshold (R30)"),
        "criteria.r30.min_procedures" => tr!("число процедур над порогом (R30)", "procedures over the threshold (R30)"),
        "criteria.combine" => tr!("объединение критериев", "how criteria combine"),
        "isbsh.shnsu_share" => tr!("доля ШНСУ", "ШНСУ share"),
        "method.years_window" => tr!("окно ИНР, лет", "ИНР window, years"),
        "method.min_participants" => tr!("минимум участников процедуры", "minimum participants of a procedure"),
        other => other.to_string(),
    }
}

/// A parameter's value as a person reads it: a share («0.15») as a percentage («15 %»).
pub(super) fn param_value(key: &str, v: &str) -> String {
    let share_key = ["share", "threshold", "probability", "rank_interval"].iter().any(|k| key.ends_with(k));
    match v.parse::<f64>() {
        Ok(x) if share_key && (0.0..=1.0).contains(&x) => super::lines::pct_param(x),
        _ => v.to_string(),
    }
}

fn sheet(wb: &mut Workbook, name: &str, head: &[String], widths: &[f64], rows: &[Vec<String>]) -> Result<()> {
    let ws = wb.add_worksheet();
    ws.set_name(name).map_err(x)?;
    let mut s = Sheet { ws, row: 0 };
    s.header(head, widths)?;
    for r in rows {
        for (c, v) in r.iter().enumerate() {
            // Numbers (counts, signed changes «−9», «+3», decimals «80,3») as numbers, everything
            // else as text (never a formula).
            match as_number(v) {
                Some(n) => s.num(c as u16, Some(n), &Format::new())?,
                None => s.text(c as u16, v)?,
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
                let mut r = vec![l.list.label(), dir.clone()];
                r.extend(move_cells(m));
                rows.push(r);
            }
        }
    }
    sheet(&mut wb, &tr!("Вошли и вышли", "Entered and left"), &head, &[34.0, 9.0, 14.0, 44.0, 34.0, 24.0, 14.0, 14.0, 18.0, 30.0], &rows)?;
    sheet(&mut wb, &tr!("Муниципалитеты", "Municipalities"), &municipality_headers(), &[34.0, 8.0, 12.0, 10.0, 12.0, 12.0], &municipality_rows(w, true))?;
    wb.save_to_buffer().map_err(x)
}

/// whatif.md.
pub struct WhatIfMarkdown;

impl Export<WhatIf> for WhatIfMarkdown {
    fn files(&self, w: &WhatIf) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        Ok(vec![(PathBuf::from("whatif.md"), markdown(w).into_bytes())])
    }
}

/// whatif.xlsx.
pub struct WhatIfWorkbook;

impl Export<WhatIf> for WhatIfWorkbook {
    fn files(&self, w: &WhatIf) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        Ok(vec![(PathBuf::from("whatif.xlsx"), workbook(w)?)])
    }
}

/// Every file of a `whatif --out`.
pub const FILES: [&dyn Export<WhatIf>; 2] = [&WhatIfMarkdown, &WhatIfWorkbook];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_are_numbers_and_shares_as_percentages() {
        assert_eq!(as_number("51"), Some(51.0));
        assert_eq!(as_number("−9"), Some(-9.0));
        assert_eq!(as_number("+3"), Some(3.0));
        assert_eq!(as_number("80,3"), Some(80.3));
        assert_eq!(as_number("0,5"), Some(0.5));
        assert_eq!(as_number("0"), Some(0.0));
        for text in ["80,3 → 83,8", "", "—", "1,2,3", "+", "sch610087", "00123a", "00123"] {
            assert_eq!(as_number(text), None, "{text}");
        }
        assert_eq!(param_value("criteria.bottom.share", "0.15"), "15 %");
        assert_eq!(param_value("criteria.bottom.share", "0.125"), "12,5 %");
        assert_eq!(param_value("criteria.r30.threshold", "0.3"), "30 %");
        assert_eq!(param_value("criteria.r30.min_procedures", "2"), "2");
        assert_eq!(param_value("criteria.bottom.basis", "rank"), "rank");
    }
}
