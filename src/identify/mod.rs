//! Identification (§4.2–§4.4): criteria R30 and BOTTOM for ШНОР, ШНСУ, resilience, the category
//! of each school, the ranked list and the reasons an official can paste into an order.

pub mod bias;
mod category;
pub mod criteria;
pub mod dynamics;
pub mod objectivity;
pub mod risk;
pub mod similar;
pub mod outcome;
pub mod overview;
pub mod sweep;
pub mod whatif;
mod reasons;
pub mod words;

pub use category::Category;
pub use outcome::{counts_by_municipality, region_counts, shnor_list, shnsu_list, Counts, Dynamics, Flags, Reason, SchoolRow, Standing};
pub use reasons::{short as short_reason, short_suppressed as reasons_short_suppressed, texts as reason_texts};
pub use words::{num1, procedure_label};

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use polars::prelude::*;

use crate::config::{Combine, Config};
use crate::indices::{inr, isbsh, round9};
use crate::model::columns::{bools, floats, ints, opt_bools, strs};
use crate::model::Dataset;

/// The outcome of identification under one configuration.
pub struct Identification {
    /// One row per register school, in list order (ШНОР+ШНСУ, ШНОР by ИНР, then the rest by
    /// ИНР and id).
    pub rows: Vec<SchoolRow>,
    pub years: Vec<i32>,
    pub latest_year: i32,
    /// Indicators left out of ИСБШ (standard deviation 0).
    pub isbsh_left_out: Vec<String>,
    /// Where last year's list came from, when given.
    pub previous: Option<String>,
    /// Schools on last year's list that are no longer in the register.
    pub left_register: Vec<String>,
    /// The objectivity screen (§4.8; empty when identified without reasons).
    pub objectivity: objectivity::Screen,
    /// ИНР against ИСБШ (and locality, school type): the fit over the region (§4.9).
    pub expected_fit: Option<crate::indices::expected::Fit>,
    /// The risk profiles' region side (§4.9; empty when identified without reasons).
    pub risk: risk::RiskSummary,
    /// The bias audit (§4.9), when the session was asked for it (`Session::audit`).
    pub bias: Option<bias::Audit>,
    /// The report's figures over the raw aggregates, computed when first asked for (by the
    /// report, beside the other writers).
    overview: Option<overview::Lazy>,
}

impl Identification {
    /// Per procedure of the latest year, the region's fail share against the ШНОР list's
    /// (none when identified without reasons).
    pub fn procedure_shares(&self) -> Result<&[overview::ProcedureShares]> {
        Ok(match &self.overview {
            Some(o) => &o.get()?.0,
            None => &[],
        })
    }

    /// Each school's «2» and participants over the latest year's usable procedures (none when
    /// identified without reasons).
    pub fn school_totals(&self) -> Result<&[overview::SchoolTotal]> {
        Ok(match &self.overview {
            Some(o) => &o.get()?.2,
            None => &[],
        })
    }

    /// The schools with any results row in the window years (none when identified without
    /// reasons).
    pub fn with_results(&self) -> Result<Option<&std::collections::BTreeSet<String>>> {
        Ok(match &self.overview {
            Some(o) => Some(&o.get()?.1),
            None => None,
        })
    }
}

/// The first year of results identification needs when the latest is `latest`: the window's,
/// or an earlier one that an enabled criterion needs (R30 looks at Y−1 whatever the window).
pub fn first_year_needed(config: &Config, latest: i32) -> i32 {
    let window = inr::window_years(config, latest);
    let first = window.first().copied().unwrap_or(latest);
    criteria::ALL.iter().filter(|c| c.enabled(config)).flat_map(|c| c.years(latest, &window)).fold(first, i32::min)
}

/// The school-level inputs of identification: everything `whatif` needs, without raw rows.
pub struct Aggregates<'a> {
    pub register: &'a DataFrame,
    pub results: &'a DataFrame,
    pub questionnaire: Option<&'a DataFrame>,
    pub context: &'a [DataFrame],
    /// school_id, factor, level, actual — the schools' self-diagnosis (§4.9), when given.
    pub selfdiagnosis: Option<&'a DataFrame>,
    pub latest_year: i32,
}

