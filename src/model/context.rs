//! Optional per-school context indicators (§3.4): any numeric columns joined on school_id.

use polars::prelude::*;

use super::checks::{apply_checks, check, extra_columns, join_register, require_columns, warn_cells};
use super::clean::{parse_numbers, text};
use super::report::{InputReport, Reason};
use crate::ingest::{RawFrame, ROW_COL};

pub fn build(raw: RawFrame, register_ids: Option<&Series>, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<DataFrame>> {
    require_columns(report, &raw.df, &["school_id"]);
    if report.fatal {
        return Ok(None);
    }
    let extras = extra_columns(&raw.df, &["school_id"]);
    let lf = raw.df.lazy().with_column(text("school_id").alias("school_id"));
    let lf = join_register(lf, register_ids).with_column(
        col(ROW_COL).cum_count(false).over([col("school_id")])?.alias("__dup"),
    );
    let checks = vec![
        check(col("school_id").is_null(), Reason::BlankId, "school_id"),
        check(col("__known").is_null(), Reason::UnknownSchool, "school_id"),
        check(col("__dup").gt(lit(1u32)), Reason::DuplicateId, "school_id"),
    ];
    let good = apply_checks(report, lf, checks, max_problems)?;
    // Every number parsed once per distinct value.
    let names: Vec<&str> = extras.iter().map(String::as_str).collect();
    let good = parse_numbers(good, &names, None)?;
    let num = |c: &str| col(format!("__num_{c}"));
    let mut select = vec![col("school_id")];
    for e in &extras {
        let numeric = good.clone().lazy().select([num(e).count().alias("n")]).collect()?;
        let n = numeric.column("n")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
        if n == 0 {
            report.unknown_columns.push(e.clone());
            report.mapped.retain(|m| &m.canonical != e);
            continue;
        }
        warn_cells(
            report,
            &good,
            col(format!("__has_{e}")).and(num(e).is_null()),
            e,
            "bad_number",
            tr!("значение не число — прочитано как пустое", "value is not a number — read as blank"),
            max_problems,
        )?;
        select.push(num(e).alias(e.as_str()));
    }
    let out = good
        .lazy()
        .select(select)
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    Ok(Some(out))
}
