//! ВПР conversion scales (§3.6): per (year, grade, subject) the lowest primary score of «3», «4»
//! and «5». A per-student file without marks takes its marks from them; a file that needs a
//! scale it has not got is fatal, naming what is missing.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::checks::{apply_checks, check, ensure_columns, require_columns};
use super::clean::{code, is_whole, parse_numbers, text};
use super::report::{InputReport, Reason, Severity};
use super::subjects::{normalize_procedure, normalize_subject, EGE};
use crate::config::ScaleRow;
use crate::ingest::RawFrame;

/// One scale: the lowest score of «3», «4», «5», and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub min3: f64,
    pub min4: f64,
    pub min5: f64,
    pub source: String,
}

/// Scales by (year, grade, normalised subject).
#[derive(Debug, Clone, Default)]
pub struct Scales {
    pub map: BTreeMap<(i32, u32, String), Scale>,
}

impl Scales {
    /// The scales written in the configuration (`[[scales]]`).
    pub fn from_config(rows: &[ScaleRow]) -> Scales {
        let mut s = Scales::default();
        for r in rows {
            let scale = Scale { min3: r.min3, min4: r.min4, min5: r.min5, source: tr!("конфигурация ([[scales]])", "configuration ([[scales]])") };
            s.map.entry((r.year, r.grade, normalize_subject(&r.subject))).or_insert(scale);
        }
        s
    }

    /// Adds the scales of another source; a scale already known stays.
    pub fn merge(&mut self, other: Scales) {
        for (k, v) in other.map {
            self.map.entry(k).or_insert(v);
        }
    }
}

/// Reads a scales file: each row checked (year, grade, subject, three thresholds that are numbers
/// and do not decrease), the first row of a (year, grade, subject) kept.
pub fn build(raw: RawFrame, report: &mut InputReport, max_problems: usize) -> PolarsResult<Option<Scales>> {
    require_columns(report, &raw.df, &["year", "grade", "subject", "min3", "min4", "min5"]);
    if report.fatal {
        return Ok(None);
    }
    let df = ensure_columns(super::checks::categoricals_as_text(raw.df)?, &[])?;
    let df = parse_numbers(df, &["grade", "min3", "min4", "min5"], Some("year"))?;
    let (n3, n4, n5, g) = (col("__num_min3"), col("__num_min4"), col("__num_min5"), col("__num_grade"));
    let bad_min = n3.clone().is_null().or(n4.clone().is_null()).or(n5.clone().is_null()).or(n3.clone().lt(lit(0.0))).or(n4.clone().lt(n3)).or(n5.lt(n4));
    let checks = vec![
        check(col("__year").is_null(), Reason::BadYear, "year"),
        check(g.clone().is_null().or(is_whole(g.clone()).not()).or(g.clone().lt(lit(1.0))).or(g.gt(lit(11.0))), Reason::BadGrade, "grade"),
        check(text("subject").is_null(), Reason::MissingSubject, "subject"),
        check(bad_min, Reason::BadScale, "min3"),
    ];
    let good = apply_checks(report, df.lazy(), checks, max_problems)?;
    let source = std::path::Path::new(&report.path).file_name().map_or_else(|| report.path.clone(), |n| n.to_string_lossy().to_string());
    let mut scales = Scales::default();
    let years = good.column("__year")?.i32()?;
    let grades = good.column("__num_grade")?.f64()?;
    let subjects = good.column("subject")?.str()?;
    let (m3, m4, m5) = (good.column("__num_min3")?.f64()?, good.column("__num_min4")?.f64()?, good.column("__num_min5")?.f64()?);
    for i in 0..good.height() {
        let (Some(y), Some(gr), Some(s), Some(a), Some(b), Some(c)) = (years.get(i), grades.get(i), subjects.get(i), m3.get(i), m4.get(i), m5.get(i)) else {
            continue;
        };
        let key = (y, gr as u32, normalize_subject(s));
        if scales.map.contains_key(&key) {
            report.problem(Severity::Warning, "duplicate_scale", None, Some("subject"), Some(s.to_string()), tr!(
                "шкала {} года, {} класс, «{}» задана повторно — используется первая",
                "the scale of {}, grade {}, '{}' is given again — the first one is used",
                key.0, key.1, key.2
            ));
            continue;
        }
        scales.map.insert(key, Scale { min3: a, min4: b, min5: c, source: source.clone() });
    }
    Ok(Some(scales))
}

/// What [`derive_marks`] gives.
#[derive(Debug)]
pub enum Derived {
    /// The frame with its `mark` column.
    Marks(DataFrame),
    /// The (year, grade, subject) whose scale is missing (sorted, without repeats).
    MissingScales(Vec<(Option<i32>, Option<u32>, String)>),
}

