//! Results per student (§3.2): checked and aggregated to school × year × procedure in two steps,
//! so that no lookup and no join ever touches the rows.
//!
//! 1. Over every row (polars' streaming engine): the numbers are parsed, the checks that need only
//!    the row's own values are applied (a mark, a journal mark, a score that is not one), and the
//!    rows are grouped by one packed integer: the codes of the row's year, school, procedure,
//!    subject and grade, with the outcome of those checks. Rows with a failed check are kept
//!    aside (they are few) to be listed.
//! 2. Over the groups (a few per school and procedure): each code is looked up once (the school
//!    in the register, the procedure and subject normalised, the ЕГЭ minimum), the checks that
//!    need them are applied in the same order as for every table, the rows are accounted by
//!    reason, and the groups that pass are summed to the aggregate.
//!
//! The result and the accounting are those of checking row by row.

use std::sync::Arc;

use polars::prelude::*;

use super::checks::{cell_text, ensure_columns};
use super::clean::{codes_of, is_whole, parse_numbers, PLACEHOLDERS};
use super::names::How;
use super::report::{InputReport, Reason, Severity};
use super::results_common::{bad_mark, has, in_rule_order, match_distinct, not_numeric, num, pair_attributes, Built, Context, ScoreHistogram, KEY, STUDENT_NUMBERS};
use super::subjects::VPR;
use crate::ingest::ROW_COL;

/// Outcome of the checks on a row's own values (in the order of the checks).
const ROW_OK: u64 = 0;
const ROW_BAD_MARK: u64 = 1;
const ROW_BAD_JOURNAL: u64 = 2;
const ROW_BAD_SCORE: u64 = 3;

/// Grade state in the key: 0 absent, 1–11 the grade, 15 present but no grade.
const GRADE_ABSENT: u64 = 0;
const GRADE_BAD: u64 = 15;
/// Year code in the key: year − 2000 (0–100), or this when the year is missing or impossible.
const YEAR_NONE: u64 = 127;
/// Scores are summed as integers of millionths, so that the order of summation never changes
/// the result.
const SCORE_SCALE: f64 = 1e6;

/// A field of the group key: a name, its value (a non-negative integer) and its width in bits.
struct Field {
    name: String,
    value: Expr,
    bits: u32,
}

fn bits_for(max_value: u64) -> u32 {
    (64 - max_value.leading_zeros()).max(1)
}

/// A text column coded as a categorical: its codes and the mapping that names them.
struct Coded {
    column: &'static str,
    mapping: Arc<CategoricalMapping>,
    /// The code that stands for a missing value.
    missing: u64,
}

impl Coded {
    fn text(&self, code: u64) -> Option<&str> {
        if code == self.missing {
            return None;
        }
        u32::try_from(code).ok().and_then(|c| self.mapping.cat_to_str(c))
    }
}

/// Checks and aggregates one table (or one block of a large file) of per-student results.
pub fn build(df: DataFrame, by_name: bool, ctx: &Context, report: &mut InputReport) -> PolarsResult<Option<Built>> {
    let has_place = by_name && df.column("municipality").is_ok();
    let school_cols: Vec<&'static str> = match (by_name, has_place) {
        (true, true) => vec!["name", "municipality"],
        (true, false) => vec!["name"],
        _ => vec!["school_id"],
    };
    let mut wanted: Vec<&str> = vec!["year", "procedure", "grade", "subject", "score", "mark", "journal_mark"];
    wanted.extend(school_cols.iter().copied());
    let mut df = ensure_columns(df, &wanted)?;
    if let Some(y) = ctx.spec.year {
        df = df.lazy().with_column(lit(y.to_string()).alias("year")).collect()?;
    }
    let df = parse_numbers(df, STUDENT_NUMBERS, Some("year"))?;

    let (df, coded) = coded_columns(df, &school_cols)?;
    // Step 1: every row, grouped by its packed key.
    let fields = key_fields(&coded);
    let (base, key_cols, total_bits, packed) = keyed(&df, &fields);
    let hist_packed = packed && total_bits + 10 <= 64;
    let (groups, scores, bad_rows, hist) = first_step(base, &key_cols, packed, hist_packed)?;

    // Step 2: the groups.
    let groups = if packed { unpack(groups, &fields, total_bits)? } else { groups };
    let groups = with_pairs(groups, &coded, ctx)?;
    let groups = with_schools(groups, &coded, by_name, ctx, report)?;
    let groups = groups.lazy().with_column(final_reason(by_name).alias("__reason")).collect()?;
    let groups = with_failed_by_score(groups, scores, &key_cols)?;
    account(&df, &groups, &bad_rows, &key_cols, report, ctx.max_problems)?;
    let scores = score_histogram(hist, hist_packed, &groups, &key_cols)?;
    Ok(aggregate(groups, ctx)?.map(|table| Built { table, scores: Some(scores) }))
}

