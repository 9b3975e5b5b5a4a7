//! Resilience (§4.4): ИСБШ in the worst `resilience.isbsh_worst_share` and ИНР in the best
//! `resilience.inr_best_share` — adverse conditions, good results.

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use super::{Criterion, Inputs, List};
use crate::config::Config;
use crate::indices::in_worst;

pub struct Resilience;

impl Criterion for Resilience {
    fn flag(&self) -> &'static str {
        "resilient"
    }

    fn list(&self) -> List {
        List::Resilient
    }

    fn enabled(&self, _config: &Config) -> bool {
        true
    }

    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame> {
        let r = &config.resilience;
        let flag = in_worst(col("isbsh"), false, r.isbsh_worst_share, &[])?.and(in_worst(col("inr"), false, r.inr_best_share, &[])?);
        Ok(input.base.clone().lazy().select([col("school_id"), flag.alias(self.flag())]))
    }

    fn reasons(&self, _flagged: &DataFrame, _input: &Inputs, _config: &Config) -> PolarsResult<BTreeMap<String, String>> {
        Ok(BTreeMap::new())
    }
}
