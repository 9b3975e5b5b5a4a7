//! Results (§3.2): per student aggregated to school × year × procedure, or per school in
//! long form (counts, shares or percentages). Both end in the same aggregate schema.

use polars::prelude::*;

use super::checks::{apply_checks, check, ensure_columns, require_columns, Check};
use super::clean::{codes_of, is_whole, parse_numbers, PLACEHOLDERS};
use super::names::{Crosswalk, How};
pub use super::results_common::{Built, Context, KEY};
use super::results_common::{has, in_rule_order, match_distinct, not_numeric, note_crosswalk_ids, num, pair_attributes, JOURNAL, STUDENT_NUMBERS};
use super::report::{InputReport, Reason};
use crate::config::{Config, InputSpec, Layout, ValuesMode};
use crate::ingest::wide::SHEET_COL;
use crate::ingest::{MappedColumn, RawFrame, ROW_COL};

const STUDENT_COLS: &[&str] = &["year", "school_id", "procedure", "grade", "subject", "score", "mark", "journal_mark"];
/// Every number column of results (the reader may hand them over as numbers).
pub const NUMBERS: &[&str] = &[
    "year", "grade", "score", "mark", "journal_mark", "participants", "mark2", "mark3", "mark4", "mark5", "below_min", "mean_score",
];

/// Number columns of a per-school file (besides the year).
const SCHOOL_NUMBERS: &[&str] = &["grade", "participants", "mark2", "mark3", "mark4", "mark5", "below_min", "mean_score"];

const SCHOOL_COLS: &[&str] = &[
    "year", "school_id", "procedure", "grade", "subject", "participants", "mark2", "mark3", "mark4",
    "mark5", "mean_score", "below_min",
];

/// Which layout a results file has.
pub fn detect_layout(raw: &RawFrame, spec: &InputSpec) -> Layout {
    if raw.wide.is_some() {
        return Layout::School;
    }
    match spec.layout {
        Layout::Student | Layout::School => spec.layout,
        _ => {
            let school_level = crate::model::schema::SCHOOL_LEVEL_RESULT_COLUMNS
                .iter()
                .any(|c| raw.df.column(c).is_ok());
            if school_level {
                Layout::School
            } else {
                Layout::Student
            }
        }
    }
}

/// Builds the per-file aggregate. None when a fatal problem was recorded.
pub fn build(raw: RawFrame, ctx: &Context, report: &mut InputReport) -> PolarsResult<Option<Built>> {
    let layout = detect_layout(&raw, ctx.spec);
    report.layout = Some(match layout {
        _ if raw.wide.is_some() => tr!("по школам, широкая форма (предметы — блоками столбцов)", "per school, wide form (subjects in column blocks)"),
        Layout::School => tr!("по школам", "per school"),
        _ => tr!("по ученикам", "per student"),
    });
    // Files as the systems give them: columns from the title or the name, `code | name` cells,
    // class names for grades, absent pupils (§3.5).
    let raw = if raw.wide.is_some() {
        raw
    } else {
        let df = super::protocol::fill_from_facts(raw.df, &ctx.spec.path, &raw.titles, ctx.spec.year, report)?;
        let df = super::protocol::split_code_name(df, report)?;
        let df = super::protocol::grade_from_class(df)?;
        let df = if layout == Layout::Student { super::protocol::exclude_absent(df, report)? } else { df };
        RawFrame { df, ..raw }
    };
    // Without an id column the school is looked up by its name (and municipality).
    let by_name = raw.df.column("school_id").is_err() && raw.df.column("name").is_ok();
    let mut required = vec![if by_name { "name" } else { "school_id" }, "procedure", "subject"];
    if ctx.spec.year.is_none() {
        required.insert(0, "year");
    }
    if layout == Layout::School {
        required.push("participants");
    }
    require_columns(report, &raw.df, &required);
    if layout == Layout::Student && raw.df.column("mark").is_err() && raw.df.column("score").is_err() {
        report.fatal(
            "missing_column",
            Some("mark"),
            tr!(
                "нет ни столбца отметки («mark»), ни столбца балла («score»)",
                "neither a mark column ('mark') nor a score column ('score')"
            ),
        );
    }
    if report.fatal {
        return Ok(None);
    }
    if layout == Layout::Student {
        let Some(df) = marks_for(raw.df, ctx, report)? else { return Ok(None) };
        return super::students::build(df, by_name, ctx, report);
    }
    let raw = RawFrame { df: super::checks::categoricals_as_text(raw.df)?, ..raw };
    let mapped = raw.mapped.clone();
    let names = if layout == Layout::School { SCHOOL_COLS } else { STUDENT_COLS };
    let df = if by_name {
        match_names(raw.df, ctx, report)?
    } else {
        let df = remap_ids(raw.df, ctx.crosswalk, report)?;
        df.lazy().with_column(lit(NULL).cast(DataType::UInt32).alias("__match")).collect()?
    };
    let mut df = ensure_columns(df, names)?;
    if let Some(y) = ctx.spec.year {
        df = df.lazy().with_column(lit(y.to_string()).alias("year")).collect()?;
    }
    let numbers: &[&str] = if layout == Layout::School { SCHOOL_NUMBERS } else { STUDENT_NUMBERS };
    let (df, names) = with_procedure_keys(df, ctx)?;
    let df = with_school_index(df, ctx.register_ids)?;
    let lf = parse_numbers(df, numbers, Some("year"))?.lazy();
    Ok(school_level(lf, &names, &mapped, ctx, report)?.map(|table| Built { table, scores: None }))
}

