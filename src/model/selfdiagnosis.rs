//! The schools' self-diagnosis of risk factors (§4.9, the 500+ practice): a school's own level
//! of each factor, which overrides the computed one. Two shapes: long (school, factor, level —
//! a row per school × factor) and wide (a row per school, a column per factor named as in
//! `risk.factors`). Factors and levels are told by the catalogue (each distinct value looked up
//! once); rows are checked as columns.

use polars::prelude::*;

use super::checks::{apply_checks, check, extra_columns, join_register, warn_cells};
use super::clean::text;
use super::report::{InputReport, Reason, Severity};
use crate::config::Config;
use crate::ingest::{RawFrame, ROW_COL};

/// school_id, factor (catalogue key), level (as written), actual — or None when the file gives
/// nothing usable (its problems are in the report).
pub fn build(raw: RawFrame, register_ids: Option<&Series>, config: &Config, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<DataFrame>> {
    if raw.df.column("school_id").is_err() {
        super::checks::require_columns(report, &raw.df, &["school_id"]);
        return Ok(None);
    }
    let long = raw.df.column("factor").is_ok() && raw.df.column("level").is_ok();
    let out = if long { build_long(raw.df, register_ids, config, report, max_problems)? } else { build_wide(raw.df, register_ids, config, report, max_problems)? };
    Ok(out.map(|df| df.sort(["school_id", "factor"], SortMultipleOptions::default())).transpose()?)
}

/// The distinct texts of `column` (nulls left out).
fn distinct(df: &DataFrame, column: &str) -> PolarsResult<Vec<String>> {
    let d = df.column(column)?.as_materialized_series().cast(&DataType::String)?.unique_stable()?;
    Ok(d.str()?.iter().flatten().map(str::to_string).collect())
}

/// Each distinct factor text → its catalogue key (`__key`, null when unknown).
fn factor_keys(df: &DataFrame, config: &Config) -> PolarsResult<DataFrame> {
    let texts = distinct(df, "factor")?;
    let keys: Vec<Option<String>> = texts.iter().map(|t| config.risk.factor_by_name(t).map(str::to_string)).collect();
    DataFrame::new_infer_height(vec![Column::new("factor".into(), texts), Column::new("__key".into(), keys)])
}

/// Each distinct level text of `column` → actual or not (`actual`, null when unknown).
fn level_values(df: &DataFrame, column: &str, config: &Config) -> PolarsResult<DataFrame> {
    let texts = distinct(df, column)?;
    let actual: Vec<Option<bool>> = texts.iter().map(|t| config.risk.level(t)).collect();
    DataFrame::new_infer_height(vec![Column::new(column.into(), texts), Column::new("actual".into(), actual)])
}

fn build_long(df: DataFrame, register_ids: Option<&Series>, config: &Config, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<DataFrame>> {
    let df = df.lazy().with_columns([text("school_id").alias("school_id"), text("factor").str().strip_chars(lit(NULL)).alias("factor"), text("level").str().strip_chars(lit(NULL)).alias("level")]).collect()?;
    let factors = factor_keys(&df, config)?;
    let levels = level_values(&df, "level", config)?.lazy().rename(["actual"], ["__actual"], true);
    let lf = join_register(df.lazy(), register_ids)
        .join(factors.lazy(), [col("factor")], [col("factor")], JoinArgs::new(JoinType::Left))
        .join(levels, [col("level")], [col("level")], JoinArgs::new(JoinType::Left))
        .with_column(col(ROW_COL).cum_count(false).over([col("school_id"), col("__key")])?.alias("__dup"));
    let checks = vec![
        check(col("school_id").is_null(), Reason::BlankId, "school_id"),
        check(col("__known").is_null(), Reason::UnknownSchool, "school_id"),
        check(col("__key").is_null(), Reason::UnknownFactor, "factor"),
        check(col("__actual").is_null(), Reason::UnknownLevel, "level"),
        check(col("__dup").gt(lit(1u32)), Reason::DuplicateId, "factor"),
    ];
    let good = apply_checks(report, lf, checks, max_problems)?;
    Ok(Some(good.lazy().select([col("school_id"), col("__key").alias("factor"), col("level"), col("__actual").alias("actual")]).collect()?))
}

fn build_wide(df: DataFrame, register_ids: Option<&Series>, config: &Config, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<DataFrame>> {
    let risk = &config.risk;
    let mut columns: Vec<(String, String)> = Vec::new();
    for c in extra_columns(&df, &["school_id", "factor", "level"]) {
        match risk.factor_by_name(&c) {
            Some(key) => columns.push((c, key.to_string())),
            None => report.unknown_columns.push(c),
        }
    }
    if columns.is_empty() {
        report.problem(
            Severity::Fatal,
            "no_factors",
            None,
            None,
            None,
            tr!(
                "нет ни столбцов «Фактор риска» и «Уровень», ни столбцов с названиями факторов из risk.factors — самодиагностику не из чего прочитать",
                "neither the columns «Фактор риска» and «Уровень» nor columns named as the factors of risk.factors — nothing to read the self-diagnosis from"
            ),
        );
        return Ok(None);
    }
    let lf = join_register(df.lazy().with_column(text("school_id").alias("school_id")), register_ids).with_column(col(ROW_COL).cum_count(false).over([col("school_id")])?.alias("__dup"));
    let checks = vec![
        check(col("school_id").is_null(), Reason::BlankId, "school_id"),
        check(col("__known").is_null(), Reason::UnknownSchool, "school_id"),
        check(col("__dup").gt(lit(1u32)), Reason::DuplicateId, "school_id"),
    ];
    let good = apply_checks(report, lf, checks, max_problems)?;
    let mut parts = Vec::new();
    for (c, key) in &columns {
        let cell = good.clone().lazy().select([col(ROW_COL), col("school_id"), text(c).str().strip_chars(lit(NULL)).alias("level")]).filter(col("level").is_not_null()).collect()?;
        let levels = level_values(&cell, "level", config)?;
        let cell = cell.lazy().join(levels.lazy(), [col("level")], [col("level")], JoinArgs::new(JoinType::Left)).collect()?;
        let cell = cell.lazy().rename(["level"], [c.as_str()], true).collect()?;
        warn_cells(report, &cell, col("actual").is_null(), c, "unknown_level", Reason::UnknownLevel.label(), max_problems)?;
        parts.push(cell.lazy().filter(col("actual").is_not_null()).select([col("school_id"), lit(key.as_str()).alias("factor"), col(c.as_str()).alias("level"), col("actual")]));
    }
    Ok(Some(concat(parts, UnionArgs::default())?.collect()?))
}
