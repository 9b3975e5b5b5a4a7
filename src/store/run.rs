//! A previous run read back from its output folder (for `report`, `whatif`, `sweep`): the
//! effective configuration and row accounting from manifest.json, the school-level tables and the
//! index tables from aggregates/ — never the raw inputs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use polars::prelude::*;

use crate::config::{Config, InputKind};
use crate::error::usage;
use super::format::{AggregatesMeta, InputEntry, ManifestFile};
use super::write::INDEX_TABLES;
use crate::model::report::InputReport;
use crate::model::Dataset;

/// A previous run read back from its output directory: the effective configuration and row
/// accounting from manifest.json, the school-level tables from aggregates/ (never raw inputs).
pub struct StoredRun {
    pub config: Config,
    pub dataset: Dataset,
    /// The previous list that run compared against, when it had one.
    pub previous: Option<PathBuf>,
    /// The index tables the run computed (absent in output directories of older versions).
    pub indices: Option<crate::identify::IndexTables>,
    /// The years the stored results hold, ascending.
    pub years: Vec<i32>,
    /// When the stored run started (from its manifest).
    pub started: String,
}

fn read_parquet(path: &Path) -> Result<DataFrame> {
    let f = std::fs::File::open(path).with_context(|| tr!("не удалось открыть {}", "cannot open {}", path.display()))?;
    anyhow::Context::with_context(ParquetReader::new(f).finish(), || tr!("{}: не читается как Parquet", "{}: not readable as Parquet", path.display()))
}

fn stored_input(e: InputEntry) -> Option<InputReport> {
    let kind: InputKind = serde_json::from_value(serde_json::Value::String(e.file.kind)).ok()?;
    let mut r = InputReport::new(kind, e.file.path);
    r.source.format = e.format;
    r.rows_read = e.rows_read;
    r.rows_used = e.rows_used;
    r.rows_excluded = e.rows_excluded;
    r.excluded = e.excluded;
    r.name_matching = e.name_matching;
    r.wide = e.wide;
    Some(r)
}

/// The stored index tables, when meta.json names them and every table is there.
fn stored_indices(agg: &Path) -> Result<Option<crate::identify::IndexTables>> {
    let Ok(text) = std::fs::read_to_string(agg.join("meta.json")) else { return Ok(None) };
    let Ok(AggregatesMeta { indices: Some(ix), .. }) = serde_json::from_str::<AggregatesMeta>(&text) else { return Ok(None) };
    let dir = agg.join("indices");
    if !INDEX_TABLES.iter().all(|n| dir.join(format!("{n}.parquet")).is_file()) {
        return Ok(None);
    }
    let table = |name: &str| read_parquet(&dir.join(format!("{name}.parquet")));
    Ok(Some(crate::identify::IndexTables {
        key: ix.key,
        hits_key: ix.hits_key,
        per_procedure: table("per_procedure")?,
        yearly: table("yearly")?,
        window: table("window")?,
        base: table("base")?,
        hits: table("r30_hits")?,
        years: ix.years,
        left_out: ix.left_out,
    }))
}

