//! Last year's list (§4.5), read from the output folder of the previous run (its summary.json)
//! or from any table with a school id column.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use polars::prelude::*;

use crate::error::usage;
use crate::identify::dynamics::{Previous, Tenure, YearInr};
use crate::ingest::{self, Matcher, ReadOptions};

fn from_summary(path: &Path) -> Result<Previous> {
    let text = std::fs::read_to_string(path)?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        usage(tr!("{}: не читается как summary.json: {e}", "{}: not a readable summary.json: {e}", path.display()))
    })?;
    let mut ids = Vec::new();
    let mut on = Vec::new();
    let mut inr = Vec::new();
    let mut isbsh = Vec::new();
    let mut history = BTreeMap::new();
    for (list, on_list) in [("shnor_list", true), ("shnsu_list", false)] {
        for e in v.get(list).and_then(|l| l.as_array()).into_iter().flatten() {
            let Some(id) = e.get("school_id").and_then(|s| s.as_str()) else { continue };
            if !on_list && ids.iter().any(|x: &String| x == id) {
                continue;
            }
            if let Some(t) = on_list.then(|| tenure_of(e)).flatten() {
                history.insert(id.to_string(), t);
            }
            ids.push(id.to_string());
            on.push(on_list);
            inr.push(e.get("inr").and_then(|x| x.as_f64()));
            isbsh.push(e.get("isbsh").and_then(|x| x.as_f64()));
        }
    }
    let year = v.get("latest_year").and_then(|y| y.as_i64()).and_then(|y| i32::try_from(y).ok());
    let table = DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), ids),
        Column::new("on_list_prev".into(), on),
        Column::new("inr_prev".into(), inr),
        Column::new("isbsh_prev".into(), isbsh),
    ])?;
    Ok(Previous { table, source: path.display().to_string(), year, history })
}

/// The history a list entry of summary.json carries (runs before it had none).
fn tenure_of(e: &serde_json::Value) -> Option<Tenure> {
    let years = e.get("years_on_list").and_then(|y| y.as_u64()).and_then(|y| u32::try_from(y).ok())?;
    let inr_by_year = e
        .get("inr_by_year")
        .and_then(|h| serde_json::from_value::<Vec<YearInr>>(h.clone()).ok())
        .unwrap_or_default();
    Some(Tenure { years, inr_by_year })
}

/// Reads last year's list: an output directory of a previous run (its summary.json), or a
/// file (CSV/XLSX/…) with a school_id column, every row of which is a school on the list.
pub fn read_previous(path: &Path) -> Result<Previous> {
    let resolved = super::staging::resolve(path);
    let path = resolved.as_path();
    if path.is_dir() {
        let summary = path.join("summary.json");
        if !summary.is_file() {
            return Err(crate::error::data(tr!(
                "{}: в каталоге нет summary.json прошлого расчёта",
                "{}: the directory has no summary.json of a previous run",
                path.display()
            )));
        }
        return from_summary(&summary);
    }
    if path.extension().and_then(|e| e.to_str()) == Some("json") {
        return from_summary(path);
    }
    // A school id column; and when the file is shnor's own schools.csv (or its list sheet), its
    // «ШНОР» flag and ИНР: then only the listed schools are last year's list.
    let id = crate::model::schema::SCHOOLS.columns.first();
    let pairs = id
        .into_iter()
        .flat_map(|c| std::iter::once((c.name, c.name)).chain(c.aliases.iter().map(move |a| (c.name, *a))))
        .chain([("shnor", "ШНОР"), ("shnor", "shnor"), ("inr", "ИНР"), ("inr", "inr")])
        .chain([("years_on_list", "Лет в перечне подряд"), ("years_on_list", "years_on_list")]);
    let matcher = Matcher::new(pairs);
    let opts = ReadOptions::detect();
    let raw = ingest::read_table(path, &matcher, &opts)
        .map_err(|m| crate::error::data(format!("{}: {m}", path.display())))?;
    if raw.df.column("school_id").is_err() {
        return Err(crate::error::data(tr!(
            "{}: нет столбца school_id (Логин ОО) в прошлогоднем списке",
            "{}: last year's list has no school_id column",
            path.display()
        )));
    }
    let has = |c: &str| raw.df.column(c).is_ok();
    let mut lf = raw.df.clone().lazy();
    if has("shnor") {
        let flag = crate::model::clean::text("shnor").str().to_lowercase();
        lf = lf.filter(flag.is_in(lit(Series::new("yes".into(), ["1", "да", "true", "yes"])).implode(false), false));
    }
    let inr = if has("inr") {
        crate::model::clean::text("inr").str().replace_all(lit(","), lit("."), true).cast(DataType::Float64)
    } else {
        lit(NULL).cast(DataType::Float64)
    };
    // shnor's own schools.csv carries each listed school's years on the list.
    let years = if has("years_on_list") {
        crate::model::clean::text("years_on_list").cast(DataType::UInt32)
    } else {
        lit(NULL).cast(DataType::UInt32)
    };
    let table = lf
        .select([crate::model::clean::text("school_id").alias("school_id"), inr.alias("inr_prev"), years.alias("years_prev")])
        .filter(col("school_id").is_not_null())
        .unique(None, UniqueKeepStrategy::First)
        .with_columns([lit(true).alias("on_list_prev"), lit(NULL).cast(DataType::Float64).alias("isbsh_prev")])
        .select([col("school_id"), col("on_list_prev"), col("inr_prev"), col("isbsh_prev"), col("years_prev")])
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    let history = crate::model::columns::strs(&table, "school_id")?
        .into_iter()
        .zip(table.column("years_prev")?.u32()?.iter())
        .filter_map(|(id, y)| Some((id, Tenure { years: y?, inr_by_year: Vec::new() })))
        .collect();
    let table = table.drop("years_prev")?;
    Ok(Previous { table, source: path.display().to_string(), year: None, history })
}

