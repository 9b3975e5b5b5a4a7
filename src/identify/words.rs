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

/// A fail share with its Wilson 95 % interval and n: «41 % (95 % ДИ 27–56 %, n = 32)»; the share
/// alone when n is not known.
pub fn share_ci(share: Option<f64>, n: Option<i64>) -> String {
    let ci = match (share, n) {
        (Some(p), Some(n)) => crate::indices::uncertainty::wilson(p, n as f64).map(|ci| (ci, n)),
        _ => None,
    };
    match ci {
        Some(((lo, hi), n)) => {
            let whole = |x: f64| format!("{:.0}", x * 100.0);
            tr!("{} (95 % ДИ {}–{} %, n = {n})", "{} (95 % CI {}–{} %, n = {n})", pct(share), whole(lo), whole(hi))
        }
        None => pct(share),
    }
}

fn p_whole(p: f64) -> String {
    format!("{:.0}", p * 100.0)
}

/// A fail share with its Wilson 95 % interval and n, compact (for tables whose header says what
/// the brackets hold): «41 % (27–56 %; n = 32)».
/// `suppress`: a count of pupils below it reads «n < suppress» (0: every count as it is).
pub fn share_ci_short(share: Option<f64>, n: Option<i64>, suppress: u32) -> String {
    match (share, n) {
        (Some(p), Some(n)) => match crate::indices::uncertainty::wilson(p, n as f64) {
            // No-break spaces and word joiners: a number never parts from its «%».
            Some((lo, hi)) => {
                let n = if n < i64::from(suppress) { format!("n\u{a0}<\u{a0}{suppress}") } else { format!("n\u{a0}=\u{a0}{n}") };
                format!("{}\u{a0}% ({:.0}\u{2060}–\u{2060}{:.0}\u{a0}%; {n})", p_whole(p), lo * 100.0, hi * 100.0)
            }
            None => pct(share),
        },
        _ => pct(share),
    }
}

/// «надёжно» / «неопределённо»: whether a flag holds beyond chance (§4.7).
pub fn solid_word(solid: bool) -> String {
    if solid {
        tr!("надёжно", "solid")
    } else {
        tr!("неопределённо", "uncertain")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_with_their_interval_and_n() {
        assert_eq!(share_ci(Some(13.0 / 32.0), Some(32)), "41 % (95 % ДИ 26–58 %, n = 32)");
        assert_eq!(share_ci(Some(0.5), None), "50 %");
        assert_eq!(share_ci(None, Some(3)), "—");
    }
}
