//! ШНСУ (§4.3): ИСБШ in the worst `isbsh.shnsu_share` of the schools that have one.

use anyhow::Result;
use polars::prelude::*;

use super::{Criterion, Inputs, List};
use crate::config::Config;
use crate::indices::in_worst;

pub struct Shnsu;

impl Criterion for Shnsu {
    fn flag(&self) -> &'static str {
        "shnsu"
    }

    fn list(&self) -> List {
        List::Shnsu
    }

    fn name(&self) -> &'static str {
        "ШНСУ"
    }

    fn config_keys(&self) -> &'static [&'static str] {
        &["isbsh"]
    }

    fn enabled(&self, _config: &Config) -> bool {
        true
    }

    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame> {
        Ok(input.base.clone().lazy().select([col("school_id"), in_worst(col("isbsh"), false, config.isbsh.shnsu_share, &[])?.alias(self.flag())]))
    }
}
