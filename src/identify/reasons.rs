//! Reasons for every ШНОР school, in words an official can paste into an order:
//! «ВПР 4 Русский язык, 2025: доля «2» 41 % при 9 % по региону».

use std::collections::BTreeMap;

use polars::prelude::*;

use super::criteria;
use super::outcome::{Reason, SchoolRow};
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

/// One short line for a listed school (documents and the main report): its two or three most
/// severe procedures — by the Wilson lower bound of the share, so that a high share on a few
/// pupils does not count as severe — each with n and interval; the criteria that fired (BOTTOM
/// with its probability). Whether the listing is solid is the caller's column.
/// «ОГЭ Математика 85 % (75–92 %; n = 68); … · R30, BOTTOM (P = 100 %)» — the brackets hold
/// the Wilson 95 % interval.
pub fn short(row: &SchoolRow) -> String {
    short_suppressed(row, 0)
}

/// [`short`] with counts of pupils below `suppress` read «n < suppress» (municipal packages).
pub fn short_suppressed(row: &SchoolRow, suppress: u32) -> String {
    use super::outcome::Role;
    let mut facts: Vec<&super::outcome::Fact> = row
        .reasons
        .iter()
        .flat_map(|r| r.facts.iter())
        .filter(|f| matches!(f.role, Role::OverThreshold | Role::WorstProcedure) && f.procedure.is_some())
        .collect();
    let lower = |f: &super::outcome::Fact| match (f.school, f.n) {
        (Some(p), Some(n)) => crate::indices::uncertainty::wilson(p, n as f64).map(|(lo, _)| lo).unwrap_or(p),
        (Some(p), None) => p,
        _ => 0.0,
    };
    facts.sort_by(|a, b| lower(b).total_cmp(&lower(a)).then_with(|| a.procedure.as_ref().map(|p| p.label()).cmp(&b.procedure.as_ref().map(|p| p.label()))));
    let mut seen = std::collections::BTreeSet::new();
    let worst: Vec<String> = facts
        .into_iter()
        .filter_map(|f| {
            let label = f.procedure.as_ref()?.label();
            seen.insert(label.clone()).then(|| format!("{label} {}", super::words::share_ci_short(f.school, f.n, suppress)))
        })
        .take(3)
        .collect();
    let criteria: Vec<String> = row
        .reasons
        .iter()
        .filter_map(|r| {
            let name = criteria::by_flag(r.criterion)?.name();
            Some(match r.standing.and_then(|s| s.p_worst) {
                // No-break spaces: «P = 100 %» never parts across lines.
                Some(p) => format!("{name} (P\u{a0}=\u{a0}{:.0}\u{a0}%)", p * 100.0),
                None => name.to_string(),
            })
        })
        .collect();
    let mut parts = Vec::new();
    if !worst.is_empty() {
        parts.push(worst.join("; "));
    }
    if !criteria.is_empty() {
        parts.push(criteria.join(", "));
    }
    parts.join(" · ")
}