/// A per-student file without a mark column: its ВПР and ОГЭ marks come from the primary score
/// and the conversion scales. Without a scale for each (year, grade, subject) it needs — or
/// without scales at all — the file is fatal, naming the mark column (perhaps misspelt) and
/// what is missing. ЕГЭ rows need no mark (they go by the subject's minimum).
fn marks_for(df: DataFrame, ctx: &Context, report: &mut InputReport) -> PolarsResult<Option<DataFrame>> {
    // A mark column left empty in every row is no mark column (some exports keep the header).
    let empty_marks = df.column("mark").is_ok_and(|c| c.null_count() == c.len() && !c.is_empty());
    let df = if empty_marks { df.drop("mark")? } else { df };
    if df.column("mark").is_ok() {
        return Ok(Some(df));
    }
    // A header that looks like a misspelt «Отметка» is a mistake to fix, not a file without marks.
    if !super::checks::misspelt_headers(report, "mark").is_empty() {
        let msg = super::checks::missing_column_message(report, "mark");
        report.fatal("missing_column", Some("mark"), msg);
        return Ok(None);
    }
    let empty = super::scales::Scales::default();
    let scales = ctx.scales.unwrap_or(&empty);
    let missing = match super::scales::derive_marks(df, scales, report)? {
        super::scales::Derived::Marks(df) => return Ok(Some(df)),
        super::scales::Derived::MissingScales(missing) => missing,
    };
    let list: Vec<String> = missing
        .iter()
        .take(10)
        .map(|(y, g, s)| tr!("{} год, {} класс, «{s}»", "{}, grade {}, '{s}'", y.map_or("?".into(), |y| y.to_string()), g.map_or("?".into(), |g| g.to_string())))
        .collect();
    let more = if missing.len() > 10 { tr!(" и ещё {}", " and {} more", missing.len() - 10) } else { String::new() };
    let column = super::checks::missing_column_message(report, "mark");
    report.fatal(
        "missing_scale",
        Some("mark"),
        tr!(
            "{column}. Без отметок они получаются из первичного балла по шкале перевода, но шкалы нет для: {}{more} — добавьте шкалы (--scales ФАЙЛ или kind = \"scales\")",
            "{column}. Without marks they are derived from the primary score with a conversion scale, but there is none for: {}{more} — add the scales (--scales FILE or kind = \"scales\")",
            list.join("; ")
        ),
    );
    Ok(None)
}

