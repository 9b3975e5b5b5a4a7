//! How the identification's numbers and procedures read in reasons and reports.

/// «ВПР 4 Русский язык»; ОГЭ and ЕГЭ without the grade.
pub fn procedure_label(procedure: &str, grade: Option<i64>, subject: &str) -> String {
    match (procedure, grade) {
        ("ВПР", Some(g)) => format!("{procedure} {g} {subject}"),
        _ => format!("{procedure} {subject}"),
    }
}

/// A share as a whole percentage: 0.412 → «41 %».
pub fn pct(share: Option<f64>) -> String {
    match share {
        Some(s) => format!("{:.0} %", s * 100.0),
        None => "—".to_string(),
    }
}

/// A number with one decimal and the decimal separator of the language.
pub fn num1(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), crate::i18n::decimal1)
}
