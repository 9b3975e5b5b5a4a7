//! Identification (§4.2–§4.4): criteria R30 and BOTTOM for ШНОР, ШНСУ, resilience, the category
//! of each school, the ranked list and the reasons an official can paste into an order.

mod category;
pub mod criteria;
pub mod dynamics;
pub mod overview;
mod reasons;

pub use category::Category;
pub use reasons::{num1, procedure_label};

use std::collections::BTreeMap;

use anyhow::Result;
use polars::prelude::*;

use crate::config::{Combine, Config};
use crate::indices::{inr, isbsh, round9};
use crate::model::Dataset;

pub fn dynamics_label(code: &str) -> String {
    match code {
        "entered" => tr!("вошла в список", "entered"),
        "stayed" => tr!("осталась в списке", "stayed"),
        "left" => tr!("вышла из списка", "left"),
        _ => String::new(),
    }
}

pub struct Identification {
    /// One row per register school: school_id, name, municipality, school_type, locality,
    /// students, inr_<year>…, inr, isbsh, flag_r30, flag_bottom, shnor, shnsu, resilient,
    /// category, rank, n_procedures, n_unreliable, isbsh_indicators, response_rate, reasons.
    pub schools: DataFrame,
    pub years: Vec<i32>,
    pub latest_year: i32,
    /// Indicators left out of ИСБШ (standard deviation 0).
    pub isbsh_left_out: Vec<String>,
    /// Where last year's list came from, when given.
    pub previous: Option<String>,
    /// Schools on last year's list that are no longer in the register.
    pub left_register: Vec<String>,
}

/// The school-level inputs of identification: everything `whatif` needs, without raw rows.
pub struct Aggregates<'a> {
    pub register: &'a DataFrame,
    pub results: &'a DataFrame,
    pub questionnaire: Option<&'a DataFrame>,
    pub context: &'a [DataFrame],
    pub latest_year: i32,
}

impl<'a> Aggregates<'a> {
    pub fn from_dataset(ds: &'a Dataset) -> Option<Self> {
        Some(Aggregates {
            register: ds.register.as_ref()?,
            results: ds.results.as_ref()?,
            questionnaire: ds.questionnaire.as_ref(),
            context: &ds.context,
            latest_year: ds.latest_year?,
        })
    }
}

fn flag_col(e: Expr) -> Expr {
    e.fill_null(lit(false))
}

/// What the indices depend on: the method and the ИСБШ settings, not the cut-offs of the
/// criteria. Two configurations with the same key share the same ИНР and ИСБШ.
fn index_key(config: &Config) -> String {
    let mut isbsh = config.isbsh.clone();
    isbsh.shnsu_share = 0.0;
    serde_json::json!([config.method, isbsh]).to_string()
}

/// ИНР (per procedure, per year, window) and ИСБШ joined to the register: everything that does
/// not depend on the criteria's cut-offs.
struct Indices {
    inr: inr::Inr,
    /// Register columns, inr_<year>…, inr, n_procedures, n_unreliable, isbsh, isbsh_indicators,
    /// families.
    base: DataFrame,
    left_out: Vec<String>,
}

fn compute_indices(agg: &Aggregates, config: &Config) -> Result<Indices> {
    let inr = inr::compute(agg.results, agg.register, config, agg.latest_year)?;
    let y = agg.latest_year;
    // Per-year ИНР as columns inr_<year>.
    let mut lf = agg.register.clone().lazy().select([
        col("school_id"),
        col("name"),
        col("municipality"),
        col("school_type"),
        col("locality"),
        col("students"),
    ]);
    let by_key = |lf: LazyFrame, other: LazyFrame| lf.join(other, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left));
    for yr in &inr.years {
        let one = inr
            .yearly
            .clone()
            .lazy()
            .filter(col("year").eq(lit(*yr)))
            .select([col("school_id"), col("inr_year").alias(format!("inr_{yr}"))]);
        lf = by_key(lf, one);
    }
    let n_proc = inr
        .yearly
        .clone()
        .lazy()
        .filter(col("year").eq(lit(y)))
        .select([col("school_id"), col("n_procedures"), col("n_unreliable")]);
    lf = by_key(lf, inr.window.clone().lazy().select([col("school_id"), col("inr")]));
    lf = by_key(lf, n_proc);
    let context_rows = isbsh::context_rows(config, agg.register, agg.context)?;
    let social: Option<DataFrame> = match (agg.questionnaire, context_rows) {
        (Some(q), Some(c)) => Some(concat([q.clone().lazy(), c.lazy()], UnionArgs::default())?.collect()?),
        (Some(q), None) => Some(q.clone()),
        (None, c) => c,
    };
    let (isbsh_df, left_out) = match &social {
        Some(q) => {
            let r = isbsh::compute(q, config)?;
            (r.schools, r.left_out)
        }
        None => (
            DataFrame::new_infer_height(vec![
                Column::new("school_id".into(), Vec::<String>::new()),
                Column::new("isbsh".into(), Vec::<f64>::new()),
                Column::new("isbsh_indicators".into(), Vec::<i64>::new()),
                Column::new("families".into(), Vec::<i64>::new()),
            ])?,
            Vec::new(),
        ),
    };
    let base = by_key(lf, isbsh_df.lazy()).collect()?;
    Ok(Indices { inr, base, left_out })
}