/// The text columns of the key (the school's, procedure, subject) as codes (each categories
/// object keeps its mapping only weakly: the mappings are held in the `Coded`).
fn coded_columns(df: DataFrame, school_cols: &[&'static str]) -> PolarsResult<(DataFrame, Vec<Coded>)> {
    let text_cols: Vec<&'static str> = school_cols.iter().copied().chain(["procedure", "subject"]).collect();
    let mut cats = Vec::new();
    let mut code_exprs = Vec::new();
    for c in &text_cols {
        let (code, mapping) = codes_of(&df, c);
        code_exprs.push(code.alias(format!("__c_{c}")));
        cats.push((*c, mapping));
    }
    let df = df.lazy().with_columns(code_exprs).collect()?;
    let coded: Vec<Coded> = cats
        .into_iter()
        .map(|(column, mapping)| {
            let missing = mapping.num_cats_upper_bound() as u64;
            Coded { column, mapping, missing }
        })
        .collect();

    Ok((df, coded))
}

/// The fields of a row's key: year, the coded text columns, the grade's state, the row's own
/// check, whether it has a mark and a score.
fn key_fields(coded: &[Coded]) -> Vec<Field> {
    let row_check = when(bad_mark("mark"))
        .then(lit(ROW_BAD_MARK))
        .when(bad_mark("journal_mark"))
        .then(lit(ROW_BAD_JOURNAL))
        .when(not_numeric("score").or(num("score").lt(lit(0.0))))
        .then(lit(ROW_BAD_SCORE))
        .otherwise(lit(ROW_OK));
    let g = num("grade");
    let grade_state = when(has("grade").not())
        .then(lit(GRADE_ABSENT))
        .when(g.clone().is_null().or(is_whole(g.clone()).not()).or(g.clone().lt(lit(1.0))).or(g.clone().gt(lit(11.0))))
        .then(lit(GRADE_BAD))
        .otherwise(g.cast(DataType::UInt64));
    let year_code = when(col("__year").is_null())
        .then(lit(YEAR_NONE))
        .otherwise((col("__year") - lit(2000)).cast(DataType::UInt64));
    let mut fields = vec![Field { name: "__f_year".into(), value: year_code, bits: 7 }];
    for c in coded {
        fields.push(Field {
            name: format!("__f_{}", c.column),
            value: col(format!("__c_{}", c.column)).fill_null(lit(c.missing)),
            bits: bits_for(c.missing),
        });
    }
    fields.extend([
        Field { name: "__f_grade".into(), value: grade_state, bits: 4 },
        Field { name: "__f_row".into(), value: row_check, bits: 2 },
        Field { name: "__f_nomark".into(), value: has("mark").not().cast(DataType::UInt64), bits: 1 },
        Field { name: "__f_noscore".into(), value: num("score").is_null().cast(DataType::UInt64), bits: 1 },
    ]);
    fields
}

/// The frame with its key: one packed integer `__k` when the fields fit in 64 bits, else a
/// column per field. Gives the frame, the key columns, the fields' total bits and whether the
/// key is packed.
fn keyed(df: &DataFrame, fields: &[Field]) -> (LazyFrame, Vec<String>, u32, bool) {
    let total_bits = fields.iter().map(|f| f.bits).sum::<u32>();
    let packed = total_bits <= 64;
    let key_cols: Vec<String> = if packed { vec!["__k".to_string()] } else { fields.iter().map(|f| f.name.clone()).collect() };
    let base = if packed {
        // The last field takes the lowest bits.
        let mut shift = total_bits;
        let mut key: Option<Expr> = None;
        for f in fields {
            shift -= f.bits;
            let part = f.value.clone() * lit(1u64 << shift);
            key = Some(match key {
                Some(k) => k + part,
                None => part,
            });
        }
        df.clone().lazy().with_column(key.unwrap_or_else(|| lit(0u64)).alias("__k"))
    } else {
        df.clone().lazy().with_columns(fields.iter().map(|f| f.value.clone().alias(f.name.as_str())).collect::<Vec<_>>())
    };
    (base, key_cols, total_bits, packed)
}

/// The groups of equal keys with their counts, the scores of rows without a mark (for the ЕГЭ
/// minimum), the rows that fail their own check and the histogram of whole primary scores by
/// mark (for the bunching at mark boundaries, §4.8 M2), in one streaming pass.
fn first_step(base: LazyFrame, key_cols: &[String], packed: bool, hist_packed: bool) -> PolarsResult<(DataFrame, DataFrame, DataFrame, DataFrame)> {
    let key_exprs = || key_cols.iter().map(|k| col(k.as_str())).collect::<Vec<_>>();
    let row_value = if packed { (col("__k") / lit(4u64)) % lit(4u64) } else { col("__f_row") };
    let nomark_value = if packed { (col("__k") / lit(2u64)) % lit(2u64) } else { col("__f_nomark") };
    let mark = num("mark");
    let jm = num("journal_mark");
    let both = jm.clone().is_not_null().and(mark.clone().is_not_null());
    let count = |e: Expr| e.cast(DataType::Int64).sum();
    // ВПР against the journal by ВПР mark (§4.8 M1) and marks 2 or more apart.
    // 32-bit counts: a group is a part of one school's procedure (the country's 23 million ВПР
    // rows make millions of groups, and 13 more 64-bit columns cost most of a gigabyte).
    let count32 = |e: Expr| e.cast(DataType::UInt32).sum();
    let mut by_mark: Vec<Expr> = Vec::new();
    for m in 2..=5 {
        let at = both.clone().and(mark.clone().eq(lit(f64::from(m))));
        by_mark.push(count32(at.clone().and(jm.clone().gt(mark.clone()))).alias(format!("jh_{m}")));
        by_mark.push(count32(at.clone().and(jm.clone().lt(mark.clone()))).alias(format!("jl_{m}")));
        by_mark.push(count32(at).alias(format!("jn_{m}")));
    }
    by_mark.push(count32(both.clone().and((jm.clone() - mark.clone()).abs().gt_eq(lit(2.0)))).alias("jfar"));
    let groups = base.clone().group_by(key_exprs()).agg([
        len().cast(DataType::Int64).alias("n"),
        count(mark.clone().eq(lit(2.0))).alias("m2"),
        count(mark.clone().eq(lit(3.0))).alias("m3"),
        count(mark.clone().eq(lit(4.0))).alias("m4"),
        count(mark.clone().eq(lit(5.0))).alias("m5"),
        (num("score") * lit(SCORE_SCALE)).round(0, RoundMode::HalfAwayFromZero).cast(DataType::Int64).sum().alias("score_sum"),
        num("score").count().cast(DataType::Int64).alias("score_n"),
        count(both.clone().and(jm.clone().gt(mark.clone()))).alias("jh"),
        count(both.clone().and(jm.clone().eq(mark.clone()))).alias("js"),
        count(both.and(jm.lt(mark))).alias("jl"),
        col(ROW_COL).cast(DataType::UInt64).min().alias("row_min"),
    ].into_iter().chain(by_mark).collect::<Vec<_>>());
    // Rows without a mark that pass: their scores, to compare with the ЕГЭ minimum.
    let scores = base
        .clone()
        .filter(nomark_value.eq(lit(1u64)).and(row_value.clone().eq(lit(ROW_OK))).and(num("score").is_not_null()))
        .group_by(key_exprs().into_iter().chain([num("score").alias("__score")]).collect::<Vec<_>>())
        .agg([len().cast(DataType::Int64).alias("n")]);
    let mut bad_cols: Vec<Expr> = key_exprs();
    bad_cols.extend([row_value.clone().alias("__row_check"), col(ROW_COL).cast(DataType::UInt64).alias(ROW_COL), col("mark"), col("journal_mark"), col("score")]);
    // Whole scores 0–127 by mark: one u64 (the row's key, 7 bits of score, 3 of mark) when the
    // key leaves room, else the key's columns with the score and the mark.
    let score = num("score");
    let mark_code = num("mark").fill_null(lit(0.0)).cast(DataType::UInt64);
    let hist = base
        .clone()
        .filter(row_value.clone().eq(lit(ROW_OK)).and(score.clone().is_not_null()).and(is_whole(score.clone())).and(score.clone().lt(lit(128.0))));
    let hist = if hist_packed {
        let h = col("__k") * lit(1024u64) + score.cast(DataType::UInt64) * lit(8u64) + mark_code;
        hist.group_by([h.alias("__h")]).agg([len().cast(DataType::UInt32).alias("pupils")])
    } else {
        hist.group_by(key_exprs().into_iter().chain([score.cast(DataType::Int16).alias("score"), mark_code.cast(DataType::Int8).alias("mark")]).collect::<Vec<_>>())
            .agg([len().cast(DataType::UInt32).alias("pupils")])
    };
    let bad_rows = base.filter(row_value.neq(lit(ROW_OK))).select(bad_cols);
    let opt = groups.get_current_optimizations();
    let plans = vec![groups.logical_plan, scores.logical_plan, bad_rows.logical_plan, hist.logical_plan];
    let mut out = LazyFrame::collect_all_with_engine(plans, Engine::Streaming, opt)?.into_iter();
    let (Some(groups), Some(scores), Some(bad_rows), Some(hist)) = (out.next(), out.next(), out.next(), out.next()) else {
        return Err(polars_err!(ComputeError: "per-student results: missing query output"));
    };
    drop(out);

    Ok((groups, scores, bad_rows, hist))
}

/// The histogram of the ВПР groups that pass (`ScoreHistogram`): the counts stay keyed by the
/// groups' integer key; each key's school × year × procedure comes in a table of its own (one row
/// per group, not per score).
fn score_histogram(hist: DataFrame, hist_packed: bool, groups: &DataFrame, key_cols: &[String]) -> PolarsResult<ScoreHistogram> {
    let on: Vec<Expr> = key_cols.iter().map(|k| col(k.as_str())).collect();
    let keys = groups
        .clone()
        .lazy()
        .filter(col("__reason").is_null().and(col("procedure").eq(lit(VPR))))
        .select(on.iter().cloned().chain([
            (col("__f_year").cast(DataType::Int32) + lit(2000)).alias("year"),
            col("school_id"),
            col("procedure"),
            grade().cast(DataType::Int32).alias("grade"),
            col("subject"),
        ]).collect::<Vec<_>>())
        .collect()?;
    let counts = if hist_packed {
        hist.lazy().select([
            (col("__h") / lit(1024u64)).alias("__k"),
            ((col("__h") / lit(8u64)) % lit(128u64)).cast(DataType::Int16).alias("score"),
            (col("__h") % lit(8u64)).cast(DataType::Int8).alias("mark"),
            col("pupils"),
        ])
    } else {
        hist.lazy()
    };
    let counts = counts
        .join(keys.clone().lazy().select(on.clone()), on.clone(), on, JoinArgs::new(JoinType::Semi))
        .collect()?;
    Ok(ScoreHistogram { counts, keys, key_cols: key_cols.to_vec() })
}

/// The fields of the packed key as columns of their own.
fn unpack(df: DataFrame, fields: &[Field], total_bits: u32) -> PolarsResult<DataFrame> {
    let mut shift = total_bits;
    let mut exprs = Vec::new();
    for f in fields {
        shift -= f.bits;
        let mask = if f.bits >= 64 { u64::MAX } else { (1u64 << f.bits) - 1 };
        let value = if shift == 0 { col("__k") } else { col("__k") / lit(1u64 << shift) };
        exprs.push((value % lit(mask + 1)).alias(f.name.as_str()));
    }
    df.lazy().with_columns(exprs).collect()
}

/// Joins the attributes of each group's procedure × subject (normalised names, `__pair`, the ЕГЭ
/// flags and minimum, whether the method uses it).
fn with_pairs(groups: DataFrame, coded: &[Coded], ctx: &Context) -> PolarsResult<DataFrame> {
    let (Some(proc_), Some(subj)) = (coded.iter().find(|c| c.column == "procedure"), coded.iter().find(|c| c.column == "subject")) else {
        return Err(polars_err!(ComputeError: "per-student results: no procedure or subject codes"));
    };
    let width = subj.missing + 1;
    let groups = groups
        .lazy()
        .with_column((col("__f_procedure") * lit(width) + col("__f_subject")).alias("__key"))
        .collect()?;
    let distinct = groups.column("__key")?.as_materialized_series().unique()?.sort(SortOptions::default())?;
    let (mut pks, mut sks) = (Vec::new(), Vec::new());
    for k in distinct.u64()?.iter().flatten() {
        pks.push(proc_.text(k / width).unwrap_or_default().trim().to_string());
        sks.push(subj.text(k % width).unwrap_or_default().trim().to_string());
    }
    let (map, names) = pair_attributes(distinct, pks, sks, ctx)?;
    let groups = groups
        .lazy()
        .join(map.lazy(), [col("__key")], [col("__key")], JoinArgs::new(JoinType::Left))
        .join(names.lazy(), [col("__pair")], [col("__pair")], JoinArgs::new(JoinType::Left))
        .collect()?;
    Ok(groups)
}

/// Joins each group's school: `school_id` (as the register knows it), `__sidx` (its index in the
/// register, null when unknown), `__blank` (the id is a placeholder) and `__match` (how a school
/// known by name was matched).
fn with_schools(groups: DataFrame, coded: &[Coded], by_name: bool, ctx: &Context, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let field = |c: &str| format!("__f_{c}");
    let school_keys: Vec<&Coded> = coded.iter().filter(|c| !matches!(c.column, "procedure" | "subject")).collect();
    let key_names: Vec<String> = school_keys.iter().map(|c| field(c.column)).collect();
    let distinct = groups
        .clone()
        .lazy()
        .group_by(key_names.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())
        .agg([col("row_min").min().alias("__first"), col("n").sum().cast(DataType::UInt64).alias("__rows")])
        .sort(["__first"], SortMultipleOptions::default())
        .collect()?;
    // The texts of the codes, trimmed (cells of a large file are trimmed here, once per value).
    let mut text_columns: Vec<Column> = Vec::new();
    for c in &school_keys {
        let codes = distinct.column(&field(c.column))?.u64()?;
        let texts: Vec<Option<String>> = codes.iter().map(|k| k.and_then(|k| c.text(k)).map(|t| t.trim().to_string()).filter(|t| !t.is_empty())).collect();
        text_columns.push(Column::new(c.column.into(), texts));
    }
    let mut texts = distinct.clone();
    for c in text_columns {
        texts.with_column(c)?;
    }
    let ids: DataFrame = if by_name {
        let keys: Vec<&str> = school_keys.iter().map(|c| c.column).collect();
        let named = texts.clone().lazy().filter(col("name").is_not_null()).collect()?;
        let matched = match_distinct(&named, &keys, false, ctx, report)?;
        let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
        let mut args = JoinArgs::new(JoinType::Left);
        args.nulls_equal = true;
        texts.lazy().join(matched.lazy(), on.clone(), on, args).collect()?
    } else {
        let remapped = remap(texts, ctx, report)?;
        remapped.lazy().with_column(lit(NULL).cast(DataType::UInt32).alias("__match")).collect()?
    };
    // The register index of each id (without a register, every id of the file is known).
    let register: Series = match ctx.register_ids {
        Some(ids) => ids.clone(),
        None => ids.column("school_id")?.as_materialized_series().drop_nulls().unique_stable()?,
    };
    let register = register.cast(&DataType::String)?.drop_nulls().unique_stable()?.with_name("school_id".into());
    let n = register.len() as u32;
    let index = DataFrame::new_infer_height(vec![Column::from(register), Column::new("__sidx".into(), (0..n).collect::<Vec<u32>>())])?;
    let placeholders = Series::new("__ph".into(), PLACEHOLDERS);
    let ids = ids
        .lazy()
        .join(index.lazy(), [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
        .with_column(col("school_id").is_in(lit(placeholders).implode(false), false).and(col("__sidx").is_null()).alias("__blank"))
        .select(key_names.iter().map(|k| col(k.as_str())).chain([col("school_id"), col("__sidx"), col("__blank"), col("__match")]).collect::<Vec<_>>())
        .collect()?;
    let on: Vec<Expr> = key_names.iter().map(|k| col(k.as_str())).collect();
    groups.lazy().join(ids.lazy(), on.clone(), on, JoinArgs::new(JoinType::Left)).collect()
}

/// Ids of another source given in the crosswalk are replaced by the register ids.
fn remap(texts: DataFrame, ctx: &Context, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let Some(cw) = ctx.crosswalk.filter(|c| !c.by_id.is_empty()) else { return Ok(texts) };
    let map = DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), cw.by_id.keys().map(String::as_str).collect::<Vec<_>>()),
        Column::new("__xid".into(), cw.by_id.values().map(String::as_str).collect::<Vec<_>>()),
    ])?;
    let out = texts
        .lazy()
        .join(map.lazy(), [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
        .collect()?;
    let n = out.clone().lazy().filter(col("__xid").is_not_null()).select([col("__rows").sum()]).collect()?;
    let n = n.column("__rows")?.u64()?.get(0).unwrap_or(0);
    super::results_common::note_crosswalk_ids(report, n);
    out.lazy()
        .with_column(when(col("__xid").is_not_null()).then(col("__xid")).otherwise(col("school_id")).alias("school_id"))
        .drop(cols(["__xid"]))
        .collect()
}

/// The grade of a group: given, or 9 for ОГЭ and 11 for ЕГЭ when absent; null when it is no grade.
fn grade() -> Expr {
    let state = col("__f_grade");
    when(state.clone().eq(lit(GRADE_ABSENT)).and(col("__is_oge")))
        .then(lit(9u64))
        .when(state.clone().eq(lit(GRADE_ABSENT)).and(col("__is_ege")))
        .then(lit(11u64))
        .when(state.clone().gt(lit(GRADE_ABSENT)).and(state.clone().lt(lit(GRADE_BAD))))
        .then(state)
        .otherwise(lit(NULL).cast(DataType::UInt64))
}

/// The reasons of [`final_reason`] in the order of its checks (for sorting counts and samples).
fn rule_order() -> Vec<Reason> {
    let own = [Reason::BadMark, Reason::BadJournalMark, Reason::BadScore, Reason::NoEgeMinimum];
    in_rule_order(Some, own.to_vec())
}

/// The per-student check of a rule every results table shares (`None`: name matching for a
/// file with ids).
fn shared_check(reason: Reason, by_name: bool) -> Option<(Expr, Reason)> {
    let bad = match reason {
        Reason::UnmatchedName if by_name => col("__match").eq(lit(How::Unmatched.code())),
        Reason::AmbiguousName if by_name => col("__match").eq(lit(How::Ambiguous.code())),
        Reason::BlankId => col("school_id").is_null().or(col("__blank").fill_null(lit(false))),
        Reason::BadYear => col("__f_year").eq(lit(YEAR_NONE)),
        Reason::BadProcedure => col("__no_proc"),
        Reason::MissingSubject => col("__no_subj"),
        Reason::BadGrade => grade().is_null(),
        Reason::UnknownSchool => col("__sidx").is_null(),
        Reason::ProcedureNotInMethod => col("__in_method").not(),
        _ => return None,
    };
    Some((bad, reason))
}

/// The reason a group's rows are excluded (null: they are used), as the first failing check in
/// the order every results table is checked in.
fn final_reason(by_name: bool) -> Expr {
    let code = |r: Reason| lit(r.code());
    let row = col("__f_row");
    let nomark = col("__f_nomark").eq(lit(1u64));
    let ege = col("__is_ege");
    let own = vec![
        (row.clone().eq(lit(ROW_BAD_MARK)), Reason::BadMark),
        (nomark.clone().and(ege.clone().not()), Reason::BadMark),
        (row.clone().eq(lit(ROW_BAD_JOURNAL)), Reason::BadJournalMark),
        (row.eq(lit(ROW_BAD_SCORE)), Reason::BadScore),
        (nomark.clone().and(ege.clone()).and(col("__f_noscore").eq(lit(1u64))), Reason::BadScore),
        (nomark.and(ege).and(col("__min").is_null()), Reason::NoEgeMinimum),
    ];
    let checks = in_rule_order(|r| shared_check(r, by_name), own);
    let mut e = lit(NULL).cast(DataType::String);
    for (bad, reason) in checks.into_iter().rev() {
        e = when(bad.fill_null(lit(false))).then(code(reason)).otherwise(e);
    }
    e
}

/// For groups without marks (ЕГЭ by score): how many rows are below the subject's minimum.
fn with_failed_by_score(groups: DataFrame, scores: DataFrame, key_cols: &[String]) -> PolarsResult<DataFrame> {
    let on: Vec<Expr> = key_cols.iter().map(|k| col(k.as_str())).collect();
    let minimum = groups.clone().lazy().filter(col("__reason").is_null()).select(on.iter().cloned().chain([col("__min")]).collect::<Vec<_>>());
    let failed = scores
        .lazy()
        .join(minimum, on.clone(), on.clone(), JoinArgs::new(JoinType::Inner))
        .filter(col("__score").lt(col("__min")))
        .group_by(on.clone())
        .agg([col("n").sum().alias("__failed_by_score")])
        .collect()?;
    groups.lazy().join(failed.lazy(), on.clone(), on, JoinArgs::new(JoinType::Left)).collect()
}

/// The column a reason names in problems.
fn column_of(reason: Reason) -> &'static str {
    match reason {
        Reason::BlankId | Reason::UnknownSchool => "school_id",
        Reason::BadYear => "year",
        Reason::BadProcedure | Reason::ProcedureNotInMethod => "procedure",
        Reason::MissingSubject | Reason::NoEgeMinimum => "subject",
        Reason::BadGrade => "grade",
        Reason::BadMark => "mark",
        Reason::BadJournalMark => "journal_mark",
        Reason::BadScore => "score",
        _ => "name",
    }
}

