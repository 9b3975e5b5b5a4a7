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

use super::outcome::{Flags, Reason};
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
    /// The school-level results (R30 judges its flags on lower bounds too).
    pub results: &'a DataFrame,
    /// The posterior draws' summary per school (`school_id`, `p_worst`, `rank_expected`,
    /// `rank_low`, `rank_high`, `ranked_of`), when they were made.
    pub posterior: Option<&'a DataFrame>,
    /// ИНР against conditions (§4.9): per school `inr_expected`, `inr_residual` and its interval,
    /// and the fit — made once per index tables; none when there are too few schools.
    pub expected: Option<&'a (DataFrame, crate::indices::expected::Fit)>,
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
    /// The flag column it adds to the school table («flag_r30», «shnsu»); also its id.
    fn flag(&self) -> &'static str;
    /// Its short name in lists of criteria («R30», «BOTTOM»).
    fn name(&self) -> &'static str;
    /// The header of its flag column in tables a person reads («Критерий R30»).
    fn column(&self) -> String {
        tr!("Критерий {}", "Criterion {}", self.name())
    }
    /// The list it feeds.
    fn list(&self) -> List {
        List::Shnor
    }
    /// The configuration keys (or key prefixes) its flags depend on: `whatif` and `sweep`
    /// recompute it when one of them changes.
    fn config_keys(&self) -> &'static [&'static str];
    /// The years of results it needs when the latest is `latest` and the window is `window`.
    fn years(&self, latest: i32, window: &[i32]) -> Vec<i32> {
        let _ = latest;
        window.to_vec()
    }
    /// Whether the configuration switches it on.
    fn enabled(&self, config: &Config) -> bool;
    /// `school_id` and the flag, for the schools it can judge (the others get `false`).
    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame>;
    /// Whether its flag holds beyond chance (§4.7): `school_id` and [`solid_column`] — true is
    /// «надёжно», false «неопределённо»; `None` when it cannot tell (no draws).
    fn solid(&self, input: &Inputs, config: &Config) -> Result<Option<LazyFrame>> {
        let _ = (input, config);
        Ok(None)
    }
    /// Whether its reason shows the school's standing in the posterior draws (P, rank
    /// interval); filled in beside the solidity when the rows are made.
    fn shows_standing(&self) -> bool {
        false
    }
    /// The reason of each school in `flagged` (its rows of the school table, with the flag
    /// columns and `inr_<year>`) that this criterion flags.
    fn reasons(&self, flagged: &DataFrame, input: &Inputs, config: &Config) -> PolarsResult<BTreeMap<String, Reason>> {
        let _ = (flagged, input, config);
        Ok(BTreeMap::new())
    }
    /// A reason it gave, as the sentence an official reads.
    fn render(&self, reason: &Reason) -> String {
        let _ = reason;
        String::new()
    }
}

/// The rows a criterion writes reasons for: the ids of the flagged schools, whether it flags
/// each, and a filter that keeps those schools' rows of another table.
fn flagged_by(flagged: &DataFrame, flag: &str) -> PolarsResult<(Vec<String>, Vec<bool>, Expr)> {
    let ids = crate::model::columns::strs(flagged, "school_id")?;
    let on = crate::model::columns::bools(flagged, flag)?;
    let filter = col("school_id").is_in(lit(Series::new("ids".into(), ids.clone())).implode(false), false);
    Ok((ids, on, filter))
}

/// The column of a criterion's solidity («solid_flag_r30»).
pub fn solid_column(flag: &str) -> String {
    format!("solid_{flag}")
}

/// The criteria, in the order their reasons are written.
pub const ALL: [&dyn Criterion; 4] = [&r30::R30, &bottom::Bottom, &shnsu::Shnsu, &resilience::Resilience];

/// The criterion with this flag column.
pub fn by_flag(flag: &str) -> Option<&'static dyn Criterion> {
    ALL.into_iter().find(|c| c.flag() == flag)
}

/// The short names of the criteria whose flags are set («R30», «BOTTOM»).
pub fn names(flags: &Flags) -> Vec<&'static str> {
    flags.set().filter_map(|f| by_flag(f).map(|c| c.name())).collect()
}

/// The criteria of one list, in registration order.
pub fn of_list(list: List) -> impl Iterator<Item = &'static dyn Criterion> {
    ALL.into_iter().filter(move |c| c.list() == list)
}

/// Whether a configuration key (`criteria.r30.threshold`) is one a criterion depends on.
pub fn depends_on(criterion: &dyn Criterion, key: &str) -> bool {
    criterion.config_keys().iter().any(|k| key.strip_prefix(k).is_some_and(|rest| rest.is_empty() || rest.starts_with('.')))
}

/// The values of the keys a criterion depends on, from a flattened configuration: two
/// configurations with the same key give it the same flags over the same indices.
pub fn values_key(criterion: &dyn Criterion, flat: &[(String, String)]) -> String {
    let mut out = String::new();
    for (k, v) in flat.iter().filter(|(k, _)| depends_on(criterion, k)) {
        out.push_str(&format!("{k}={v}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_criteria_are_distinct_and_found_by_flag() {
        let flags: std::collections::BTreeSet<&str> = ALL.iter().map(|c| c.flag()).collect();
        assert_eq!(flags.len(), ALL.len());
        for c in ALL {
            assert_eq!(by_flag(c.flag()).map(|x| x.name()), Some(c.name()));
            assert!(!c.config_keys().is_empty(), "{}", c.name());
        }
        assert_eq!(of_list(List::Shnor).map(|c| c.name()).collect::<Vec<_>>(), vec!["R30", "BOTTOM"]);
        assert!(by_flag("flag_r30").is_some_and(|c| depends_on(c, "criteria.r30.threshold") && !depends_on(c, "criteria.r300")));
    }
}
