//! Reasons for every ШНОР school, in words an official can paste into an order:
//! «ВПР 4 Русский язык, 2025: доля «2» 41 % при 9 % по региону».

use std::collections::BTreeMap;

use polars::prelude::*;

use super::criteria;
use crate::config::Config;

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
    v.map_or_else(|| "—".to_string(), crate::i18n::decimal1)
}

/// The reasons of every ШНОР school: each criterion's text for the schools it flags, in the
/// order of [`criteria::ALL`], joined.
pub fn build(flagged: &[String], schools: &DataFrame, input: &criteria::Inputs, config: &Config) -> PolarsResult<BTreeMap<String, String>> {
    if flagged.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids = Series::new("ids".into(), flagged.to_vec());
    let rows = schools.clone().lazy().filter(col("school_id").is_in(lit(ids).implode(false), false)).collect()?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for criterion in criteria::ALL {
        for (id, text) in criterion.reasons(&rows, input, config)? {
            out.entry(id).or_default().push(text);
        }
    }
    Ok(out.into_iter().map(|(k, v)| (k, v.join(". "))).collect())
}
