//! Row checks as expressions, and the accounting that turns them into counts by reason and
//! located problems. Only a capped sample of problem rows ever leaves polars.

use polars::prelude::*;

use super::clean::null_str;
use super::report::{InputReport, Reason, Severity};
use crate::ingest::{RawFrame, ROW_COL};

pub const REASON_COL: &str = "__reason";

/// One check: rows where `bad` is true are excluded for `reason`, naming `column`.
pub struct Check {
    pub bad: Expr,
    pub reason: Reason,
    pub column: String,
}

pub fn check(bad: Expr, reason: Reason, column: impl Into<String>) -> Check {
    Check {
        bad,
        reason,
        column: column.into(),
    }
}

/// Evaluates the checks over whole columns (the first failing check of each row gives its
/// reason, as a small integer code), accounts for the excluded rows and returns the rows that pass.
pub fn apply_checks(report: &mut InputReport, lf: LazyFrame, checks: Vec<Check>, max_problems: usize) -> PolarsResult<DataFrame> {
    apply_checks_keeping(report, lf, checks, max_problems, None)
}

/// [`apply_checks`] that returns only the columns `keep` of the passing rows (the others are
/// never copied).
pub fn apply_checks_keeping(report: &mut InputReport, lf: LazyFrame, checks: Vec<Check>, max_problems: usize, keep: Option<&[&str]>) -> PolarsResult<DataFrame> {
    let table: Vec<(Reason, String)> = checks.iter().map(|c| (c.reason, c.column.clone())).collect();
    let mut e = lit(NULL).cast(DataType::UInt32);
    for (i, c) in checks.into_iter().enumerate().rev() {
        e = when(c.bad.fill_null(lit(false))).then(lit(i as u32)).otherwise(e);
    }

    let checked = lf.with_column(e.alias(REASON_COL)).collect()?;

    account_rows(report, checked, &table, max_problems, keep)
}

/// Records what the reader itself excluded or flagged (ragged rows, invalid UTF-8, empty rows).
pub fn account_reader(report: &mut InputReport, raw: &RawFrame, max_problems: usize) {
    report.source = raw.info.clone();
    report.mapped = raw.mapped.clone();
    let (tasks, unknown): (Vec<&String>, Vec<&String>) = raw.unknown.iter().partition(|h| crate::ingest::headers::is_task_header(h));
    report.unknown_columns = unknown.into_iter().cloned().collect();
    report.task_columns = tasks.len() as u64;
    // A large file comes block by block: the counts add up, the lists stay within their caps.
    report.rows_read += raw.rows_read;
    report.empty_rows += raw.empty_rows;
    let listed = |report: &InputReport, code: &str| report.problems.iter().filter(|p| p.code == code).count();
    let room = max_problems.saturating_sub(listed(report, Reason::RaggedRow.code()));
    report.exclude(Reason::RaggedRow, raw.ragged.len() as u64);
    for (row, got, want) in raw.ragged.iter().take(room) {
        report.problem(
            Severity::Excluded,
            Reason::RaggedRow.code(),
            Some(*row),
            None,
            None,
            tr!(
                "{} ({got} вместо {want}) — строка исключена",
                "{} ({got} instead of {want}) — row excluded",
                Reason::RaggedRow.label()
            ),
        );
    }
    report.problems_not_listed += raw.ragged.len().saturating_sub(room) as u64;
    let room = max_problems.saturating_sub(listed(report, "invalid_utf8"));
    for row in raw.bad_utf8_rows.iter().take(room) {
        report.problem(
            Severity::Warning,
            "invalid_utf8",
            Some(*row),
            None,
            None,
            tr!(
                "недопустимые байты UTF-8 заменены символом «�»",
                "invalid UTF-8 bytes replaced by '�'"
            ),
        );
    }
    report.problems_not_listed += raw.bad_utf8_rows.len().saturating_sub(room) as u64;
    if let Some(w) = &raw.wide {
        for (sheet, why) in &w.passed_over {
            report.problem_in(Some(sheet), Severity::Note, "sheet_passed_over", None, None, None, tr!("лист не прочитан: {why}", "sheet not read: {why}"));
        }
        for (sheet, what) in &w.warnings {
            report.problem_in(Some(sheet), Severity::Warning, "wide_layout", None, None, None, what.clone());
        }
        for s in &w.sheets {
            for k in s.skipped.iter().filter(|k| k.kind == crate::layout::SkipKind::NoSchool).take(max_problems) {
                report.problem_in(
                    Some(&s.sheet),
                    Severity::Warning,
                    "row_without_school",
                    Some(k.row),
                    None,
                    None,
                    tr!("в строке есть значения, но нет ни названия, ни кода ОО, ни муниципалитета — строка пропущена", "the row has values but neither a school name, an id nor a municipality — row skipped"),
                );
            }
        }
        report.wide = Some(w.clone());
    }
}

