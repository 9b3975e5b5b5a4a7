//! `[risk]`: the catalogue of risk factors (§4.9, the 500+ practice) — what data each factor
//! stands on, which way is worse, when it is «актуален», and what an антирисковая программа
//! may do about it.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::Direction;
use crate::error::usage;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    /// A factor without a threshold is actual for the worst `quantile` of the region's schools
    /// (and only when the school is worse than the region's median).
    pub quantile: f64,
    /// Self-diagnosis levels that make a factor actual, and those that make it not actual.
    #[serde(default)]
    pub actual_levels: Vec<String>,
    #[serde(default)]
    pub not_actual_levels: Vec<String>,
    pub factors: BTreeMap<String, Factor>,
}

/// What a factor's value is computed from.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The pooled share of «2» over the latest year's procedures.
    FailShare,
    /// The participant-weighted mean percentile of badness (the ИНР term) of the latest year's
    /// procedures in `subjects`.
    Subject,
    /// ИСБШ.
    Isbsh,
    /// A questionnaire indicator's share (`indicator`, the latest year).
    Questionnaire,
    /// A register or context column (the first of `columns` found).
    Column,
    /// The number of objectivity markers set for the school.
    Objectivity,
    /// ИНР of the latest year minus ИНР of the year before.
    InrChange,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub name: String,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// «+»: the more, the better (the low values are the risk); «-»: the more, the worse.
    pub direction: Direction,
    #[serde(default = "super::one")]
    pub weight: f64,
    /// Actual when the value reaches it (from the worse side) instead of the worst quantile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Suggested directions of an антирисковая программа.
    #[serde(default)]
    pub directions: Vec<String>,
}

impl Risk {
    /// The embedded defaults' `[risk]` (for manifests written before it existed).
    pub fn embedded() -> Risk {
        super::Config::defaults().map(|c| c.risk).unwrap_or(Risk { quantile: 0.25, actual_levels: Vec::new(), not_actual_levels: Vec::new(), factors: BTreeMap::new() })
    }

    /// What can be told before reading: the quantile is a share, each factor has a name, a
    /// finite non-negative weight and the data its source needs.
    pub fn validate(&self) -> Result<()> {
        if !(self.quantile > 0.0 && self.quantile < 1.0) {
            return Err(usage(tr!("risk.quantile: ожидается доля от 0 до 1 (например, 0,25)", "risk.quantile: expected a share between 0 and 1 (e.g. 0.25)")));
        }
        for (key, f) in &self.factors {
            let at = format!("risk.factors.{key}");
            if f.name.trim().is_empty() {
                return Err(usage(tr!("{at}.name: не задано название фактора", "{at}.name: the factor has no name")));
            }
            if !f.weight.is_finite() || f.weight < 0.0 {
                return Err(usage(tr!("{at}.weight: вес должен быть неотрицательным числом", "{at}.weight: a weight must be a non-negative number")));
            }
            if f.threshold.is_some_and(|t| !t.is_finite()) {
                return Err(usage(tr!("{at}.threshold: порог должен быть числом", "{at}.threshold: the threshold must be a number")));
            }
            let missing = match f.source {
                Source::Subject if f.subjects.is_empty() => Some("subjects"),
                Source::Questionnaire if f.indicator.as_deref().is_none_or(|s| s.trim().is_empty()) => Some("indicator"),
                Source::Column if f.columns.is_empty() => Some("columns"),
                _ => None,
            };
            if let Some(k) = missing {
                return Err(usage(tr!("{at}.{k}: не задано — без него фактор не из чего считать", "{at}.{k}: not given — the factor has nothing to be computed from")));
            }
        }
        Ok(())
    }

    /// A self-diagnosis level: actual (`Some(true)`), not actual (`Some(false)`) or unknown.
    pub fn level(&self, level: &str) -> Option<bool> {
        let key = crate::text::header_key(level);
        let is = |list: &[String]| list.iter().any(|l| crate::text::header_key(l) == key);
        if is(&self.actual_levels) {
            Some(true)
        } else if is(&self.not_actual_levels) {
            Some(false)
        } else {
            None
        }
    }

    /// The factor a self-diagnosis names: by its key or by its name (case, spaces and quotes
    /// do not count).
    pub fn factor_by_name(&self, name: &str) -> Option<&str> {
        let key = crate::text::header_key(name);
        self.factors
            .iter()
            .find(|(k, f)| crate::text::header_key(k) == key || crate::text::header_key(&f.name) == key)
            .map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn defaults_cover_the_catalogue_and_validate() {
        let r = super::super::Config::defaults().unwrap().risk;
        r.validate().unwrap();
        for key in ["fail_share", "russian", "mathematics", "isbsh", "disability", "low_income", "large_family", "single_parent", "small_school", "staff_shortage", "staff_age", "remoteness", "objectivity", "inr_change"] {
            let f = r.factors.get(key).unwrap_or_else(|| panic!("{key}"));
            assert!(!f.directions.is_empty(), "{key}: no directions");
        }
        assert_eq!(r.level("Высокий"), Some(true));
        assert_eq!(r.level(" низкий "), Some(false));
        assert_eq!(r.level("может быть"), None);
        assert_eq!(r.factor_by_name("Дефицит  педагогических кадров"), Some("staff_shortage"));
        assert_eq!(r.factor_by_name("fail_share"), Some("fail_share"));
    }

    #[test]
    fn a_factor_without_its_data_is_refused() {
        let mut r = super::super::Config::defaults().unwrap().risk;
        r.factors.get_mut("russian").unwrap().subjects.clear();
        let e = r.validate().unwrap_err().to_string();
        assert!(e.contains("risk.factors.russian.subjects"), "{e}");
        let mut r = super::super::Config::defaults().unwrap().risk;
        r.quantile = 1.0;
        assert!(r.validate().is_err());
    }
}