/// The computed index tables of one configuration: stored beside the aggregates, so that
/// `whatif`, `sweep` and `report` need not recompute what the run already computed.
#[derive(Clone)]
pub struct IndexTables {
    /// What the tables depend on (they are used only for a configuration with the same keys).
    pub key: String,
    pub hits_key: String,
    pub per_procedure: DataFrame,
    pub yearly: DataFrame,
    pub window: DataFrame,
    pub base: DataFrame,
    pub hits: DataFrame,
    pub years: Vec<i32>,
    pub left_out: Vec<String>,
}

/// Identification over one set of aggregates under one or many configurations (`run`, `report`,
/// `whatif`, `sweep`): the indices and the R30 hits are computed once for every configuration
/// that shares what they depend on, the criteria and categories for each configuration.
pub struct Session<'a> {
    agg: &'a Aggregates<'a>,
    indices: Option<(String, Indices)>,
    hits: Option<(String, DataFrame)>,
}

impl<'a> Session<'a> {
    pub fn new(agg: &'a Aggregates<'a>) -> Self {
        Session { agg, indices: None, hits: None }
    }

    /// A session that starts from stored index tables, when there are any (they are used only
    /// while the configuration matches them).
    pub fn seeded(agg: &'a Aggregates<'a>, tables: Option<IndexTables>) -> Self {
        let mut s = Session::new(agg);
        if let Some(t) = tables {
            s.seed(t);
        }
        s
    }

    fn seed(&mut self, t: IndexTables) {
        let inr = inr::Inr { per_procedure: t.per_procedure, yearly: t.yearly, window: t.window, years: t.years };
        self.indices = Some((t.key, Indices { inr, base: t.base, left_out: t.left_out }));
        self.hits = Some((t.hits_key, t.hits));
    }

    /// The index tables of the last configuration identified.
    pub fn tables(&self) -> Option<IndexTables> {
        let ((key, ix), (hits_key, hits)) = (self.indices.as_ref()?, self.hits.as_ref()?);
        Some(IndexTables {
            key: key.clone(),
            hits_key: hits_key.clone(),
            per_procedure: ix.inr.per_procedure.clone(),
            yearly: ix.inr.yearly.clone(),
            window: ix.inr.window.clone(),
            base: ix.base.clone(),
            hits: hits.clone(),
            years: ix.inr.years.clone(),
            left_out: ix.left_out.clone(),
        })
    }

    /// The identification under `config`; `with_reasons = false` leaves the reasons empty (for
    /// grids of settings, where only the flags are needed).
    pub fn identify(&mut self, config: &Config, previous: Option<&dynamics::Previous>, with_reasons: bool) -> Result<Identification> {
        let agg = self.agg;
        let key = index_key(config);
        if self.indices.as_ref().map(|(k, _)| k != &key).unwrap_or(true) {
            let t0 = std::time::Instant::now();
            self.indices = Some((key, compute_indices(agg, config)?));
            crate::i18n::trace(&tr!("ИНР и ИСБШ", "ИНР and ИСБШ"), t0);
        }
        let hits_key = criteria::r30_hits_key(config);
        if self.hits.as_ref().map(|(k, _)| *k != hits_key).unwrap_or(true) {
            let t0 = std::time::Instant::now();
            self.hits = Some((hits_key, criteria::r30_hits(agg.results, config, agg.latest_year)?));
            crate::i18n::trace(&tr!("процедуры R30", "R30 procedures"), t0);
        }
        let (Some((_, ix)), Some((_, hits))) = (&self.indices, &self.hits) else {
            return Err(anyhow::anyhow!("indices not computed"));
        };
        let t0 = std::time::Instant::now();
        let r = classify(agg, ix, hits, config, previous, with_reasons);
        crate::i18n::trace(&tr!("критерии, категории, список", "criteria, categories, list"), t0);
        r
    }
}

