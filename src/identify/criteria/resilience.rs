//! Resilience (§4.4): ИСБШ in the worst `resilience.isbsh_worst_share` and ИНР in the best
//! `resilience.inr_best_share` — adverse conditions, good results.

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

    fn name(&self) -> &'static str {
        "резильентность"
    }

    fn config_keys(&self) -> &'static [&'static str] {
        &["isbsh", "resilience", "method"]
    }

    fn enabled(&self, _config: &Config) -> bool {
        true
    }

    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame> {
        let r = &config.resilience;
        let flag = in_worst(col("isbsh"), false, r.isbsh_worst_share, &[])?.and(in_worst(col("inr"), false, r.inr_best_share, &[])?);
        Ok(input.base.clone().lazy().select([col("school_id"), flag.alias(self.flag())]))
    }
}
