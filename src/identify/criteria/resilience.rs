//! Resilience (§4.4): ИСБШ in the worst `resilience.isbsh_worst_share` and ИНР in the best
//! `resilience.inr_best_share` — adverse conditions, good results; under `resilience.basis =
//! "residual"` good results are the lowest ИНР against what the conditions predict (§4.9).

use anyhow::Result;
use polars::prelude::*;

use super::{Criterion, Inputs, List};
use crate::config::{Config, ResilienceBasis};
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
        let adverse = in_worst(col("isbsh"), false, r.isbsh_worst_share, &[])?;
        if r.basis == ResilienceBasis::Residual {
            // The lowest residuals: results best beyond what the conditions predict (no fit —
            // too few schools — no resilient school).
            let Some((residuals, _)) = input.expected else {
                return Ok(input.base.clone().lazy().select([col("school_id"), lit(false).alias(self.flag())]));
            };
            let flag = adverse.and(in_worst(col("inr_residual"), false, r.inr_best_share, &[])?);
            return Ok(input
                .base
                .clone()
                .lazy()
                .join(residuals.clone().lazy(), [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
                .select([col("school_id"), flag.alias(self.flag())]));
        }
        let flag = adverse.and(in_worst(col("inr"), false, r.inr_best_share, &[])?);
        Ok(input.base.clone().lazy().select([col("school_id"), flag.alias(self.flag())]))
    }
}
