//! `whatif`: two identifications of the same stored aggregates compared list by list — how many
//! schools before and after, who enters and who leaves (with the values that moved them), and
//! the same counts by municipality. The writers are in `output/whatif.rs`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{counts_by_municipality, Category, Counts, Flags, SchoolRow};

/// A list or a category: which schools are in it.
pub const LISTS: [&str; 6] = ["shnor_list", "shnsu_list", "shnor_shnsu", "shnor", "shnsu", "resilient"];

pub fn list_label(code: &str) -> String {
    match code {
        "shnor_list" => tr!("Список ШНОР (ШНОР+ШНСУ и ШНОР)", "ШНОР list (ШНОР+ШНСУ and ШНОР)"),
        "shnsu_list" => tr!("ШНСУ (ШНОР+ШНСУ и ШНСУ)", "ШНСУ (ШНОР+ШНСУ and ШНСУ)"),
        other => tr!("Категория «{}»", "Category «{}»", Category::from_code(other).label()),
    }
}

pub fn in_list(code: &str, r: &SchoolRow) -> bool {
    match code {
        "shnor_list" => r.shnor,
        "shnsu_list" => r.shnsu,
        category => r.category.code() == category,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamChange {
    pub key: String,
    pub before: String,
    pub after: String,
}

/// One school's values under one setting.
#[derive(Debug, Clone, Serialize)]
pub struct State {
    pub category: String,
    pub inr: Option<f64>,
    pub isbsh: Option<f64>,
    #[serde(flatten)]
    pub flags: Flags,
    pub rank: Option<i64>,
}

impl State {
    fn of(r: &SchoolRow) -> State {
        State {
            category: r.category.code().to_string(),
            inr: r.inr,
            isbsh: r.isbsh,
            flags: r.flags.clone(),
            rank: r.rank,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Move {
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub before: State,
    pub after: State,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListDiff {
    pub list: &'static str,
    pub before: u64,
    pub after: u64,
    /// The schools in the list after the change, by id.
    pub ids: Vec<String>,
    pub entered: Vec<Move>,
    pub left: Vec<Move>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityDiff {
    pub municipality: String,
    pub before: Counts,
    pub after: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    pub region: String,
    pub changes: Vec<ParamChange>,
    pub lists: Vec<ListDiff>,
    pub municipalities: Vec<MunicipalityDiff>,
}

/// Compares two identifications of the same register (rows in any order).
pub fn compare(region: &str, changes: Vec<ParamChange>, before: &[SchoolRow], after: &[SchoolRow]) -> WhatIf {
    let after_by: BTreeMap<&str, &SchoolRow> = after.iter().map(|r| (r.school_id.as_str(), r)).collect();
    let mut pairs: Vec<(&SchoolRow, &SchoolRow)> = before
        .iter()
        .filter_map(|b| after_by.get(b.school_id.as_str()).map(|a| (b, *a)))
        .collect();
    pairs.sort_by(|a, b| a.0.school_id.cmp(&b.0.school_id));
    let lists = LISTS
        .iter()
        .map(|code| {
            let mv = |(b, a): &(&SchoolRow, &SchoolRow)| Move {
                school_id: b.school_id.clone(),
                name: b.name.clone(),
                municipality: b.municipality.clone(),
                before: State::of(b),
                after: State::of(a),
            };
            ListDiff {
                list: code,
                before: before.iter().filter(|r| in_list(code, r)).count() as u64,
                after: after.iter().filter(|r| in_list(code, r)).count() as u64,
                ids: pairs.iter().filter(|(_, a)| in_list(code, a)).map(|(_, a)| a.school_id.clone()).collect(),
                entered: pairs.iter().filter(|(b, a)| !in_list(code, b) && in_list(code, a)).map(mv).collect(),
                left: pairs.iter().filter(|(b, a)| in_list(code, b) && !in_list(code, a)).map(mv).collect(),
            }
        })
        .collect();
    let mb = counts_by_municipality(before);
    let ma = counts_by_municipality(after);
    let names: std::collections::BTreeSet<&String> = mb.keys().chain(ma.keys()).collect();
    let municipalities = names
        .into_iter()
        .map(|m| MunicipalityDiff {
            municipality: m.clone(),
            before: mb.get(m).cloned().unwrap_or_default(),
            after: ma.get(m).cloned().unwrap_or_default(),
        })
        .collect();
    WhatIf { region: region.to_string(), changes, lists, municipalities }
}