/// Normalises procedure and subject over the distinct values (few) and joins the answers back
/// by an integer key (each text column is coded once, as a categorical): adds `__pair` (the index of
/// the normalised procedure × subject in the returned names table), `__no_proc`, `__no_subj`,
/// `__is_oge`, `__is_ege`, `__in_method` and `__min` (the ЕГЭ minimum of the subject). Rows are
/// grouped by the small integer `__pair`; the names (`procedure`, `subject`) are joined to the
/// aggregated rows only.
fn with_procedure_keys(df: DataFrame, ctx: &Context) -> PolarsResult<(DataFrame, DataFrame)> {
    // The mappings are held from here on (a categories object keeps its mapping only weakly).
    let ((code_p, map_p), (code_s, map_s)) = (codes_of(&df, "procedure"), codes_of(&df, "subject"));
    let coded = df.clone().lazy().select([code_p.alias("__pc"), code_s.alias("__sc")]).collect()?;
    // One integer per procedure × subject: pc × width + sc, a missing value being a code of its
    // own (width − 1 for the subject, u64::MAX / width − 1 for the procedure).
    let width = coded.column("__sc")?.u64()?.max().unwrap_or(0) + 2;
    let no_proc = u64::MAX / width - 1;
    let key = (col("__pc").fill_null(lit(no_proc)) * lit(width) + col("__sc").fill_null(lit(width - 1))).alias("__key");
    let keys = coded.lazy().select([key]).collect()?;
    let distinct = keys.column("__key")?.as_materialized_series().unique()?.sort(SortOptions::default())?;
    let text_of = |mapping: &CategoricalMapping, code: u64, missing: u64| -> String {
        if code == missing {
            return String::new();
        }
        u32::try_from(code).ok().and_then(|c| mapping.cat_to_str(c)).unwrap_or_default().to_string()
    };
    let (mut pks, mut sks): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for k in distinct.u64()?.iter().flatten() {
        pks.push(text_of(&map_p, k / width, no_proc));
        sks.push(text_of(&map_s, k % width, width - 1));
    }
    let (map, names) = pair_attributes(distinct, pks, sks, ctx)?;
    let df = attach_lookup(df, keys, map, &["__key"])?;
    Ok((df, names))
}

/// Finds every row's school in the register by one lookup of the raw id: adds `__sidx` (the
/// school's index, null when the id is not in the register) and `__blank` (the id is a
/// placeholder such as «х»). Without a register every id of the file counts as known.
fn with_school_index(df: DataFrame, register_ids: Option<&Series>) -> PolarsResult<DataFrame> {
    let ids: Series = match register_ids {
        Some(ids) => ids.clone(),
        None => df.column("school_id")?.as_materialized_series().drop_nulls().unique_stable()?,
    };
    let ids = ids.cast(&DataType::String)?.drop_nulls().unique_stable()?.with_name("school_id".into());
    let n = ids.len() as u32;
    let placeholders = Series::new("school_id".into(), PLACEHOLDERS);
    let known = DataFrame::new_infer_height(vec![
        Column::from(ids.clone()),
        Column::new("__sidx".into(), (0..n).collect::<Vec<u32>>()),
        Column::new("__blank".into(), vec![false; n as usize]),
    ])?;
    let blank = DataFrame::new_infer_height(vec![
        Column::from(placeholders.clone()),
        Column::new("__sidx".into(), vec![None::<u32>; placeholders.len()]),
        Column::new("__blank".into(), vec![true; placeholders.len()]),
    ])?;
    // A placeholder that is also a register id (it should not be) stays an id.
    let blank = blank.lazy().join(known.clone().lazy(), [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Anti)).collect()?;
    let map = known.vstack(&blank)?;
    let keys = df.select(["school_id"])?;
    attach_lookup(df, keys, map, &["school_id"])
}

/// Schools known by name: each distinct name (with its municipality, when the file has one) is
/// looked up in the crosswalk, then in the register (exactly, then after normalisation; never
/// guessed), and the answer joined to the rows as `school_id` and `__match` (a [`How`] code).
/// Counts per way go to the report; every ambiguous or unknown name is listed once, with the
/// register schools nearest to it.
fn match_names(df: DataFrame, ctx: &Context, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let keys: Vec<&str> = if df.column("municipality").is_ok() { vec!["name", "municipality"] } else { vec!["name"] };
    // The first row of each name (and, in a workbook read sheet by sheet, its sheet).
    let wide = df.column(SHEET_COL).is_ok();
    let mut aggs = vec![
        col("__i").min().alias("__order"),
        col(ROW_COL).first().cast(DataType::UInt64).alias("__first"),
        len().cast(DataType::UInt64).alias("__rows"),
    ];
    if wide {
        aggs.push(col(SHEET_COL).first());
    }
    let distinct = df
        .clone()
        .lazy()
        .with_row_index("__i", None)
        .filter(col("name").is_not_null())
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg(aggs)
        .sort(["__order"], SortMultipleOptions::default())
        .collect()?;
    let map = match_distinct(&distinct, &keys, wide, ctx, report)?;
    let key_frame = df.select(keys.iter().copied())?;
    attach_lookup(df, key_frame, map, &keys)
}

