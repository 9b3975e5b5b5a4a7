//! ИНР — the low-results index (§4.1, §4.6): percentiles of badness of the fail share and the
//! mean score per year × procedure (within peer groups), combined with weights, weighted by
//! participants over a school's procedures, then averaged over the window's years.

use polars::prelude::*;

use super::badness_percentile;
use crate::config::Config;

pub struct Inr {
    /// year, school_id, procedure, grade, subject, participants, failed, fail_share,
    /// mean_score, pct_fail, pct_mean, term, region_fail_share — usable procedures only.
    pub per_procedure: DataFrame,
    /// school_id, year, inr_year, n_procedures, n_unreliable (procedures with fewer than
    /// `method.unreliable_below` participants: their statistics are unreliable).
    pub yearly: DataFrame,
    /// school_id, inr, inr_years.
    pub window: DataFrame,
    /// The window's years, ascending.
    pub years: Vec<i32>,
}

/// Window years for the latest year Y.
pub fn window_years(config: &Config, latest_year: i32) -> Vec<i32> {
    let w = config.method.years_window as i32;
    (latest_year - w + 1..=latest_year).collect()
}

/// The region's fail share of a procedure in a year: all «2» / all participants of the rows in
/// `group` (used for ИНР reasons and for R30 alike).
pub fn region_fail_share(group: &[Expr]) -> PolarsResult<Expr> {
    Ok((col("failed").sum().over(group)?.cast(DataType::Float64)
        / col("participants").sum().over(group)?.cast(DataType::Float64))
    .alias("region_fail_share"))
}

/// The rows that take part in ИНР: the window's years, procedures with at least
/// `min_participants`, schools with at least `min_school_participants` over them; with the
/// group keys of the percentiles (`__region_group`, and `__peer_group` with peer groups). Gives
/// the frame, the percentile group, and the mappings behind the codes (held while they are used).
fn usable(results: &DataFrame, register: &DataFrame, config: &Config, first: i32) -> PolarsResult<(LazyFrame, Vec<Expr>, Held)> {
    let min_p = i64::from(config.method.min_participants);
    let mut lf = results
        .clone()
        .lazy()
        .filter(col("year").gt_eq(lit(first)).and(col("participants").gt_eq(lit(min_p))));
    let min_school = i64::from(config.method.min_school_participants);
    if min_school > 0 {
        lf = lf.filter(col("participants").sum().over([col("school_id")])?.gt_eq(lit(min_school)));
    }
    let peer: Vec<String> = config.method.peer_groups.clone();
    if !peer.is_empty() {
        let mut cols_: Vec<Expr> = vec![col("school_id")];
        cols_.extend(peer.iter().map(|p| col(p.as_str()).fill_null(lit("—")).alias(format!("__peer_{p}"))));
        let mut args = JoinArgs::new(JoinType::Left);
        args.maintain_order = MaintainOrderJoin::Left;
        lf = lf.join(register.clone().lazy().select(cols_), [col("school_id")], [col("school_id")], args);
    }
    Ok(with_group_keys(lf, &peer))
}

type Held = Vec<std::sync::Arc<CategoricalMapping>>;

/// Each school's participants over the window's usable procedures (pooled), before
/// `min_school_participants`: `school_id`, `participants_window`.
pub fn window_participants(results: &DataFrame, config: &Config, latest_year: i32) -> PolarsResult<DataFrame> {
    let first = window_years(config, latest_year).first().copied().unwrap_or(latest_year);
    results
        .clone()
        .lazy()
        .filter(col("year").gt_eq(lit(first)).and(col("participants").gt_eq(lit(i64::from(config.method.min_participants)))))
        .group_by([col("school_id")])
        .agg([col("participants").cast(DataType::Int64).sum().alias("participants_window")])
        .collect()
}

