//! Risk profiles as typed rows (§4.9): `indices::risk` computes the factors and the index over
//! the school tables; here they become a `Risk` per school and the region's summary by factor.

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use super::outcome::{Risk, RiskFactor};
use crate::config::Config;
use crate::indices::risk::{compute, Inputs};
use crate::model::columns::{floats, ints, strs};

/// The region's side of the profiles: per evaluated factor its median and how many schools
/// have a value; the factors no data was found for.
#[derive(Debug, Clone, Default)]
pub struct RiskSummary {
    pub medians: BTreeMap<String, Option<f64>>,
    pub with_value: BTreeMap<String, usize>,
    pub not_evaluated: Vec<String>,
}

pub fn profiles(inputs: &Inputs, config: &Config) -> Result<(BTreeMap<String, Risk>, RiskSummary)> {
    let p = compute(inputs, config)?;
    let s = &p.schools;
    let (ids, index, actual, known) = (strs(s, "school_id")?, floats(s, "risk_index")?, ints(s, "risk_factors")?, ints(s, "risk_known")?);
    let mut by: BTreeMap<String, Risk> = BTreeMap::new();
    for i in 0..s.height() {
        if let (Some(index), Some(a), Some(k)) = (index[i], actual[i], known[i]) {
            by.insert(ids[i].clone(), Risk { index, actual: a.max(0) as usize, known: k.max(0) as usize, factors: Vec::new() });
        }
    }
    let f = p.factors.clone().lazy().filter(col("actual").fill_null(lit(false))).collect()?;
    let (fid, factor, value, median, level) = (strs(&f, "school_id")?, strs(&f, "factor")?, floats(&f, "value")?, floats(&f, "median")?, strs(&f, "level")?);
    for i in 0..f.height() {
        if let Some(r) = by.get_mut(&fid[i]) {
            let level = Some(level[i].clone()).filter(|l| !l.is_empty());
            r.factors.push(RiskFactor { factor: factor[i].clone(), value: value[i], median: median[i], level });
        }
    }
    Ok((by, summary(&p.factors, p.not_evaluated)?))
}

fn summary(factors: &DataFrame, not_evaluated: Vec<String>) -> Result<RiskSummary> {
    let per = factors
        .clone()
        .lazy()
        .group_by([col("factor")])
        .agg([col("median").drop_nulls().first().alias("median"), col("value").count().cast(DataType::Int64).alias("n")])
        .sort(["factor"], SortMultipleOptions::default())
        .collect()?;
    let (names, medians, n) = (strs(&per, "factor")?, floats(&per, "median")?, ints(&per, "n")?);
    let mut s = RiskSummary { not_evaluated, ..Default::default() };
    for i in 0..per.height() {
        s.medians.insert(names[i].clone(), medians[i]);
        s.with_value.insert(names[i].clone(), n[i].unwrap_or(0).max(0) as usize);
    }
    Ok(s)
}

/// A factor's name as a person reads it (its key with `--lang en`, or when it is not in the
/// catalogue any more).
pub fn factor_name(config: &Config, key: &str) -> String {
    match config.risk.factors.get(key) {
        Some(f) if !crate::i18n::is_en() => f.name.clone(),
        _ => key.to_string(),
    }
}

/// A factor's value in the units of its source: shares in per cent, percentiles and indices with
/// one decimal, counts whole; «—» when unknown.
pub fn value_words(config: &Config, key: &str, v: Option<f64>) -> String {
    use crate::config::risk::Source;
    let Some(v) = v else { return "—".to_string() };
    match config.risk.factors.get(key).map(|f| f.source) {
        Some(Source::FailShare | Source::Questionnaire) => format!("{} %", super::num1(Some(v * 100.0))),
        Some(Source::Objectivity) => format!("{v:.0}"),
        Some(Source::InrChange) => format!("{}{}", if v > 0.0 { "+" } else { "" }, super::num1(Some(v))),
        _ if v.fract() == 0.0 && v.abs() < 1e9 => format!("{v:.0}"),
        _ => super::num1(Some(v)),
    }
}

/// A school's actual risk factors by name, «; »-separated.
pub fn names(config: &Config, risk: Option<&Risk>) -> String {
    risk.map(|k| k.factors.iter().map(|f| factor_name(config, &f.factor)).collect::<Vec<_>>().join("; ")).unwrap_or_default()
}