/// Counts the rows excluded by each reason, lists a sample of them with row, column and value,
/// and returns the rows that pass, adding them to `rows_used`. A reason already listed
/// `max_problems` times (in an earlier block of the file) is not listed again.
fn account_rows(report: &mut InputReport, checked: DataFrame, table: &[(Reason, String)], max_problems: usize, keep: Option<&[&str]>) -> PolarsResult<DataFrame> {
    let bad = checked.clone().lazy().filter(col(REASON_COL).is_not_null());
    let counts = bad
        .clone()
        .group_by([col(REASON_COL)])
        .agg([len().alias("n")])
        .sort([REASON_COL], SortMultipleOptions::default())
        .collect()?;
    let codes = counts.column(REASON_COL)?.u32()?.clone();
    let ns = counts.column("n")?.cast(&DataType::UInt64)?;
    let ns = ns.u64()?;
    let mut total_bad = 0u64;
    for (code, n) in codes.iter().zip(ns.iter()) {
        let (Some(code), Some(n)) = (code, n) else { continue };
        if let Some((reason, _)) = table.get(code as usize) {
            report.exclude(*reason, n);
            if !reason.by_design() && !reason.listed_by_name() {
                total_bad += n;
            }
        }
    }

    if total_bad > 0 {
        let sample = bad
            .with_column(col(ROW_COL).cum_count(false).over([col(REASON_COL)])?.alias("__k"))
            .filter(col("__k").lt_eq(lit(max_problems as u32)))
            .sort([ROW_COL], SortMultipleOptions::default())
            .collect()?;
        let rows = sample.column(ROW_COL)?.cast(&DataType::UInt64)?;
        let rows = rows.u64()?;
        let reasons = sample.column(REASON_COL)?.u32()?;
        // A wide form: each record names its sheet and the column of every value.
        let sheets = sample.column(crate::ingest::wide::SHEET_COL).ok().and_then(|c| c.str().ok().cloned());
        let mut listed = 0u64;
        // Listed before (in an earlier block of the same file), by reason code.
        let mut shown: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for p in &report.problems {
            if let Some(r) = Reason::from_code(&p.code) {
                *shown.entry(r.code()).or_default() += 1;
            }
        }
        for (i, (row, code)) in rows.iter().zip(reasons.iter()).enumerate() {
            let Some((reason, column)) = code.and_then(|c| table.get(c as usize)) else { continue };
            if reason.by_design() || reason.listed_by_name() {
                continue;
            }
            let count = shown.entry(reason.code()).or_default();
            if *count >= max_problems {
                continue;
            }
            *count += 1;
            let value = sample.column(column).ok().and_then(|c| cell_text(c, i));
            let per_row = sample.column(&format!("__src_{column}")).ok().and_then(|c| cell_text(c, i));
            let source = per_row.or_else(|| report.source_column(column)).or_else(|| (!column.is_empty()).then(|| column.clone()));
            let sheet = sheets.as_ref().and_then(|s| s.get(i)).map(str::to_string);
            report.problem_in(
                sheet.as_deref(),
                Severity::Excluded,
                reason.code(),
                row,
                source.as_deref(),
                value,
                tr!("{} — строка исключена", "{} — row excluded", reason.label()),
            );
            listed += 1;
        }
        report.problems_not_listed += total_bad.saturating_sub(listed);
    }

    let passing = checked.lazy().filter(col(REASON_COL).is_null());
    let good = match keep {
        Some(names) => passing.select(names.iter().map(|n| col(*n)).collect::<Vec<_>>()),
        None => passing.drop(cols([REASON_COL])),
    }
    .collect()?;
    report.rows_used += good.height() as u64;
    Ok(good)
}

/// A cell as the user wrote it: text as is, a number read as such in its shortest form («7»).
pub(super) fn cell_text(c: &Column, i: usize) -> Option<String> {
    if let DataType::Categorical(_, mapping) = c.dtype() {
        let code = c.as_materialized_series().to_physical_repr().cast(&DataType::UInt32).ok()?;
        return code.u32().ok()?.get(i).and_then(|k| mapping.cat_to_str(k)).map(str::to_string);
    }
    match c.dtype() {
        DataType::String => c.str().ok()?.get(i).map(str::to_string),
        DataType::Float64 => c.f64().ok()?.get(i).map(|v| format!("{v}")),
        _ => None,
    }
}

/// Cell-level warnings (the row is kept, the cell is read as blank): counts and a sample.
pub fn warn_cells(report: &mut InputReport, df: &DataFrame, bad: Expr, column: &str, code: &str, message: String, max_problems: usize) -> PolarsResult<u64> {
    let hits = df
        .clone()
        .lazy()
        .filter(bad.fill_null(lit(false)))
        .select([col(ROW_COL), col(column)])
        .collect()?;
    let n = hits.height() as u64;
    if n == 0 {
        return Ok(0);
    }
    let rows = hits.column(ROW_COL)?.cast(&DataType::UInt64)?;
    let rows = rows.u64()?;
    let vals = hits.column(column)?;
    let source = report.source_column(column).unwrap_or_else(|| column.to_string());
    // At most `max_problems` a column over the file (it may come block by block).
    let listed = report.problems.iter().filter(|p| p.code == code && p.column.as_deref() == Some(source.as_str())).count();
    let room = max_problems.saturating_sub(listed);
    for (i, row) in rows.iter().enumerate().take(room) {
        report.problem(Severity::Warning, code, row, Some(&source), cell_text(vals, i), message.clone());
    }
    report.problems_not_listed += n.saturating_sub(room as u64);
    Ok(n)
}

