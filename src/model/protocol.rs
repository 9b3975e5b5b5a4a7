//! Results files as the federal and regional systems give them (§3.5): ФИС ОКО per-student
//! protocols with the year, grade, subject and procedure only in the title or the file name,
//! `code | name` cells, class names such as «5А», absent pupils. Each step works over whole
//! columns and tells the report what it did.

use std::path::Path;

use polars::prelude::*;

use super::report::{InputReport, Reason};
use super::subjects::normalize_subject;
use crate::ingest::wide::{grade_in, procedure_in, year_in};

/// Whether any value of a text column satisfies `pred`, looked at once per distinct value (the
/// categories of a categorical column, the unique texts of a text column); never for a column of
/// numbers. Large files come as categoricals, so this costs nothing per row.
fn any_value(df: &DataFrame, c: &str, pred: impl Fn(&str) -> bool) -> PolarsResult<bool> {
    let Ok(column) = df.column(c) else { return Ok(false) };
    match column.dtype() {
        DataType::Categorical(_, mapping) => {
            Ok((0..mapping.num_cats_upper_bound()).filter_map(|i| u32::try_from(i).ok().and_then(|i| mapping.cat_to_str(i))).any(&pred))
        }
        DataType::String => Ok(column.as_materialized_series().unique()?.str()?.iter().flatten().any(&pred)),
        _ => Ok(false),
    }
}

/// What the title rows and the file's path say of a file without such columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub year: Option<i32>,
    pub grade: Option<u32>,
    pub subject: Option<String>,
    pub procedure: Option<&'static str>,
}

/// Subjects a title or a file name may name (in any case form: «по русскому языку»).
const KNOWN_SUBJECTS: &[&str] = &[
    "Русский язык", "Математика", "Окружающий мир", "История", "Обществознание", "Биология", "География", "Физика", "Химия",
    "Литература", "Информатика", "Английский язык", "Немецкий язык", "Французский язык", "Иностранный язык", "Физическая культура",
];

/// The subject named in a text in any grammatical case: each word of the subject's name, less
/// its ending, begins a word of the text in the same order («по окружающему миру» → «Окружающий
/// мир»). Longer names win («русскому языку» is not just «язык»).
pub fn subject_in(text: &str) -> Option<String> {
    let words: Vec<String> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase().replace('ё', "е")).collect();
    let stem = |w: &str| -> String {
        let n = w.chars().count();
        let keep = n.saturating_sub(2).max(3).min(n);
        w.chars().take(keep).collect()
    };
    let mut best: Option<(usize, &str)> = None;
    for subject in KNOWN_SUBJECTS {
        let stems: Vec<String> = subject.split(' ').map(|w| stem(&w.to_lowercase())).collect();
        let fits = words.windows(stems.len()).any(|win| win.iter().zip(&stems).all(|(w, s)| w.starts_with(s.as_str())));
        if fits && best.is_none_or(|(n, _)| stems.len() > n) {
            best = Some((stems.len(), subject));
        }
    }
    best.map(|(_, s)| s.to_string())
}

/// Facts from the title rows first, then from the file name and its folders (innermost first):
/// «Проведение работы по математике, 5 класс. ВПР 2021», `2022/11/История.xlsx`.
pub fn facts(path: &Path, titles: &[String]) -> Facts {
    let title = titles.join(" ");
    let mut parts: Vec<String> = Vec::new();
    if let Some(stem) = path.file_stem() {
        parts.push(stem.to_string_lossy().to_string());
    }
    for a in path.ancestors().skip(1).take(3) {
        if let Some(n) = a.file_name() {
            parts.push(n.to_string_lossy().to_string());
        }
    }
    let from_parts = |f: &dyn Fn(&str) -> Option<u32>| parts.iter().find_map(|p| f(p));
    // A folder or file named just by a number 1–11 is a grade («2022/11/История.xlsx»).
    let bare_grade = |p: &str| p.trim().parse::<u32>().ok().filter(|g| (1..=11).contains(g));
    Facts {
        year: year_in(&title).or_else(|| parts.iter().find_map(|p| year_in(p))),
        grade: grade_in(&title).or_else(|| from_parts(&grade_in)).or_else(|| from_parts(&bare_grade)),
        subject: subject_in(&title).or_else(|| parts.iter().find_map(|p| subject_in(p))),
        procedure: procedure_in(&title).or_else(|| parts.iter().find_map(|p| procedure_in(p))),
    }
}

