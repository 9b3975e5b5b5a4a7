//! `whatif`: two identifications of the same stored aggregates compared list by list — how many
//! schools before and after, who enters and who leaves (with the values that moved them), and
//! the same counts by municipality. The writers are in `output/whatif.rs`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{counts_by_municipality, Category, Counts, Flags, SchoolRow};

/// A list or a category: what `whatif` compares and `sweep` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The ШНОР list (ШНОР+ШНСУ and ШНОР).
    ShnorList,
    /// ШНСУ (ШНОР+ШНСУ and ШНСУ).
    ShnsuList,
    Category(Category),
}

impl Group {
    /// In the order of every table.
    pub const ALL: [Group; 6] = [
        Group::ShnorList,
        Group::ShnsuList,
        Group::Category(Category::ShnorShnsu),
        Group::Category(Category::Shnor),
        Group::Category(Category::Shnsu),
        Group::Category(Category::Resilient),
    ];

    /// The code in JSON («shnor_list», or the category's).
    pub fn code(self) -> &'static str {
        match self {
            Group::ShnorList => "shnor_list",
            Group::ShnsuList => "shnsu_list",
            Group::Category(c) => c.code(),
        }
    }

    pub fn label(self) -> String {
        match self {
            Group::ShnorList => tr!("Список ШНОР (ШНОР+ШНСУ и ШНОР)", "ШНОР list (ШНОР+ШНСУ and ШНОР)"),
            Group::ShnsuList => tr!("ШНСУ (ШНОР+ШНСУ и ШНСУ)", "ШНСУ (ШНОР+ШНСУ and ШНСУ)"),
            Group::Category(c) => tr!("Категория «{}»", "Category «{}»", c.label()),
        }
    }

    /// The label in a table's header.
    pub fn short_label(self) -> String {
        match self {
            Group::ShnorList => tr!("Список ШНОР", "ШНОР list"),
            Group::ShnsuList => tr!("ШНСУ всего", "ШНСУ total"),
            Group::Category(c) => c.label(),
        }
    }

    /// The category whose colour it is drawn in.
    pub fn colour_of(self) -> Category {
        match self {
            Group::ShnorList => Category::ShnorShnsu,
            Group::ShnsuList => Category::Shnsu,
            Group::Category(c) => c,
        }
    }

    pub fn contains(self, r: &SchoolRow) -> bool {
        match self {
            Group::ShnorList => r.shnor,
            Group::ShnsuList => r.shnsu,
            Group::Category(c) => r.category == c,
        }
    }
}

/// Maps keyed by group are in the codes' alphabetical order (their order in JSON).
impl Ord for Group {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

impl PartialOrd for Group {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Group {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
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
    pub category: Category,
    pub inr: Option<f64>,
    pub isbsh: Option<f64>,
    #[serde(flatten)]
    pub flags: Flags,
    pub rank: Option<i64>,
    /// P(in the worst X %) from the posterior draws, when made.
    pub p_worst: Option<f64>,
    /// On the ШНОР list: whether the listing holds beyond chance.
    pub flag_solid: Option<bool>,
    /// «надёжно» / «неопределённо» / «мало участников» (see `SchoolRow::standing_label`).
    #[serde(skip)]
    pub standing: String,
    /// The risk index (0–100) and the number of actual risk factors (§4.9).
    pub risk_index: Option<f64>,
    pub risk_factors: Option<usize>,
}

impl State {
    fn of(r: &SchoolRow) -> State {
        State {
            category: r.category,
            inr: r.inr,
            isbsh: r.isbsh,
            flags: r.flags.clone(),
            rank: r.rank,
            p_worst: r.standing.p_worst,
            flag_solid: r.solid,
            standing: r.standing_label(),
            risk_index: r.risk.as_ref().map(|k| k.index),
            risk_factors: r.risk.as_ref().map(|k| k.actual),
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
    pub list: Group,
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
    let lists = Group::ALL
        .into_iter()
        .map(|group| {
            let mv = |(b, a): &(&SchoolRow, &SchoolRow)| Move {
                school_id: b.school_id.clone(),
                name: b.name.clone(),
                municipality: b.municipality.clone(),
                before: State::of(b),
                after: State::of(a),
            };
            ListDiff {
                list: group,
                before: before.iter().filter(|r| group.contains(r)).count() as u64,
                after: after.iter().filter(|r| group.contains(r)).count() as u64,
                ids: pairs.iter().filter(|(_, a)| group.contains(a)).map(|(_, a)| a.school_id.clone()).collect(),
                entered: pairs.iter().filter(|(b, a)| !group.contains(b) && group.contains(a)).map(mv).collect(),
                left: pairs.iter().filter(|(b, a)| group.contains(b) && !group.contains(a)).map(mv).collect(),
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