/// Records a fatal problem for every required canonical column the file lacks, in the user's
/// words, with the file's headers that look like a misspelling of it (or, when none does, the
/// headers the file has).
pub fn require_columns(report: &mut InputReport, df: &DataFrame, required: &[&str]) {
    let missing: Vec<&str> = required.iter().copied().filter(|req| df.column(req).is_err()).collect();
    for req in &missing {
        let msg = missing_column_message(report, req);
        report.fatal("missing_column", Some(req), msg);
    }
    // Every column of its own kind missing, and the register's there: the wrong file was named.
    let own: Vec<&str> = required.iter().copied().filter(|c| *c != "school_id").collect();
    let registerish = ["name", "municipality"].iter().all(|c| df.column(c).is_ok());
    if report.kind != crate::config::InputKind::Schools && !own.is_empty() && own.iter().all(|c| missing.contains(c)) && registerish {
        report.fatal("register_given", None, tr!(
            "файл похож на реестр школ (наименование и муниципалитет есть, а столбцов {} нет): проверьте, тот ли файл указан как «{}»",
            "the file looks like the school register (a name and a municipality, but none of the columns {}): check that the right file is named as '{}'",
            own.join(", "),
            report.kind.label()
        ));
    }
}

/// Headers of the file not taken for a canonical column (unknown ones and those kept under their
/// own name).
fn free_headers(report: &InputReport) -> Vec<String> {
    report
        .unknown_columns
        .iter()
        .cloned()
        .chain(report.mapped.iter().filter(|m| m.canonical == m.source).map(|m| m.source.clone()))
        .collect()
}

/// The file's free headers that look like a misspelling of a canonical column («Отмтека»).
pub fn misspelt_headers(report: &InputReport, canonical: &str) -> Vec<String> {
    super::schema::closest_headers(canonical, &free_headers(report))
}

/// «нет обязательного столбца «Отметка» (mark) — возможно, «Отмтека»?»
pub fn missing_column_message(report: &InputReport, canonical: &str) -> String {
    let words = super::schema::column_words(canonical);
    let free = free_headers(report);
    let close = super::schema::closest_headers(canonical, &free);
    let hint = if !close.is_empty() {
        let list = close.iter().map(|h| format!("«{h}»")).collect::<Vec<_>>().join(", ");
        tr!(
            " — возможно, {list}? Исправьте заголовок или задайте сопоставление в input.columns (синонимы: shnor schema)",
            " — did you mean {list}? Fix the header or map it in input.columns (aliases: shnor schema)"
        )
    } else if !free.is_empty() {
        let list = free.iter().take(12).map(|h| format!("«{h}»")).collect::<Vec<_>>().join(", ");
        tr!(
            "; несопоставленные столбцы файла: {list} — задайте сопоставление в input.columns (синонимы: shnor schema)",
            "; unmapped columns of the file: {list} — map one in input.columns (aliases: shnor schema)"
        )
    } else {
        tr!(" (синонимы: shnor schema)", " (aliases: shnor schema)")
    };
    tr!("нет обязательного столбца {words}{hint}", "required column {words} is missing{hint}")
}

/// Columns of the frame that are not among `known` (nor the row number).
pub fn extra_columns(df: &DataFrame, known: &[&str]) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|s| s.to_string())
        .filter(|n| !known.contains(&n.as_str()) && n != ROW_COL)
        .collect()
}

/// Adds null text columns for canonical columns the file does not have.
pub fn ensure_columns(df: DataFrame, names: &[&str]) -> PolarsResult<DataFrame> {
    let missing: Vec<Expr> = names
        .iter()
        .filter(|n| df.column(n).is_err())
        .map(|n| null_str().alias(*n))
        .collect();
    if missing.is_empty() {
        return Ok(df);
    }
    df.lazy().with_columns(missing).collect()
}

/// Marks rows whose school is in the register (`__known` = true) or not (null).
pub fn join_register(lf: LazyFrame, register_ids: Option<&Series>) -> LazyFrame {
    match register_ids {
        Some(ids) => lf.with_column(
            when(col("school_id").is_in(lit(ids.clone()).implode(false), false))
                .then(lit(true))
                .otherwise(lit(NULL).cast(DataType::Boolean))
                .alias("__known"),
        ),
        None => lf.with_column(lit(true).alias("__known")),
    }
}

/// The frame with its categorical columns as text (for checks written over text).
pub fn categoricals_as_text(df: DataFrame) -> PolarsResult<DataFrame> {
    let cats: Vec<Expr> = df
        .columns()
        .iter()
        .filter(|c| matches!(c.dtype(), DataType::Categorical(_, _)))
        .map(|c| col(c.name().as_str()).cast(DataType::String))
        .collect();
    if cats.is_empty() {
        return Ok(df);
    }
    df.lazy().with_columns(cats).collect()
}