/// Columns the file lacks taken from its title or name, each noted in the report. A file of the
/// ФИС ОКО shape (task score columns or a variant column) without any procedure is ВПР.
pub fn fill_from_facts(df: DataFrame, path: &Path, titles: &[String], spec_year: Option<i32>, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let f = facts(path, titles);
    let has = |c: &str| df.column(c).is_ok();
    let protocol_shape = report.task_columns > 0 || has("variant");
    let procedure = f.procedure.or(if protocol_shape { Some(super::subjects::VPR) } else { None });
    let mut fills: Vec<(&str, String)> = Vec::new();
    if !has("year") && spec_year.is_none() {
        if let Some(y) = f.year {
            fills.push(("year", y.to_string()));
        }
    }
    if !has("procedure") {
        if let Some(p) = procedure {
            fills.push(("procedure", p.to_string()));
        }
    }
    if !has("grade") {
        if let Some(g) = f.grade {
            fills.push(("grade", g.to_string()));
        }
    }
    if !has("subject") {
        if let Some(s) = &f.subject {
            fills.push(("subject", normalize_subject(s)));
        }
    }
    if fills.is_empty() {
        return Ok(df);
    }
    let words: Vec<String> = fills.iter().map(|(c, v)| format!("{} = {v}", super::schema::column_words(c))).collect();
    report.note_once("from_title", None, None, tr!(
        "в файле нет столбцов, взято из заголовка или имени файла: {}",
        "columns the file lacks, taken from its title or name: {}",
        words.join("; ")
    ));
    df.lazy().with_columns(fills.into_iter().map(|(c, v)| lit(v).alias(c)).collect::<Vec<_>>()).collect()
}

/// Cells written as `code | name` («edu223144 | МБОУ "Приобская СОШ"», «reg22_m007 | Быстроистокский
/// муниципальный район»): the name keeps the name part; a school cell gives the school id when the
/// file has no id column. A column is split when most of its filled cells hold « | ».
pub fn split_code_name(df: DataFrame, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let mut df = df;
    for column in ["name", "municipality"] {
        if df.column(column).is_err() {
            continue;
        }
        if !any_value(&df, column, |v| v.contains('|'))? {
            continue;
        }
        let c = col(column).cast(DataType::String);
        let bar = c.clone().str().contains_literal(lit("|"));
        let counts = df.clone().lazy().select([bar.clone().cast(DataType::UInt32).sum().alias("bar"), c.clone().count().alias("filled")]).collect()?;
        let n_bar = counts.column("bar")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
        let filled = counts.column("filled")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
        if n_bar == 0 || n_bar * 2 < filled {
            continue;
        }
        let code = c.clone().str().extract(lit(r"^\s*([^|]*?)\s*\|"), 1);
        let name = c.clone().str().extract(lit(r"\|\s*(.*?)\s*$"), 1);
        let mut exprs = vec![when(bar.clone()).then(name).otherwise(c.clone()).alias(column)];
        let id_too = column == "name" && df.column("school_id").is_err();
        if id_too {
            exprs.push(when(bar).then(code).otherwise(lit(NULL).cast(DataType::String)).alias("school_id"));
        }
        df = df.lazy().with_columns(exprs).collect()?;
        let source = report.source_column(column).unwrap_or_else(|| column.to_string());
        report.note_once("code_name_cells", Some(&source), None, if id_too {
            tr!("ячейки «код | название»: код взят как идентификатор ОО, название — как наименование", "'code | name' cells: the code is taken as the school id, the name as the school name")
        } else {
            tr!("ячейки «код | название»: взято название", "'code | name' cells: the name part is taken")
        });
    }
    Ok(df)
}

/// Texts that say the pupil did not write the work.
const ABSENT: &[&str] = &["отсутствовал", "отсутствовала", "отсутствовал(а)", "отсутствует", "не писал", "не писала", "неявка", "не явился", "не явилась", "absent"];

