//! School-level figures the analytical report shows beside the lists: per procedure, the
//! region's fail share against that of the schools on the ШНОР list.

use polars::prelude::*;

use crate::config::Config;
use crate::model::columns::{floats, ints, strs};

/// One procedure (procedure × grade × subject) in the latest year.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureShares {
    pub procedure: String,
    pub grade: Option<i64>,
    pub subject: String,
    /// All «2» (or below minimum) / all participants of the region's usable rows.
    pub region: Option<f64>,
    /// The same over the schools on the ШНОР list (None when none of them took it).
    pub flagged: Option<f64>,
    pub schools: i64,
    pub flagged_schools: i64,
}

/// The figures, computed once when first asked for: the raw aggregates (a cheap clone) and the
/// ШНОР schools are kept until then.
pub struct Lazy {
    results: DataFrame,
    flagged: DataFrame,
    min_participants: u32,
    first: i32,
    y: i32,
    done: std::sync::OnceLock<Result<Figures, String>>,
}

/// Procedure shares, the schools with any results row from the first window year, and each
/// school's «2» and participants over the latest year's usable procedures.
pub type Figures = (Vec<ProcedureShares>, std::collections::BTreeSet<String>, Vec<SchoolTotal>);

/// A school's «2» (or below the minimum) and participants over the latest year's procedures
/// with at least `min_participants` participants (for the funnel plot).
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolTotal {
    pub school_id: String,
    pub failed: i64,
    pub participants: i64,
}

fn school_totals(results: &DataFrame, min_participants: u32, y: i32) -> PolarsResult<Vec<SchoolTotal>> {
    let min_p = i64::from(min_participants);
    let df = results
        .clone()
        .lazy()
        .filter(col("year").eq(lit(y)).and(col("participants").gt_eq(lit(min_p))))
        .group_by([col("school_id")])
        .agg([col("failed").cast(DataType::Int64).sum().alias("failed"), col("participants").cast(DataType::Int64).sum().alias("participants")])
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    let (ids, f, n) = (strs(&df, "school_id")?, ints(&df, "failed")?, ints(&df, "participants")?);
    Ok(ids
        .into_iter()
        .zip(f.into_iter().zip(n))
        .filter_map(|(school_id, (f, n))| Some(SchoolTotal { school_id, failed: f?, participants: n? }))
        .collect())
}

impl Lazy {
    pub fn new(results: &DataFrame, schools: &DataFrame, config: &Config, first: i32, y: i32) -> PolarsResult<Lazy> {
        let flagged = schools.clone().lazy().select([col("school_id"), col("shnor")]).collect()?;
        Ok(Lazy { results: results.clone(), flagged, min_participants: config.method.min_participants, first, y, done: std::sync::OnceLock::new() })
    }

    pub fn get(&self) -> anyhow::Result<&Figures> {
        let done = self.done.get_or_init(|| {
            let shares = shares(&self.results, &self.flagged, self.min_participants, self.y).map_err(|e| e.to_string())?;
            let with_rows = schools_with_rows(&self.results, self.first).map_err(|e| e.to_string())?;
            let totals = school_totals(&self.results, self.min_participants, self.y).map_err(|e| e.to_string())?;
            Ok((shares, with_rows, totals))
        });
        done.as_ref().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// Usable rows (participants ≥ `min_participants`) of year `y`, grouped by procedure; the
/// flagged share is over the schools whose `shnor` flag is set in `schools`.
fn shares(results: &DataFrame, schools: &DataFrame, min_participants: u32, y: i32) -> PolarsResult<Vec<ProcedureShares>> {
    let min_p = i64::from(min_participants);
    let flagged = schools.clone().lazy().filter(col("shnor")).select([col("school_id"), lit(true).alias("__flag")]);
    let f = col("__flag").fill_null(lit(false));
    let fail = col("failed").cast(DataType::Float64);
    let part = col("participants").cast(DataType::Float64);
    let df = results
        .clone()
        .lazy()
        .filter(col("year").eq(lit(y)).and(col("participants").gt_eq(lit(min_p))))
        .join(flagged, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
        .group_by([col("procedure"), col("grade"), col("subject")])
        .agg([
            (fail.clone().sum() / part.clone().sum()).alias("region"),
            (fail.filter(f.clone()).sum() / part.clone().filter(f.clone()).sum()).alias("flagged"),
            col("school_id").n_unique().cast(DataType::Int64).alias("schools"),
            col("school_id").filter(f).n_unique().cast(DataType::Int64).alias("flagged_schools"),
        ])
        .sort(["procedure", "grade", "subject"], SortMultipleOptions::default().with_nulls_last(true))
        .collect()?;
    let (p, g, s) = (strs(&df, "procedure")?, ints(&df, "grade")?, strs(&df, "subject")?);
    let (r, fl) = (floats(&df, "region")?, floats(&df, "flagged")?);
    let (n, nf) = (ints(&df, "schools")?, ints(&df, "flagged_schools")?);
    Ok((0..df.height())
        .map(|i| {
            let nf = nf.get(i).copied().flatten().unwrap_or(0);
            ProcedureShares {
                procedure: p.get(i).cloned().unwrap_or_default(),
                grade: g.get(i).copied().flatten(),
                subject: s.get(i).cloned().unwrap_or_default(),
                region: r.get(i).copied().flatten().filter(|v| v.is_finite()),
                flagged: if nf > 0 { fl.get(i).copied().flatten().filter(|v| v.is_finite()) } else { None },
                schools: n.get(i).copied().flatten().unwrap_or(0),
                flagged_schools: nf,
            }
        })
        .collect())
}

/// Schools that have at least one result row (usable or not) in the years from `first`: tells
/// "no results at all" from "too few participants everywhere" for schools without ИНР.
pub fn schools_with_rows(results: &DataFrame, first: i32) -> PolarsResult<std::collections::BTreeSet<String>> {
    let df = results
        .clone()
        .lazy()
        .filter(col("year").gt_eq(lit(first)))
        .select([col("school_id")])
        .unique(None, UniqueKeepStrategy::First)
        .collect()?;
    Ok(strs(&df, "school_id")?.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_and_flagged_shares() {
        let results = df!(
            "school_id" => ["a", "b", "c", "a", "b"],
            "year" => [2025i32, 2025, 2025, 2025, 2024],
            "procedure" => ["ВПР", "ВПР", "ВПР", "ОГЭ", "ВПР"],
            "grade" => [Some(4i64), Some(4), Some(4), None, Some(4)],
            "subject" => ["Математика"; 5],
            "participants" => [10i64, 30, 3, 20, 10],
            "failed" => [5i64, 3, 3, 2, 10],
        )
        .unwrap();
        let schools = df!("school_id" => ["a", "b", "c"], "shnor" => [true, false, true]).unwrap();
        let config = crate::config::Config::defaults().unwrap();
        let v = shares(&results, &schools, config.method.min_participants, 2025).unwrap();
        assert_eq!(v.len(), 2);
        // ВПР 4: c is below min_participants (5); region = (5+3)/(10+30); flagged = a only.
        let vpr = v.iter().find(|p| p.procedure == "ВПР").unwrap();
        assert_eq!(vpr.region, Some(0.2));
        assert_eq!(vpr.flagged, Some(0.5));
        assert_eq!((vpr.schools, vpr.flagged_schools), (2, 1));
        let oge = v.iter().find(|p| p.procedure == "ОГЭ").unwrap();
        assert_eq!(oge.region, Some(0.1));
        assert_eq!(oge.flagged, Some(0.1));
    }
}