#[cfg(test)]
pub fn identify(agg: &Aggregates, config: &Config, previous: Option<&dynamics::Previous>) -> Result<Identification> {
    Session::new(agg).identify(config, previous, true)
}

/// Criteria, categories, the ranked list, reasons and dynamics over computed indices.
fn classify(
    agg: &Aggregates,
    ix: &Indices,
    hits: &DataFrame,
    config: &Config,
    previous: Option<&dynamics::Previous>,
    with_reasons: bool,
) -> Result<Identification> {
    let inr = &ix.inr;
    let years = inr.years.clone();
    let y = agg.latest_year;
    let input = criteria::Inputs { inr, base: &ix.base, hits, latest_year: y };
    let by_key = |lf: LazyFrame, other: LazyFrame| lf.join(other, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left));
    let mut lf = ix.base.clone().lazy();
    for criterion in criteria::ALL {
        lf = by_key(lf, criterion.flags(&input, config)?);
    }

    let shnor_rules = || criteria::ALL.iter().filter(|c| c.list() == criteria::List::Shnor);
    let enabled: Vec<Expr> = shnor_rules().filter(|c| c.enabled(config)).map(|c| flag_col(col(c.flag()))).collect();
    let shnor = match (enabled.split_first(), config.criteria.combine) {
        (None, _) => lit(false),
        (Some((first, rest)), Combine::Any) => rest.iter().fold(first.clone(), |a, b| a.or(b.clone())),
        (Some((first, rest)), Combine::All) => rest.iter().fold(first.clone(), |a, b| a.and(b.clone())),
    };
    let category = when(col("shnor").and(col("shnsu")))
        .then(lit(Category::ShnorShnsu.code()))
        .when(col("shnor"))
        .then(lit(Category::Shnor.code()))
        .when(col("shnsu"))
        .then(lit(Category::Shnsu.code()))
        .when(col("resilient"))
        .then(lit(Category::Resilient.code()))
        .otherwise(lit(Category::None.code()));
    let students = col("students").cast(DataType::Float64);
    let schools = lf
        .with_columns(shnor_rules().map(|c| flag_col(col(c.flag())).alias(c.flag())).collect::<Vec<_>>())
        .with_column(shnor.alias("shnor"))
        .with_columns([
            category.alias("category"),
            when(students.clone().gt(lit(0.0)))
                .then(col("families").cast(DataType::Float64) / students)
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("response_rate"),
            // List order: ШНОР+ШНСУ first, then ШНОР; worst ИНР first; ties by school_id.
            when(col("shnor").and(col("shnsu"))).then(lit(0i32)).when(col("shnor")).then(lit(1i32)).otherwise(lit(2i32)).alias("__group"),
            round9(col("inr")).alias("__inr9"),
        ])
        .sort_by_exprs(
            [col("__group"), col("__inr9"), col("school_id")],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, true, false])
                .with_nulls_last(true),
        )
        .with_column(
            when(col("shnor"))
                .then(col("shnor").cast(DataType::Int64).cum_sum(false))
                .otherwise(lit(NULL).cast(DataType::Int64))
                .alias("rank"),
        )
        .drop(cols(["__group", "__inr9", "families"]))
        .collect()?;

    let flagged: Vec<String> = schools
        .clone()
        .lazy()
        .filter(col("shnor"))
        .select([col("school_id")])
        .collect()?
        .column("school_id")?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let texts: BTreeMap<String, String> = if with_reasons {
        reasons::build(&flagged, &schools, &input, config)?
    } else {
        BTreeMap::new()
    };
    let ids: Vec<String> = texts.keys().cloned().collect();
    let vals: Vec<String> = texts.values().cloned().collect();
    let reason_df = DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), ids),
        Column::new("reasons".into(), vals),
    ])?;
    let schools = schools
        .lazy()
        .join(reason_df.lazy(), [col("school_id")], [col("school_id")], JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Left) })
        .collect()?;
    let (schools, left_register) = match previous {
        Some(p) => dynamics::apply(schools, p)?,
        None => (dynamics::empty(schools)?, Vec::new()),
    };
    Ok(Identification {
        schools,
        years,
        latest_year: y,
        isbsh_left_out: ix.left_out.clone(),
        previous: previous.map(|p| p.source.clone()),
        left_register,
    })
}

#[cfg(test)]
mod tests;
