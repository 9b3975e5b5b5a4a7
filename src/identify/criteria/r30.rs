//! R30, Rosobrnadzor's risk rule (§4.2): in the latest year Y the school has a fail share at or
//! over the threshold in at least `min_procedures` procedures, and at least one such procedure
//! repeated from Y−1.

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use super::{Criterion, Inputs};
use crate::config::{Config, R30Basis};
use crate::identify::outcome::{Fact, Procedure, Reason, Role};
use crate::identify::words::{pct, share_ci};
use crate::indices::{decimal_fraction, inr, uncertainty};
use crate::model::columns::{floats, ints, strs};

pub struct R30;

impl Criterion for R30 {
    fn flag(&self) -> &'static str {
        "flag_r30"
    }

    fn name(&self) -> &'static str {
        "R30"
    }

    fn config_keys(&self) -> &'static [&'static str] {
        &["criteria.r30", "method.min_participants"]
    }

    /// Y and Y−1, whatever the window.
    fn years(&self, latest: i32, _window: &[i32]) -> Vec<i32> {
        vec![latest - 1, latest]
    }

    fn enabled(&self, config: &Config) -> bool {
        config.criteria.r30.enabled
    }

    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame> {
        Ok(holds(input.hits, input.latest_year, config, self.flag()))
    }

    /// «надёжно» when the rule holds also on the Wilson lower bounds of the shares.
    fn solid(&self, input: &Inputs, config: &Config) -> Result<Option<LazyFrame>> {
        let name = super::solid_column(self.flag());
        if config.criteria.r30.basis == R30Basis::LowerBound {
            return Ok(Some(holds(input.hits, input.latest_year, config, &name)));
        }
        let mut lower = config.clone();
        lower.criteria.r30.basis = R30Basis::LowerBound;
        let hits = hits(input.results, &lower, input.latest_year)?;
        Ok(Some(holds(&hits, input.latest_year, config, &name).collect()?.lazy()))
    }

    fn reasons(&self, flagged: &DataFrame, input: &Inputs, config: &Config) -> PolarsResult<BTreeMap<String, Reason>> {
        let y = input.latest_year;
        let (ids, on, in_flagged) = super::flagged_by(flagged, self.flag())?;
        // The procedures over the threshold in Y, and those repeated from Y−1.
        let h = input.hits.clone().lazy().filter(in_flagged).collect()?;
        let (h_id, h_year, h_proc, h_grade, h_subj, h_share, h_region) = (
            strs(&h, "school_id")?,
            ints(&h, "year")?,
            strs(&h, "procedure")?,
            ints(&h, "grade")?,
            strs(&h, "subject")?,
            floats(&h, "fail_share")?,
            floats(&h, "region_fail_share")?,
        );
        // Tables stored by older versions have no participants.
        let h_n = ints(&h, "participants").unwrap_or_else(|_| vec![None; h.height()]);
        let mut now_by: BTreeMap<&str, Vec<Fact>> = BTreeMap::new();
        // By school and label: the Y−1 share, and the Y fact.
        let mut by_key: BTreeMap<(&str, String), ((Option<f64>, Option<i64>), Option<Fact>)> = BTreeMap::new();
        for i in 0..h_id.len() {
            let procedure = Procedure { procedure: h_proc[i].clone(), grade: h_grade[i], subject: h_subj[i].clone() };
            let entry = by_key.entry((h_id[i].as_str(), procedure.label())).or_insert(((None, None), None));
            if h_year[i] == Some(i64::from(y)) {
                let fact = Fact {
                    role: Role::OverThreshold,
                    procedure: Some(procedure),
                    year: y,
                    school: h_share[i],
                    region: h_region[i],
                    previous: None,
                    previous_n: None,
                    n: h_n.get(i).copied().flatten(),
                };
                entry.1 = Some(fact.clone());
                now_by.entry(h_id[i].as_str()).or_default().push(fact);
            } else {
                entry.0 = (h_share[i], h_n.get(i).copied().flatten());
            }
        }
        let mut out = BTreeMap::new();
        for (id, _) in ids.iter().zip(on.iter()).filter(|(_, on)| **on) {
            let mut facts = now_by.get(id.as_str()).cloned().unwrap_or_default();
            facts.extend(
                by_key
                    .range((id.as_str(), String::new())..)
                    .take_while(|((sid, _), _)| *sid == id.as_str())
                    .filter_map(|(_, ((prev, prev_n), now))| Some(Fact { role: Role::Repeated, previous: Some((*prev)?), previous_n: *prev_n, ..now.clone()? }))
                    .filter(|f| f.school.is_some()),
            );
            out.insert(id.clone(), Reason { criterion: self.flag(), year: y, cutoff: config.criteria.r30.threshold, facts, solid: None, standing: None });
        }
        Ok(out)
    }

    fn render(&self, r: &Reason) -> String {
        let y = r.year;
        let label = |f: &Fact| f.procedure.as_ref().map(Procedure::label).unwrap_or_default();
        let now: Vec<String> = r
            .facts_of(Role::OverThreshold)
            .map(|f| tr!("{} — {}, по региону {}", "{} — {}, region {}", label(f), share_ci(f.school, f.n), pct(f.region)))
            .collect();
        let repeated: Vec<String> =
            // The latest year's share is in the list before: the earlier year's alone here.
            r.facts_of(Role::Repeated).map(|f| tr!("{} — в {} г. {}", "{} — in {} {}", label(f), y - 1, share_ci(f.previous, f.previous_n))).collect();
        tr!(
            "R30: в {y} г. доля «2» не ниже {} в {} процедурах: {}; повторно в {} и {y} гг.: {}",
            "R30: in {y} the share of mark 2 is at least {} in {} procedures: {}; repeated in {} and {y}: {}",
            pct(Some(r.cutoff)),
            now.len(),
            now.join("; "),
            y - 1,
            repeated.join("; ")
        )
    }
}

