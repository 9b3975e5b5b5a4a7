//! Risk profiles (§4.9, the 500+ practice): each factor of the `[risk]` catalogue as a value per
//! school, the region's median and boundary, whether the factor is «актуален» for the school
//! (a self-diagnosis level overrides the computed one), and per school the risk index (the
//! weighted share of actual factors among those with data, 0–100) and the count.

use polars::prelude::*;

use crate::config::risk::{Factor, Source};
use crate::config::{Config, Direction};

/// What the factors are computed from (school-level tables only).
pub struct Inputs<'a> {
    /// school_id, students, isbsh, inr_<year>… (the identification's base table).
    pub base: &'a DataFrame,
    /// year, school_id, subject, participants, failed, term (ИНР's usable procedures).
    pub per_procedure: &'a DataFrame,
    pub questionnaire: Option<&'a DataFrame>,
    /// The register and the context files, searched in this order for `column` factors.
    pub tables: Vec<&'a DataFrame>,
    /// The objectivity screen's table (school_id, flagged, …), when it ran.
    pub markers: Option<&'a DataFrame>,
    /// school_id, factor (catalogue key), level (as written) — the self-diagnosis.
    pub selfdiagnosis: Option<&'a DataFrame>,
    pub latest_year: i32,
}

pub struct Profiles {
    /// One row per school × evaluated factor: school_id, factor, value (null when only the
    /// self-diagnosis knows it), median, level (the self-diagnosis' word or null), actual.
    pub factors: DataFrame,
    /// school_id, risk_index (0–100), risk_factors, risk_known.
    pub schools: DataFrame,
    /// Factors with no data at all (a context column not given, no questionnaire…).
    pub not_evaluated: Vec<String>,
}


fn latest_procedures(i: &Inputs) -> LazyFrame {
    i.per_procedure.clone().lazy().filter(col("year").eq(lit(i.latest_year)))
}

/// A column of the register or a context file whose header is one of `names` (the first name
/// found wins), as (table, column).
fn find_column<'a>(tables: &[&'a DataFrame], names: &[String]) -> Option<(&'a DataFrame, String)> {
    names.iter().find_map(|name| {
        let key = crate::text::header_key(name);
        tables.iter().find_map(|df| df.get_column_names().iter().find(|c| crate::text::header_key(c) == key).map(|c| (*df, c.to_string())))
    })
}

