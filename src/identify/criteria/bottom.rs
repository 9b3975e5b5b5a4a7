//! BOTTOM (§4.2): the yearly ИНР is in the worst share of schools in every year of the window
//! («устойчиво низкие результаты»).

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use super::{Criterion, Inputs};
use crate::config::Config;
use crate::identify::reasons::{num1, pct, procedure_label};
use crate::indices::in_worst;
use crate::model::columns::{floats, ints, strs};

pub struct Bottom;

impl Criterion for Bottom {
    fn flag(&self) -> &'static str {
        "flag_bottom"
    }

    fn enabled(&self, config: &Config) -> bool {
        config.criteria.bottom.enabled
    }

    fn flags(&self, input: &Inputs, config: &Config) -> Result<LazyFrame> {
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

    fn reasons(&self, flagged: &DataFrame, input: &Inputs, config: &Config) -> PolarsResult<BTreeMap<String, String>> {
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
        let mut worst_by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for i in 0..w_id.len() {
            let list = worst_by.entry(w_id[i].as_str()).or_default();
            if list.len() < 3 {
                list.push(tr!(
                    "{} — {} (по региону {})",
                    "{} — {} (region {})",
                    procedure_label(&w_proc[i], w_grade[i], &w_subj[i]),
                    pct(w_share[i]),
                    pct(w_region[i])
                ));
            }
        }
        let share = pct(Some(config.criteria.bottom.share));
        let mut out = BTreeMap::new();
        for (i, id) in ids.iter().enumerate().filter(|(i, _)| on.get(*i).copied().unwrap_or(false)) {
            let per_year: Vec<String> = year_vals.iter().map(|(yr, v)| format!("{yr} — {}", num1(v.get(i).copied().flatten()))).collect();
            out.insert(
                id.clone(),
                tr!(
                    "BOTTOM: ИНР в худших {share} школ в каждом году окна ({}); наибольшая доля «2» в {y} г.: {}",
                    "BOTTOM: ИНР among the worst {share} of schools in every window year ({}); highest share of mark 2 in {y}: {}",
                    per_year.join(", "),
                    worst_by.get(id.as_str()).cloned().unwrap_or_default().join("; ")
                ),
            );
        }
        Ok(out)
    }
}