/// Ids of another source given in the crosswalk are replaced by the register ids.
fn remap_ids(df: DataFrame, crosswalk: Option<&Crosswalk>, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let Some(cw) = crosswalk.filter(|c| !c.by_id.is_empty()) else { return Ok(df) };
    if df.column("school_id").is_err() {
        return Ok(df);
    }
    let map = DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), cw.by_id.keys().map(String::as_str).collect::<Vec<_>>()),
        Column::new("__xid".into(), cw.by_id.values().map(String::as_str).collect::<Vec<_>>()),
    ])?;
    let key_frame = df.select(["school_id"])?;
    let df = attach_lookup(df, key_frame, map, &["school_id"])?;
    let n = df.height() - df.column("__xid")?.null_count();
    note_crosswalk_ids(report, n as u64);
    df.lazy()
        .with_column(when(col("__xid").is_not_null()).then(col("__xid")).otherwise(col("school_id")).alias("school_id"))
        .drop(cols(["__xid"]))
        .collect()
}

/// Left-joins `keys` (the key columns of `df`'s rows, named `on` as in `map`, whose keys are
/// unique) to `map` in row order and attaches `map`'s other columns to `df`, cut into `df`'s
/// chunks: only the keys take part in the join, and row filters over misaligned chunks would
/// copy every column.
fn attach_lookup(mut df: DataFrame, keys: DataFrame, map: DataFrame, on: &[&str]) -> PolarsResult<DataFrame> {
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    // A missing part of a key (a name without a municipality) matches a missing part.
    args.nulls_equal = true;
    let on_cols: Vec<Expr> = on.iter().map(|c| col(*c)).collect();
    let mut found = keys
        .lazy()
        .join(map.lazy(), on_cols.clone(), on_cols, args)
        .drop(cols(on.to_vec()))
        .collect()?;
    if found.height() != df.height() {
        return Err(polars_err!(ComputeError: "lookup: {} rows for {}", found.height(), df.height()));
    }
    found.rechunk_mut();
    let lengths: Vec<usize> = match df.columns().first() {
        Some(c) => c.as_materialized_series().chunk_lengths().collect(),
        None => vec![df.height()],
    };
    let same_chunks = df
        .columns()
        .iter()
        .all(|c| c.as_series().is_none_or(|s| s.chunk_lengths().eq(lengths.iter().copied())));
    if !same_chunks {
        df.rechunk_mut_par();
        return df.hstack(found.columns());
    }
    let aligned = found
        .columns()
        .iter()
        .map(|c| {
            let s = c.as_materialized_series();
            let mut offset = 0usize;
            let mut out: Option<Series> = None;
            for len in &lengths {
                let part = s.slice(offset as i64, *len);
                offset += len;
                match out.as_mut() {
                    Some(o) => {
                        o.append_owned(part)?;
                    }
                    None => out = Some(part),
                }
            }
            Ok(Column::from(out.unwrap_or_else(|| s.clone())))
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    df.hstack(&aligned)
}

/// Attaches the procedure and subject names to aggregated rows (by `__pair`).
fn with_names(lf: LazyFrame, names: &DataFrame) -> LazyFrame {
    lf.join(names.clone().lazy(), [col("__pair")], [col("__pair")], JoinArgs::new(JoinType::Left))
}

/// Grade: given, or 9 for ОГЭ and 11 for ЕГЭ when absent (blank or a placeholder).
fn grade_expr() -> Expr {
    let absent = has("grade").not();
    when(absent.clone().and(col("__is_oge")))
        .then(lit(9.0))
        .when(absent.and(col("__is_ege")))
        .then(lit(11.0))
        .otherwise(num("grade"))
}

/// The per-school check of a rule every results table shares.
fn shared_check(reason: Reason) -> Option<Check> {
    let g = col("__grade");
    Some(match reason {
        Reason::UnmatchedName => check(col("__match").eq(lit(How::Unmatched.code())), reason, "name"),
        Reason::AmbiguousName => check(col("__match").eq(lit(How::Ambiguous.code())), reason, "name"),
        Reason::BlankId => check(col("school_id").is_null().or(col("__blank").fill_null(lit(false))), reason, "school_id"),
        Reason::BadYear => check(col("__year").is_null(), reason, "year"),
        Reason::BadProcedure => check(col("__no_proc"), reason, "procedure"),
        Reason::MissingSubject => check(col("__no_subj"), reason, "subject"),
        Reason::BadGrade => check(g.clone().is_null().or(is_whole(g.clone()).not()).or(g.clone().lt(lit(1.0))).or(g.gt(lit(11.0))), reason, "grade"),
        Reason::UnknownSchool => check(col("__sidx").is_null(), reason, "school_id"),
        Reason::ProcedureNotInMethod => check(col("__in_method").not(), reason, "procedure"),
        _ => return None,
    })
}

fn parsed_common() -> Vec<Expr> {
    vec![grade_expr().alias("__grade")]
}

/// For each per-school count column: given as shares, and with which divisor (1 or 100)? In
/// auto mode a «%»/«доля» header means shares, percentages when any value is above 1; the
/// maxima of all such columns come from one pass over the parsed numbers.
fn share_scales<'c>(lf: &LazyFrame, cols: &[&'c str], mapped: &[MappedColumn], mode: ValuesMode) -> PolarsResult<Vec<(&'c str, Option<f64>)>> {
    let header_share = |c: &str| mapped.iter().any(|m| m.canonical == c && m.share);
    let probed: Vec<&str> = cols.iter().copied().filter(|c| mode == ValuesMode::Auto && header_share(c)).collect();
    // A column is judged as a whole: percentages when most of its non-zero values are above 1
    // (so one share of 1.5 among shares is a share out of range, excluded with its row, not a
    // reason to read the whole column as percentages).
    let votes = if probed.is_empty() {
        None
    } else {
        let exprs: Vec<Expr> = probed
            .iter()
            .flat_map(|c| {
                [
                    num(c).gt(lit(1.0)).cast(DataType::UInt32).sum().alias(format!("{c}__over")),
                    num(c).gt(lit(0.0)).cast(DataType::UInt32).sum().alias(format!("{c}__pos")),
                ]
            })
            .collect();
        Some(lf.clone().select(exprs).collect()?)
    };
    let count = |df: &DataFrame, name: String| -> PolarsResult<u64> { Ok(df.column(&name)?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0)) };
    cols.iter()
        .map(|c| {
            let scale = match mode {
                ValuesMode::Counts => None,
                ValuesMode::Percent => Some(100.0),
                ValuesMode::Shares => Some(1.0),
                ValuesMode::Auto => match &votes {
                    Some(v) if probed.contains(c) => {
                        let (over, pos) = (count(v, format!("{c}__over"))?, count(v, format!("{c}__pos"))?);
                        Some(if over * 2 > pos { 100.0 } else { 1.0 })
                    }
                    _ => None,
                },
            };
            Ok((*c, scale))
        })
        .collect()
}