/// The reason a row check gives, when it decides the group's reason.
fn row_reason(check: u64) -> Option<Reason> {
    match check {
        ROW_BAD_MARK => Some(Reason::BadMark),
        ROW_BAD_JOURNAL => Some(Reason::BadJournalMark),
        ROW_BAD_SCORE => Some(Reason::BadScore),
        _ => None,
    }
}

/// Counts the rows by reason and lists a sample of the excluded ones (with row, column and value),
/// at most `max_problems` a reason over the whole file.
fn account(df: &DataFrame, groups: &DataFrame, bad_rows: &DataFrame, key_cols: &[String], report: &mut InputReport, max_problems: usize) -> PolarsResult<()> {
    let to_list = count_reasons(groups, report)?;
    let mut sample: Vec<(u64, Reason, Option<String>)> = Vec::new();
    let mut fetch: Vec<(u64, Reason)> = Vec::new();
    for (reason, total) in &to_list {
        let listed = report.problems.iter().filter(|p| p.code == reason.code() && p.severity == Severity::Excluded).count();
        let room = max_problems.saturating_sub(listed);
        let mut taken = 0usize;
        if room > 0 {
            for (row, value, from_table) in sample_rows(*reason, room, groups, bad_rows, key_cols)? {
                if from_table {
                    fetch.push((row, *reason));
                } else {
                    sample.push((row, *reason, value));
                }
                taken += 1;
            }
        }
        report.problems_not_listed += total.saturating_sub(taken as u64);
    }
    sample.extend(fetch_values(df, fetch)?);
    let by_rule = rule_order();
    sample.sort_by_key(|(r, reason, _)| (*r, by_rule.iter().position(|x| x == reason)));
    for (row, reason, value) in sample {
        let column = column_of(reason);
        let source = report.source_column(column).unwrap_or_else(|| column.to_string());
        report.problem(Severity::Excluded, reason.code(), Some(row), Some(&source), value, tr!("{} — строка исключена", "{} — row excluded", reason.label()));
    }
    Ok(())
}


