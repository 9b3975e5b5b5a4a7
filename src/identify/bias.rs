//! The bias audit (§4.9): whether the ШНОР list falls on poor, rural or some type of schools
//! more than on others (shares listed by ИСБШ quintile, locality and school type), and how many
//! schools enter or leave it when the ИНР weights and the cut-offs move a little. The shifted
//! identifications are made by the `Session` (like `sweep`); here only their lists are compared.

use std::collections::{BTreeMap, BTreeSet};

use super::SchoolRow;
use crate::config::Config;

/// What a share is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    /// ИСБШ quintiles: 1 — the lowest ИСБШ (the hardest conditions).
    Quintile,
    Locality,
    SchoolType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupShare {
    pub dimension: Dimension,
    pub label: String,
    pub schools: usize,
    pub listed: usize,
}

/// One shifted setting: the key, its value in the run and shifted, and the list it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub key: &'static str,
    pub from: f64,
    pub to: f64,
    pub listed: usize,
    pub entered: usize,
    pub left: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audit {
    pub groups: Vec<GroupShare>,
    pub variants: Vec<Variant>,
}

/// The settings the audit shifts, as their keys.
const W_FAIL: &str = "method.inr.w_fail";
const BOTTOM_SHARE: &str = "criteria.bottom.share";
const R30_THRESHOLD: &str = "criteria.r30.threshold";

/// The shifted configurations: each ИНР weight by ± `bias.weight_step` (the other by ∓, so
/// that they still add up), the worst share and the R30 threshold by ± `bias.cutoff_step`;
/// settings outside (0, 1] are left out. Each with its key and its two values.
pub fn shifted(config: &Config) -> Vec<(Config, &'static str, f64, f64)> {
    let mut out = Vec::new();
    let (w, c) = (config.bias.weight_step, config.bias.cutoff_step);
    for sign in [1.0, -1.0] {
        let inr = &config.method.inr;
        let (wf, wm) = (inr.w_fail + sign * w, inr.w_mean - sign * w);
        if w > 0.0 && wf >= 0.0 && wm >= 0.0 && wf + wm > 0.0 {
            let mut v = config.clone();
            (v.method.inr.w_fail, v.method.inr.w_mean) = (wf, wm);
            out.push((v, W_FAIL, inr.w_fail, wf));
        }
    }
    for sign in [1.0, -1.0] {
        let share = config.criteria.bottom.share + sign * c;
        if c > 0.0 && config.criteria.bottom.enabled && share > 0.0 && share <= 1.0 {
            let mut v = config.clone();
            v.criteria.bottom.share = share;
            out.push((v, BOTTOM_SHARE, config.criteria.bottom.share, share));
        }
        let threshold = config.criteria.r30.threshold + sign * c;
        if c > 0.0 && config.criteria.r30.enabled && threshold > 0.0 && threshold <= 1.0 {
            let mut v = config.clone();
            v.criteria.r30.threshold = threshold;
            out.push((v, R30_THRESHOLD, config.criteria.r30.threshold, threshold));
        }
    }
    out
}

