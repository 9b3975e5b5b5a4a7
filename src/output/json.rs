//! `summary.json`: machine-readable counts, lists and parameters for scripts (stable English
//! keys, no timestamps: the same inputs give the same bytes). The format is `store::format`'s.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;

use super::{Export, RunOutput};
use crate::identify::{counts_by_municipality, region_counts, shnsu_list, Dynamics, SchoolRow};
use crate::store::format::{json_bytes, DynamicsIds, ListEntry, MunicipalityCounts, SummaryFile};

pub struct Summary;

impl Export<RunOutput<'_>> for Summary {
    fn files(&self, run: &RunOutput) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let rows = &run.ident.rows;
        let counts = region_counts(rows);
        let list_entry = |r: &SchoolRow| list_entry(r, run);
        let mut shnor: Vec<ListEntry> = rows.iter().filter(|r| r.shnor).map(list_entry).collect();
        shnor.sort_by_key(|e| e.rank);
        let mut excluded: BTreeMap<String, u64> = BTreeMap::new();
        for r in &run.dataset.reports {
            for e in &r.excluded {
                *excluded.entry(e.reason.clone()).or_default() += e.count;
            }
        }
        let summary = SummaryFile {
            region: run.config.region.name.clone(),
            latest_year: run.ident.latest_year,
            window_years: run.ident.years.clone(),
            schools: counts.schools,
            on_shnor_list: counts.on_shnor_list(),
            in_shnsu: counts.in_shnsu(),
            counts,
            municipalities: counts_by_municipality(rows)
                .into_iter()
                .map(|(municipality, counts)| MunicipalityCounts { municipality, counts })
                .collect(),
            shnor_list: shnor,
            shnsu_list: shnsu_list(rows).into_iter().map(list_entry).collect(),
            resilient: rows.iter().filter(|r| r.resilient).map(|r| r.school_id.clone()).collect(),
            isbsh_left_out: run.ident.isbsh_left_out.clone(),
            rows_excluded_by_reason: excluded,
            dynamics: run.ident.previous.as_ref().map(|p| {
                let ids = |d: Dynamics| -> Vec<String> {
                    let mut v: Vec<String> = rows.iter().filter(|r| r.dynamics == d).map(|r| r.school_id.clone()).collect();
                    v.sort();
                    v
                };
                DynamicsIds {
                    previous: p.clone(),
                    entered: ids(Dynamics::Entered),
                    stayed: ids(Dynamics::Stayed),
                    left: ids(Dynamics::Left),
                    left_register: run.ident.left_register.clone(),
                }
            }),
            parameters: run.config.parameters_json()?,
        };
        Ok(vec![(PathBuf::from("summary.json"), json_bytes(&summary)?)])
    }
}

fn list_entry(r: &SchoolRow, run: &RunOutput) -> ListEntry {
    ListEntry {
        rank: r.rank,
        school_id: r.school_id.clone(),
        name: r.name.clone(),
        municipality: r.municipality.clone(),
        category: r.category.code().to_string(),
        inr: r.inr,
        isbsh: r.isbsh,
        flags: r.flags.clone(),
        reasons: run.reasons_text(&r.school_id),
        p_worst: r.standing.p_worst,
        rank_low: r.standing.rank_low,
        rank_high: r.standing.rank_high,
        flag_solid: r.solid,
        years_on_list: r.tenure.as_ref().map(|t| t.years),
        inr_by_year: r.tenure.as_ref().map(|t| t.inr_by_year.clone()).unwrap_or_default(),
    }
}
