//! Reasons for every ШНОР school, in words an official can paste into an order:
//! «ВПР 4 Русский язык, 2025: доля «2» 41 % при 9 % по региону».

use std::collections::BTreeMap;

use polars::prelude::*;

use super::criteria;
use super::outcome::Reason;
use crate::config::Config;

/// The texts of a school's reasons in the order of the criteria, each one sentence.
/// A criterion's sentence ends with whether its flag holds beyond chance, when that is known.
pub fn texts(reasons: &[Reason]) -> Vec<String> {
    reasons
        .iter()
        .filter_map(|r| Some((criteria::by_flag(r.criterion)?.render(r), r.solid)))
        .filter(|(t, _)| !t.is_empty())
        .map(|(t, solid)| match solid {
            Some(s) => format!("{t} — {}", super::words::solid_word(s)),
            None => t,
        })
        .collect()
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
