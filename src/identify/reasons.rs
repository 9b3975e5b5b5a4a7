//! Reasons for every ШНОР school, in words an official can paste into an order:
//! «ВПР 4 Русский язык, 2025: доля «2» 41 % при 9 % по региону».

use std::collections::BTreeMap;

use polars::prelude::*;

use super::criteria;
use super::outcome::Reason;
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

/// The reasons of every ШНОР school: each criterion's reason for the schools it flags, in the
/// order of [`criteria::ALL`].
pub fn build(schools: &DataFrame, input: &criteria::Inputs, config: &Config) -> PolarsResult<BTreeMap<String, Vec<Reason>>> {
    let rows = schools.clone().lazy().filter(col("shnor")).collect()?;
    let mut out: BTreeMap<String, Vec<Reason>> = BTreeMap::new();
    if rows.height() == 0 {
        return Ok(out);
    }
    for criterion in criteria::ALL {
        for (id, reason) in criterion.reasons(&rows, input, config)? {
            out.entry(id).or_default().push(reason);
        }
    }
    Ok(out)
}