/// The order in which to identify the [`shifted`] settings so that a session recomputes least:
/// the R30 thresholds first (the others and the run itself then share the run's R30 procedures),
/// the weights before the shares (which share the run's ИНР).
pub fn computation_order(shifted: &[(Config, &'static str, f64, f64)]) -> Vec<usize> {
    let rank = |key: &str| match key {
        R30_THRESHOLD => 0,
        W_FAIL => 1,
        _ => 2,
    };
    let mut order: Vec<usize> = (0..shifted.len()).collect();
    order.sort_by_key(|&i| shifted.get(i).map_or(3, |v| rank(v.1)));
    order
}

/// The audit of a run's rows, given the ШНОР lists of the shifted settings (in the order of
/// [`shifted`]).
pub fn audit(rows: &[SchoolRow], shifted: Vec<(&'static str, f64, f64, BTreeSet<String>)>) -> Audit {
    let list: BTreeSet<&str> = rows.iter().filter(|r| r.shnor).map(|r| r.school_id.as_str()).collect();
    let variants = shifted
        .into_iter()
        .map(|(key, from, to, other)| Variant {
            key,
            from,
            to,
            listed: other.len(),
            entered: other.iter().filter(|id| !list.contains(id.as_str())).count(),
            left: list.iter().filter(|id| !other.contains(**id)).count(),
        })
        .collect();
    Audit { groups: groups(rows), variants }
}

/// Shares listed by ИСБШ quintile (schools without ИСБШ apart), locality and school type.
fn groups(rows: &[SchoolRow]) -> Vec<GroupShare> {
    let mut out = Vec::new();
    let mut with: Vec<&SchoolRow> = rows.iter().filter(|r| r.isbsh.is_some()).collect();
    with.sort_by(|a, b| a.isbsh.unwrap_or(0.0).total_cmp(&b.isbsh.unwrap_or(0.0)).then_with(|| a.school_id.cmp(&b.school_id)));
    let n = with.len();
    for q in 0..5 {
        let part = &with[n * q / 5..n * (q + 1) / 5];
        out.push(GroupShare { dimension: Dimension::Quintile, label: (q + 1).to_string(), schools: part.len(), listed: part.iter().filter(|r| r.shnor).count() });
    }
    let without: Vec<&SchoolRow> = rows.iter().filter(|r| r.isbsh.is_none()).collect();
    if !without.is_empty() {
        out.push(GroupShare { dimension: Dimension::Quintile, label: "—".into(), schools: without.len(), listed: without.iter().filter(|r| r.shnor).count() });
    }
    for (dimension, of) in [(Dimension::Locality, (|r: &SchoolRow| r.locality.clone()) as fn(&SchoolRow) -> String), (Dimension::SchoolType, |r: &SchoolRow| r.school_type.clone())] {
        let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for r in rows {
            let label = Some(of(r)).filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "—".into());
            let e = by.entry(label).or_default();
            e.0 += 1;
            e.1 += usize::from(r.shnor);
        }
        if by.len() > 1 {
            out.extend(by.into_iter().map(|(label, (schools, listed))| GroupShare { dimension, label, schools, listed }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::Category;

    #[test]
    fn quintiles_groups_and_list_changes() {
        let mut rows: Vec<SchoolRow> = (0..10)
            .map(|i| {
                let mut r = SchoolRow::of_category(&format!("s{i}"), if i < 3 { Category::Shnor } else { Category::None });
                r.isbsh = Some(80.0 + i as f64 * 5.0);
                r.locality = if i % 2 == 0 { "село" } else { "город" }.into();
                r
            })
            .collect();
        rows[9].isbsh = None;
        let a = audit(&rows, vec![("criteria.bottom.share", 0.1, 0.15, ["s0", "s1", "s2", "s3"].map(String::from).into()), ("criteria.bottom.share", 0.1, 0.05, ["s0", "s5"].map(String::from).into())]);
        let q: Vec<(String, usize, usize)> = a.groups.iter().filter(|g| g.dimension == Dimension::Quintile).map(|g| (g.label.clone(), g.schools, g.listed)).collect();
        // 9 schools with ИСБШ in quintiles of 1, 2, 2, 2, 2 (s0 lowest), one without.
        assert_eq!(q[0], ("1".into(), 1, 1));
        assert_eq!(q[1], ("2".into(), 2, 2));
        assert_eq!(q[2], ("3".into(), 2, 0));
        assert_eq!(q.last().unwrap(), &("—".into(), 1, 0));
        let loc: Vec<(String, usize, usize)> = a.groups.iter().filter(|g| g.dimension == Dimension::Locality).map(|g| (g.label.clone(), g.schools, g.listed)).collect();
        assert_eq!(loc, [("город".into(), 5, 1), ("село".into(), 5, 2)]);
        // One type only: no type rows.
        assert!(a.groups.iter().all(|g| g.dimension != Dimension::SchoolType));
        assert_eq!((a.variants[0].listed, a.variants[0].entered, a.variants[0].left), (4, 1, 0));
        assert_eq!((a.variants[1].listed, a.variants[1].entered, a.variants[1].left), (2, 1, 2));
    }

    #[test]
    fn shifts_stay_inside_their_ranges() {
        let mut c = Config::defaults().unwrap();
        let keys: Vec<&str> = shifted(&c).iter().map(|v| v.1).collect();
        assert_eq!(keys, ["method.inr.w_fail", "method.inr.w_fail", "criteria.bottom.share", "criteria.r30.threshold", "criteria.bottom.share", "criteria.r30.threshold"]);
        let v = shifted(&c);
        // Identified R30 thresholds first, then the weights, then the shares (each pair in order).
        assert_eq!(computation_order(&v), [3, 5, 0, 1, 2, 4]);
        assert!((v[0].0.method.inr.w_fail - 0.8).abs() < 1e-12 && (v[0].0.method.inr.w_mean - 0.2).abs() < 1e-12);
        c.criteria.bottom.share = 0.05;
        c.bias.weight_step = 0.0;
        let keys: Vec<(&str, f64)> = shifted(&c).iter().map(|v| (v.1, v.3)).collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
    }
}