fn school_level(lf: LazyFrame, names: &DataFrame, mapped: &[MappedColumn], ctx: &Context, report: &mut InputReport) -> PolarsResult<Option<DataFrame>> {
    let count_cols = ["mark2", "mark3", "mark4", "mark5", "below_min"];
    let lf = lf
        .with_columns(parsed_common())
        .with_column(col("__num_participants").alias("__participants"));
    let scales = share_scales(&lf, &count_cols, mapped, ctx.spec.values)?;
    let p = col("__participants");
    let mut checks = Vec::new();
    checks.push(check(
        p.clone().is_null().or(is_whole(p.clone()).not()).or(p.clone().lt(lit(0.0))),
        Reason::BadCount,
        "participants",
    ));
    let mut count_exprs: Vec<Expr> = Vec::new();
    let mut share_sum: Option<Expr> = None;
    let mut count_sum: Option<Expr> = None;
    for (c, scale) in &scales {
        let v = num(c);
        let bad = not_numeric(c).or(v.clone().lt(lit(0.0)));
        match scale {
            Some(s) => {
                let share = v.clone() / lit(*s);
                checks.push(check(bad, Reason::BadCount, *c));
                checks.push(check(share.clone().gt(lit(1.0 + 1e-9)), Reason::ShareOutOfRange, *c));
                count_exprs.push((share.clone() * p.clone()).round(0, RoundMode::HalfAwayFromZero).cast(DataType::Int64).alias(format!("__{c}")));
                if c.starts_with("mark") {
                    let s = share.fill_null(lit(0.0));
                    share_sum = Some(match share_sum {
                        Some(acc) => acc + s,
                        None => s,
                    });
                }
            }
            None => {
                checks.push(check(bad.or(is_whole(v.clone()).not()), Reason::BadCount, *c));
                count_exprs.push(v.clone().cast(DataType::Int64).alias(format!("__{c}")));
                if c.starts_with("mark") {
                    let s = v.fill_null(lit(0.0));
                    count_sum = Some(match count_sum {
                        Some(acc) => acc + s,
                        None => s,
                    });
                }
            }
        }
    }
    if let Some(s) = share_sum {
        checks.push(check(s.gt(lit(1.01)), Reason::MarksExceedParticipants, "participants"));
    }
    if let Some(s) = count_sum {
        checks.push(check(s.gt(p.clone()), Reason::MarksExceedParticipants, "participants"));
    }
    checks.push(check(col("__below_min").gt(p.clone().cast(DataType::Int64)), Reason::BelowMinExceedsParticipants, "below_min"));
    checks.push(check(
        not_numeric("mean_score").or(num("mean_score").lt(lit(0.0))),
        Reason::BadMean,
        "mean_score",
    ));
    let is_ege = col("__is_ege");
    let failed = when(is_ege)
        .then(col("__below_min").fill_null(col("__mark2")))
        .otherwise(col("__mark2").fill_null(col("__below_min")));
    checks.push(check(failed.clone().is_null(), Reason::NoFailInfo, "mark2"));
    let checks = in_rule_order(shared_check, checks);
    let good = apply_checks(
        report,
        lf.with_columns(count_exprs).with_column(failed.alias("__failed")),
        checks,
        ctx.max_problems,
    )?;
    let mean = num("mean_score");
    let null_i = || lit(NULL).cast(DataType::Int64);
    // The raw procedure and subject make way for the normalised names.
    let out = with_names(good.lazy().drop(cols(["procedure", "subject"])), names)
        .with_columns(JOURNAL.iter().map(|c| null_i().alias(*c)).collect::<Vec<_>>())
        .select([
            col("__year").alias("year"),
            col("school_id"),
            col("procedure"),
            col("__grade").cast(DataType::Int32).alias("grade"),
            col("subject"),
            col("__participants").cast(DataType::Int64).alias("participants"),
            col("__failed").alias("failed"),
            col("__mark2").alias("mark2"),
            col("__mark3").alias("mark3"),
            col("__mark4").alias("mark4"),
            col("__mark5").alias("mark5"),
            (mean.clone() * col("__participants")).fill_null(lit(0.0)).alias("score_sum"),
            when(mean.is_not_null()).then(col("__participants").cast(DataType::Int64)).otherwise(lit(0i64)).alias("score_n"),
        ]
        .into_iter()
        .chain(JOURNAL.iter().map(|c| col(*c)))
        .chain([lit(1i64).cast(DataType::Int64).alias("src_rows"), lit(ctx.file_index).cast(DataType::UInt32).alias("file")])
        .collect::<Vec<_>>())
        .sort(KEY.to_vec(), SortMultipleOptions::default())
        .collect()?;
    Ok(Some(out))
}