/// What the posterior draws start from (§4.7): one row per usable school × year × procedure,
/// sorted by percentile group: `__group` (0, 1, … in order), `school_id`, `year`,
/// `participants`, the fail share's posterior (`post_a`, `post_b`, `post_m`) and the mean
/// score's (`post_mean`, `post_sd`; null where the mean is unknown).
pub fn posterior_rows(results: &DataFrame, register: &DataFrame, config: &Config, latest_year: i32) -> PolarsResult<DataFrame> {
    let first = window_years(config, latest_year).first().copied().unwrap_or(latest_year);
    let (lf, group, _held) = usable(results, register, config, first)?;
    let lf = with_posteriors(lf, config);
    let mut select = vec![col("school_id"), col("year"), col("participants")];
    select.extend(["post_a", "post_b", "post_m", "post_mean", "post_sd"].map(col));
    let mut sort_by = group.clone();
    sort_by.push(col("school_id"));
    let changed = group
        .iter()
        .map(|g| g.clone().neq(g.clone().shift(lit(1))).fill_null(lit(true)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(true));
    lf.select(select.into_iter().chain(group.iter().cloned()).collect::<Vec<_>>())
        .sort_by_exprs(sort_by, SortMultipleOptions::default())
        .with_column((changed.cast(DataType::UInt32).cum_sum(false) - lit(1u32)).alias("__group"))
        .collect()
}

pub fn compute(results: &DataFrame, register: &DataFrame, config: &Config, latest_year: i32) -> PolarsResult<Inr> {
    let years = window_years(config, latest_year);
    let first = years.first().copied().unwrap_or(latest_year);
    // The mappings are held until the tables are collected.
    let (lf, group, _held) = usable(results, register, config, first)?;
    let region_group = vec![col("__region_group")];
    let lf = match config.method.inr.basis {
        crate::config::InrBasis::Raw => lf,
        crate::config::InrBasis::Shrunk => with_posteriors(lf, config),
    };
    let per_procedure = lf
        .with_columns([
            badness_percentile(fail_basis(config), true, &group)?.alias("pct_fail"),
            badness_percentile(mean_basis(config), false, &group)?.alias("pct_mean"),
            region_fail_share(&region_group)?,
        ])
        .with_column(term(config))
        .select([
            col("year"), col("school_id"), col("procedure"), col("grade"), col("subject"),
            col("participants"), col("failed"), col("fail_share"), col("mean_score"),
            col("pct_fail"), col("pct_mean"), col("term"), col("region_fail_share"),
        ])
        .collect()?;
    // The results come sorted by year, school, procedure, grade, subject (see
    // `results::combine`): a stable sort by school gives school, year, procedure, grade, subject.
    let per_procedure = per_procedure.sort(["school_id"], SortMultipleOptions::default().with_maintain_order(true))?;
    of_terms(per_procedure, config, years)
}

/// ИНР of `config` from the percentiles of another ИНР that differs from it only in the weights
/// of the two percentiles (`method.inr.w_fail`, `w_mean`): the terms are combined again, the
/// percentiles (the costly part) are not recomputed. The same numbers as [`compute`].
pub fn reweight(other: &Inr, config: &Config) -> PolarsResult<Inr> {
    let per_procedure = other.per_procedure.clone().lazy().with_column(term(config)).collect()?;
    of_terms(per_procedure, config, other.years.clone())
}

/// A procedure's term: the weighted mean of its two percentiles (the fail share's alone when it
/// has no mean score).
fn term(config: &Config) -> Expr {
    let (wf, wm) = (config.method.inr.w_fail, config.method.inr.w_mean);
    when(col("pct_mean").is_null())
        .then(col("pct_fail"))
        .otherwise((lit(wf) * col("pct_fail") + lit(wm) * col("pct_mean")) / lit(wf + wm))
        .alias("term")
}

/// The yearly and window ИНР of the per-procedure terms (sorted by school, year, procedure).
fn of_terms(per_procedure: DataFrame, config: &Config, years: Vec<i32>) -> PolarsResult<Inr> {
    let p = col("participants").cast(DataType::Float64);
    let yearly = per_procedure
        .clone()
        .lazy()
        .group_by([col("school_id"), col("year")])
        .agg([
            ((col("term") * p.clone()).sum() / p.sum()).alias("inr_year"),
            len().cast(DataType::Int64).alias("n_procedures"),
            col("participants")
                .lt(lit(i64::from(config.method.unreliable_below)))
                .cast(DataType::Int64)
                .sum()
                .alias("n_unreliable"),
        ])
        .sort(["school_id", "year"], SortMultipleOptions::default())
        .collect()?;
    let window = yearly
        .clone()
        .lazy()
        .group_by([col("school_id")])
        .agg([
            col("inr_year").mean().alias("inr"),
            len().cast(DataType::Int64).alias("inr_years"),
        ])
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    Ok(Inr {
        per_procedure,
        yearly,
        window,
        years,
    })
}

/// The fail share whose percentile enters ИНР (`method.inr.basis`): observed, or shrunk over
/// the schools that take part in the same year × procedure key.
fn fail_basis(config: &Config) -> Expr {
    match config.method.inr.basis {
        crate::config::InrBasis::Raw => col("fail_share"),
        crate::config::InrBasis::Shrunk => super::uncertainty::shrunk_share(),
    }
}

/// The mean score whose percentile enters ИНР: observed, or shrunk (with `basis = shrunk`)
/// within the percentile group.
fn mean_basis(config: &Config) -> Expr {
    match config.method.inr.basis {
        crate::config::InrBasis::Raw => col("mean_score"),
        crate::config::InrBasis::Shrunk => col("post_mean"),
    }
}

/// The posteriors of the fail shares (over the year × procedure key) and of the mean scores
/// (over the percentile group) of the usable rows (§4.7).
fn with_posteriors(lf: LazyFrame, config: &Config) -> LazyFrame {
    let lf = super::uncertainty::with_beta_posterior(lf, "failed", "participants", &["__region_group"]);
    let group: &[&str] = if config.method.peer_groups.is_empty() { &["__region_group"] } else { &["__region_group", "__peer_group"] };
    super::uncertainty::with_mean_posterior(lf, "mean_score", "participants", group)
}

/// The groups (year × procedure, and × peer group) as integers `__region_group` and
/// `__peer_group`: window functions over one integer column instead of several text columns.
/// Gives the frame, the group of the percentiles, and the categorical mappings behind the codes
/// (to be held while the codes are used).
fn with_group_keys(lf: LazyFrame, peer: &[String]) -> (LazyFrame, Vec<Expr>, Held) {
    let mut held = Vec::new();
    let mut code = |e: Expr| {
        let (codes, mapping) = crate::model::clean::code(e);
        held.push(mapping);
        codes
    };
    let region_key = (col("year").cast(DataType::UInt64) * lit(1u64 << 48))
        + (code(col("procedure")) * lit(1u64 << 40))
        + (col("grade").cast(DataType::UInt64).fill_null(lit(255u64)) * lit(1u64 << 32))
        + code(col("subject"));
    let mut peer_key: Option<Expr> = None;
    for p in peer {
        let c = code(col(format!("__peer_{p}")));
        peer_key = Some(match peer_key {
            Some(k) => k * lit(1u64 << 24) + c,
            None => c,
        });
    }
    let lf = lf.with_column(region_key.alias("__region_group"));
    let mut group = vec![col("__region_group")];
    let lf = match peer_key {
        Some(k) => {
            group.push(col("__peer_group"));
            lf.with_column(k.alias("__peer_group"))
        }
        None => lf,
    };
    (lf, group, held)
}