/// A per-student frame without marks: the ВПР and ОГЭ marks derived from the primary score with
/// the scale of each (year, grade, subject), as a number column `mark`. Gives the frame, or the
/// (year, grade, subject) whose scale is missing. The scales used are noted in the report.
pub fn derive_marks(df: DataFrame, scales: &Scales, report: &mut InputReport) -> PolarsResult<Derived> {
    let df = parse_numbers(df, &["grade", "score"], Some("year"))?;
    let (subject_code, subject_map) = code(col("subject"));
    let (procedure_code, procedure_map) = code(col("procedure"));
    let df = df.lazy().with_columns([subject_code.alias("__sc"), procedure_code.alias("__pc")]).collect()?;
    let keys = ["__year", "__num_grade", "__sc", "__pc"];
    let combos = df.clone().lazy().select(keys.iter().map(|k| col(*k)).collect::<Vec<_>>()).unique(None, UniqueKeepStrategy::First).collect()?;
    let name = |m: &CategoricalMapping, c: Option<u64>| c.and_then(|c| u32::try_from(c).ok()).and_then(|c| m.cat_to_str(c)).unwrap_or_default().to_string();
    let (years, grades, sc, pc) = (combos.column("__year")?.i32()?, combos.column("__num_grade")?.f64()?, combos.column("__sc")?.u64()?, combos.column("__pc")?.u64()?);
    let mut missing = Vec::new();
    let mut used: BTreeMap<(i32, u32, String), Scale> = BTreeMap::new();
    let (mut m3, mut m4, mut m5) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..combos.height() {
        let (year, grade) = (years.get(i), grades.get(i).filter(|g| g.fract() == 0.0 && (1.0..=11.0).contains(g)).map(|g| g as u32));
        let subject = normalize_subject(&name(&subject_map, sc.get(i)));
        let ege = normalize_procedure(&name(&procedure_map, pc.get(i))) == Some(EGE);
        let scale = match (year, grade) {
            (Some(y), Some(g)) if !ege => scales.map.get(&(y, g, subject.clone())),
            _ => None,
        };
        match scale {
            Some(s) => {
                if let (Some(y), Some(g)) = (year, grade) {
                    used.insert((y, g, subject.clone()), s.clone());
                }
                (m3.push(Some(s.min3)), m4.push(Some(s.min4)), m5.push(Some(s.min5)));
            }
            None => {
                // ЕГЭ goes by its minimum score; a row without year or grade is excluded by its checks.
                if !ege && year.is_some() && grade.is_some() && !subject.is_empty() {
                    missing.push((year, grade, subject));
                }
                (m3.push(None), m4.push(None), m5.push(None));
            }
        }
    }
    if !missing.is_empty() {
        missing.sort();
        missing.dedup();
        return Ok(Derived::MissingScales(missing));
    }
    for ((y, g, s), scale) in &used {
        let message = tr!(
            "отметки {y} года, {g} класс, «{s}» получены из первичного балла по шкале «{}»: «3» от {}, «4» от {}, «5» от {}",
            "marks of {y}, grade {g}, '{s}' derived from the primary score with the scale '{}': 3 from {}, 4 from {}, 5 from {}",
            scale.source, scale.min3, scale.min4, scale.min5
        );
        report.note_once("scale_used", Some("mark"), None, message);
    }
    let mut lookup = combos;
    lookup.with_column(Column::new("__min3".into(), m3))?;
    lookup.with_column(Column::new("__min4".into(), m4))?;
    lookup.with_column(Column::new("__min5".into(), m5))?;
    let on: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    args.maintain_order = MaintainOrderJoin::Left;
    let s = col("__num_score");
    let mark = when(col("__min3").is_null().or(s.clone().is_null()))
        .then(lit(NULL).cast(DataType::Float64))
        .when(s.clone().gt_eq(col("__min5")))
        .then(lit(5.0))
        .when(s.clone().gt_eq(col("__min4")))
        .then(lit(4.0))
        .when(s.gt_eq(col("__min3")))
        .then(lit(3.0))
        .otherwise(lit(2.0));
    let scratch = ["__year", "__num_grade", "__has_grade", "__num_score", "__has_score", "__sc", "__pc", "__min3", "__min4", "__min5"];
    let out = df
        .lazy()
        .join(lookup.lazy(), on.clone(), on, args)
        .with_column(mark.alias("mark"))
        .drop(cols(scratch))
        .collect()?;
    Ok(Derived::Marks(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_marks_and_missing_scales() {
        let df = df!(
            "year" => ["2025", "2025", "2025", "2025"],
            "grade" => ["5", "5", "5", "6"],
            "subject" => ["Математика", "МА", "математика", "Математика"],
            "procedure" => ["ВПР"; 4],
            "score" => ["3", "12", "19", "7"],
        )
        .unwrap();
        let mut scales = Scales::default();
        scales.map.insert((2025, 5, "Математика".into()), Scale { min3: 5.0, min4: 10.0, min5: 15.0, source: "s.csv".into() });
        let mut report = InputReport::new(crate::config::InputKind::Results, "f.xlsx".into());
        let Derived::MissingScales(missing) = derive_marks(df.clone(), &scales, &mut report).unwrap() else { panic!("marks without a scale") };
        assert_eq!(missing, vec![(Some(2025), Some(6), "Математика".to_string())]);
        scales.map.insert((2025, 6, "Математика".into()), Scale { min3: 7.0, min4: 10.0, min5: 15.0, source: "s.csv".into() });
        let Derived::Marks(out) = derive_marks(df, &scales, &mut report).unwrap() else { panic!("a scale is missing") };
        let marks: Vec<Option<f64>> = out.column("mark").unwrap().f64().unwrap().iter().collect();
        assert_eq!(marks, vec![Some(2.0), Some(4.0), Some(5.0), Some(3.0)]);
        assert!(report.problems.iter().any(|p| p.code == "scale_used" && p.message.contains("s.csv")));
    }
}