impl<'a> Aggregates<'a> {
    /// Every register school's name and municipality, by id.
    pub fn school_names(&self) -> PolarsResult<BTreeMap<String, (String, String)>> {
        let reg = self.register;
        let (ids, names, muns) = (strs(reg, "school_id")?, strs(reg, "name")?, strs(reg, "municipality")?);
        Ok(ids.into_iter().zip(names.into_iter().zip(muns)).collect())
    }

    pub fn from_dataset(ds: &'a Dataset) -> Option<Self> {
        Some(Aggregates {
            register: ds.register.as_ref()?,
            results: ds.results.as_ref()?,
            questionnaire: ds.questionnaire.as_ref(),
            context: &ds.context,
            selfdiagnosis: ds.selfdiagnosis.as_ref(),
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
    let mut method = config.method.clone();
    method.uncertainty = crate::config::Uncertainty::default();
    serde_json::json!([method, isbsh, exclusion_key(config)]).to_string()
}

/// What the results identification uses depend on beside the method: under
/// `objectivity.effect = "exclude"`, the screen's settings (empty otherwise).
fn exclusion_key(config: &Config) -> String {
    if excludes(config) { screen_key(config) } else { String::new() }
}

/// What the screen's markers depend on: every `[objectivity]` setting but `effect` (switching
/// between note and exclude reuses the markers).
fn screen_key(config: &Config) -> String {
    let mut o = config.objectivity.clone();
    o.effect = crate::config::ObjectivityEffect::Note;
    serde_json::json!(o).to_string()
}

fn excludes(config: &Config) -> bool {
    config.objectivity.enabled && config.objectivity.effect == crate::config::ObjectivityEffect::Exclude
}

/// What the posterior draws depend on: the indices' method, the draws' settings and the worst
/// share X.
fn posterior_key(config: &Config) -> String {
    serde_json::json!([index_key(config), config.method.uncertainty, config.criteria.bottom.share]).to_string()
}

/// Whether identification under `config` makes the posterior draws: when they are switched on
/// and either the outputs show them (`with_reasons`) or a flag depends on them.
fn needs_draws(config: &Config, with_reasons: bool) -> bool {
    config.method.uncertainty.draws > 0
        && (with_reasons || (config.criteria.bottom.enabled && config.criteria.bottom.basis == crate::config::BottomBasis::Probability))
}

/// The posterior draws' summary per school (see [`crate::indices::draws::compute`]).
fn posterior(agg: &Aggregates, config: &Config) -> Result<DataFrame> {
    let t0 = std::time::Instant::now();
    let rows = inr::posterior_rows(agg.results, agg.register, config, agg.latest_year)?;
    crate::i18n::trace(&tr!("апостериорные распределения", "posteriors"), t0);
    crate::indices::draws::compute(&rows, config)
}

/// ИНР (per procedure, per year, window) and ИСБШ joined to the register: everything that does
/// not depend on the criteria's cut-offs.
struct Indices {
    inr: inr::Inr,
    /// Register columns, inr_<year>…, inr, n_procedures, n_unreliable, isbsh, isbsh_indicators,
    /// families.
    base: DataFrame,
    left_out: Vec<String>,
    /// ИНР against conditions over `base` (see `criteria::Inputs::expected`).
    expected: Option<(DataFrame, crate::indices::expected::Fit)>,
    /// What the percentiles of `inr` depend on ([`percentiles_key`]; empty for stored tables,
    /// whose settings are known only as a whole).
    percentiles_key: String,
}

/// Everything the index tables depend on but the weights of ИНР's two percentiles.
fn percentiles_key(config: &Config) -> String {
    let mut c = config.clone();
    (c.method.inr.w_fail, c.method.inr.w_mean) = (0.0, 0.0);
    index_key(&c)
}

fn compute_indices(agg: &Aggregates, config: &Config, inr: inr::Inr, percentiles_key: String) -> Result<Indices> {
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
    lf = by_key(lf, inr::window_participants(agg.results, config, y)?.lazy());
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
    let expected = crate::indices::expected::fit(&base)?;
    Ok(Indices { inr, base, left_out, expected, percentiles_key })
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
/// that shares what they depend on, each criterion's flags once for every configuration that
/// shares the keys it depends on ([`criteria::Criterion::config_keys`]), the categories and
/// the list for each configuration.
pub struct Session<'a> {
    agg: &'a Aggregates<'a>,
    indices: Option<(String, Indices)>,
    hits: Option<(String, DataFrame)>,
    posterior: Option<(String, DataFrame)>,
    /// The objectivity screen's markers table under its key (`screen_key`), and the results
    /// without the works it sets aside with how many.
    screen: Option<(String, DataFrame)>,
    set_aside: Option<(String, DataFrame, usize)>,
    /// Per criterion (by flag column): the key its flags were computed under, and the flags.
    flags: BTreeMap<&'static str, (String, DataFrame)>,
    /// Whether an identification with reasons comes with the bias audit (`run`, `report`).
    pub audit: bool,
}

impl<'a> Session<'a> {
    pub fn new(agg: &'a Aggregates<'a>) -> Self {
        Session { agg, indices: None, hits: None, posterior: None, screen: None, set_aside: None, flags: BTreeMap::new(), audit: false }
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
        // The fit is not stored: it is made again from the stored base (school-level, cheap).
        let expected = crate::indices::expected::fit(&t.base).ok().flatten();
        self.indices = Some((t.key, Indices { inr, base: t.base, left_out: t.left_out, expected, percentiles_key: String::new() }));
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
    /// grids of settings, where only the flags are needed). With reasons and `audit`, the bias
    /// audit's shifted settings are identified first (so that the session's tables end as the
    /// run's own).
    pub fn identify(&mut self, config: &Config, previous: Option<&dynamics::Previous>, with_reasons: bool) -> Result<Identification> {
        let mut lists = Vec::new();
        if with_reasons && self.audit {
            let t0 = std::time::Instant::now();
            let variants = bias::shifted(config);
            // Identified in the order that recomputes least, listed in the audit's order.
            let mut found: Vec<BTreeSet<String>> = vec![BTreeSet::new(); variants.len()];
            for i in bias::computation_order(&variants) {
                if let (Some((shifted, ..)), Some(slot)) = (variants.get(i), found.get_mut(i)) {
                    let ident = self.identify_once(shifted, None, false)?;
                    *slot = ident.rows.iter().filter(|r| r.shnor).map(|r| r.school_id.clone()).collect();
                }
            }
            for ((_, key, from, to), list) in variants.into_iter().zip(found) {
                lists.push((key, from, to, list));
            }
            crate::i18n::trace(&tr!("проверка смещения", "bias audit"), t0);
        }
        let mut ident = self.identify_once(config, previous, with_reasons)?;
        if with_reasons && self.audit {
            ident.bias = Some(bias::audit(&ident.rows, lists));
        }
        Ok(ident)
    }

    fn identify_once(&mut self, config: &Config, previous: Option<&dynamics::Previous>, with_reasons: bool) -> Result<Identification> {
        let full = self.agg;
        let screen_key = screen_key(config);
        if (with_reasons || excludes(config)) && self.screen.as_ref().map(|(k, _)| *k != screen_key).unwrap_or(true) {
            let t0 = std::time::Instant::now();
            self.screen = Some((screen_key.clone(), crate::indices::objectivity::compute(full.results, full.register, config, full.latest_year)?));
            crate::i18n::trace(&tr!("признаки необъективности", "objectivity screen"), t0);
        }
        let markers = self.screen.as_ref().filter(|(k, _)| *k == screen_key).map(|(_, df)| df);
        if let (true, Some(m)) = (excludes(config), markers) {
            if self.set_aside.as_ref().map(|(k, _, _)| *k != screen_key).unwrap_or(true) {
                let (kept, gone) = crate::indices::objectivity::set_aside(full.results, m, full.latest_year)?;
                self.set_aside = Some((screen_key.clone(), kept, gone));
            }
        }
        let kept = self.set_aside.as_ref().filter(|(k, _, _)| excludes(config) && *k == screen_key);
        let narrowed = kept.map(|(_, df, _)| Aggregates { results: df, ..*full });
        let agg = narrowed.as_ref().unwrap_or(full);
        let set_aside = kept.map(|(_, _, n)| *n).unwrap_or(0);
        let key = index_key(config);
        if self.indices.as_ref().map(|(k, _)| k != &key).unwrap_or(true) {
            let t0 = std::time::Instant::now();
            // Only the weights of the two percentiles changed (the bias audit): the percentiles
            // are kept and the terms combined again.
            let percentiles = percentiles_key(config);
            let inr = match self.indices.as_ref().map(|(_, ix)| ix).filter(|ix| ix.percentiles_key == percentiles) {
                Some(old) => inr::reweight(&old.inr, config)?,
                None => inr::compute(agg.results, agg.register, config, agg.latest_year)?,
            };
            self.indices = Some((key, compute_indices(agg, config, inr, percentiles)?));
            crate::i18n::trace(&tr!("ИНР и ИСБШ", "ИНР and ИСБШ"), t0);
        }
        let hits_key = format!("{}{}", criteria::r30_hits_key(config), exclusion_key(config));
        if self.hits.as_ref().map(|(k, _)| *k != hits_key).unwrap_or(true) {
            let t0 = std::time::Instant::now();
            self.hits = Some((hits_key, criteria::r30_hits(agg.results, config, agg.latest_year)?));
            crate::i18n::trace(&tr!("процедуры R30", "R30 procedures"), t0);
        }
        if needs_draws(config, with_reasons) {
            let key = posterior_key(config);
            if self.posterior.as_ref().map(|(k, _)| *k != key).unwrap_or(true) {
                let t0 = std::time::Instant::now();
                self.posterior = Some((key, posterior(agg, config)?));
                crate::i18n::trace(&tr!("неопределённость (испытания)", "uncertainty (draws)"), t0);
            }
        }
        let (Some((key, ix)), Some((hits_key, hits))) = (&self.indices, &self.hits) else {
            return Err(anyhow::anyhow!("indices not computed"));
        };
        let t0 = std::time::Instant::now();
        let posterior = self.posterior.as_ref().filter(|_| needs_draws(config, with_reasons)).map(|(_, df)| df);
        let input = criteria::Inputs { inr: &ix.inr, base: &ix.base, hits, latest_year: agg.latest_year, results: agg.results, posterior, expected: ix.expected.as_ref() };
        let mut flat = Vec::new();
        crate::config::flatten("", &config.parameters_json()?, &mut flat);
        let mut frames = Vec::new();
        for c in criteria::ALL {
            let key = format!("{key}|{hits_key}|{}", criteria::values_key(c, &flat));
            let frame = match self.flags.get(c.flag()) {
                Some((k, df)) if *k == key => df.clone(),
                _ => {
                    let df = c.flags(&input, config)?.collect()?;
                    self.flags.insert(c.flag(), (key, df.clone()));
                    df
                }
            };
            frames.push(frame);
        }
        frames.extend(standing_frames(&input, config, with_reasons)?);
        crate::i18n::trace(&tr!("флаги критериев", "criteria flags"), t0);
        let screen = match markers {
            Some(m) if with_reasons => objectivity::screen_of(m, full, config, set_aside)?,
            _ => objectivity::Screen::default(),
        };
        let r = classify(agg, ix, &input, frames, config, previous, with_reasons, (screen, markers.filter(|_| with_reasons)));
        crate::i18n::trace(&tr!("критерии, категории, список", "criteria, categories, list"), t0);
        r
    }
}

/// Beside the flags: the posterior summary and each ШНОР criterion's solidity, as frames by
/// `school_id` (empty ones with the same columns when there are none, so that the school table
/// always has them).
fn standing_frames(input: &criteria::Inputs, config: &Config, with_reasons: bool) -> Result<Vec<DataFrame>> {
    let mut out = vec![match input.posterior {
        Some(p) => p.clone(),
        None => DataFrame::new_infer_height(vec![
            Column::new("school_id".into(), Vec::<String>::new()),
            Column::new("p_worst".into(), Vec::<f64>::new()),
            Column::new("rank_expected".into(), Vec::<f64>::new()),
            Column::new("rank_low".into(), Vec::<i64>::new()),
            Column::new("rank_high".into(), Vec::<i64>::new()),
            Column::new("ranked_of".into(), Vec::<i64>::new()),
        ])?,
    }];
    for c in criteria::of_list(criteria::List::Shnor) {
        let name = criteria::solid_column(c.flag());
        let frame = match (with_reasons && c.enabled(config)).then(|| c.solid(input, config)).transpose()?.flatten() {
            // Every register school: one the criterion's frame leaves out does not hold.
            Some(lf) => input
                .base
                .clone()
                .lazy()
                .select([col("school_id")])
                .join(lf, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
                .with_column(col(name.as_str()).fill_null(lit(false)))
                .collect()?,
            None => DataFrame::new_infer_height(vec![
                Column::new("school_id".into(), Vec::<String>::new()),
                Column::new(name.as_str().into(), Vec::<bool>::new()),
            ])?,
        };
        out.push(frame);
    }
    Ok(out)
}

#[cfg(test)]
pub fn identify(agg: &Aggregates, config: &Config, previous: Option<&dynamics::Previous>) -> Result<Identification> {
    Session::new(agg).identify(config, previous, true)
}

/// Criteria, categories, the ranked list, reasons and dynamics over computed indices.
/// `flags`: each criterion's flags, in the order of [`criteria::ALL`].
fn classify(
    agg: &Aggregates,
    ix: &Indices,
    input: &criteria::Inputs,
    flags: Vec<DataFrame>,
    config: &Config,
    previous: Option<&dynamics::Previous>,
    with_reasons: bool,
    (objectivity, markers): (objectivity::Screen, Option<&DataFrame>),
) -> Result<Identification> {
    let y = agg.latest_year;
    let t0 = std::time::Instant::now();
    let schools = ranked(input, flags, config)?;
    crate::i18n::trace(&tr!("категории и порядок списка", "categories and list order"), t0);
    let overview = with_reasons.then(|| {
        let first = ix.inr.years.first().copied().unwrap_or(y);
        overview::Lazy::new(agg.results, &schools, config, first, y)
    });
    let t0 = std::time::Instant::now();
    let mut reasons = if with_reasons { reasons::build(&schools, input, config)? } else { BTreeMap::new() };
    crate::i18n::trace(&tr!("основания", "reasons"), t0);
    let (table, left_register) = match previous {
        Some(p) => dynamics::apply(schools, p)?,
        None => (dynamics::empty(schools)?, Vec::new()),
    };
    let (table, expected_fit) = with_expected(table, ix.expected.as_ref())?;
    let mut rows = school_rows(&table, &ix.inr.years, config, &mut reasons)?;
    for r in rows.iter_mut().filter(|r| r.shnor) {
        r.tenure = Some(dynamics::tenure(previous, &r.school_id, r.dynamics == Dynamics::Stayed, y, r.inr, r.inr_prev));
    }
    let mut near = similar::of(&rows, config.similar.k as usize);
    for r in rows.iter_mut() {
        r.similar = near.remove(&r.school_id);
    }
    let (mut profiles, risk) = match with_reasons {
        true => risk::profiles(&risk_inputs(agg, ix, markers), config)?,
        false => Default::default(),
    };
    for r in rows.iter_mut() {
        r.risk = profiles.remove(&r.school_id);
    }
    Ok(Identification {
        rows,
        years: ix.inr.years.clone(),
        latest_year: y,
        isbsh_left_out: ix.left_out.clone(),
        previous: previous.map(|p| p.source.clone()),
        left_register,
        objectivity,
        expected_fit,
        risk,
        bias: None,
        overview: overview.transpose()?,
    })
}

/// What the risk factors are computed from: the identification's school tables.
fn risk_inputs<'a>(agg: &'a Aggregates, ix: &'a Indices, markers: Option<&'a DataFrame>) -> crate::indices::risk::Inputs<'a> {
    crate::indices::risk::Inputs {
        base: &ix.base,
        per_procedure: &ix.inr.per_procedure,
        questionnaire: agg.questionnaire,
        tables: std::iter::once(agg.register).chain(agg.context.iter()).collect(),
        markers,
        selfdiagnosis: agg.selfdiagnosis,
        latest_year: agg.latest_year,
    }
}

/// The schools' table with their ИНР against what their conditions predict (§4.9; the
/// columns null when there is no fit), and the fit.
fn with_expected(table: DataFrame, expected: Option<&(DataFrame, crate::indices::expected::Fit)>) -> Result<(DataFrame, Option<crate::indices::expected::Fit>)> {
    let columns = crate::indices::expected::COLUMNS;
    let (by_school, fit) = match expected {
        Some((df, fit)) => (Some(df.clone()), Some(fit.clone())),
        None => (None, None),
    };
    let table = match by_school {
        Some(df) => table.lazy().join(df.lazy(), [col("school_id")], [col("school_id")], JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Left) }).collect()?,
        None => table.lazy().with_columns(columns.map(|c| lit(NULL).cast(DataType::Float64).alias(c))).collect()?,
    };
    Ok((table, fit))
}

/// Boolean expressions combined as `criteria.combine` says (any: or, all: and); `none` when
/// there are none.
fn combined(exprs: Vec<Expr>, combine: Combine, none: Expr) -> Expr {
    let op = |a: Expr, b: Expr| match combine {
        Combine::Any => a.or(b),
        Combine::All => a.and(b),
    };
    exprs.into_iter().reduce(op).unwrap_or(none)
}

/// Every criterion's flags joined to the indices, ШНОР by `criteria.combine`, the category,
/// the response rate and the rank, in list order.
fn ranked(input: &criteria::Inputs, flags: Vec<DataFrame>, config: &Config) -> Result<DataFrame> {
    let by_key = |lf: LazyFrame, other: LazyFrame| lf.join(other, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left));
    let mut lf = input.base.clone().lazy();
    for frame in flags {
        lf = by_key(lf, frame.lazy());
    }
    let shnor_rules = || criteria::of_list(criteria::List::Shnor);
    let enabled: Vec<Expr> = shnor_rules().filter(|c| c.enabled(config)).map(|c| flag_col(col(c.flag()))).collect();
    let shnor = combined(enabled, config.criteria.combine, lit(false));
    let category = when(col("shnor").and(col("shnsu")))
        .then(lit(Category::ShnorShnsu.code()))
        .when(col("shnor"))
        .then(lit(Category::Shnor.code()))
        .when(col("shnsu"))
        .then(lit(Category::Shnsu.code()))
        .when(col("resilient"))
        .then(lit(Category::Resilient.code()))
        .otherwise(lit(Category::None.code()));
    let solid: Vec<Expr> = shnor_rules()
        .filter(|c| c.enabled(config))
        .map(|c| flag_col(col(c.flag())).and(col(criteria::solid_column(c.flag()))))
        .collect();
    let solid = combined(solid, config.criteria.combine, lit(NULL).cast(DataType::Boolean));
    let min_school = i64::from(config.method.min_school_participants);
    let students = col("students").cast(DataType::Float64);
    Ok(lf
        .with_columns(shnor_rules().map(|c| flag_col(col(c.flag())).alias(c.flag())).collect::<Vec<_>>())
        .with_column(shnor.alias("shnor"))
        .with_columns([
            when(col("shnor")).then(solid).otherwise(lit(NULL).cast(DataType::Boolean)).alias("solid"),
            (lit(min_school > 0).and(col("participants_window").lt(lit(min_school)))).fill_null(lit(false)).alias("few_participants"),
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
        .collect()?)
}

/// The school table as typed rows, in its order; each school takes its reasons.
fn school_rows(df: &DataFrame, years: &[i32], config: &Config, reasons: &mut BTreeMap<String, Vec<Reason>>) -> PolarsResult<Vec<SchoolRow>> {
    let s = |c: &str| strs(df, c);
    let f = |c: &str| floats(df, c);
    let n = |c: &str| ints(df, c);
    let (ids, name, mun, ty, loc) = (s("school_id")?, s("name")?, s("municipality")?, s("school_type")?, s("locality")?);
    let inr_years: Vec<Vec<Option<f64>>> = years.iter().map(|y| f(&format!("inr_{y}"))).collect::<PolarsResult<_>>()?;
    let (inr, isbsh, rr, inr_prev, isbsh_prev) = (f("inr")?, f("isbsh")?, f("response_rate")?, f("inr_prev")?, f("isbsh_prev")?);
    let (rank, n_proc, n_unrel, n_ind) = (n("rank")?, n("n_procedures")?, n("n_unreliable")?, n("isbsh_indicators")?);
    let flags: Vec<(&'static str, Vec<bool>)> =
        criteria::of_list(criteria::List::Shnor).map(|c| Ok((c.flag(), bools(df, c.flag())?))).collect::<PolarsResult<_>>()?;
    let (shnor, shnsu, resilient) = (bools(df, "shnor")?, bools(df, "shnsu")?, bools(df, "resilient")?);
    let (category, dynamics) = (s("category")?, s("dynamics")?);
    let (p_worst, rank_expected, rank_low, rank_high, ranked_of) = (f("p_worst")?, f("rank_expected")?, n("rank_low")?, n("rank_high")?, n("ranked_of")?);
    let (participants, few, solid) = (n("participants_window")?, bools(df, "few_participants")?, opt_bools(df, "solid")?);
    let low = low_indicators(df)?;
    let (ex_value, ex_residual, ex_low, ex_high) = (f("inr_expected")?, f("inr_residual")?, f("inr_residual_low")?, f("inr_residual_high")?);
    let solid_of: Vec<(&'static str, Vec<Option<bool>>)> = criteria::of_list(criteria::List::Shnor)
        .map(|c| Ok((c.flag(), opt_bools(df, &criteria::solid_column(c.flag()))?)))
        .collect::<PolarsResult<_>>()?;
    Ok((0..df.height())
        .map(|i| {
            let standing = Standing {
                p_worst: p_worst[i],
                share: config.criteria.bottom.share,
                coverage: config.method.uncertainty.rank_interval,
                rank_expected: rank_expected[i],
                rank_low: rank_low[i],
                rank_high: rank_high[i],
                ranked_of: ranked_of[i],
            };
            let mut reasons = reasons.remove(&ids[i]).unwrap_or_default();
            for r in &mut reasons {
                r.solid = solid_of.iter().find(|(flag, _)| *flag == r.criterion).and_then(|(_, v)| v[i]);
                let shows = criteria::by_flag(r.criterion).is_some_and(|c| c.shows_standing());
                r.standing = (shows && standing.p_worst.is_some()).then_some(standing);
            }
            SchoolRow {
            school_id: ids[i].clone(),
            name: name[i].clone(),
            municipality: mun[i].clone(),
            school_type: ty[i].clone(),
            locality: loc[i].clone(),
            inr_years: inr_years.iter().map(|v| v[i]).collect(),
            inr: inr[i],
            isbsh: isbsh[i],
            flags: Flags::of(flags.iter().map(|(flag, v)| (*flag, v[i]))),
            shnor: shnor[i],
            shnsu: shnsu[i],
            resilient: resilient[i],
            category: Category::from_code(&category[i]),
            rank: rank[i],
            n_procedures: n_proc[i],
            n_unreliable: n_unrel[i],
            isbsh_indicators: n_ind[i],
            response_rate: rr[i],
            reasons,
            inr_prev: inr_prev[i],
            isbsh_prev: isbsh_prev[i],
            dynamics: Dynamics::from_code(&dynamics[i]),
            participants_window: participants[i],
            few_participants: few[i],
            standing,
            solid: solid[i],
            isbsh_low: low.get(i).cloned().unwrap_or_default(),
            tenure: None,
            expected: match (ex_value[i], ex_residual[i], ex_low[i], ex_high[i]) {
                (Some(value), Some(residual), Some(low), Some(high)) => Some(outcome::Expected { value, residual, low, high }),
                _ => None,
            },
            similar: None,
            risk: None,
            }
        })
        .collect())
}

/// Each school's weakest ИСБШ indicators from the columns `isbsh_low<k>_*` (none in tables
/// stored before they existed).
fn low_indicators(df: &DataFrame) -> PolarsResult<Vec<Vec<outcome::LowIndicator>>> {
    let mut out: Vec<Vec<outcome::LowIndicator>> = vec![Vec::new(); df.height()];
    for k in 0..isbsh::LOWEST {
        let name = |part: &str| format!("isbsh_low{k}_{part}");
        let (Ok(ind), Ok(share), Ok(region)) = (strs(df, &name("indicator")), floats(df, &name("share")), floats(df, &name("region"))) else {
            break;
        };
        for (i, slot) in out.iter_mut().enumerate() {
            if let (Some(ind), Some(Some(share)), Some(Some(region))) = (ind.get(i).filter(|s| !s.is_empty()), share.get(i), region.get(i)) {
                slot.push(outcome::LowIndicator { indicator: ind.clone(), share: *share, region: *region });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
