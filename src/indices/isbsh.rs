//! ИСБШ — the social well-being index (§4.3, §4.6): per indicator the share of families,
//! standardised over the region's schools, oriented so that higher is better, combined with
//! weights, then scaled to mean 100 and standard deviation 15.

use polars::prelude::*;

use crate::config::{Config, Direction};

pub struct Isbsh {
    /// school_id, isbsh, isbsh_indicators, families.
    pub schools: DataFrame,
    /// Indicators left out because their standard deviation is 0 (or fewer than 2 schools).
    pub left_out: Vec<String>,
}

/// Context indicators as rows of the long table (school_id, year, indicator, respondents,
/// share, families): the value of a register or context column, or 1/0 for `equals`.
pub fn context_rows(config: &Config, register: &DataFrame, context: &[DataFrame]) -> anyhow::Result<Option<DataFrame>> {
    let mut parts: Vec<LazyFrame> = Vec::new();
    for (name, ind) in &config.isbsh.context {
        if ind.weight <= 0.0 {
            continue;
        }
        let key = crate::text::header_key(&ind.column);
        let source = std::iter::once(register)
            .chain(context.iter())
            .find_map(|df| {
                df.get_column_names()
                    .iter()
                    .find(|c| crate::text::header_key(c) == key)
                    .map(|c| (df, c.to_string()))
            });
        let Some((df, column)) = source else {
            return Err(crate::error::usage(tr!(
                "isbsh.context.{name}: столбец «{}» не найден ни в реестре, ни в файлах показателей",
                "isbsh.context.{name}: column '{}' is in neither the register nor the context files",
                ind.column
            )));
        };
        let value = match &ind.equals {
            Some(eq) => col(column.as_str())
                .cast(DataType::String)
                .str()
                .to_lowercase()
                .eq(lit(eq.trim().to_lowercase()))
                .cast(DataType::Float64),
            None => col(column.as_str()).cast(DataType::Float64),
        };
        parts.push(df.clone().lazy().select([
            col("school_id"),
            lit(NULL).cast(DataType::Int32).alias("year"),
            lit(name.as_str()).alias("indicator"),
            lit(NULL).cast(DataType::Int64).alias("respondents"),
            value.alias("share"),
            lit(NULL).cast(DataType::Int64).alias("families"),
        ]));
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(concat(parts, UnionArgs::default())?.collect()?))
}

/// How many of a school's weakest indicators its ШНСУ reason names.
pub const LOWEST: usize = 3;

/// Per school, the indicators that pull its ИСБШ down most (oriented z-score below 0, lowest
/// first, at most [`LOWEST`]): `isbsh_low<k>_indicator`, `_share`, `_region` (the mean share of
/// the region's schools) for k = 0, 1, 2 (null where fewer).
fn lowest(z_rows: LazyFrame) -> LazyFrame {
    let mut aggs = Vec::new();
    for k in 0..LOWEST {
        let nth = |c: &str| col(c).slice(lit(k as i64), lit(1u32)).first();
        aggs.push(nth("indicator").alias(format!("isbsh_low{k}_indicator")));
        aggs.push(nth("share").alias(format!("isbsh_low{k}_share")));
        aggs.push(nth("__mean").alias(format!("isbsh_low{k}_region")));
    }
    z_rows
        .filter(col("__z").lt(lit(0.0)))
        .sort(["school_id", "__z", "indicator"], SortMultipleOptions::default())
        .group_by_stable([col("school_id")])
        .agg(aggs)
}

pub fn compute(questionnaire: &DataFrame, config: &Config) -> PolarsResult<Isbsh> {
    let mut names: Vec<String> = Vec::new();
    let mut dirs: Vec<f64> = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    let all = config
        .isbsh
        .indicators
        .iter()
        .map(|(n, i)| (n, i.direction, i.weight))
        .chain(config.isbsh.context.iter().map(|(n, i)| (n, i.direction, i.weight)));
    for (name, direction, weight) in all {
        if weight > 0.0 {
            names.push(name.clone());
            dirs.push(if direction == Direction::Plus { 1.0 } else { -1.0 });
            weights.push(weight);
        }
    }
    let spec = DataFrame::new_infer_height(vec![
        Column::new("indicator".into(), names),
        Column::new("__dir".into(), dirs),
        Column::new("__w".into(), weights),
    ])?;
    let min_r = i64::from(config.isbsh.min_respondents);
    let usable = questionnaire
        .clone()
        .lazy()
        .filter(
            col("share")
                .is_not_null()
                .and(col("respondents").is_null().or(col("respondents").gt_eq(lit(min_r)))),
        )
        .join(spec.lazy(), [col("indicator")], [col("indicator")], JoinArgs::new(JoinType::Inner))
        // A fixed row order before every floating-point reduction: the same inputs must give
        // the same bits, whatever order a join or a parallel group-by produced.
        .sort(["indicator", "school_id"], SortMultipleOptions::default())
        .with_columns([
            col("share").mean().over([col("indicator")])?.alias("__mean"),
            col("share").std(1).over([col("indicator")])?.alias("__sd"),
        ])
        .collect()?;
    let left = usable
        .clone()
        .lazy()
        .filter(col("__sd").is_null().or(col("__sd").eq(lit(0.0))))
        .select([col("indicator")])
        .unique(None, UniqueKeepStrategy::First)
        .sort(["indicator"], SortMultipleOptions::default())
        .collect()?;
    let left_out: Vec<String> = left
        .column("indicator")?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let min_ind = i64::from(config.isbsh.min_indicators);
    let z_rows = usable
        .lazy()
        .filter(col("__sd").is_not_null().and(col("__sd").gt(lit(0.0))))
        .with_column(((col("share") - col("__mean")) / col("__sd") * col("__dir")).alias("__z"));
    let low = lowest(z_rows.clone());
    let per_school = z_rows
        .group_by([col("school_id")])
        .agg([
            ((col("__z") * col("__w")).sum() / col("__w").sum()).alias("__s"),
            len().cast(DataType::Int64).alias("isbsh_indicators"),
            col("families").max().alias("families"),
        ])
        .sort(["school_id"], SortMultipleOptions::default());
    let eligible = col("isbsh_indicators").gt_eq(lit(min_ind));
    let s_e = when(eligible.clone()).then(col("__s")).otherwise(lit(NULL).cast(DataType::Float64));
    let schools = per_school
        .with_columns([
            s_e.clone().mean().alias("__sm"),
            s_e.clone().std(1).alias("__ssd"),
        ])
        .with_column(
            when(eligible.not())
                .then(lit(NULL).cast(DataType::Float64))
                .when(col("__ssd").is_null().or(col("__ssd").eq(lit(0.0))))
                .then(lit(100.0))
                .otherwise(lit(100.0) + lit(15.0) * (col("__s") - col("__sm")) / col("__ssd"))
                .alias("isbsh"),
        )
        .select([col("school_id"), col("isbsh"), col("isbsh_indicators"), col("families")])
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    // Joined after ИСБШ is computed, so that nothing in its plan can change the summation order.
    let schools = schools.lazy().join(low, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left)).sort(["school_id"], SortMultipleOptions::default()).collect()?;
    Ok(Isbsh { schools, left_out })
}