/// One factor's values: school_id, value (finite values only), or None when there is no data.
fn values(i: &Inputs, f: &Factor, config: &Config) -> PolarsResult<Option<LazyFrame>> {
    let p = || col("participants").cast(DataType::Float64);
    let per_school = |lf: LazyFrame, value: Expr| lf.group_by([col("school_id")]).agg([value.alias("value")]);
    let lf = match f.source {
        Source::FailShare => per_school(latest_procedures(i), col("failed").cast(DataType::Float64).sum() / p().sum()),
        Source::Subject => {
            let subjects = Series::new("s".into(), f.subjects.clone());
            let lf = latest_procedures(i).filter(col("subject").cast(DataType::String).is_in(lit(subjects).implode(false), false));
            per_school(lf, (col("term") * p()).sum() / p().sum())
        }
        Source::Isbsh => i.base.clone().lazy().select([col("school_id"), col("isbsh").alias("value")]),
        Source::Questionnaire => {
            let (Some(q), Some(ind)) = (i.questionnaire, f.indicator.as_deref()) else { return Ok(None) };
            let min_r = i64::from(config.isbsh.min_respondents);
            let lf = q
                .clone()
                .lazy()
                .filter(col("indicator").eq(lit(ind)).and(col("share").is_not_null()).and(col("respondents").is_null().or(col("respondents").gt_eq(lit(min_r)))))
                .sort(["school_id", "year"], SortMultipleOptions::default().with_nulls_last(false));
            per_school(lf, col("share").last())
        }
        Source::Column => {
            let Some((df, c)) = find_column(&i.tables, &f.columns) else { return Ok(None) };
            // A text column gives no number (null): the factor is not evaluated there.
            df.clone().lazy().select([col("school_id"), col(c.as_str()).cast(DataType::Float64).alias("value")])
        }
        Source::Objectivity => {
            let Some(m) = i.markers else { return Ok(None) };
            let set = m.clone().lazy().filter(col("flagged")).group_by([col("school_id")]).agg([len().cast(DataType::Float64).alias("__set")]);
            i.base
                .clone()
                .lazy()
                .select([col("school_id")])
                .join(set, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
                .select([col("school_id"), col("__set").fill_null(lit(0.0)).alias("value")])
        }
        Source::InrChange => {
            let (now, before) = (format!("inr_{}", i.latest_year), format!("inr_{}", i.latest_year - 1));
            if i.base.column(&now).is_err() || i.base.column(&before).is_err() {
                return Ok(None);
            }
            i.base.clone().lazy().select([col("school_id"), (col(now.as_str()) - col(before.as_str())).alias("value")])
        }
    };
    Ok(Some(lf.filter(col("value").is_not_null().and(col("value").is_finite()))))
}

/// Whether a factor is actual: by its threshold, else when the school is in the worst
/// `quantile` of the region — the share of the region's schools whose value is as bad as its
/// own or worse (`__as_bad`) is at most `quantile` (a boundary share included) — and it is worse
/// than the median. Ties count against the school: when many schools share a value (two
/// vacancies, no markers), they are all in the worst quarter or none of them is.
fn actual_rule(q: f64) -> Expr {
    let worse_is_high = col("__dir").eq(lit(-1.0));
    let v = || col("value");
    let worse_than_median = when(worse_is_high.clone()).then(v().gt(col("median"))).otherwise(v().lt(col("median")));
    let by_share = col("__as_bad").lt_eq(lit(q + 1e-12)).and(worse_than_median);
    let by_threshold = when(worse_is_high).then(v().gt_eq(col("__thr"))).otherwise(v().lt_eq(col("__thr")));
    when(col("__thr").is_not_null()).then(by_threshold).otherwise(by_share)
}

/// Per row, the share of the factor's values as bad as the row's or worse (ties included).
fn as_bad(by_factor: &[Expr]) -> PolarsResult<Expr> {
    let n = col("value").count().over(by_factor)?.cast(DataType::Float64);
    let rank = |descending: bool| col("value").rank(RankOptions { method: RankMethod::Max, descending }, None).over(by_factor);
    Ok(when(col("__dir").eq(lit(-1.0))).then(rank(true)?.cast(DataType::Float64) / n.clone()).otherwise(rank(false)?.cast(DataType::Float64) / n).alias("__as_bad"))
}

/// The catalogue as a small table: factor, __dir (+1: more is better; −1: more is worse),
/// __w, __thr.
fn catalogue(config: &Config) -> PolarsResult<DataFrame> {
    let f = || config.risk.factors.iter().filter(|(_, f)| f.weight > 0.0);
    df!(
        "factor" => f().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        "__dir" => f().map(|(_, f)| if f.direction == Direction::Plus { 1.0 } else { -1.0 }).collect::<Vec<_>>(),
        "__w" => f().map(|(_, f)| f.weight).collect::<Vec<_>>(),
        "__thr" => f().map(|(_, f)| f.threshold).collect::<Vec<_>>(),
    )
}

pub fn compute(i: &Inputs, config: &Config) -> PolarsResult<Profiles> {
    let mut parts = Vec::new();
    let mut not_evaluated = Vec::new();
    for (key, f) in config.risk.factors.iter().filter(|(_, f)| f.weight > 0.0) {
        match values(i, f, config)? {
            Some(lf) => parts.push(lf.select([col("school_id"), lit(key.as_str()).alias("factor"), col("value").cast(DataType::Float64)])),
            None => not_evaluated.push(key.clone()),
        }
    }
    let q = config.risk.quantile;
    let computed = match parts.is_empty() {
        true => DataFrame::new_infer_height(vec![
            Column::new("school_id".into(), Vec::<String>::new()),
            Column::new("factor".into(), Vec::<String>::new()),
            Column::new("value".into(), Vec::<f64>::new()),
        ])?
        .lazy(),
        false => concat(parts, UnionArgs::default())?.collect()?.lazy(),
    };
    // A factor whose data gave no value for any school (an empty or text column) is not
    // evaluated either.
    let present = computed.clone().select([col("factor")]).unique(None, UniqueKeepStrategy::Any).collect()?;
    let present: Vec<String> = present.column("factor")?.str()?.iter().flatten().map(str::to_string).collect();
    let empty: Vec<String> = config.risk.factors.iter().filter(|(k, f)| f.weight > 0.0 && !present.contains(k) && !not_evaluated.contains(k)).map(|(k, _)| k.clone()).collect();
    not_evaluated.extend(empty);
    not_evaluated.sort();
    let by_factor = [col("factor")];
    let computed = computed
        .join(catalogue(config)?.lazy(), [col("factor")], [col("factor")], JoinArgs::new(JoinType::Inner))
        .sort(["factor", "school_id"], SortMultipleOptions::default())
        .with_columns([col("value").median().over(by_factor.clone())?.alias("median"), as_bad(&by_factor)?])
        .with_column(actual_rule(q).alias("actual"));
    let all = with_selfdiagnosis(computed, i.selfdiagnosis, config)?;
    let factors = all
        .select([col("school_id"), col("factor"), col("value"), col("median"), col("level"), col("actual")])
        .sort(["school_id", "factor"], SortMultipleOptions::default())
        .collect()?;
    let weights = catalogue(config)?.lazy().select([col("factor"), col("__w")]);
    let schools = factors
        .clone()
        .lazy()
        .join(weights, [col("factor")], [col("factor")], JoinArgs::new(JoinType::Inner))
        .sort(["school_id", "factor"], SortMultipleOptions::default())
        .group_by_stable([col("school_id")])
        .agg([
            (lit(100.0) * (col("__w") * col("actual").cast(DataType::Float64)).sum() / col("__w").sum()).alias("risk_index"),
            col("actual").cast(DataType::Int64).sum().alias("risk_factors"),
            len().cast(DataType::Int64).alias("risk_known"),
        ])
        .collect()?;
    Ok(Profiles { factors, schools, not_evaluated })
}

/// The computed factors with the self-diagnosis over them: a school's level replaces the
/// computed «актуален» (and adds the factor where nothing was computed). The self-diagnosis
/// table (school_id, factor, level, actual) holds known schools, factors and levels only (its
/// reader checked them); factors with weight 0 are left out.
fn with_selfdiagnosis(computed: LazyFrame, selfdiagnosis: Option<&DataFrame>, config: &Config) -> PolarsResult<LazyFrame> {
    let Some(sd) = selfdiagnosis else {
        return Ok(computed.with_column(lit(NULL).cast(DataType::String).alias("level")));
    };
    let sd = sd
        .clone()
        .lazy()
        .select([col("school_id"), col("factor"), col("level"), col("actual").alias("__self")])
        .join(catalogue(config)?.lazy().select([col("factor")]), [col("factor")], [col("factor")], JoinArgs::new(JoinType::Inner));
    let medians = computed.clone().group_by([col("factor")]).agg([col("median").first()]);
    let joined = computed
        .join(sd, [col("school_id"), col("factor")], [col("school_id"), col("factor")], JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns))
        .drop(cols(["median"]))
        .join(medians, [col("factor")], [col("factor")], JoinArgs::new(JoinType::Left))
        .with_column(when(col("__self").is_not_null()).then(col("__self")).otherwise(col("actual")).alias("actual"));
    Ok(joined)
}

#[cfg(test)]
mod tests;
