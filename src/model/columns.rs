//! Reading whole polars columns into plain vectors (for the few school-level places that need
//! Rust values: reasons and output writers).

use polars::prelude::*;

pub fn strs(df: &DataFrame, c: &str) -> PolarsResult<Vec<String>> {
    Ok(df.column(c)?.cast(&DataType::String)?.str()?.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

pub fn ints(df: &DataFrame, c: &str) -> PolarsResult<Vec<Option<i64>>> {
    Ok(df.column(c)?.cast(&DataType::Int64)?.i64()?.iter().collect())
}

pub fn floats(df: &DataFrame, c: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df.column(c)?.cast(&DataType::Float64)?.f64()?.iter().collect())
}

pub fn bools(df: &DataFrame, c: &str) -> PolarsResult<Vec<bool>> {
    Ok(df.column(c)?.bool()?.iter().map(|v| v.unwrap_or(false)).collect())
}

/// A boolean column with its nulls (unknown).
pub fn opt_bools(df: &DataFrame, c: &str) -> PolarsResult<Vec<Option<bool>>> {
    Ok(df.column(c)?.bool()?.iter().collect())
}

/// Join arguments under which null keys match each other (a work without a grade is one work).
pub fn nulls_equal(how: JoinType) -> JoinArgs {
    let mut args = JoinArgs::new(how);
    args.nulls_equal = true;
    args
}