/// Rows read = used + excluded by reason, from the groups' reasons (in the order of the
/// checks); gives the reasons whose rows are listed, with their counts.
fn count_reasons(groups: &DataFrame, report: &mut InputReport) -> PolarsResult<Vec<(Reason, u64)>> {
    let counts = groups
        .clone()
        .lazy()
        .group_by([col("__reason")])
        .agg([col("n").sum().alias("n")])
        .sort(["__reason"], SortMultipleOptions::default().with_nulls_last(true))
        .collect()?;
    let reasons = counts.column("__reason")?.str()?;
    let ns = counts.column("n")?.i64()?;
    let mut found: Vec<(Option<&str>, Option<i64>)> = reasons.iter().zip(ns.iter()).collect();
    // Reasons in the order of the checks.
    let order = rule_order();
    found.sort_by_key(|(code, _)| code.map(|c| order.iter().position(|r| r.code() == c)));
    let mut to_list: Vec<(Reason, u64)> = Vec::new();
    for (code, n) in found {
        let n = n.unwrap_or(0).max(0) as u64;
        match code.and_then(Reason::from_code) {
            None => report.rows_used += n,
            Some(reason) => {
                report.exclude(reason, n);
                if !reason.by_design() && !reason.listed_by_name() {
                    to_list.push((reason, n));
                }
            }
        }
    }

    Ok(to_list)
}

