//! Parsing of text columns into typed values as polars expressions over whole columns:
//! placeholders, decimal commas, thousands separators, years, yes/no answers.

use polars::prelude::*;

pub use crate::ingest::PLACEHOLDERS;

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

/// NaN and infinities are not numbers.
fn finite(v: Expr) -> Expr {
    when(v.clone().is_nan().or(v.clone().is_infinite()))
        .then(lit(NULL).cast(DataType::Float64))
        .otherwise(v)
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
    let finite: Vec<Expr> = names.iter().map(|c| finite(col(format!("__f_{c}"))).alias(format!("__num_{c}"))).collect();
    let scratch: Vec<String> = names.iter().flat_map(|c| [format!("__s_{c}"), format!("__f_{c}")]).collect();
    lf.with_columns(stripped)
        .with_columns(parsed)
        .with_columns(finite)
        .drop(cols(scratch))
}

/// The codes of a text column (u64, null for a missing value) and the mapping that names them:
/// a categorical column's own, or the column coded here.
pub fn codes_of(df: &DataFrame, c: &str) -> (Expr, std::sync::Arc<CategoricalMapping>) {
    if let Ok(DataType::Categorical(_, mapping)) = df.column(c).map(|s| s.dtype()) {
        return (col(c).to_physical().cast(DataType::UInt64), mapping.clone());
    }
    code(col(c))
}

/// The values of a text expression as codes (u64, null for a missing value) of a new
/// categorical, and its mapping. The mapping must be held while the codes are used or named
/// (a categories object keeps it only weakly).
pub fn code(e: Expr) -> (Expr, std::sync::Arc<CategoricalMapping>) {
    let cats = Categories::random(PlSmallStr::EMPTY, CategoricalPhysical::U32);
    let mapping = cats.mapping();
    (e.cast(DataType::String).cast(DataType::from_categories(cats)).to_physical().cast(DataType::UInt64), mapping)
}

/// Parses the number columns `names` (and the year column `year`, when given) of a frame: adds
/// `__has_<c>` (a value is there), `__num_<c>` (the number, or null) and `__year`. A column the
/// reader already typed is taken as it is. A text column is parsed once per distinct value (its
/// values are coded as a categorical; the full cleaning of [`with_numbers`] and [`year_of`] runs
/// over the distinct values, and each row takes its value's result by its code), so a column of a
/// few distinct values costs one coding pass, whatever the number of rows.
pub fn parse_numbers(df: DataFrame, names: &[&str], year: Option<&str>) -> PolarsResult<DataFrame> {
    let typed: std::collections::BTreeSet<&str> = names
        .iter()
        .copied()
        .chain(year)
        .filter(|c| df.column(c).is_ok_and(|s| s.dtype().is_primitive_numeric()))
        .collect();
    // The text columns to parse (the year once, even when it is also among `names`).
    let mut text_cols: Vec<&str> = names.iter().copied().chain(year).filter(|c| !typed.contains(c)).collect();
    text_cols.dedup();
    // Each categories object keeps its mapping only weakly: the mappings are held here.
    let mut mappings: std::collections::BTreeMap<&str, std::sync::Arc<CategoricalMapping>> = Default::default();
    let mut codes: Vec<Expr> = Vec::new();
    for c in &text_cols {
        if mappings.contains_key(c) {
            continue;
        }
        let (code, mapping) = codes_of(&df, c);
        mappings.insert(c, mapping);
        codes.push(code.alias(format!("__code_{c}")));
    }
    let df = if codes.is_empty() { df } else { df.lazy().with_columns(codes).collect()? };
    // The distinct values of a text column, by code.
    let distinct = |c: &str| -> PolarsResult<DataFrame> {
        let mut values: Vec<Option<&str>> = match mappings.get(c) {
            Some(m) => (0..m.num_cats_upper_bound()).map(|i| u32::try_from(i).ok().and_then(|i| m.cat_to_str(i))).collect(),
            None => Vec::new(),
        };
        // Never an empty table (a literal of no values does not gather as a column).
        values.push(None);
        DataFrame::new_infer_height(vec![Column::new(c.into(), values)])
    };
    let mut exprs: Vec<Expr> = Vec::new();
    for c in names {
        if typed.contains(c) {
            exprs.push(finite(col(*c).cast(DataType::Float64)).alias(format!("__num_{c}")));
            exprs.push(col(*c).is_not_null().alias(format!("__has_{c}")));
            continue;
        }
        let parsed = with_numbers(distinct(c)?.lazy(), &[*c], &Default::default()).collect()?;
        let code = col(format!("__code_{c}"));
        let num = parsed.column(&format!("__num_{c}"))?.as_materialized_series().clone();
        let has = parsed.column(&format!("__has_{c}"))?.as_materialized_series().clone();
        exprs.push(lit(num).gather(code.clone(), false).alias(format!("__num_{c}")));
        exprs.push(lit(has).gather(code, false).fill_null(lit(false)).alias(format!("__has_{c}")));
    }
    if let Some(y) = year {
        if typed.contains(y) {
            // A typed year must be whole (as «2025.5» is no year in text either).
            let v = col(y);
            exprs.push(year_of_number(when(is_whole(v.clone())).then(v).otherwise(lit(NULL).cast(DataType::Float64))).alias("__year"));
        } else {
            let parsed = distinct(y)?.lazy().select([year_of(y, false).alias("__year")]).collect()?;
            let years = parsed.column("__year")?.as_materialized_series().clone();
            exprs.push(lit(years).gather(col(format!("__code_{y}")), false).alias("__year"));
        }
    }
    let scratch: Vec<String> = mappings.keys().map(|c| format!("__code_{c}")).collect();
    let out = df.lazy().with_columns(exprs);
    if scratch.is_empty() { out.collect() } else { out.drop(cols(scratch)).collect() }
}

