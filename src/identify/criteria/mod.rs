//! The rules that put a school on a list, one file each behind [`Criterion`]: the ШНОР criteria
//! (§4.2: R30, BOTTOM), the ШНСУ rule (§4.3) and resilience (§4.4). Each gives the flag it adds,
//! the list it feeds, whether the configuration switches it on, its flags over the computed
//! indices, and the reason it gives for a flagged school. Identification loops over [`ALL`];
//! adding a criterion is one file and one line there.

mod bottom;
mod r30;
mod resilience;
mod shnsu;

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use crate::config::Config;
use crate::indices::inr::Inr;

pub use r30::{hits as r30_hits, hits_key as r30_hits_key};

/// What the criteria look at: the indices and the procedures over the R30 threshold.
pub struct Inputs<'a> {
    pub inr: &'a Inr,
    /// One row per register school with its window ИНР (`inr`) and ИСБШ (`isbsh`).
    pub base: &'a DataFrame,
    /// Procedures with a fail share at or over the R30 threshold in Y and Y−1 (see [`r30_hits`]).
    pub hits: &'a DataFrame,
    pub latest_year: i32,
}

/// The list a criterion feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// ШНОР: the enabled criteria combined by `criteria.combine`.
    Shnor,
    Shnsu,
    Resilient,
}

/// One rule of a list.
pub trait Criterion: Sync {
    /// The flag column it adds to the school table («flag_r30», «shnsu»).
    fn flag(&self) -> &'static str;
    /// The list it feeds.
    fn list(&self) -> List {
        List::Shnor
    }
    /// Whether the configuration switches it on.
    fn enabled(&self, config: &Config) -> bool;
    /// `school_id` and the flag, for the schools it can judge (the others get `false`).
    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame>;
    /// The reason text of each school in `flagged` (its rows of the school table, with the flag
    /// columns and `inr_<year>`) that this criterion flags.
    fn reasons(&self, flagged: &DataFrame, input: &Inputs, config: &Config) -> PolarsResult<BTreeMap<String, String>>;
}

/// The rows a criterion writes reasons for: the ids of the flagged schools, whether it flags
/// each, and a filter that keeps those schools' rows of another table.
fn flagged_by(flagged: &DataFrame, flag: &str) -> PolarsResult<(Vec<String>, Vec<bool>, Expr)> {
    let ids = crate::model::columns::strs(flagged, "school_id")?;
    let on = crate::model::columns::bools(flagged, flag)?;
    let filter = col("school_id").is_in(lit(Series::new("ids".into(), ids.clone())).implode(false), false);
    Ok((ids, on, filter))
}

/// The criteria, in the order their reasons are written.
pub const ALL: [&dyn Criterion; 4] = [&r30::R30, &bottom::Bottom, &shnsu::Shnsu, &resilience::Resilience];