/// The first `room` rows excluded for `reason`, by row number: rows whose own value failed
/// (with that value), and the first rows of groups decided by a lookup (`true`: the value is
/// to be read from the table).
fn sample_rows(reason: Reason, room: usize, groups: &DataFrame, bad_rows: &DataFrame, key_cols: &[String]) -> PolarsResult<Vec<(u64, Option<String>, bool)>> {
    // Rows whose own value failed: listed with that value.
    let from_rows: Vec<u64> = (1..=3u64).filter(|r| row_reason(*r) == Some(reason)).collect();
    let mut rows: Vec<(u64, Option<String>)> = Vec::new();
    if !from_rows.is_empty() {
        let on: Vec<Expr> = key_cols.iter().map(|k| col(k.as_str())).collect();
        let decided = groups.clone().lazy().filter(col("__reason").eq(lit(reason.code()))).select(on.clone());
        let value_col = column_of(reason);
        let hits = bad_rows
            .clone()
            .lazy()
            .filter(col("__row_check").is_in(lit(Series::new("r".into(), from_rows.clone())).implode(false), false))
            .join(decided, on.clone(), on, JoinArgs::new(JoinType::Semi))
            .sort([ROW_COL], SortMultipleOptions::default())
            .limit(room as u32)
            .select([col(ROW_COL), col(value_col).alias("__value")])
            .collect()?;
        let r = hits.column(ROW_COL)?.u64()?;
        let v = hits.column("__value")?;
        rows.extend(r.iter().enumerate().filter_map(|(i, r)| Some((r?, cell_text(v, i)))));
    }
    // Groups decided by a lookup: their first row (the value is read from the table).
    let row_check = groups.column("__f_row")?.u64()?;
    let group_reason = groups.column("__reason")?.str()?;
    let firsts = groups.column("row_min")?.u64()?;
    let mut by_group: Vec<u64> = group_reason
        .iter()
        .zip(row_check.iter())
        .zip(firsts.iter())
        .filter(|((g, rc), _)| *g == Some(reason.code()) && !rc.is_some_and(|rc| row_reason(rc) == Some(reason)))
        .filter_map(|(_, f)| f)
        .collect();
    by_group.sort_unstable();
    by_group.truncate(room);
    let mut all: Vec<(u64, Option<String>, bool)> = rows.into_iter().map(|(r, v)| (r, v, false)).chain(by_group.into_iter().map(|r| (r, None, true))).collect();
    all.sort_by_key(|(r, _, _)| *r);
    all.truncate(room);
    Ok(all)
}

