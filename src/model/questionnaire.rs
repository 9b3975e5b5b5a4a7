//! Family questionnaires (§3.3): per family with yes/no answers, or per school shares. Both end
//! in the long table school_id × indicator with respondents and share, for the latest year.

use polars::prelude::*;

use super::checks::{apply_checks, check, ensure_columns, join_register, require_columns, warn_cells};
use super::clean::{codes_of, parse_numbers, text, with_answers, PLACEHOLDERS};
use super::report::{InputReport, Reason};
use crate::config::{Config, InputSpec, Layout};
use crate::ingest::RawFrame;

/// Prefix of indicator columns in the raw frame.
pub const IND_PREFIX: &str = "ind:";

/// Canonical/alias pairs for the questionnaire matcher: every indicator's columns.
pub fn indicator_aliases(config: &Config) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for (name, ind) in &config.isbsh.indicators {
        let canon = format!("{IND_PREFIX}{name}");
        v.push((canon.clone(), name.clone()));
        for c in &ind.columns {
            v.push((canon.clone(), c.clone()));
        }
    }
    v
}

pub struct Built {
    /// school_id, year, indicator, respondents, share, families.
    pub table: DataFrame,
}

/// What one table (or one block of a large file) of questionnaires gave.
pub struct Partial {
    per_school: bool,
    /// The indicators and their columns (`ind:<name>`).
    indicators: Vec<(String, String)>,
    /// Per family: school_id, year, families, `n:<col>` (answers), `y:<col>` (yes). Per school:
    /// the rows that pass, with school_id, year, respondents and the shares.
    table: DataFrame,
}

