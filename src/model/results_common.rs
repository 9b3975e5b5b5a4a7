//! What the per-school and the per-student results paths share, so that neither imports the
//! other: the context of a file, the row key, the expressions over parsed values, and the lookups
//! (procedures and subjects, schools known by name, municipalities, crosswalk notes).

use polars::prelude::*;

use super::clean::{is_whole, PLACEHOLDERS};
use super::names::{Crosswalk, How, Match, MatchCounts};
use super::report::{InputReport, Reason, Severity};
use super::subjects::{in_method, normalize_procedure, normalize_subject, ProcedureFilter, EGE, OGE};
use crate::config::{Config, InputSpec};
use crate::ingest::wide::SHEET_COL;

/// Key of an aggregate row.
pub const KEY: &[&str] = &["year", "school_id", "procedure", "grade", "subject"];

/// The ВПР-against-journal counts kept per school × procedure (null for files without journal
/// marks): pupils with both marks, and of them with the journal mark higher, the same, lower;
/// the same by ВПР mark («_2» … «_5», so that a school can be compared with the region's pupils
/// of the same ВПР mark, §4.8 M1); and those whose marks differ by 2 or more (`j_far`).
pub const JOURNAL: &[&str] = &[
    "j_higher", "j_same", "j_lower", "j_n",
    "j_higher_2", "j_higher_3", "j_higher_4", "j_higher_5",
    "j_lower_2", "j_lower_3", "j_lower_4", "j_lower_5",
    "j_n_2", "j_n_3", "j_n_4", "j_n_5",
    "j_far",
];

/// The histogram of whole primary scores of one per-student file (or block) for §4.8 M2, kept
/// compact: `counts` — the group key (`key_cols`), `score` (Int16), `mark` (Int8, 0 when none)
/// and `pupils` (UInt32); `keys` — each group key's `year`, `school_id`, `procedure`, `grade`
/// and `subject` (ВПР groups that pass only). School-level counts, never a pupil's row.
pub struct ScoreHistogram {
    pub counts: DataFrame,
    pub keys: DataFrame,
    pub key_cols: Vec<String>,
}

/// One file's (or block's) aggregate, and the score histogram of its ВПР pupils when the file
/// is per student.
pub struct Built {
    pub table: DataFrame,
    pub scores: Option<ScoreHistogram>,
}

/// Number columns of a per-student file (besides the year).
pub(super) const STUDENT_NUMBERS: &[&str] = &["grade", "score", "mark", "journal_mark"];

/// The exclusion rules every results table is checked by, in the one order both paths apply
/// them: a row is excluded for the first rule it fails. Each path's own rules (its counts, its
/// marks and scores) stand where [`Rule::Own`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Shared(Reason),
    /// The path's own rules, in the order it gives them.
    Own,
}

pub const RULES: [Rule; 10] = [
    Rule::Shared(Reason::UnmatchedName),
    Rule::Shared(Reason::AmbiguousName),
    Rule::Shared(Reason::BlankId),
    Rule::Shared(Reason::BadYear),
    Rule::Shared(Reason::BadProcedure),
    Rule::Shared(Reason::MissingSubject),
    Rule::Shared(Reason::BadGrade),
    Rule::Own,
    Rule::Shared(Reason::UnknownSchool),
    Rule::Shared(Reason::ProcedureNotInMethod),
];

/// A path's checks in the order of [`RULES`]: `shared` gives its predicate for a shared rule
/// (`None` when the rule does not apply to it, as name matching for a file with ids), `own` its
/// own checks.
pub fn in_rule_order<T>(shared: impl Fn(Reason) -> Option<T>, own: Vec<T>) -> Vec<T> {
    let mut own = Some(own);
    let mut out = Vec::new();
    for rule in RULES {
        match rule {
            Rule::Shared(reason) => out.extend(shared(reason)),
            Rule::Own => out.extend(own.take().unwrap_or_default()),
        }
    }
    out
}

pub struct Context<'a> {
    pub config: &'a Config,
    pub spec: &'a InputSpec,
    pub register_ids: Option<&'a Series>,
    /// The register, for schools known only by name.
    pub register: Option<&'a super::Known>,
    pub crosswalk: Option<&'a Crosswalk>,
    /// ВПР conversion scales (files and the configuration's table).
    pub scales: Option<&'a super::scales::Scales>,
    pub filters: &'a [ProcedureFilter],
    pub file_index: u32,
    pub max_problems: usize,
}

