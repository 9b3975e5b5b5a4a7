//! Dynamics against last year's approved list (§4.5): who entered, stayed on or left the ШНОР
//! list, and how each school's indices changed.

use polars::prelude::*;

/// Last year's list: school_id, on_list_prev (bool), inr_prev, isbsh_prev (may be null).
pub struct Previous {
    pub table: DataFrame,
    pub source: String,
}

/// Adds `dynamics` (entered / stayed / left / empty), `inr_prev`, `isbsh_prev` to the schools
/// table; returns the ids that left the list but are no longer in the register.
pub fn apply(schools: DataFrame, prev: &Previous) -> PolarsResult<(DataFrame, Vec<String>)> {
    let joined = schools
        .lazy()
        .join(
            prev.table.clone().lazy(),
            [col("school_id")],
            [col("school_id")],
            JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Left) },
        )
        .with_column(
            when(col("shnor").and(col("on_list_prev").fill_null(lit(false))))
                .then(lit("stayed"))
                .when(col("shnor"))
                .then(lit("entered"))
                .when(col("on_list_prev").fill_null(lit(false)))
                .then(lit("left"))
                .otherwise(lit(""))
                .alias("dynamics"),
        )
        .drop(cols(["on_list_prev"]))
        .collect()?;
    let gone = prev
        .table
        .clone()
        .lazy()
        .filter(col("on_list_prev"))
        .join(joined.clone().lazy().select([col("school_id")]), [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Anti))
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    let ids = gone.column("school_id")?.str()?.iter().flatten().map(str::to_string).collect();
    Ok((joined, ids))
}

/// Without a previous list the columns exist but are empty, so the table keeps one shape.
pub fn empty(schools: DataFrame) -> PolarsResult<DataFrame> {
    schools
        .lazy()
        .with_columns([
            lit(NULL).cast(DataType::Float64).alias("inr_prev"),
            lit(NULL).cast(DataType::Float64).alias("isbsh_prev"),
            lit("").alias("dynamics"),
        ])
        .collect()
}