/// Reads an output directory of `shnor run` (for `report`, `whatif`, `sweep`).
pub fn load(dir: &Path) -> Result<StoredRun> {
    // A swap stopped between its renames: the old complete set is beside.
    let resolved = super::staging::resolve(dir);
    let dir = resolved.as_path();
    let manifest_path = dir.join("manifest.json");
    let agg = dir.join("aggregates");
    if !manifest_path.is_file() || !agg.join("results.parquet").is_file() || !agg.join("register.parquet").is_file() {
        return Err(usage(tr!(
            "{}: это не каталог результатов shnor run (нужны manifest.json и aggregates/)",
            "{}: not an output directory of shnor run (manifest.json and aggregates/ are needed)",
            dir.display()
        )));
    }
    let text = std::fs::read_to_string(&manifest_path).with_context(|| tr!("не удалось прочитать {}", "cannot read {}", manifest_path.display()))?;
    let manifest: ManifestFile = serde_json::from_str(&text)
        .map_err(|e| usage(tr!("{}: не читается как manifest.json: {e}", "{}: not readable as manifest.json: {e}", manifest_path.display())))?;
    if manifest.configuration.is_null() {
        return Err(usage(tr!("{}: нет конфигурации", "{}: no configuration", manifest_path.display())));
    }
    let config: Config = serde_json::from_value(manifest.configuration)
        .map_err(|e| usage(tr!("{}: конфигурация не читается: {e}", "{}: the configuration cannot be read: {e}", manifest_path.display())))?;
    config.validate()?;
    let latest_year = manifest.latest_year;
    let reports = manifest.inputs.into_iter().filter_map(stored_input).collect();
    let optional = |name: &str| -> Result<Option<DataFrame>> {
        let p = agg.join(name);
        if p.is_file() { read_parquet(&p).map(Some) } else { Ok(None) }
    };
    let mut context = Vec::new();
    for i in 1.. {
        match optional(&format!("context_{i}.parquet"))? {
            Some(df) => context.push(df),
            None => break,
        }
    }
    let dataset = Dataset {
        register: optional("register.parquet")?,
        results: optional("results.parquet")?,
        questionnaire: optional("questionnaire.parquet")?,
        context,
        selfdiagnosis: optional("selfdiagnosis.parquet")?,
        reports,
        notes: Vec::new(),
        latest_year,
        first_year: None,
        without_results: Vec::new(),
        without_questionnaire: Vec::new(),
    };
    let previous = manifest.previous.map(PathBuf::from);
    let indices = stored_indices(&agg)?;
    let years = match &dataset.results {
        Some(results) => {
            let years = results.clone().lazy().select([col("year").unique().sort(SortOptions::default())]).collect()?;
            crate::model::columns::ints(&years, "year")?.into_iter().flatten().filter_map(|y| i32::try_from(y).ok()).collect()
        }
        None => Vec::new(),
    };
    Ok(StoredRun { config, dataset, previous, indices, years, started: manifest.started.clone() })
}

impl StoredRun {
    /// Refuses changes that the stored school-level tables cannot answer: what decides how raw
    /// rows were read and aggregated, and window years that were never stored.
    pub fn check_changes(&self, changed: &[(String, String, String)], new: &Config) -> Result<()> {
        let raw: Vec<&str> = changed
            .iter()
            .map(|(k, _, _)| k.as_str())
            .filter(|k| {
                k.starts_with("method.procedures")
                    || k.starts_with("method.ege_min")
                    || k.starts_with("aliases")
                    || (k.starts_with("isbsh.indicators.") && [".columns", ".yes", ".no"].iter().any(|s| k.ends_with(s)))
            })
            .collect();
        if !raw.is_empty() {
            return Err(usage(tr!(
                "параметры {} определяют чтение и агрегирование исходных файлов, по сохранённым таблицам их не пересчитать: выполните shnor run с ними",
                "parameters {} decide how the raw files are read and aggregated and cannot be recomputed from the stored tables: run shnor run with them",
                raw.join(", ")
            )));
        }
        let Some(latest) = self.dataset.latest_year else { return Ok(()) };
        let stored = &self.years;
        let first = stored.first().copied().unwrap_or(latest);
        let wanted = crate::indices::inr::window_years(new, latest);
        // A criterion may need years before the window (R30 needs Y−1 whatever the window); run
        // stores them only when that criterion was on.
        if wanted.first().is_none_or(|y| *y >= first) {
            for c in crate::identify::criteria::ALL.iter().filter(|c| c.enabled(new)) {
                if let Some(year) = c.years(latest, &wanted).into_iter().filter(|y| *y < first).min() {
                    let key = c.config_keys().first().copied().unwrap_or_default();
                    return Err(usage(tr!(
                        "{key}.enabled: критерию {} нужен {year} г., а в сохранённых таблицах его нет (расчёт был без {} и с более коротким окном) — выполните shnor run с {}",
                        "{key}.enabled: {} needs {year}, which the stored tables lack (the run had {} off and a shorter window) — run shnor run with {}",
                        c.name(),
                        c.name(),
                        c.name()
                    )));
                }
            }
        }
        if wanted.first().is_some_and(|y| *y < first) {
            let have: Vec<String> = stored.iter().map(|y| y.to_string()).collect();
            return Err(usage(tr!(
                "method.years_window = {}: нужны данные с {} г., а в сохранённых таблицах есть только {} — выполните shnor run с этим окном",
                "method.years_window = {}: data from {} is needed, the stored tables hold only {} — run shnor run with this window",
                new.method.years_window,
                wanted.first().copied().unwrap_or(latest),
                have.join(", ")
            )));
        }
        Ok(())
    }
}
