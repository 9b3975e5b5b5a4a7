//! BOTTOM (§4.2): the yearly ИНР is in the worst share of schools in every year of the window
//! («устойчиво низкие результаты»).

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use super::{Criterion, Inputs};
use crate::config::{BottomBasis, Config};
use crate::identify::outcome::{Fact, Procedure, Reason, Role, Standing};
use crate::identify::words::{num1, pct, share_ci};
use crate::indices::in_worst;
use crate::model::columns::{floats, ints, strs};

pub struct Bottom;

impl Criterion for Bottom {
    fn flag(&self) -> &'static str {
        "flag_bottom"
    }

    fn name(&self) -> &'static str {
        "BOTTOM"
    }

    fn config_keys(&self) -> &'static [&'static str] {
        &["criteria.bottom", "method"]
    }

    fn enabled(&self, config: &Config) -> bool {
        config.criteria.bottom.enabled
    }

    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame> {
        if config.criteria.bottom.basis == BottomBasis::Probability {
            return Ok(at_least(input, config.criteria.bottom.min_probability, self.flag()));
        }
        let years = input.inr.years.len() as i64;
        Ok(input
            .inr
            .yearly
            .clone()
            .lazy()
            .with_column(in_worst(col("inr_year"), true, config.criteria.bottom.share, &[col("year")])?.alias("__worst"))
            .group_by([col("school_id")])
            .agg([
                col("__worst").cast(DataType::Int64).sum().alias("__worst_years"),
                len().cast(DataType::Int64).alias("__years"),
            ])
            .select([
                col("school_id"),
                col("__worst_years").eq(lit(years)).and(col("__years").eq(lit(years))).alias(self.flag()),
            ]))
    }

    /// «надёжно» when P(in the worst share) is at least `method.uncertainty.solid_probability`.
    fn solid(&self, input: &Inputs, config: &Config) -> Result<Option<LazyFrame>> {
        Ok(input.posterior.map(|_| at_least(input, config.method.uncertainty.solid_probability, &super::solid_column(self.flag()))))
    }

    /// A school's rank in the draws is what BOTTOM is about: its reason shows it.
    fn shows_standing(&self) -> bool {
        true
    }

    fn reasons(&self, flagged: &DataFrame, input: &Inputs, config: &Config) -> PolarsResult<BTreeMap<String, Reason>> {
        let y = input.latest_year;
        let (ids, on, in_flagged) = super::flagged_by(flagged, self.flag())?;
        let year_vals: Vec<(i32, Vec<Option<f64>>)> = input
            .inr
            .years
            .iter()
            .map(|yr| Ok((*yr, floats(flagged, &format!("inr_{yr}"))?)))
            .collect::<PolarsResult<_>>()?;
        // The school's worst procedures in Y against the region.
        let worst = input
            .inr
            .per_procedure
            .clone()
            .lazy()
            .filter(in_flagged.and(col("year").eq(lit(y))))
            .sort_by_exprs(
                [col("school_id"), col("fail_share"), col("procedure"), col("grade"), col("subject")],
                SortMultipleOptions::default().with_order_descending_multi([false, true, false, false, false]),
            )
            .collect()?;
        let (w_id, w_proc, w_grade, w_subj, w_share, w_region) = (
            strs(&worst, "school_id")?,
            strs(&worst, "procedure")?,
            ints(&worst, "grade")?,
            strs(&worst, "subject")?,
            floats(&worst, "fail_share")?,
            floats(&worst, "region_fail_share")?,
        );
        let w_n = ints(&worst, "participants").unwrap_or_else(|_| vec![None; worst.height()]);
        let mut worst_by: BTreeMap<&str, Vec<Fact>> = BTreeMap::new();
        for i in 0..w_id.len() {
            let list = worst_by.entry(w_id[i].as_str()).or_default();
            if list.len() < 3 {
                list.push(Fact {
                    role: Role::WorstProcedure,
                    procedure: Some(Procedure { procedure: w_proc[i].clone(), grade: w_grade[i], subject: w_subj[i].clone() }),
                    year: y,
                    school: w_share[i],
                    region: w_region[i],
                    previous: None,
                    previous_n: None,
                    n: w_n.get(i).copied().flatten(),
                });
            }
        }
        let mut out = BTreeMap::new();
        for (i, id) in ids.iter().enumerate().filter(|(i, _)| on.get(*i).copied().unwrap_or(false)) {
            let mut facts: Vec<Fact> = year_vals
                .iter()
                .map(|(yr, v)| Fact { role: Role::YearIndex, procedure: None, year: *yr, school: v.get(i).copied().flatten(), region: None, previous: None, previous_n: None, n: None })
                .collect();
            facts.extend(worst_by.get(id.as_str()).cloned().unwrap_or_default());
            out.insert(id.clone(), Reason { criterion: self.flag(), year: y, cutoff: config.criteria.bottom.share, facts, solid: None, standing: None });
        }
        Ok(out)
    }

    fn render(&self, r: &Reason) -> String {
        let y = r.year;
        let per_year: Vec<String> = r.facts_of(Role::YearIndex).map(|f| format!("{} — {}", f.year, num1(f.school))).collect();
        let worst: Vec<String> = r
            .facts_of(Role::WorstProcedure)
            .map(|f| {
                let label = f.procedure.as_ref().map(Procedure::label).unwrap_or_default();
                tr!("{} — {}, по региону {}", "{} — {}, region {}", label, share_ci(f.school, f.n), pct(f.region))
            })
            .collect();
        let standing = r.standing.map(|s| format!("; {}", standing_words(&s))).unwrap_or_default();
        let rule = if per_year.is_empty() {
            tr!("BOTTOM: ИНР за окно в худших {} школ", "BOTTOM: window ИНР among the worst {} of schools", pct(Some(r.cutoff)))
        } else {
            tr!(
                "BOTTOM: ИНР в худших {} школ в каждом году окна ({})",
                "BOTTOM: ИНР among the worst {} of schools in every window year ({})",
                pct(Some(r.cutoff)),
                per_year.join(", ")
            )
        };
        tr!(
            "{rule}{standing}; наибольшая доля «2» в {y} г.: {}",
            "{rule}{standing}; highest share of mark 2 in {y}: {}",
            worst.join("; ")
        )
    }
}

/// «вероятность быть в худших 10 % — 93 %, место 3 (90 % интервал 1–7) из 1500».
pub fn standing_words(s: &Standing) -> String {
    let rank = match (s.rank_expected, s.rank_low, s.rank_high, s.ranked_of) {
        (Some(e), Some(lo), Some(hi), Some(of)) => tr!(
            ", ожидаемое место {} из {of} ({} интервал {lo}–{hi})",
            ", expected rank {} of {of} ({} interval {lo}–{hi})",
            num1(Some(e)),
            pct(Some(s.coverage))
        ),
        _ => String::new(),
    };
    tr!("вероятность быть в худших {} — {}{rank}", "probability of being among the worst {} — {}{rank}", pct(Some(s.share)), pct(s.p_worst))
}

/// Whether P(in the worst share) of each school with draws is at least `p` (`school_id`,
/// `name`); no draws: no school.
fn at_least(input: &Inputs, p: f64, name: &str) -> LazyFrame {
    match input.posterior {
        Some(post) => post.clone().lazy().select([col("school_id"), col("p_worst").gt_eq(lit(p)).fill_null(lit(false)).alias(name)]),
        None => DataFrame::new_infer_height(vec![
            Column::new("school_id".into(), Vec::<String>::new()),
            Column::new(name.into(), Vec::<bool>::new()),
        ])
        .map(|df| df.lazy())
        .unwrap_or_default(),
    }
}