/// The value is a whole number.
pub fn is_whole(e: Expr) -> Expr {
    e.clone().cast(DataType::Int64).cast(DataType::Float64).eq(e)
}

/// A year: the last four-digit group («2024/2025» → 2025), valid from 2000 to 2100. With
/// `plain` (every value is just digits) a direct cast does the same without a regex.
pub fn year_of(c: &str, plain: bool) -> Expr {
    if plain {
        year_of_number(col(c))
    } else {
        year_of_number(text(c).str().extract(lit(r"(\d{4})\D*$"), 1))
    }
}

/// A year from a number (or text of digits): valid from 2000 to 2100.
fn year_of_number(v: Expr) -> Expr {
    let y = v.cast(DataType::Int32);
    when(y.clone().gt_eq(lit(2000)).and(y.clone().lt_eq(lit(2100))))
        .then(y)
        .otherwise(lit(NULL).cast(DataType::Int32))
}

#[cfg(test)]
pub fn year(c: &str) -> Expr {
    year_of(c, false)
}

/// A yes/no answer → 1.0 / 0.0 / None (not recognised), case-insensitive.
pub fn answer_of(value: &str, extra_yes: &[String], extra_no: &[String]) -> Option<f64> {
    let v = value.to_lowercase();
    let listed = |consts: &[&str], extra: &[String]| consts.contains(&v.as_str()) || extra.iter().any(|e| e.trim().to_lowercase() == v);
    if listed(YES, extra_yes) {
        Some(1.0)
    } else if listed(NO, extra_no) {
        Some(0.0)
    } else {
        None
    }
}

/// Adds the yes/no answers of text columns as `<prefix><column>` → 1.0 / 0.0 / null (blank or
/// not recognised). Each column is coded once (a categorical); the answers are recognised once
/// per distinct value (a questionnaire has a handful) and looked up by code.
pub fn with_answers(df: DataFrame, columns: &[(&str, Vec<String>, Vec<String>)], prefix: &str) -> PolarsResult<DataFrame> {
    let code_of = |c: &str| format!("__code:{c}");
    // Each categories object keeps its mapping only weakly: the mappings are held here.
    let mut mappings = Vec::new();
    let mut codes: Vec<Expr> = Vec::new();
    for (c, _, _) in columns {
        let (code, mapping) = codes_of(&df, c);
        codes.push(code.alias(code_of(c)));
        mappings.push(mapping);
    }
    let df = df.lazy().with_columns(codes).collect()?;
    let mut answers: Vec<Expr> = Vec::new();
    for ((c, yes, no), mapping) in columns.iter().zip(mappings.iter()) {
        let n = mapping.num_cats_upper_bound();
        let mut by_code: Vec<Option<f64>> = (0..n)
            .map(|i| {
                let text = u32::try_from(i).ok().and_then(|i| mapping.cat_to_str(i));
                text.and_then(|t| answer_of(t.trim(), yes, no))
            })
            .collect();
        // Never an empty table (a literal of no values does not gather as a column).
        by_code.push(None);
        let lookup = lit(Series::new(PlSmallStr::EMPTY, by_code));
        answers.push(lookup.gather(col(code_of(c)), false).alias(format!("{prefix}{c}")));
    }
    let drop: Vec<String> = columns.iter().map(|(c, _, _)| code_of(c)).collect();
    df.lazy().with_columns(answers).drop(cols(drop)).collect()
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
        let parsed = parse_numbers(df, &["v"], None).unwrap();
        let got: Vec<Option<f64>> = parsed.column("__num_v").unwrap().f64().unwrap().iter().collect();
        assert_eq!(
            got,
            vec![Some(3.5), Some(3.5), Some(1234.0), Some(1234.5), Some(1234.5), None, None, None, None, None, None, Some(45.0)]
        );
    }

    #[test]
    fn a_value_that_is_not_a_number_is_told_from_a_placeholder() {
        let df = frame(&[Some("abc"), Some("X"), None, Some("5")]);
        let parsed = parse_numbers(df, &["v"], None).unwrap();
        let out = parsed.lazy().select([col("__has_v").and(col("__num_v").is_null()).alias("o")]).collect().unwrap();
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
            let by_value = parse_numbers(df, &["v"], None).unwrap();
            let direct = by_value.column("__num_v").unwrap().f64().unwrap().get(0).unwrap();
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
        let df = frame(&[Some("Да"), Some("нет"), Some("1"), Some("0"), Some("TRUE"), Some("+"), Some("−"), Some("Есть"), Some("может быть"), None, Some("-"), Some("Да")]);
        let out = with_answers(df, &[("v", vec![], vec!["Может Быть".to_string()])], "a:").unwrap();
        let got: Vec<Option<f64>> = out.column("a:v").unwrap().f64().unwrap().iter().collect();
        assert_eq!(
            got,
            vec![Some(1.0), Some(0.0), Some(1.0), Some(0.0), Some(1.0), Some(1.0), Some(0.0), Some(1.0), Some(0.0), None, Some(0.0), Some(1.0)]
        );
        // Unrecognised answers are blank.
        let out = with_answers(frame(&[Some("наверное"), Some("да")]), &[("v", vec![], vec![])], "a:").unwrap();
        let got: Vec<Option<f64>> = out.column("a:v").unwrap().f64().unwrap().iter().collect();
        assert_eq!(got, vec![None, Some(1.0)]);
    }
}