/// What combining the files' aggregates produced.
pub struct Combined {
    /// school × year × procedure, window years only (and Y−1 for R30).
    pub table: DataFrame,
    pub latest_year: i32,
    pub first_year: i32,
    /// Source rows outside the window, per file index.
    pub outside_window: Vec<(u32, u64)>,
}

/// Combines per-file aggregates: the window by the latest year, sums over files, shares.
pub fn combine(parts: Vec<DataFrame>, config: &Config, first_year: super::FirstYear) -> PolarsResult<Option<Combined>> {
    let mut lfs: Vec<LazyFrame> = Vec::new();
    for p in parts {
        if p.height() > 0 {
            lfs.push(p.lazy());
        }
    }
    if lfs.is_empty() {
        return Ok(None);
    }
    let all = concat(lfs, UnionArgs::default())?
        .sort(["year", "school_id", "procedure", "grade", "subject", "file"], SortMultipleOptions::default())
        .collect()?;
    let latest = all.column("year")?.i32()?.max();
    let Some(latest) = latest else { return Ok(None) };
    let first_year = first_year(config, latest);
    let outside = all
        .clone()
        .lazy()
        .filter(col("year").lt(lit(first_year)))
        .group_by([col("file")])
        .agg([col("src_rows").sum().alias("n")])
        .sort(["file"], SortMultipleOptions::default())
        .collect()?;
    let files = outside.column("file")?.u32()?.clone();
    let ns = outside.column("n")?.cast(&DataType::UInt64)?;
    let outside_window: Vec<(u32, u64)> = files
        .iter()
        .zip(ns.u64()?.iter())
        .filter_map(|(f, n)| Some((f?, n?)))
        .collect();
    // Rows sharing a key (the same school × year × procedure × grade × subject in several files,
    // or in several blocks of one large file) are consecutive after the sort: each run of equal
    // keys gets one integer id. Usually almost every run is one row; only the rows of longer
    // runs are grouped — by that sorted integer (contiguous slices, summed in file order, so
    // float sums are deterministic), not by five text columns.
    let window = all.lazy().filter(col("year").gt_eq(lit(first_year)));
    let new_key = KEY
        .iter()
        .map(|k| col(*k).neq_missing(col(*k).shift(lit(1))))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(true));
    let window = window.with_column(new_key.cast(DataType::UInt32).cum_sum(false).alias("__run")).collect()?;
    let runs = window.column("__run")?.u32()?.max().unwrap_or(0) as usize;
    let combined = if runs == window.height() { window.lazy() } else { sum_runs(window)? };
    let table = combined
        .with_columns([
            (col("failed").cast(DataType::Float64) / col("participants").cast(DataType::Float64)).alias("fail_share"),
            ((col("mark4") + col("mark5")).cast(DataType::Float64) / col("participants").cast(DataType::Float64)).alias("quality_share"),
            when(col("score_n").gt(lit(0i64)))
                .then(col("score_sum") / col("score_n").cast(DataType::Float64))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("mean_score"),
        ])
        .select(
            [
                col("year"), col("school_id"), col("procedure"), col("grade"), col("subject"),
                col("participants"), col("failed"), col("fail_share"), col("quality_share"), col("mean_score"),
                col("mark2"), col("mark3"), col("mark4"), col("mark5"),
            ]
            .into_iter()
            .chain(JOURNAL.iter().map(|c| col(*c)))
            .collect::<Vec<_>>(),
        )
        .collect()?;
    Ok(Some(Combined {
        table,
        latest_year: latest,
        first_year,
        outside_window,
    }))
}

