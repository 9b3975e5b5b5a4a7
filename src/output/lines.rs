//! Lines and words shared by the main report (`brief`) and its appendix (`report`): a
//! municipality's counts, a share of a count, «школа/школы/школ», a school's years on the list.

use serde::Serialize;

use crate::identify::dynamics::Tenure;
use crate::identify::{num1, Counts, Dynamics, SchoolRow};

#[derive(Serialize)]
pub(super) struct MunicipalityLine {
    name: String,
    schools: u64,
    both: u64,
    shnor: u64,
    shnsu: u64,
    resilient: u64,
    share_list: String,
    share_shnsu: String,
}

/// A count as a share of another, one decimal: «17,0 %»; «—» of none.
pub(super) fn share_of(n: u64, of: u64) -> String {
    if of == 0 {
        return "—".to_string();
    }
    format!("{} %", num1(Some(n as f64 * 100.0 / of as f64)))
}

/// «школа», «школы», «школ» after a number.
pub(super) fn schools_word(n: u64) -> String {
    if crate::i18n::is_en() {
        return if n == 1 { "school".into() } else { "schools".into() };
    }
    crate::i18n::ru_plural(n, "школа", "школы", "школ").into()
}

/// «школы»/«школ» after «для» or «у» (genitive): для 1 школы, для 2 школ, для 21 школы.
pub(super) fn schools_word_gen(n: u64) -> String {
    if crate::i18n::is_en() {
        return schools_word(n);
    }
    if n % 10 == 1 && n % 100 != 11 { "школы".into() } else { "школ".into() }
}

/// A flag in words: «да» / «нет».
pub(super) fn yes(b: bool) -> String {
    if b { tr!("да", "yes") } else { tr!("нет", "no") }
}

/// A municipality's counts as a table line.
pub(super) fn municipality_line(name: String, c: &Counts) -> MunicipalityLine {
    MunicipalityLine {
        name,
        schools: c.schools,
        both: c.shnor_shnsu,
        shnor: c.shnor,
        shnsu: c.shnsu,
        resilient: c.resilient,
        share_list: share_of(c.on_shnor_list(), c.schools),
        share_shnsu: share_of(c.in_shnsu(), c.schools),
    }
}

/// A parameter's number as written, at most three decimals: 0.7 → «0,7».
pub(super) fn short(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if crate::i18n::is_en() { s.to_string() } else { s.replace('.', ",") }
}

/// A share parameter as a percentage: 0.1 → «10 %», 0.125 → «12,5 %».
pub(super) fn pct_param(x: f64) -> String {
    format!("{} %", short(x * 100.0))
}

/// A listed school's years on the list, shown only when the run compared against a previous
/// list (without one shnor cannot know them).
pub(super) fn tenure<'r>(run: &super::RunOutput, r: &'r SchoolRow) -> Option<&'r Tenure> {
    run.ident.previous.as_ref().and(r.tenure.as_ref())
}

/// «3-й год подряд»; for the first year «впервые» (or «снова» after a gap).
pub(super) fn years_in_row(r: &SchoolRow, t: &Tenure) -> String {
    match t.years {
        0 | 1 if r.dynamics == Dynamics::Entered => tr!("впервые", "first year"),
        0 | 1 => tr!("снова в перечне", "listed again"),
        y => tr!("{y}-й год подряд", "year {y} in a row"),
    }
}

/// The ИНР of each list year: «2024: 78,1; 2025: 80,2; 2026: 81,0».
pub(super) fn inr_by_year(t: &Tenure, num: impl Fn(Option<f64>) -> String) -> String {
    t.inr_by_year.iter().map(|h| format!("{}: {}", h.year, num(h.inr))).collect::<Vec<_>>().join("; ")
}
