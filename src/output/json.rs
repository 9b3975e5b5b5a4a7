//! `summary.json`: machine-readable counts, lists and parameters for scripts (stable English
//! keys, no timestamps: the same inputs give the same bytes).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use crate::identify::{counts_by_municipality, region_counts, shnsu_list, Counts, Flags, SchoolRow};
use super::{Export, RunOutput};

pub struct Summary;

#[derive(Serialize)]
struct ListEntry<'a> {
    rank: Option<i64>,
    school_id: &'a str,
    name: &'a str,
    municipality: &'a str,
    category: &'a str,
    inr: Option<f64>,
    isbsh: Option<f64>,
    #[serde(flatten)]
    flags: &'a Flags,
    reasons: String,
}

#[derive(Serialize)]
struct MunicipalityCounts<'a> {
    municipality: &'a str,
    #[serde(flatten)]
    counts: &'a Counts,
}

#[derive(Serialize)]
struct Dynamics<'a> {
    previous: &'a str,
    entered: Vec<&'a str>,
    stayed: Vec<&'a str>,
    left: Vec<&'a str>,
    left_register: &'a [String],
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    region: &'a str,
    latest_year: i32,
    window_years: &'a [i32],
    schools: u64,
    counts: &'a Counts,
    on_shnor_list: u64,
    in_shnsu: u64,
    municipalities: Vec<MunicipalityCounts<'a>>,
    shnor_list: Vec<ListEntry<'a>>,
    shnsu_list: Vec<ListEntry<'a>>,
    resilient: Vec<&'a str>,
    isbsh_left_out: &'a [String],
    rows_excluded_by_reason: BTreeMap<String, u64>,
    dynamics: Option<Dynamics<'a>>,
    parameters: serde_json::Value,
}

impl Export for Summary {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let counts = region_counts(&run.ident.rows);
        let by_mun = counts_by_municipality(&run.ident.rows);
        let mut shnor: Vec<ListEntry> = run.ident.rows.iter().filter(|r| r.shnor).map(list_entry).collect();
        shnor.sort_by_key(|e| e.rank);
        let shnsu = shnsu_list(&run.ident.rows);
        let mut excluded: BTreeMap<String, u64> = BTreeMap::new();
        for r in &run.dataset.reports {
            for e in &r.excluded {
                *excluded.entry(e.reason.clone()).or_default() += e.count;
            }
        }
        let summary = SummaryJson {
            region: &run.config.region.name,
            latest_year: run.ident.latest_year,
            window_years: &run.ident.years,
            schools: counts.schools,
            counts: &counts,
            on_shnor_list: counts.on_shnor_list(),
            in_shnsu: counts.in_shnsu(),
            municipalities: by_mun.iter().map(|(m, c)| MunicipalityCounts { municipality: m, counts: c }).collect(),
            shnor_list: shnor,
            shnsu_list: shnsu.into_iter().map(list_entry).collect(),
            resilient: run.ident.rows.iter().filter(|r| r.resilient).map(|r| r.school_id.as_str()).collect(),
            isbsh_left_out: &run.ident.isbsh_left_out,
            rows_excluded_by_reason: excluded,
            dynamics: run.ident.previous.as_deref().map(|p| {
                let ids = |code: &str| -> Vec<&str> {
                    let mut v: Vec<&str> = run.ident.rows.iter().filter(|r| r.dynamics.code() == code).map(|r| r.school_id.as_str()).collect();
                    v.sort();
                    v
                };
                Dynamics {
                    previous: p,
                    entered: ids("entered"),
                    stayed: ids("stayed"),
                    left: ids("left"),
                    left_register: &run.ident.left_register,
                }
            }),
            parameters: run.config.parameters_json()?,
        };
        let mut bytes = serde_json::to_vec_pretty(&summary)?;
        bytes.push(b'\n');
        Ok(vec![(PathBuf::from("summary.json"), bytes)])
    }
}

fn list_entry(r: &SchoolRow) -> ListEntry<'_> {
    ListEntry {
        rank: r.rank,
        school_id: &r.school_id,
        name: &r.name,
        municipality: &r.municipality,
        category: r.category.code(),
        inr: r.inr,
        isbsh: r.isbsh,
        flags: &r.flags,
        reasons: r.reasons_text(),
    }
}
