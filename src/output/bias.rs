//! The bias audit in the report (§4.9): shares listed by ИСБШ quintile, locality and school
//! type, and how the list moves when the ИНР weights and the cut-offs shift.

use serde::Serialize;

use super::lines::{schools_word, schools_word_gen, share_of};
use super::RunOutput;
use crate::identify::bias::{Audit, Dimension};

#[derive(Serialize)]
pub(super) struct GroupLine {
    pub dimension: String,
    pub label: String,
    pub schools: usize,
    pub listed: usize,
    pub share: String,
}

#[derive(Serialize)]
pub(super) struct VariantLine {
    pub setting: String,
    pub change: String,
    pub listed: usize,
    pub entered: usize,
    pub left: usize,
}

#[derive(Serialize, Default)]
pub(super) struct BiasPart {
    pub words: Vec<String>,
    pub groups: Vec<GroupLine>,
    pub variants: Vec<VariantLine>,
}

fn dimension_words(d: Dimension) -> String {
    match d {
        Dimension::Quintile => tr!("Квинтиль ИСБШ (1 — самые неблагоприятные условия)", "ИСБШ quintile (1: the hardest conditions)"),
        Dimension::Locality => tr!("Тип местности", "Locality"),
        Dimension::SchoolType => tr!("Тип ОО", "School type"),
    }
}

fn setting_words(key: &str) -> String {
    match key {
        "method.inr.w_fail" => tr!("Веса ИНР: доля «2» / средний балл", "ИНР weights: share of «2» / mean score"),
        "criteria.bottom.share" => tr!("Доля худших школ (BOTTOM)", "Worst share (BOTTOM)"),
        "criteria.r30.threshold" => tr!("Порог доли «2» (R30)", "Threshold of the share of «2» (R30)"),
        other => other.to_string(),
    }
}

pub(super) fn part(run: &RunOutput) -> BiasPart {
    let Some(a) = &run.ident.bias else { return BiasPart::default() };
    let listed: usize = run.ident.rows.iter().filter(|r| r.shnor).count();
    let groups = a
        .groups
        .iter()
        .map(|g| GroupLine { dimension: dimension_words(g.dimension), label: g.label.clone(), schools: g.schools, listed: g.listed, share: share_of(g.listed as u64, g.schools as u64) })
        .collect();
    let sum = run.config.method.inr.w_fail + run.config.method.inr.w_mean;
    let variants = a
        .variants
        .iter()
        .map(|v| VariantLine {
            setting: setting_words(v.key),
            change: match v.key {
                "method.inr.w_fail" => format!("{} / {} → {} / {}", num2(v.from), num2(sum - v.from), num2(v.to), num2(sum - v.to)),
                _ => format!("{} → {}", num2(v.from), num2(v.to)),
            },
            listed: v.listed,
            entered: v.entered,
            left: v.left,
        })
        .collect();
    BiasPart { words: words(a, listed), groups, variants }
}

/// Up to two decimals without trailing zeros: 0,7; 0,05.
fn num2(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if crate::i18n::is_en() { s } else { s.replace('.', ",") }
}

fn words(a: &Audit, listed: usize) -> Vec<String> {
    let q: Vec<_> = a.groups.iter().filter(|g| g.dimension == Dimension::Quintile && g.label != "—").collect();
    let mut out = Vec::new();
    if let (Some(first), Some(last)) = (q.first(), q.last()) {
        out.push(tr!(
            "В перечне ШНОР {} из {} {} с самым низким ИСБШ (первый квинтиль) и {} из {} — с самым высоким (пятый). Отбор по результатам чаще выбирает школы в трудных условиях — это ожидаемо; насколько их результаты хуже ожидаемых при таких условиях, показывает график ИНР × ИСБШ.",
            "The ШНОР list holds {} of the {} {} with the lowest ИСБШ (first quintile) and {} of the {} with the highest (fifth). Selection by results picks schools in hard conditions more often — this is expected, not an error; how far results fall below what the conditions predict is shown by the ИНР × ИСБШ chart.",
            first.listed, first.schools, schools_word_gen(first.schools as u64), last.listed, last.schools
        ));
    }
    let of = |d: Dimension| -> Vec<String> {
        a.groups.iter().filter(|g| g.dimension == d).map(|g| format!("{} {} ({} / {})", g.label, share_of(g.listed as u64, g.schools as u64), g.listed, g.schools)).collect()
    };
    let (loc, ty) = (of(Dimension::Locality), of(Dimension::SchoolType));
    if !loc.is_empty() || !ty.is_empty() {
        let mut parts = Vec::new();
        if !loc.is_empty() {
            parts.push(tr!("по типу местности — {}", "by locality: {}", loc.join(", ")));
        }
        if !ty.is_empty() {
            parts.push(tr!("по типу ОО — {}", "by school type: {}", ty.join(", ")));
        }
        out.push(tr!(
            "Доля школ в перечне ШНОР {} (в скобках — в перечне / всего; все квинтили ИСБШ — в приложении).",
            "Share of schools on the ШНОР list {} (in brackets: listed / all; every ИСБШ quintile is in the appendix).",
            parts.join("; ")
        ));
    }
    if let (Some(most), true) = (a.variants.iter().map(|v| v.entered + v.left).max(), !a.variants.is_empty()) {
        out.push(tr!(
            "Устойчивость перечня ({listed} {}): при небольших сдвигах весов ИНР и порогов в перечень входят или из него выходят до {most} школ (таблица); статус таких школ стоит проверять по вероятности быть в худших и интервалу места.",
            "How stable the list is ({listed} {}): small shifts of the ИНР weights and the cut-offs move up to {most} schools in or out (table below). Schools whose status depends on such shifts stand at the boundary; check them by the probability of being among the worst and the rank interval.",
            schools_word(listed as u64)
        ));
    }
    out
}