/// The rows of equal keys (`__run`, sorted) summed into one; rows alone in their run are kept
/// as they are.
fn sum_runs(mut window: DataFrame) -> PolarsResult<LazyFrame> {
    let mut run_ids = window.column("__run")?.as_materialized_series().clone();
    run_ids.set_sorted_flag(polars::series::IsSorted::Ascending);
    window.with_column(run_ids.into_column())?;
    // Only the few rows that share their key with a neighbour are grouped (polars' group-by
    // over a million one-row groups costs a second); all other rows are kept as they are.
    const MARKS: [&str; 4] = ["mark2", "mark3", "mark4", "mark5"];
    let summed: Vec<&str> = ["participants", "failed", "score_sum", "score_n"].into_iter().chain(MARKS).chain(JOURNAL.iter().copied()).collect();
    // A count that stays unknown in every file of a run (no mark columns anywhere) stays
    // null, not 0.
    let keep_null: Vec<&str> = MARKS.into_iter().chain(JOURNAL.iter().copied()).collect();
    let run = || col("__run");
    let alone = run().neq_missing(run().shift(lit(1))).and(run().neq_missing(run().shift(lit(-1))));
    let window = window.lazy().with_column(alone.alias("__alone"));
    let mut columns: Vec<Expr> = vec![run()];
    columns.extend(KEY.iter().chain(summed.iter()).map(|c| col(*c)));
    let singles = window.clone().filter(col("__alone")).select(columns.clone());
    let mut aggs: Vec<Expr> = KEY.iter().map(|k| col(*k).first()).collect();
    aggs.extend(summed.iter().map(|c| col(*c).sum()));
    aggs.extend(keep_null.iter().map(|c| col(*c).count().alias(format!("__known_{c}"))));
    let keep_null: Vec<Expr> = keep_null
        .iter()
        .map(|c| {
            when(col(format!("__known_{c}")).gt(lit(0u32)))
                .then(col(*c))
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias(*c)
        })
        .collect();
    let shared = window
        .filter(col("__alone").not())
        .group_by_stable([run()])
        .agg(aggs)
        .with_columns(keep_null)
        .select(columns);
    Ok(concat([singles, shared], UnionArgs::default())?.sort(["__run"], SortMultipleOptions::default()))
}
