//! Reasons for every ШНОР school, in words an official can paste into an order:
//! «ВПР 4 Русский язык, 2025: доля «2» 41 % при 9 % по региону».

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::config::Config;
use crate::indices::inr::Inr;
use crate::model::columns::{bools, floats, ints, strs};

/// «ВПР 4 Русский язык»; ОГЭ and ЕГЭ without the grade.
pub fn procedure_label(procedure: &str, grade: Option<i64>, subject: &str) -> String {
    match (procedure, grade) {
        ("ВПР", Some(g)) => format!("{procedure} {g} {subject}"),
        _ => format!("{procedure} {subject}"),
    }
}

/// A share as a whole percentage: 0.412 → «41 %».
pub fn pct(share: Option<f64>) -> String {
    match share {
        Some(s) => format!("{:.0} %", s * 100.0),
        None => "—".to_string(),
    }
}

/// A number with one decimal and the decimal separator of the language.
pub fn num1(v: Option<f64>) -> String {
    match v {
        Some(x) if crate::i18n::is_en() => format!("{x:.1}"),
        Some(x) => format!("{x:.1}").replace('.', ","),
        None => "—".to_string(),
    }
}

pub fn build(flagged: &[String], schools: &DataFrame, hits: &DataFrame, inr: &Inr, config: &Config, y: i32) -> PolarsResult<BTreeMap<String, String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if flagged.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids = Series::new("ids".into(), flagged.to_vec());
    let in_flagged = col("school_id").is_in(lit(ids).implode(false), false);
    let flags = schools.clone().lazy().filter(in_flagged.clone()).collect()?;
    let f_ids = strs(&flags, "school_id")?;
    let f_r30 = bools(&flags, "flag_r30")?;
    let f_bottom = bools(&flags, "flag_bottom")?;
    let year_vals: Vec<(i32, Vec<Option<f64>>)> = inr
        .years
        .iter()
        .map(|yr| Ok((*yr, floats(&flags, &format!("inr_{yr}"))?)))
        .collect::<PolarsResult<_>>()?;

    // R30: the procedures over the threshold in Y, and those repeated from Y−1.
    let h = hits.clone().lazy().filter(in_flagged.clone()).collect()?;
    let (h_id, h_year, h_proc, h_grade, h_subj, h_share, h_region) = (
        strs(&h, "school_id")?,
        ints(&h, "year")?,
        strs(&h, "procedure")?,
        ints(&h, "grade")?,
        strs(&h, "subject")?,
        floats(&h, "fail_share")?,
        floats(&h, "region_fail_share")?,
    );
    let threshold = pct(Some(config.criteria.r30.threshold));
    let mut r30_now: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut r30_keys: BTreeMap<(&str, String), (Option<f64>, Option<f64>)> = BTreeMap::new();
    for i in 0..h_id.len() {
        let label = procedure_label(&h_proc[i], h_grade[i], &h_subj[i]);
        let entry = r30_keys.entry((h_id[i].as_str(), label.clone())).or_insert((None, None));
        if h_year[i] == Some(i64::from(y)) {
            entry.1 = h_share[i];
            r30_now.entry(h_id[i].as_str()).or_default().push(tr!(
                "{label} — {} (по региону {})",
                "{label} — {} (region {})",
                pct(h_share[i]),
                pct(h_region[i])
            ));
        } else {
            entry.0 = h_share[i];
        }
    }

    // BOTTOM: the school's worst procedures in Y against the region.
    let worst = inr
        .per_procedure
        .clone()
        .lazy()
        .filter(in_flagged.and(col("year").eq(lit(y))))
        .sort_by_exprs(
            [col("school_id"), col("fail_share"), col("procedure"), col("grade"), col("subject")],
            SortMultipleOptions::default().with_order_descending_multi([false, true, false, false, false]),
        )
        .collect()?;
    let (w_id, w_proc, w_grade, w_subj, w_share, w_region) = (
        strs(&worst, "school_id")?,
        strs(&worst, "procedure")?,
        ints(&worst, "grade")?,
        strs(&worst, "subject")?,
        floats(&worst, "fail_share")?,
        floats(&worst, "region_fail_share")?,
    );
    let mut worst_by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for i in 0..w_id.len() {
        let list = worst_by.entry(w_id[i].as_str()).or_default();
        if list.len() < 3 {
            list.push(tr!(
                "{} — {} (по региону {})",
                "{} — {} (region {})",
                procedure_label(&w_proc[i], w_grade[i], &w_subj[i]),
                pct(w_share[i]),
                pct(w_region[i])
            ));
        }
    }

    for (i, id) in f_ids.iter().enumerate() {
        let parts = out.entry(id.clone()).or_default();
        if f_r30[i] {
            let now = r30_now.get(id.as_str()).cloned().unwrap_or_default();
            let repeated: Vec<String> = r30_keys
                .range((id.as_str(), String::new())..)
                .take_while(|((sid, _), _)| *sid == id.as_str())
                .filter(|(_, (a, b))| a.is_some() && b.is_some())
                .map(|((_, label), (a, b))| format!("{label} ({} → {})", pct(*a), pct(*b)))
                .collect();
            parts.push(tr!(
                "R30: в {y} г. доля «2» не ниже {threshold} в {} процедурах: {}; повторно в {} и {y} гг.: {}",
                "R30: in {y} the share of mark 2 is at least {threshold} in {} procedures: {}; repeated in {} and {y}: {}",
                now.len(),
                now.join("; "),
                y - 1,
                repeated.join("; ")
            ));
        }
        if f_bottom[i] {
            let per_year: Vec<String> = year_vals
                .iter()
                .map(|(yr, v)| format!("{yr} — {}", num1(v.get(i).copied().flatten())))
                .collect();
            let share = pct(Some(config.criteria.bottom.share));
            parts.push(tr!(
                "BOTTOM: ИНР в худших {share} школ в каждом году окна ({}); наибольшая доля «2» в {y} г.: {}",
                "BOTTOM: ИНР among the worst {share} of schools in every window year ({}); highest share of mark 2 in {y}: {}",
                per_year.join(", "),
                worst_by.get(id.as_str()).cloned().unwrap_or_default().join("; ")
            ));
        }
    }
    Ok(out.into_iter().map(|(k, v)| (k, v.join(". "))).collect())
}