/// Checks one table (or block) of questionnaires and sums it by school and year.
pub fn build_block(raw: RawFrame, config: &Config, spec: &InputSpec, register_ids: Option<&Series>, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<Partial>> {
    let indicators: Vec<String> = config
        .isbsh
        .indicators
        .iter()
        .filter(|(_, i)| i.weight > 0.0)
        .map(|(n, _)| n.clone())
        .filter(|n| raw.df.column(&format!("{IND_PREFIX}{n}")).is_ok())
        .collect();
    require_columns(report, &raw.df, &["school_id"]);
    if indicators.is_empty() {
        report.fatal(
            "no_indicators",
            None,
            tr!(
                "ни один столбец не распознан как показатель анкеты (isbsh.indicators.*.columns)",
                "no column is recognised as a questionnaire indicator (isbsh.indicators.*.columns)"
            ),
        );
    }
    if report.fatal {
        return Ok(None);
    }
    let per_school = match spec.layout {
        Layout::School => true,
        Layout::Family | Layout::Student => false,
        Layout::Auto | Layout::Wide => raw.df.column("respondents").is_ok(),
    };
    report.layout = Some(if per_school {
        tr!("доли по школам", "shares per school")
    } else {
        tr!("по семьям", "per family")
    });
    let has_year = raw.df.column("year").is_ok() || spec.year.is_some();
    if !per_school {
        return per_family(raw.df, &indicators, config, spec, has_year, register_ids, report, max_problems);
    }
    let df = super::checks::categoricals_as_text(raw.df)?;
    let mut df = ensure_columns(df, &["year", "school_id", "respondents"])?;
    if let Some(y) = spec.year {
        df = df.lazy().with_column(lit(y.to_string()).alias("year")).collect()?;
    }
    let ind_cols: Vec<String> = indicators.iter().map(|n| format!("{IND_PREFIX}{n}")).collect();
    // Every number parsed once per distinct value.
    let mut numbers: Vec<&str> = ind_cols.iter().map(String::as_str).collect();
    numbers.push("respondents");
    let df = parse_numbers(df, &numbers, Some("year"))?;
    let lf = df.lazy().with_column(text("school_id").alias("school_id"));
    let lf = join_register(lf, register_ids);
    let num = |c: &str| col(format!("__num_{c}"));
    let not_numeric = |c: &str| col(format!("__has_{c}")).and(num(c).is_null());
    let mut checks = vec![
        check(col("school_id").is_null(), Reason::BlankId, "school_id"),
        check(lit(has_year).and(col("__year").is_null()), Reason::BadYear, "year"),
    ];
    // A social passport: one row a school with the share of each indicator.
    let maxima = lf.clone().select(ind_cols.iter().map(|c| num(c).max().alias(c.as_str())).collect::<Vec<_>>()).collect()?;
    let mut scales: Vec<f64> = Vec::new();
    for c in &ind_cols {
        let m = maxima.column(c)?.f64()?.get(0).unwrap_or(0.0);
        // Values above 1 mean the column holds percentages.
        let scale = if m > 1.0 { 100.0 } else { 1.0 };
        scales.push(scale);
        checks.push(check(not_numeric(c), Reason::BadCount, c.as_str()));
        checks.push(check(num(c).lt(lit(0.0)).or((num(c) / lit(scale)).gt(lit(1.0 + 1e-9))), Reason::ShareOutOfRange, c.as_str()));
    }
    checks.push(check(not_numeric("respondents").or(num("respondents").lt(lit(0.0))), Reason::BadCount, "respondents"));
    checks.push(check(col("__known").is_null(), Reason::UnknownSchool, "school_id"));
    let good = apply_checks(report, lf, checks, max_problems)?;
    let pairs: Vec<(String, String)> = indicators.into_iter().zip(ind_cols.iter().cloned()).collect();
    let mut keep: Vec<Expr> = vec![col("school_id"), col("__year").alias("year"), num("respondents").cast(DataType::Int64).alias("respondents")];
    for ((_, c), scale) in pairs.iter().zip(scales.iter()) {
        keep.push((num(c) / lit(*scale)).alias(c.as_str()));
    }
    let table = good.lazy().select(keep).collect()?;
    Ok(Some(Partial { per_school, indicators: pairs, table }))
}

/// Per family: the school of each row and the answers are looked up once per distinct value
/// (they are few), the rows checked, and the answers summed by school and year.
#[allow(clippy::too_many_arguments)]
fn per_family(df: DataFrame, indicators: &[String], config: &Config, spec: &InputSpec, has_year: bool, register_ids: Option<&Series>, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<Partial>> {
    let mut df = ensure_columns(df, &["year", "school_id"])?;
    if let Some(y) = spec.year {
        df = df.lazy().with_column(lit(y.to_string()).alias("year")).collect()?;
    }
    let df = parse_numbers(df, &[], Some("year"))?;
    // The school of each code: its id as written (trimmed; a placeholder is no id) and whether
    // the register knows it.
    let (code, mapping) = codes_of(&df, "school_id");
    let df = df.lazy().with_column(code.alias("__sc")).collect()?;
    let n = mapping.num_cats_upper_bound();
    let mut ids: Vec<Option<String>> = (0..n)
        .map(|i| u32::try_from(i).ok().and_then(|i| mapping.cat_to_str(i)).map(|t| t.trim().to_string()).filter(|t| !t.is_empty() && !PLACEHOLDERS.contains(&t.as_str())))
        .collect();
    ids.push(None);
    let ids = DataFrame::new_infer_height(vec![Column::new("school_id".into(), ids)])?;
    let known = join_register(ids.clone().lazy(), register_ids).collect()?;
    let id_of = known.column("school_id")?.as_materialized_series().clone();
    let known_of = known.column("__known")?.as_materialized_series().clone();
    let lf = df.lazy().with_columns([
        lit(id_of).gather(col("__sc"), false).alias("school_id"),
        lit(known_of).gather(col("__sc"), false).alias("__known"),
    ]);
    let checks = vec![
        check(col("school_id").is_null(), Reason::BlankId, "school_id"),
        check(lit(has_year).and(col("__year").is_null()), Reason::BadYear, "year"),
        check(col("__known").is_null(), Reason::UnknownSchool, "school_id"),
    ];
    let good = apply_checks(report, lf, checks, max_problems)?;
    let pairs: Vec<(String, String)> = indicators.iter().map(|n| (n.clone(), format!("{IND_PREFIX}{n}"))).collect();
    let specs: Vec<(&str, Vec<String>, Vec<String>)> = pairs
        .iter()
        .map(|(name, c)| {
            let ind = config.isbsh.indicators.get(name);
            let (yes, no) = ind.map(|i| (i.yes.clone(), i.no.clone())).unwrap_or_default();
            (c.as_str(), yes, no)
        })
        .collect();
    let answered = with_answers(good, &specs, "__ans:")?;
    for (_, c) in &pairs {
        warn_cells(
            report,
            &answered,
            col(c.as_str()).is_not_null().and(col(format!("__ans:{c}")).is_null()),
            c,
            "unrecognised_answer",
            tr!("ответ не распознан как да/нет — считается пустым", "answer not recognised as yes/no — read as blank"),
            max_problems,
        )?;
    }
    let mut aggs: Vec<Expr> = vec![len().cast(DataType::Int64).alias("families"), col("school_id").first()];
    for (_, c) in &pairs {
        let a = col(format!("__ans:{c}"));
        aggs.push(a.clone().count().cast(DataType::Int64).alias(format!("n:{c}")));
        aggs.push(a.sum().alias(format!("y:{c}")));
    }
    let table = answered
        .lazy()
        .group_by([col("__sc"), col("__year").alias("year")])
        .agg(aggs)
        .drop(cols(["__sc"]))
        .collect()?;
    Ok(Some(Partial { per_school: false, indicators: pairs, table }))
}

/// The questionnaires of one file, from its blocks: the latest year (earlier rows are set aside
/// and counted), each indicator's share per school.
pub fn finish(parts: Vec<Partial>, report: &mut InputReport) -> PolarsResult<Option<Built>> {
    let Some(first) = parts.first() else { return Ok(None) };
    let (per_school, indicators) = (first.per_school, first.indicators.clone());
    let tables: Vec<LazyFrame> = parts.into_iter().map(|p| p.table.lazy()).collect();
    let all = concat(tables, UnionArgs::default())?;
    let all = if per_school {
        all.collect()?
    } else {
        let mut sums: Vec<Expr> = vec![col("families").sum()];
        for (_, c) in &indicators {
            sums.push(col(format!("n:{c}")).sum());
            sums.push(col(format!("y:{c}")).sum());
        }
        all.group_by([col("school_id"), col("year")]).agg(sums).collect()?
    };
    // The questionnaire year is the latest year present; earlier rows are set aside.
    let latest = all.column("year")?.i32()?.max();
    let all = match latest {
        Some(y) => {
            let counted = if per_school { len().cast(DataType::Int64) } else { col("families").sum().cast(DataType::Int64) };
            let old = all.clone().lazy().filter(col("year").lt(lit(y))).select([counted.alias("n")]).collect()?;
            let n = old.column("n")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
            report.move_to_excluded(Reason::OldQuestionnaireYear, n);
            all.lazy().filter(col("year").eq(lit(y))).collect()?
        }
        None => all,
    };
    let mut parts: Vec<LazyFrame> = Vec::new();
    for (name, c) in &indicators {
        if per_school {
            parts.push(
                all.clone()
                    .lazy()
                    .select([
                        col("school_id"),
                        col("year"),
                        lit(name.as_str()).alias("indicator"),
                        col("respondents"),
                        col(c.as_str()).alias("share"),
                        col("respondents").alias("families"),
                    ])
                    .filter(col("share").is_not_null()),
            );
        } else {
            let n = format!("n:{c}");
            let y = format!("y:{c}");
            parts.push(all.clone().lazy().select([
                col("school_id"),
                col("year"),
                lit(name.as_str()).alias("indicator"),
                col(n.as_str()).alias("respondents"),
                when(col(n.as_str()).gt(lit(0i64)))
                    .then(col(y.as_str()) / col(n.as_str()).cast(DataType::Float64))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("share"),
                col("families"),
            ]));
        }
    }
    let table = concat(parts, UnionArgs::default())?
        .sort(["school_id", "indicator"], SortMultipleOptions::default())
        .collect()?;
    Ok(Some(Built { table }))
}