/// Values of the rows decided by a lookup, read once from the table.
fn fetch_values(df: &DataFrame, fetch: Vec<(u64, Reason)>) -> PolarsResult<Vec<(u64, Reason, Option<String>)>> {
    let mut sample = Vec::new();
    if !fetch.is_empty() {
        let rows = Series::new("r".into(), fetch.iter().map(|(r, _)| *r).collect::<Vec<u64>>());
        let mut columns: Vec<Expr> = vec![col(ROW_COL).cast(DataType::UInt64).alias(ROW_COL)];
        for c in ["school_id", "year", "procedure", "subject", "grade", "mark", "journal_mark", "score"] {
            if df.column(c).is_ok() {
                columns.push(col(c));
            }
        }
        let found = df
            .clone()
            .lazy()
            .filter(col(ROW_COL).cast(DataType::UInt64).is_in(lit(rows).implode(false), false))
            .select(columns)
            .collect()?;
        let found_rows = found.column(ROW_COL)?.u64()?;
        for (row, reason) in fetch {
            let i = found_rows.iter().position(|r| r == Some(row));
            let value = i.and_then(|i| found.column(column_of(reason)).ok().and_then(|c| cell_text(c, i)));
            sample.push((row, reason, value));
        }
    }
    Ok(sample)
}