/// The attributes of each distinct procedure × subject: `keys` (`__key`) with their procedure
/// texts `pks` and subject texts `sks`. Returns `map` keyed by `__key` with `__pair` (the
/// normalised procedure × subject), the flags `__no_proc`, `__no_subj`, `__is_oge`, `__is_ege`,
/// `__in_method` and `__min` (the ЕГЭ minimum); `names` gives each `__pair` its `procedure` and
/// `subject`.
pub(super) fn pair_attributes(keys: Series, pks: Vec<String>, sks: Vec<String>, ctx: &Context) -> PolarsResult<(DataFrame, DataFrame)> {
    let pairs = DataFrame::new_infer_height(vec![
        Column::from(keys.with_name("__key".into())),
        Column::new("__pk".into(), pks),
        Column::new("__sk".into(), sks),
    ])?;
    let pk = pairs.column("__pk")?.str()?.clone();
    let sk = pairs.column("__sk")?.str()?.clone();
    let mut ids: std::collections::BTreeMap<(Option<&'static str>, Option<String>), u32> = Default::default();
    let (mut pair, mut no_proc, mut no_subj, mut is_oge, mut is_ege, mut inm, mut mins) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::<Option<f64>>::new());
    for (p, s) in pk.iter().zip(sk.iter()) {
        let p = p.unwrap_or("");
        let s = s.unwrap_or("");
        let proc_ = if PLACEHOLDERS.contains(&p) { None } else { normalize_procedure(p) };
        let subj = if s.is_empty() || PLACEHOLDERS.contains(&s) { None } else { Some(normalize_subject(s)) };
        inm.push(match (proc_, &subj) {
            (Some(p), Some(s)) => in_method(ctx.filters, p, s),
            _ => true,
        });
        mins.push(subj.as_ref().and_then(|s| ctx.config.method.ege_min.get(s).copied()));
        no_proc.push(proc_.is_none());
        no_subj.push(subj.is_none());
        is_oge.push(proc_ == Some(OGE));
        is_ege.push(proc_ == Some(EGE));
        let next = ids.len() as u32;
        pair.push(*ids.entry((proc_, subj)).or_insert(next));
    }
    let map = DataFrame::new_infer_height(vec![
        pairs.column("__key")?.clone(),
        Column::new("__pair".into(), pair),
        Column::new("__no_proc".into(), no_proc),
        Column::new("__no_subj".into(), no_subj),
        Column::new("__is_oge".into(), is_oge),
        Column::new("__is_ege".into(), is_ege),
        Column::new("__in_method".into(), inm),
        Column::new("__min".into(), mins),
    ])?;
    let mut by_id: Vec<(u32, Option<&'static str>, Option<String>)> = ids.into_iter().map(|((p, s), id)| (id, p, s)).collect();
    by_id.sort_by_key(|(id, _, _)| *id);
    let names = DataFrame::new_infer_height(vec![
        Column::new("__pair".into(), by_id.iter().map(|(id, _, _)| *id).collect::<Vec<u32>>()),
        Column::new("procedure".into(), by_id.iter().map(|(_, p, _)| *p).collect::<Vec<Option<&str>>>()),
        Column::new("subject".into(), by_id.iter().map(|(_, _, s)| s.as_deref()).collect::<Vec<Option<&str>>>()),
    ])?;
    Ok((map, names))
}

/// Matches distinct school names (columns `keys`: `name`, maybe `municipality`; with `__first`,
/// the first row, `__rows`, the number of rows, and in a wide form `__sheet`) to the register,
/// the crosswalk first: returns `keys` with `school_id` and `__match` (a [`How`] code). Counts per
/// way go to the report; every ambiguous or unknown name is listed once (a name met again in a
/// later block of the same file is not listed twice).
pub(super) fn match_distinct(distinct: &DataFrame, keys: &[&str], wide: bool, ctx: &Context, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let sheets = if wide { Some(distinct.column(SHEET_COL)?.str()?.clone()) } else { None };
    let names = distinct.column("name")?.str()?;
    let places = match distinct.column("municipality") {
        Ok(c) => Some(c.str()?.clone()),
        Err(_) => None,
    };
    let firsts = distinct.column("__first")?.u64()?;
    let rows = distinct.column("__rows")?.u64()?;
    let register = ctx.register.map(|k| k.names());
    let source = report.source_column("name");
    let mut counts = MatchCounts::default();
    let (mut ids, mut hows): (Vec<Option<String>>, Vec<u32>) = (Vec::new(), Vec::new());
    let mut listed = report.problems.iter().filter(|p| p.code == Reason::AmbiguousName.code() || p.code == Reason::UnmatchedName.code()).count();
    if let (Some(r), Some(p)) = (register, &places) {
        note_drifted_places(r, p, report);
    }
    for (i, name) in names.iter().enumerate() {
        let name = name.unwrap_or_default();
        let place = places.as_ref().and_then(|p| p.get(i));
        let found = match ctx.crosswalk.and_then(|c| c.name(name, place)) {
            Some(id) => Match { school_id: Some(id.clone()), how: How::Crosswalk, candidates: Vec::new() },
            None => match register {
                Some(r) => r.find(name, place),
                None => Match { school_id: None, how: How::Unmatched, candidates: Vec::new() },
            },
        };
        let n = rows.get(i).unwrap_or(0);
        *match found.how {
            How::Exact => &mut counts.exact,
            How::Normalized => &mut counts.normalized,
            How::Crosswalk => &mut counts.crosswalk,
            How::Ambiguous => &mut counts.ambiguous,
            How::Unmatched => &mut counts.unmatched,
        } += n;
        let shown = match place {
            Some(p) => format!("{name} ({p})"),
            None => name.to_string(),
        };
        let code = if found.how == How::Ambiguous { Reason::AmbiguousName.code() } else { Reason::UnmatchedName.code() };
        let seen = || report.problems.iter().any(|p| p.code == code && p.value.as_deref() == Some(shown.as_str()));
        if matches!(found.how, How::Ambiguous | How::Unmatched) && !seen() {
            if listed < ctx.max_problems {
                let near: Vec<String> = found.candidates.iter().map(|c| c.label()).collect();
                let n = if wide { tr!("записей школа × предмет: {n}", "school × subject records: {n}") } else { tr!("строк: {n}", "rows: {n}") };
                let message = match found.how {
                    How::Ambiguous => tr!(
                        "название подходит к нескольким ОО реестра: {} — укажите муниципалитет или задайте соответствие (--crosswalk); {n}",
                        "the name fits several register schools: {} — give the municipality or a crosswalk (--crosswalk); {n}",
                        near.join("; ")
                    ),
                    _ => tr!(
                        "ОО с таким названием нет в реестре; ближайшие: {} — задайте соответствие (--crosswalk); {n}",
                        "no register school has this name; nearest: {} — give a crosswalk (--crosswalk); {n}",
                        if near.is_empty() { "—".to_string() } else { near.join("; ") }
                    ),
                };
                let sheet = sheets.as_ref().and_then(|s| s.get(i));
                report.problem_in(sheet, Severity::Warning, code, firsts.get(i), source.as_deref(), Some(shown), message);
                listed += 1;
            } else {
                report.problems_not_listed += 1;
            }
        }
        ids.push(found.school_id);
        hows.push(found.how.code());
    }
    let total = report.name_matching.get_or_insert_with(MatchCounts::default);
    total.add(&counts);
    let mut columns: Vec<Column> = keys.iter().map(|k| distinct.column(k).cloned()).collect::<PolarsResult<_>>()?;
    columns.push(Column::new("school_id".into(), ids));
    columns.push(Column::new("__match".into(), hows));
    DataFrame::new_infer_height(columns)
}

/// Lists each municipality written otherwise than in the register but matched to it (once a
/// file).
fn note_drifted_places(register: &super::names::Register, places: &StringChunked, report: &mut InputReport) {
    let mut distinct: Vec<&str> = places.iter().flatten().collect();
    distinct.sort_unstable();
    distinct.dedup();
    for p in distinct {
        let normal = super::names::normalize_place(p);
        let Some(matched) = register.register_place(p).filter(|m| *m != normal) else { continue };
        let label = register.place_label(&matched).unwrap_or(matched.as_str()).to_string();
        let source = report.source_column("municipality");
        report.note_once("municipality_matched", source.as_deref(), Some(p.to_string()), tr!(
            "муниципалитет сопоставлен с «{label}» реестра (написан иначе)",
            "municipality matched to the register's '{label}' (spelled otherwise)"
        ));
    }
}

/// Notes how many rows took their school id from the crosswalk (one note a file, summed over
/// its blocks).
pub(super) fn note_crosswalk_ids(report: &mut InputReport, n: u64) {
    if n == 0 {
        return;
    }
    const CODE: &str = "crosswalk_ids";
    let before: u64 = report.problems.iter().filter(|p| p.code == CODE).filter_map(|p| p.value.as_deref().and_then(|v| v.parse::<u64>().ok())).sum();
    report.problems.retain(|p| p.code != CODE);
    let n = before + n;
    report.problem(
        Severity::Note,
        CODE,
        None,
        None,
        Some(n.to_string()),
        tr!("идентификаторы ОО взяты из таблицы соответствия: строк {n}", "school ids taken from the crosswalk: {n} rows"),
    );
}

pub(super) fn has(c: &str) -> Expr {
    col(format!("__has_{c}"))
}

pub(super) fn num(c: &str) -> Expr {
    col(format!("__num_{c}"))
}

/// A value is there but is not a number.
pub(super) fn not_numeric(c: &str) -> Expr {
    has(c).and(num(c).is_null())
}

/// A mark that is there but is not a whole number from 2 to 5.
pub(super) fn bad_mark(c: &str) -> Expr {
    let v = num(c);
    has(c).and(
        v.clone()
            .is_null()
            .or(is_whole(v.clone()).not())
            .or(v.clone().lt(lit(2.0)))
            .or(v.gt(lit(5.0))),
    )
}

#[cfg(test)]
mod rule_order_tests {
    use super::*;

    #[test]
    fn own_rules_stand_between_the_shared_ones() {
        let shared = |r: Reason| (r != Reason::AmbiguousName).then_some(r.code());
        let v = in_rule_order(shared, vec!["own1", "own2"]);
        assert_eq!(v.first(), Some(&Reason::UnmatchedName.code()));
        assert!(!v.contains(&Reason::AmbiguousName.code()));
        let own = v.iter().position(|c| *c == "own1").unwrap();
        assert_eq!(v.get(own + 1), Some(&"own2"));
        assert_eq!(v.get(own - 1), Some(&Reason::BadGrade.code()));
        assert_eq!(v.last(), Some(&Reason::ProcedureNotInMethod.code()));
        assert_eq!(v.len(), 9 - 1 + 2);
    }
}