/// Rows of absent pupils («отсутствовал» in the variant, score or mark cell) set aside by their
/// own reason (a zero total beside it is not a score).
pub fn exclude_absent(df: DataFrame, report: &mut InputReport) -> PolarsResult<DataFrame> {
    let absent_list = lit(Series::new("__absent".into(), ABSENT)).implode(false);
    let mut absent: Option<Expr> = None;
    let is_absent = |v: &str| ABSENT.contains(&v.trim().to_lowercase().as_str());
    for c in ["variant", "score", "mark"] {
        if !any_value(&df, c, is_absent)? {
            continue;
        }
        let e = col(c).cast(DataType::String).str().strip_chars(lit(NULL)).str().to_lowercase().is_in(absent_list.clone(), false).fill_null(lit(false));
        absent = Some(match absent {
            Some(a) => a.or(e),
            None => e,
        });
    }
    let Some(absent) = absent else { return Ok(df) };
    let df = df.lazy().with_column(absent.alias("__absent")).collect()?;
    let n = df.column("__absent")?.bool()?.sum().unwrap_or(0) as u64;
    report.exclude(Reason::Absent, n);
    df.lazy().filter(col("__absent").not()).drop(cols(["__absent"])).collect()
}

/// A grade written as a class name («5А», «5 б», «11-В») is the grade's number.
pub fn grade_from_class(df: DataFrame) -> PolarsResult<DataFrame> {
    let class_name = |v: &str| v.trim().chars().any(char::is_alphabetic) && v.trim().starts_with(|c: char| c.is_ascii_digit());
    if !any_value(&df, "grade", class_name)? {
        return Ok(df);
    }
    match df.column("grade").map(|c| c.dtype().clone()) {
        Ok(DataType::String) | Ok(DataType::Categorical(_, _)) => df
            .lazy()
            .with_column(col("grade").cast(DataType::String).str().replace(lit(r"^\s*(\d{1,2})\s*[-–]?\s*[А-Яа-яЁёA-Za-z]{1,2}\s*$"), lit("${1}"), false).alias("grade"))
            .collect(),
        _ => Ok(df),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_in_titles_and_names() {
        assert_eq!(subject_in("Проведение работы по математике, 5 класс. ВПР 2021").as_deref(), Some("Математика"));
        assert_eq!(subject_in("по русскому языку").as_deref(), Some("Русский язык"));
        assert_eq!(subject_in("ВПР по окружающему миру 4 класс").as_deref(), Some("Окружающий мир"));
        assert_eq!(subject_in("История").as_deref(), Some("История"));
        assert_eq!(subject_in("обществознанию").as_deref(), Some("Обществознание"));
        assert_eq!(subject_in("Результаты 2025").as_deref(), None);
    }

    #[test]
    fn facts_from_title_then_path() {
        let f = facts(Path::new("x/protocol.xlsx"), &["Проведение работы по математике, 5 класс. ВПР 2021".to_string()]);
        assert_eq!(f, Facts { year: Some(2021), grade: Some(5), subject: Some("Математика".into()), procedure: Some("ВПР") });
        let f = facts(Path::new("data/ВПР/2022/11/История.xlsx"), &[]);
        assert_eq!(f, Facts { year: Some(2022), grade: Some(11), subject: Some("История".into()), procedure: Some("ВПР") });
    }

    #[test]
    fn code_name_cells_absent_pupils_and_class_names() {
        let df = df!(
            "name" => ["edu1 | МБОУ \"Приобская СОШ\"", "edu2 | СОШ № 2", "edu2 | СОШ № 2"],
            "municipality" => ["reg22_m007 | Быстроистокский район", "reg22_m007 | Быстроистокский район", "reg22_m007 | Быстроистокский район"],
            "variant" => ["1", "Отсутствовал", "2"],
            "score" => ["12", "0", "7"],
            "grade" => ["5А", "5 б", "11-В"],
        )
        .unwrap();
        let mut report = InputReport::new(crate::config::InputKind::Results, "p.xlsx".into());
        let df = split_code_name(df, &mut report).unwrap();
        let ids: Vec<Option<&str>> = df.column("school_id").unwrap().str().unwrap().iter().collect();
        assert_eq!(ids, vec![Some("edu1"), Some("edu2"), Some("edu2")]);
        assert_eq!(df.column("name").unwrap().str().unwrap().get(0), Some("МБОУ \"Приобская СОШ\""));
        assert_eq!(df.column("municipality").unwrap().str().unwrap().get(0), Some("Быстроистокский район"));
        let df = exclude_absent(df, &mut report).unwrap();
        assert_eq!(df.height(), 2);
        assert_eq!(report.excluded_map().get("absent"), Some(&1));
        let df = grade_from_class(df).unwrap();
        let grades: Vec<Option<&str>> = df.column("grade").unwrap().str().unwrap().iter().collect();
        assert_eq!(grades, vec![Some("5"), Some("11")]);
    }
}
