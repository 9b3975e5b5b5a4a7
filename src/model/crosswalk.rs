//! The crosswalk file (§3.2): ids or names of schools in another source → register ids. Checked
//! like any input (blank or unknown register id, neither a source id nor a source name, a source
//! given twice), then kept as two small maps.

use polars::prelude::*;

use super::checks::{apply_checks, check, ensure_columns, join_register, require_columns};
use super::clean::text;
use super::names::Crosswalk;
use super::report::{InputReport, Reason};
use crate::ingest::{RawFrame, ROW_COL};

pub fn build(raw: RawFrame, register_ids: Option<&Series>, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<Crosswalk>> {
    require_columns(report, &raw.df, &["school_id"]);
    if raw.df.column("source_id").is_err() && raw.df.column("source_name").is_err() {
        report.fatal(
            "missing_column",
            Some("source_id"),
            tr!(
                "нет ни столбца идентификатора в источнике («source_id»), ни столбца названия в источнике («source_name»)",
                "neither a source id column ('source_id') nor a source name column ('source_name')"
            ),
        );
    }
    if report.fatal {
        return Ok(None);
    }
    let df = ensure_columns(raw.df, &["source_id", "source_name", "municipality"])?;
    let lf = df.lazy().with_columns([
        text("school_id").alias("school_id"),
        text("source_id").alias("source_id"),
        text("source_name").alias("source_name"),
        text("municipality").alias("municipality"),
    ]);
    let first = |c: &[&str]| -> PolarsResult<Expr> {
        let by: Vec<Expr> = c.iter().map(|c| col(*c)).collect();
        Ok(col(c[0]).is_not_null().and(col(ROW_COL).cum_count(false).over(by)?.gt(lit(1u32))))
    };
    let lf = join_register(lf, register_ids)
        .with_columns([first(&["source_id"])?.alias("__dup_id"), first(&["source_name", "municipality"])?.alias("__dup_name")]);
    let checks = vec![
        check(col("school_id").is_null(), Reason::BlankId, "school_id"),
        check(col("source_id").is_null().and(col("source_name").is_null()), Reason::NoSource, "source_id"),
        check(col("__known").is_null(), Reason::UnknownSchool, "school_id"),
        check(col("__dup_id"), Reason::DuplicateId, "source_id"),
        check(col("__dup_name"), Reason::DuplicateId, "source_name"),
    ];
    let good = apply_checks(report, lf, checks, max_problems)?;
    let mut cw = Crosswalk::default();
    let ids = good.column("school_id")?.str()?;
    let source_ids = good.column("source_id")?.str()?;
    let source_names = good.column("source_name")?.str()?;
    let places = good.column("municipality")?.str()?;
    for (((id, sid), sname), place) in ids.iter().zip(source_ids.iter()).zip(source_names.iter()).zip(places.iter()) {
        let Some(id) = id else { continue };
        if let Some(sid) = sid {
            cw.by_id.entry(sid.to_string()).or_insert_with(|| id.to_string());
        }
        if let Some(name) = sname {
            let key = (super::names::normalize(name), place.map(super::names::normalize_place).unwrap_or_default());
            cw.by_name.entry(key).or_insert_with(|| id.to_string());
        }
    }
    Ok(Some(cw))
}