/// The rule over procedures at or over the threshold (`hits`): at least `min_procedures` in Y,
/// one of them repeated from Y−1; `school_id` and the column `name`.
fn holds(hits: &DataFrame, y: i32, config: &Config, name: &str) -> LazyFrame {
    // Exact integer comparison failed·d ≥ p·participants, done in `hits`.
    let in_y = hits.clone().lazy().filter(col("year").eq(lit(y)));
    let in_prev = hits.clone().lazy().filter(col("year").eq(lit(y - 1)));
    let keys: Vec<Expr> = ["school_id", "procedure", "grade", "subject"].iter().map(|k| col(*k)).collect();
    let repeated = in_y
        .clone()
        .join(in_prev.select(keys.clone()), keys.clone(), keys, JoinArgs::new(JoinType::Inner))
        .group_by([col("school_id")])
        .agg([len().cast(DataType::Int64).alias("__repeated")]);
    in_y.group_by([col("school_id")])
        .agg([len().cast(DataType::Int64).alias("__hits")])
        .join(repeated, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
        .select([
            col("school_id"),
            col("__hits")
                .gt_eq(lit(i64::from(config.criteria.r30.min_procedures)))
                .and(col("__repeated").fill_null(lit(0i64)).gt(lit(0i64)))
                .alias(name),
        ])
}

/// What [`hits`] depends on: two configurations with the same key share the same hits.
pub fn hits_key(config: &Config) -> String {
    let r = &config.criteria.r30;
    match r.basis {
        R30Basis::Raw => format!("{}|{}", r.threshold, config.method.min_participants),
        basis => format!("{}|{}|{basis:?}", r.threshold, config.method.min_participants),
    }
}

/// Procedures with fail share ≥ the R30 threshold in Y and Y−1 (usable ones only; the share
/// as `criteria.r30.basis` says), with the region's fail share of the same procedure and year.
pub fn hits(results: &DataFrame, config: &Config, y: i32) -> PolarsResult<DataFrame> {
    let (p, d) = decimal_fraction(config.criteria.r30.threshold);
    let min_p = i64::from(config.method.min_participants);
    let group = [col("year"), col("procedure"), col("grade"), col("subject")];
    let threshold = lit(config.criteria.r30.threshold);
    let over = match config.criteria.r30.basis {
        // Exact integer comparison failed·d ≥ p·participants.
        R30Basis::Raw => (col("failed").cast(DataType::Int64) * lit(d)).gt_eq(lit(p) * col("participants").cast(DataType::Int64)),
        R30Basis::LowerBound => uncertainty::wilson_lower(col("fail_share"), col("participants")).gt_eq(threshold),
        R30Basis::Shrunk => uncertainty::shrunk_share().gt_eq(threshold),
    };
    // R30 always looks at Y and Y−1, whatever the window (run keeps Y−1 for it).
    let lf = results.clone().lazy().filter(col("year").gt_eq(lit(y - 1)).and(col("participants").gt_eq(lit(min_p))));
    let lf = match config.criteria.r30.basis {
        R30Basis::Shrunk => uncertainty::with_beta_posterior(lf, "failed", "participants", &["year", "procedure", "grade", "subject"]),
        _ => lf,
    };
    lf.with_column(inr::region_fail_share(&group)?)
        .filter(over)
        .select([
            col("school_id"), col("year"), col("procedure"), col("grade"), col("subject"),
            col("fail_share"), col("region_fail_share"), col("participants"),
        ])
        .sort(["school_id", "year", "procedure", "grade", "subject"], SortMultipleOptions::default())
        .collect()
}
