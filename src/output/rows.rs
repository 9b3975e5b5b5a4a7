//! The school-level result table as plain rows for the writers (school aggregates only).

use polars::prelude::*;

use crate::identify::{Category, Identification};
use crate::model::columns::{bools, floats, ints, strs};

#[derive(Debug, Clone, serde::Serialize)]
pub struct SchoolRow {
    pub school_id: String,
    pub name: String,
    pub municipality: String,
    pub school_type: String,
    pub locality: String,
    pub inr_years: Vec<Option<f64>>,
    pub inr: Option<f64>,
    pub isbsh: Option<f64>,
    pub flag_r30: bool,
    pub flag_bottom: bool,
    pub shnor: bool,
    pub shnsu: bool,
    pub resilient: bool,
    pub category: Category,
    pub rank: Option<i64>,
    pub n_procedures: Option<i64>,
    pub n_unreliable: Option<i64>,
    pub isbsh_indicators: Option<i64>,
    pub response_rate: Option<f64>,
    pub reasons: String,
    pub inr_prev: Option<f64>,
    pub isbsh_prev: Option<f64>,
    pub dynamics: String,
}

/// Rows in list order (ШНОР+ШНСУ, ШНОР by ИНР, then the rest by ИНР and id).
pub fn school_rows(ident: &Identification) -> PolarsResult<Vec<SchoolRow>> {
    let df = &ident.schools;
    let ids = strs(df, "school_id")?;
    let name = strs(df, "name")?;
    let mun = strs(df, "municipality")?;
    let ty = strs(df, "school_type")?;
    let loc = strs(df, "locality")?;
    let years: Vec<Vec<Option<f64>>> = ident
        .years
        .iter()
        .map(|y| floats(df, &format!("inr_{y}")))
        .collect::<PolarsResult<_>>()?;
    let inr = floats(df, "inr")?;
    let isbsh = floats(df, "isbsh")?;
    let r30 = bools(df, "flag_r30")?;
    let bottom = bools(df, "flag_bottom")?;
    let shnor = bools(df, "shnor")?;
    let shnsu = bools(df, "shnsu")?;
    let resilient = bools(df, "resilient")?;
    let category = strs(df, "category")?;
    let rank = ints(df, "rank")?;
    let n_proc = ints(df, "n_procedures")?;
    let n_unrel = ints(df, "n_unreliable")?;
    let n_ind = ints(df, "isbsh_indicators")?;
    let rr = floats(df, "response_rate")?;
    let reasons = strs(df, "reasons")?;
    let inr_prev = floats(df, "inr_prev")?;
    let isbsh_prev = floats(df, "isbsh_prev")?;
    let dynamics = strs(df, "dynamics")?;
    Ok((0..df.height())
        .map(|i| SchoolRow {
            school_id: ids[i].clone(),
            name: name[i].clone(),
            municipality: mun[i].clone(),
            school_type: ty[i].clone(),
            locality: loc[i].clone(),
            inr_years: years.iter().map(|v| v[i]).collect(),
            inr: inr[i],
            isbsh: isbsh[i],
            flag_r30: r30[i],
            flag_bottom: bottom[i],
            shnor: shnor[i],
            shnsu: shnsu[i],
            resilient: resilient[i],
            category: Category::from_code(&category[i]),
            rank: rank[i],
            n_procedures: n_proc[i],
            n_unreliable: n_unrel[i],
            isbsh_indicators: n_ind[i],
            response_rate: rr[i],
            reasons: reasons[i].clone(),
            inr_prev: inr_prev[i],
            isbsh_prev: isbsh_prev[i],
            dynamics: dynamics[i].clone(),
        })
        .collect())
}

/// Counts per category for one municipality (or the region).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    pub schools: u64,
    pub shnor_shnsu: u64,
    pub shnor: u64,
    pub shnsu: u64,
    pub resilient: u64,
    pub none: u64,
}

impl Counts {
    pub fn add(&mut self, category: Category) {
        self.schools += 1;
        *self.slot(category) += 1;
    }

    fn slot(&mut self, category: Category) -> &mut u64 {
        match category {
            Category::ShnorShnsu => &mut self.shnor_shnsu,
            Category::Shnor => &mut self.shnor,
            Category::Shnsu => &mut self.shnsu,
            Category::Resilient => &mut self.resilient,
            Category::None => &mut self.none,
        }
    }

    /// Schools of one category.
    pub fn of(&self, category: Category) -> u64 {
        match category {
            Category::ShnorShnsu => self.shnor_shnsu,
            Category::Shnor => self.shnor,
            Category::Shnsu => self.shnsu,
            Category::Resilient => self.resilient,
            Category::None => self.none,
        }
    }

    /// Schools on the ШНОР list (both categories) and in ШНСУ (both categories).
    pub fn on_shnor_list(&self) -> u64 {
        self.shnor_shnsu + self.shnor
    }

    pub fn in_shnsu(&self) -> u64 {
        self.shnor_shnsu + self.shnsu
    }
}

/// The ШНСУ list: lowest ИСБШ first, ties by school_id.
pub fn shnsu_list(rows: &[SchoolRow]) -> Vec<&SchoolRow> {
    let mut v: Vec<&SchoolRow> = rows.iter().filter(|r| r.shnsu).collect();
    v.sort_by(|a, b| {
        a.isbsh
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.isbsh.unwrap_or(f64::INFINITY))
            .then_with(|| a.school_id.cmp(&b.school_id))
    });
    v
}

pub fn counts_by_municipality(rows: &[SchoolRow]) -> std::collections::BTreeMap<String, Counts> {
    let mut m: std::collections::BTreeMap<String, Counts> = std::collections::BTreeMap::new();
    for r in rows {
        m.entry(r.municipality.clone()).or_default().add(r.category);
    }
    m
}

pub fn region_counts(rows: &[SchoolRow]) -> Counts {
    let mut c = Counts::default();
    for r in rows {
        c.add(r.category);
    }
    c
}
