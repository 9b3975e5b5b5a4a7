//! The school register (§3.1).

use polars::prelude::*;

use super::checks::{apply_checks, check, ensure_columns, extra_columns, require_columns, warn_cells};
use super::clean::{parse_numbers, text};
use super::report::{InputReport, Reason, Severity};
use crate::ingest::{RawFrame, ROW_COL};

const BASE: &[&str] = &["school_id", "name", "municipality", "school_type", "locality", "students"];

/// Builds the canonical register: school_id, name, municipality, school_type, locality,
/// students, then every numeric extra column (usable as a context indicator by name).
/// Returns None when a fatal problem was recorded.
pub fn build(raw: RawFrame, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<DataFrame>> {
    require_columns(report, &raw.df, &["school_id", "name", "municipality"]);
    if report.fatal {
        return Ok(None);
    }
    let extras = extra_columns(&raw.df, BASE);
    let df = ensure_columns(raw.df, BASE)?;
    let good = apply_checks(
        report,
        df.lazy().with_columns([text("school_id").alias("school_id")]),
        vec![check(col("school_id").is_null(), Reason::BlankId, "school_id")],
        max_problems,
    )?;

    if fatal_duplicates(&good, report, max_problems)? {
        return Ok(None);
    }
    // Every number parsed once per distinct value.
    let mut numbers: Vec<&str> = vec!["students"];
    numbers.extend(extras.iter().map(String::as_str));
    let good = parse_numbers(good, &numbers, None)?;
    let num = |c: &str| col(format!("__num_{c}"));
    let not_numeric = |c: &str| col(format!("__has_{c}")).and(num(c).is_null());
    for c in ["name", "municipality"] {
        warn_cells(
            report,
            &good,
            text(c).is_null(),
            c,
            "blank_cell",
            tr!("пустое значение", "blank value"),
            max_problems,
        )?;
    }
    warn_cells(
        report,
        &good,
        not_numeric("students").or(num("students").lt(lit(0.0))),
        "students",
        "bad_number",
        tr!("численность не число — прочитана как пустая", "enrolment is not a number — read as blank"),
        max_problems,
    )?;

    let keep_extras = numeric_extras(&good, &extras, report)?;
    let mut select = vec![
        col("school_id"),
        text("name").alias("name"),
        text("municipality").alias("municipality"),
        text("school_type").alias("school_type"),
        text("locality").alias("locality"),
        num("students").cast(DataType::Int64).alias("students"),
    ];
    for e in &keep_extras {
        select.push(num(e).alias(e.as_str()));
    }
    let out = good
        .lazy()
        .select(select)
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    if out.height() == 0 {
        report.fatal(
            "no_schools",
            None,
            tr!("в реестре нет ни одной школы", "the register has no schools"),
        );
        return Ok(None);
    }
    Ok(Some(out))
}

/// Duplicate ids are fatal: the register defines the schools. Lists them; gives whether there
/// were any.
fn fatal_duplicates(good: &DataFrame, report: &mut InputReport, max_problems: usize) -> PolarsResult<bool> {
    let dups = good
        .clone()
        .lazy()
        .with_column(col(ROW_COL).cum_count(false).over([col("school_id")])?.alias("__k"))
        .filter(col("__k").gt(lit(1u32)))
        .sort([ROW_COL], SortMultipleOptions::default())
        .collect()?;
    if dups.height() > 0 {
        let rows = dups.column(ROW_COL)?.cast(&DataType::UInt64)?;
        let ids = dups.column("school_id")?.str()?.clone();
        let src = report.source_column("school_id");
        for (row, id) in rows.u64()?.iter().zip(ids.iter()).take(max_problems) {
            report.problem(
                Severity::Fatal,
                Reason::DuplicateId.code(),
                row,
                src.as_deref(),
                id.map(str::to_string),
                tr!(
                    "идентификатор ОО повторяется в реестре — у каждой школы должен быть свой",
                    "school id repeats in the register — every school needs its own"
                ),
            );
        }
        report.problems_not_listed += (dups.height() as u64).saturating_sub(max_problems as u64);
        return Ok(true);
    }
    Ok(false)
}

/// Extra columns are kept when they hold numbers (≥ 90 % of filled cells); the others are
/// listed as unknown.
fn numeric_extras(good: &DataFrame, extras: &[String], report: &mut InputReport) -> PolarsResult<Vec<String>> {
    let num = |c: &str| col(format!("__num_{c}"));
    let mut keep_extras: Vec<String> = Vec::new();
    for e in extras {
        let stats = good
            .clone()
            .lazy()
            .select([
                col(format!("__has_{e}")).sum().alias("filled"),
                num(e).count().alias("numeric"),
            ])
            .collect()?;
        let filled = stats.column("filled")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
        let numeric = stats.column("numeric")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
        if numeric > 0 && numeric * 10 >= filled * 9 {
            keep_extras.push(e.clone());
        } else {
            report.unknown_columns.push(e.clone());
            report.mapped.retain(|m| &m.canonical != e);
        }
    }
    Ok(keep_extras)
}
