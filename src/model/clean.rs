//! Parsing of text columns into typed values as polars expressions over whole columns:
//! placeholders, decimal commas, thousands separators, years, yes/no answers.

use polars::prelude::*;

/// Cell values that mean "no data" in Russian exports.
pub const PLACEHOLDERS: &[&str] = &["X", "x", "Х", "х", "-", "—", "–", "н/д", "Н/Д", "Н/д", "нд", "НД", "n/a", "N/A", "#Н/Д", "#N/A"];

pub const YES: &[&str] = &["да", "1", "true", "+", "есть", "yes", "y", "д", "истина", "имеется", "1.0"];
pub const NO: &[&str] = &["нет", "0", "false", "-", "−", "–", "—", "no", "n", "н", "ложь", "отсутствует", "не имеется", "0.0"];

pub fn null_str() -> Expr {
    lit(NULL).cast(DataType::String)
}

fn str_list(values: &[&str]) -> Expr {
    lit(Series::new(PlSmallStr::EMPTY, values))
}

/// A text column with placeholders (`X`, `-`, `н/д` …) read as missing.
pub fn text(c: &str) -> Expr {
    when(col(c).is_in(str_list(PLACEHOLDERS).implode(false), false))
        .then(null_str())
        .otherwise(col(c))
}

/// A number: spaces (also non-breaking) as thousands separators, decimal comma or point, `%`
/// signs ignored; NaN and infinities are not numbers.
pub fn number(c: &str) -> Expr {
    let s = text(c).str().replace_all(lit(r"[\s\u{a0}\u{202f}%]"), lit(""), false);
    let both = s.clone().str().contains_literal(lit(",")).and(s.clone().str().contains_literal(lit(".")));
    let normalized = when(both)
        .then(s.clone().str().replace_all(lit(","), lit(""), true))
        .otherwise(s.str().replace_all(lit(","), lit("."), true));
    let v = normalized.cast(DataType::Float64);
    when(v.clone().is_nan().or(v.clone().is_infinite()))
        .then(lit(NULL).cast(DataType::Float64))
        .otherwise(v)
}

/// Columns (of `names`) whose every value is a plain number («12», «-3.5», «1e3»): they parse
/// with a plain cast, skipping the cleaning of spaces, commas and placeholders. One fast scan.
pub fn plain_columns(df: &DataFrame, names: &[&str]) -> PolarsResult<std::collections::BTreeSet<String>> {
    let present: Vec<&str> = names.iter().copied().filter(|c| df.column(c).is_ok()).collect();
    if present.is_empty() {
        return Ok(Default::default());
    }
    let probes: Vec<Expr> = present
        .iter()
        .map(|c| {
            col(*c)
                .str()
                .contains(lit(r"^[+-]?[0-9]+(\.[0-9]+)?$"), false)
                .not()
                .fill_null(lit(false))
                .any(true)
                .alias(*c)
        })
        .collect();
    let out = df.clone().lazy().select(probes).collect()?;
    let mut plain = std::collections::BTreeSet::new();
    for c in present {
        if out.column(c)?.bool()?.get(0) == Some(false) {
            plain.insert(c.to_string());
        }
    }
    Ok(plain)
}

/// Parses number columns in stages, each step computed once per column (no expression is
/// evaluated twice): adds `__has_<c>` (a value is there) and `__num_<c>` (the number, or null).
/// Columns in `plain` (see [`plain_columns`]) are cast directly.
pub fn with_numbers(lf: LazyFrame, names: &[&str], plain: &std::collections::BTreeSet<String>) -> LazyFrame {
    let stripped: Vec<Expr> = names
        .iter()
        .map(|c| {
            if plain.contains(*c) {
                col(*c).alias(format!("__s_{c}"))
            } else {
                text(c)
                    .str()
                    .replace_all(lit(r"[\s\u{a0}\u{202f}%]"), lit(""), false)
                    .alias(format!("__s_{c}"))
            }
        })
        .collect();
    let parsed: Vec<Expr> = names
        .iter()
        .flat_map(|c| {
            let s = col(format!("__s_{c}"));
            if plain.contains(*c) {
                return [s.clone().cast(DataType::Float64).alias(format!("__f_{c}")), s.is_not_null().alias(format!("__has_{c}"))];
            }
            let both = s.clone().str().contains_literal(lit(",")).and(s.clone().str().contains_literal(lit(".")));
            let f = when(both)
                .then(s.clone().str().replace_all(lit(","), lit(""), true))
                .otherwise(s.clone().str().replace_all(lit(","), lit("."), true))
                .cast(DataType::Float64)
                .alias(format!("__f_{c}"));
            [f, s.is_not_null().alias(format!("__has_{c}"))]
        })
        .collect();
    let finite: Vec<Expr> = names
        .iter()
        .map(|c| {
            let v = col(format!("__f_{c}"));
            when(v.clone().is_nan().or(v.clone().is_infinite()))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(v)
                .alias(format!("__num_{c}"))
        })
        .collect();
    let scratch: Vec<String> = names.iter().flat_map(|c| [format!("__s_{c}"), format!("__f_{c}")]).collect();
    lf.with_columns(stripped)
        .with_columns(parsed)
        .with_columns(finite)
        .drop(cols(scratch))
}

/// The cell has something (not a placeholder) that did not parse as a number.
pub fn not_a_number(c: &str) -> Expr {
    text(c).is_not_null().and(number(c).is_null())
}

