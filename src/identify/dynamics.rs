//! Dynamics against last year's approved list (§4.5): who entered, stayed on or left the ШНОР
//! list, how each school's indices changed, and how many years in a row each school has been
//! on the list with its ИНР in each of those years (the history a run carries forward).

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Last year's list: school_id, on_list_prev (bool), inr_prev, isbsh_prev (may be null).
pub struct Previous {
    pub table: DataFrame,
    pub source: String,
    /// The year of that list (the previous run's latest year); unknown for a plain table,
    /// taken as the year before this one.
    pub year: Option<i32>,
    /// What the previous run knew of each of its listed schools' years on the list (empty for a
    /// table without that history).
    pub history: BTreeMap<String, Tenure>,
}

/// A list year of a school and its window ИНР that year (the ИНР the list was decided on).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct YearInr {
    pub year: i32,
    pub inr: Option<f64>,
}

/// How many years in a row a school has been on the ШНОР list up to this year, and its ИНР in
/// the list years known (oldest first, this year last).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tenure {
    pub years: u32,
    pub inr_by_year: Vec<YearInr>,
}

/// The tenure of a school on this year's list (year `year`, window ИНР `inr`). `stayed`: it was
/// on the previous list too, whose ИНР for it was `inr_prev`. Years add up only when the previous
/// list is the year before (the same year's list replaces its own year; after a gap the count
/// starts again, though the ИНР history is kept).
pub fn tenure(prev: Option<&Previous>, id: &str, stayed: bool, year: i32, inr: Option<f64>, inr_prev: Option<f64>) -> Tenure {
    let now = YearInr { year, inr };
    let Some(p) = prev.filter(|_| stayed) else {
        return Tenure { years: 1, inr_by_year: vec![now] };
    };
    let prev_year = p.year.unwrap_or(year - 1);
    let mut before = p.history.get(id).cloned().unwrap_or_default();
    before.years = before.years.max(1);
    if before.inr_by_year.is_empty() {
        before.inr_by_year.push(YearInr { year: prev_year, inr: inr_prev });
    }
    let years = match year - prev_year {
        1 => before.years.saturating_add(1),
        0 => before.years,
        _ => 1,
    };
    let mut inr_by_year: Vec<YearInr> = before.inr_by_year.into_iter().filter(|h| h.year < year).collect();
    inr_by_year.push(now);
    Tenure { years, inr_by_year }
}

/// Adds `dynamics` (entered / stayed / left / empty), `inr_prev`, `isbsh_prev` to the schools
/// table; returns the ids that left the list but are no longer in the register.
pub fn apply(schools: DataFrame, prev: &Previous) -> PolarsResult<(DataFrame, Vec<String>)> {
    let joined = schools
        .lazy()
        .join(
            prev.table.clone().lazy(),
            [col("school_id")],
            [col("school_id")],
            JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Left) },
        )
        .with_column(
            when(col("shnor").and(col("on_list_prev").fill_null(lit(false))))
                .then(lit("stayed"))
                .when(col("shnor"))
                .then(lit("entered"))
                .when(col("on_list_prev").fill_null(lit(false)))
                .then(lit("left"))
                .otherwise(lit(""))
                .alias("dynamics"),
        )
        .drop(cols(["on_list_prev"]))
        .collect()?;
    let gone = prev
        .table
        .clone()
        .lazy()
        .filter(col("on_list_prev"))
        .join(joined.clone().lazy().select([col("school_id")]), [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Anti))
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    let ids = gone.column("school_id")?.str()?.iter().flatten().map(str::to_string).collect();
    Ok((joined, ids))
}

/// Without a previous list the columns exist but are empty, so the table keeps one shape.
pub fn empty(schools: DataFrame) -> PolarsResult<DataFrame> {
    schools
        .lazy()
        .with_columns([
            lit(NULL).cast(DataType::Float64).alias("inr_prev"),
            lit(NULL).cast(DataType::Float64).alias("isbsh_prev"),
            lit("").alias("dynamics"),
        ])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prev(year: Option<i32>, history: &[(&str, u32, &[(i32, f64)])]) -> Previous {
        Previous {
            table: DataFrame::empty(),
            source: "p".into(),
            year,
            history: history
                .iter()
                .map(|(id, years, h)| {
                    let inr_by_year = h.iter().map(|(year, inr)| YearInr { year: *year, inr: Some(*inr) }).collect();
                    (id.to_string(), Tenure { years: *years, inr_by_year })
                })
                .collect(),
        }
    }

    fn years(t: &Tenure) -> Vec<i32> {
        t.inr_by_year.iter().map(|h| h.year).collect()
    }

    #[test]
    fn years_add_up_only_from_the_year_before() {
        let p = prev(Some(2025), &[("a", 2, &[(2024, 80.0), (2025, 82.0)])]);
        let t = tenure(Some(&p), "a", true, 2026, Some(85.0), Some(82.0));
        assert_eq!((t.years, years(&t)), (3, vec![2024, 2025, 2026]));
        assert_eq!(t.inr_by_year.last().and_then(|h| h.inr), Some(85.0));
        // Not on last year's list, or no previous list at all: the first year.
        assert_eq!(tenure(Some(&p), "a", false, 2026, Some(85.0), None).years, 1);
        assert_eq!(years(&tenure(None, "a", true, 2026, Some(85.0), None)), vec![2026]);
        // The same year's list again replaces its own year and adds none.
        let p = prev(Some(2026), &[("a", 2, &[(2025, 80.0), (2026, 82.0)])]);
        let t = tenure(Some(&p), "a", true, 2026, Some(85.0), Some(82.0));
        assert_eq!((t.years, years(&t)), (2, vec![2025, 2026]));
        // After a gap the count starts again; the ИНР history stays.
        let p = prev(Some(2023), &[("a", 4, &[(2022, 80.0), (2023, 82.0)])]);
        let t = tenure(Some(&p), "a", true, 2026, Some(85.0), Some(82.0));
        assert_eq!((t.years, years(&t)), (1, vec![2022, 2023, 2026]));
    }

    #[test]
    fn a_list_without_history_counts_as_last_years() {
        // A plain table: no year, no history — the year before, its ИНР from the table.
        let p = prev(None, &[]);
        let t = tenure(Some(&p), "b", true, 2026, Some(85.0), Some(81.5));
        assert_eq!((t.years, years(&t)), (2, vec![2025, 2026]));
        assert_eq!(t.inr_by_year.first().and_then(|h| h.inr), Some(81.5));
        // shnor's own schools.csv: its years, no ИНР history.
        let p = prev(None, &[("b", 3, &[])]);
        assert_eq!(tenure(Some(&p), "b", true, 2026, None, Some(81.5)).years, 4);
    }
}