/// The group columns of ВПР against the journal by ВПР mark, and their aggregate names
/// (`results_common::JOURNAL`).
const JOURNAL_BY_MARK: [(&str, &str); 13] = [
    ("jh_2", "j_higher_2"), ("jh_3", "j_higher_3"), ("jh_4", "j_higher_4"), ("jh_5", "j_higher_5"),
    ("jl_2", "j_lower_2"), ("jl_3", "j_lower_3"), ("jl_4", "j_lower_4"), ("jl_5", "j_lower_5"),
    ("jn_2", "j_n_2"), ("jn_3", "j_n_3"), ("jn_4", "j_n_4"), ("jn_5", "j_n_5"),
    ("jfar", "j_far"),
];

/// Sums the groups that pass to school × year × procedure, in the schema of every aggregate.
fn aggregate(groups: DataFrame, ctx: &Context) -> PolarsResult<Option<DataFrame>> {
    let failed = when(col("__f_nomark").eq(lit(1u64)))
        .then(col("__failed_by_score").fill_null(lit(0i64)))
        .otherwise(col("m2"));
    let agg = groups
        .lazy()
        .filter(col("__reason").is_null())
        .with_columns([grade().cast(DataType::Int32).alias("grade"), failed.alias("__failed"), (col("__f_year").cast(DataType::Int32) + lit(2000)).alias("year")])
        .group_by([col("year"), col("school_id"), col("procedure"), col("grade"), col("subject")])
        .agg([
            col("n").sum().alias("participants"),
            col("__failed").sum().alias("failed"),
            col("m2").sum(),
            col("m3").sum(),
            col("m4").sum(),
            col("m5").sum(),
            col("score_sum").sum(),
            col("score_n").sum(),
            col("jh").sum(),
            col("js").sum(),
            col("jl").sum(),
        ]
        .into_iter()
        .chain(JOURNAL_BY_MARK.iter().map(|(short, _)| col(*short).cast(DataType::Int64).sum()))
        .collect::<Vec<_>>());
    let null_i = || lit(NULL).cast(DataType::Int64);
    let marks_n = col("m2") + col("m3") + col("m4") + col("m5");
    let j_n = col("jh") + col("js") + col("jl");
    let mut exprs: Vec<Expr> = vec![col("year"), col("school_id"), col("procedure"), col("grade"), col("subject"), col("participants"), col("failed")];
    for m in ["m2", "m3", "m4", "m5"] {
        exprs.push(when(marks_n.clone().gt(lit(0i64))).then(col(m)).otherwise(null_i()).alias(format!("mark{}", &m[1..])));
    }
    exprs.push((col("score_sum").cast(DataType::Float64) / lit(SCORE_SCALE)).alias("score_sum"));
    exprs.push(col("score_n"));
    let vpr = col("procedure").eq(lit(VPR)).and(j_n.clone().gt(lit(0i64)));
    for (j, name) in [(col("jh"), "j_higher"), (col("js"), "j_same"), (col("jl"), "j_lower"), (j_n, "j_n")] {
        exprs.push(when(vpr.clone()).then(j).otherwise(null_i()).alias(name));
    }
    for (short, name) in JOURNAL_BY_MARK {
        exprs.push(when(vpr.clone()).then(col(short).cast(DataType::Int64)).otherwise(null_i()).alias(name));
    }
    exprs.push(col("participants").alias("src_rows"));
    exprs.push(lit(ctx.file_index).cast(DataType::UInt32).alias("file"));
    let out = agg.select(exprs).sort(KEY.to_vec(), SortMultipleOptions::default()).collect()?;
    Ok(Some(out))
}