/// The value is a whole number.
pub fn is_whole(e: Expr) -> Expr {
    e.clone().cast(DataType::Int64).cast(DataType::Float64).eq(e)
}

/// A year: the last four-digit group («2024/2025» → 2025), valid from 2000 to 2100. With
/// `plain` (every value is just digits) a direct cast does the same without a regex.
pub fn year_of(c: &str, plain: bool) -> Expr {
    let y = if plain {
        col(c).cast(DataType::Int32)
    } else {
        text(c).str().extract(lit(r"(\d{4})\D*$"), 1).cast(DataType::Int32)
    };
    when(y.clone().gt_eq(lit(2000)).and(y.clone().lt_eq(lit(2100))))
        .then(y)
        .otherwise(lit(NULL).cast(DataType::Int32))
}

#[cfg(test)]
pub fn year(c: &str) -> Expr {
    year_of(c, false)
}

/// Yes/no answer → 1.0 / 0.0 / null (blank or not recognised).
#[cfg(test)]
pub fn yes_no(c: &str, extra_yes: &[String], extra_no: &[String]) -> Expr {
    yes_no_of(col(c).str().to_lowercase(), extra_yes, extra_no)
}

/// Yes/no of an already lower-cased column (so that the lower-casing is done once).
pub fn yes_no_of(norm: Expr, extra_yes: &[String], extra_no: &[String]) -> Expr {
    let yes: Vec<String> = YES.iter().map(|s| s.to_string()).chain(extra_yes.iter().map(|s| s.trim().to_lowercase())).collect();
    let no: Vec<String> = NO.iter().map(|s| s.to_string()).chain(extra_no.iter().map(|s| s.trim().to_lowercase())).collect();
    when(norm.clone().is_in(lit(Series::new(PlSmallStr::EMPTY, yes)).implode(false), false))
        .then(lit(1.0))
        .when(norm.is_in(lit(Series::new(PlSmallStr::EMPTY, no)).implode(false), false))
        .then(lit(0.0))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(values: &[Option<&str>]) -> DataFrame {
        let s: Vec<Option<String>> = values.iter().map(|v| v.map(str::to_string)).collect();
        DataFrame::new_infer_height(vec![Column::new("v".into(), s)]).unwrap()
    }

    fn floats(df: DataFrame, e: Expr) -> Vec<Option<f64>> {
        let out = df.lazy().select([e.alias("o")]).collect().unwrap();
        out.column("o").unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
    }

    #[test]
    fn numbers_in_russian_formats() {
        let df = frame(&[
            Some("3,5"), Some("3.5"), Some("1 234"), Some("1\u{a0}234,5"), Some("1,234.5"),
            Some("х"), Some("—"), Some("abc"), Some("NaN"), Some("inf"), None, Some("45%"),
        ]);
        let got = floats(df, number("v"));
        assert_eq!(
            got,
            vec![Some(3.5), Some(3.5), Some(1234.0), Some(1234.5), Some(1234.5), None, None, None, None, None, None, Some(45.0)]
        );
    }

    #[test]
    fn not_a_number_only_for_real_text() {
        let df = frame(&[Some("abc"), Some("X"), None, Some("5")]);
        let out = df.lazy().select([not_a_number("v").alias("o")]).collect().unwrap();
        let v: Vec<Option<bool>> = out.column("o").unwrap().bool().unwrap().iter().collect();
        assert_eq!(v, vec![Some(true), Some(false), Some(false), Some(false)]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// A number written the Russian way (space-grouped thousands, decimal comma) parses back.
        #[test]
        fn russian_numbers_parse_back(int_part in 0u64..10_000_000, frac in 0u32..100, nbsp in proptest::bool::ANY) {
            let digits = int_part.to_string();
            let mut grouped = String::new();
            for (i, ch) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(if nbsp { '\u{a0}' } else { ' ' });
                }
                grouped.push(ch);
            }
            let text = format!("{grouped},{frac:02}");
            let want = int_part as f64 + f64::from(frac) / 100.0;
            let df = frame(&[Some(text.as_str())]);
            let staged = with_numbers(df.clone().lazy(), &["v"], &Default::default()).collect().unwrap();
            let got = staged.column("__num_v").unwrap().f64().unwrap().get(0).unwrap();
            proptest::prop_assert!((got - want).abs() < 1e-6, "{} -> {}", text, got);
            let direct = floats(df, number("v"))[0].unwrap();
            proptest::prop_assert!((direct - want).abs() < 1e-6);
        }
    }

    #[test]
    fn years() {
        let df = frame(&[Some("2025"), Some("2024/2025"), Some("2024-2025 уч. г."), Some("1899"), Some("год"), Some("2025 г.")]);
        let got = floats(df, year("v"));
        assert_eq!(got, vec![Some(2025.0), Some(2025.0), Some(2025.0), None, None, Some(2025.0)]);
    }

    #[test]
    fn yes_no_answers() {
        let df = frame(&[Some("Да"), Some("нет"), Some("1"), Some("0"), Some("TRUE"), Some("+"), Some("−"), Some("Есть"), Some("может быть"), None, Some("-")]);
        let got = floats(df, yes_no("v", &[], &[]));
        assert_eq!(
            got,
            vec![Some(1.0), Some(0.0), Some(1.0), Some(0.0), Some(1.0), Some(1.0), Some(0.0), Some(1.0), None, None, Some(0.0)]
        );
    }
}
