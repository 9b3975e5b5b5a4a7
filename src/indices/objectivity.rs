//! The objectivity screen (§4.8): signs of unreliable ВПР results per school × procedure of the
//! latest year — signs that need checking, never a verdict.
//!
//! * M1 ВПР against the journal: pupils whose journal mark is above (below) their ВПР mark,
//!   against the number expected from the region's pupils *with the same ВПР mark* (a weak
//!   school has more «journal above» naturally); one-sided normal test of the sum of Bernoullis.
//! * M2 bunching at mark boundaries: among a school's pupils scoring b − 2 … b + 1 around the
//!   lowest score b of «3» (of «4»), the share at b or b + 1 against the region's same share for
//!   the work's schools that stand alike around the boundary (window counts from
//!   `model::bunching`); one-sided exact binomial test per work, and pooled over the school's
//!   works and both boundaries.
//! * M3 ВПР not confirmed by ОГЭ: the school's ОГЭ percentile of badness in a subject minus its
//!   ВПР percentile in the same subject (a rank rule, not a test).
//! * M4 jumps: the fail share of Y against Y − 1 for the same procedure (two-proportion test).
//!
//! The tests of one run (M1 both ways, M2 at both boundaries, M4) are controlled together by
//! Benjamini–Hochberg; a marker is set when its q ≤ `objectivity.q` and its effect reaches its
//! minimum.

use anyhow::Result;
use polars::prelude::*;

use crate::config::Config;
use crate::model::subjects::{OGE, VPR};
use crate::model::columns::nulls_equal;

/// One marker's code as stored and written to objectivity.csv.
pub const M1_UP: &str = "m1_journal_higher";
pub const M1_DOWN: &str = "m1_journal_lower";
pub const M2: &str = "m2_boundary";
pub const M2_3: &str = "m2_boundary_3";
pub const M2_4: &str = "m2_boundary_4";
pub const M3: &str = "m3_oge";
pub const M4: &str = "m4_jump";

/// The columns of the markers table, in order.
pub const COLUMNS: [&str; 12] = ["school_id", "procedure", "grade", "subject", "marker", "value", "reference", "n", "effect", "p", "q", "flagged"];

/// Every tested school × procedure × marker of the latest year, with `flagged` where the marker
/// is set; empty (with the same columns) when the screen is off or there is nothing to test.
pub fn compute(results: &DataFrame, register: &DataFrame, config: &Config, latest: i32) -> Result<DataFrame> {
    let o = &config.objectivity;
    if !o.enabled {
        return Ok(empty()?);
    }
    let mut tests = Vec::new();
    // Aggregates stored before the counts by ВПР mark existed have no M1.
    if results.column("j_n_2").is_ok() {
        for up in [true, false] {
            tests.push(m1(results, latest, config, up)?);
        }
    }
    tests.push(m4(results, latest, config));
    // Aggregates without per-student scores (or stored before M2 existed) have no M2.
    if results.column("b3_window").is_ok() {
        tests.push(m2(results, latest, config)?.lazy());
    }
    let tested = concat(tests, UnionArgs::default())?.collect()?;
    let tested = benjamini_hochberg(with_p_values(tested)?)?;
    let flagged = tested
        .lazy()
        .with_column(
            col("q")
                .lt_eq(lit(o.q))
                .and(
                    when(col("marker").eq(lit(M4)))
                        .then(col("effect").abs().gt_eq(lit(o.m4_min_effect)))
                        .when(col("marker").is_in(lit(Series::new("m2".into(), [M2, M2_3, M2_4])).implode(false), false))
                        .then(col("effect").gt_eq(lit(o.m2_min_effect)))
                        .otherwise(col("effect").gt_eq(lit(o.m1_min_effect))),
                )
                .fill_null(lit(false))
                .alias("flagged"),
        )
        .select(COLUMNS.map(col));
    let rank_rule = m3(results, register, latest, config)?;
    Ok(concat([flagged, rank_rule], UnionArgs::default())?
        .sort(["school_id", "procedure", "grade", "subject", "marker"], SortMultipleOptions::default().with_nulls_last(true))
        .collect()?)
}

/// The schools whose ГИА (ОГЭ and ЕГЭ pooled) fail share of the latest year is above the
/// region's: with a marker and not on the list, their low results may be hidden.
pub fn gia_failing(results: &DataFrame, latest: i32) -> PolarsResult<Vec<String>> {
    let gia = results
        .clone()
        .lazy()
        .filter(col("year").eq(lit(latest)).and(col("procedure").eq(lit(OGE)).or(col("procedure").eq(lit(crate::model::subjects::EGE)))));
    let share = |f: Expr, n: Expr| f.cast(DataType::Float64) / n.cast(DataType::Float64);
    let df = gia
        .group_by([col("school_id")])
        .agg([col("failed").sum(), col("participants").sum()])
        .filter(col("participants").gt(lit(0i64)))
        .filter(share(col("failed"), col("participants")).gt(share(col("failed").sum(), col("participants").sum())))
        .sort(["school_id"], SortMultipleOptions::default())
        .collect()?;
    Ok(df.column("school_id")?.str()?.iter().flatten().map(str::to_string).collect())
}

/// The results without the latest year's ВПР rows that a set marker names (`objectivity.effect =
/// "exclude"`): a procedure's own marker (M1, M4) sets that procedure aside; M3 every ВПР work of
/// its subject; M1 pooled over the school every ВПР work of the school. Gives the rows kept and
/// how many were set aside.
pub fn set_aside(results: &DataFrame, markers: &DataFrame, latest: i32) -> PolarsResult<(DataFrame, usize)> {
    let flagged = markers
        .clone()
        .lazy()
        .filter(col("flagged"))
        .select([col("school_id"), col("grade").alias("__m_grade"), col("subject").alias("__m_subject")]);
    let key: Vec<Expr> = crate::model::results::KEY.iter().map(|c| col(*c)).collect();
    let named = results
        .clone()
        .lazy()
        .filter(col("year").eq(lit(latest)).and(col("procedure").eq(lit(VPR))))
        .join(flagged, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Inner))
        .filter(
            (col("__m_grade").is_null().or(col("__m_grade").eq(col("grade"))))
                .and(col("__m_subject").is_null().or(col("__m_subject").eq(col("subject")))),
        )
        .select(key.clone())
        .unique(None, UniqueKeepStrategy::First);
    let mut args = JoinArgs::new(JoinType::Anti);
    args.nulls_equal = true;
    let kept = results.clone().lazy().join(named, key.clone(), key, args).collect()?;
    let gone = results.height() - kept.height();
    Ok((kept, gone))
}

/// The markers table without rows.
pub fn empty() -> PolarsResult<DataFrame> {
    let schema: Schema = COLUMNS
        .iter()
        .map(|c| {
            let dt = match *c {
                "school_id" | "procedure" | "subject" | "marker" => DataType::String,
                "grade" => DataType::Int32,
                "n" => DataType::Int64,
                "flagged" => DataType::Boolean,
                _ => DataType::Float64,
            };
            Field::new((*c).into(), dt)
        })
        .collect();
    Ok(DataFrame::empty_with_schema(&schema))
}

fn latest_vpr(results: &DataFrame, latest: i32) -> LazyFrame {
    results.clone().lazy().filter(col("year").eq(lit(latest)).and(col("procedure").eq(lit(VPR))))
}

/// M1 in one direction (`up`: journal above ВПР): observed against expected by ВПР mark, per
/// procedure and pooled over the school's ВПР works (the pooled test is the sum of the
/// procedures' observed, expected and variance; its row has no grade and no subject).
fn m1(results: &DataFrame, latest: i32, config: &Config, up: bool) -> PolarsResult<LazyFrame> {
    let key = || [col("procedure"), col("grade"), col("subject")];
    let side = if up { "j_higher" } else { "j_lower" };
    let rate = |m: u8| format!("__rate_{m}");
    let with_journal = latest_vpr(results, latest).filter(col("j_n").gt(lit(0i64)));
    let region = with_journal.clone().group_by(key()).agg(
        (2u8..=5)
            .map(|m| {
                let (hits, n) = (col(format!("{side}_{m}")).sum(), col(format!("j_n_{m}")).sum());
                when(n.clone().gt(lit(0i64))).then(hits.cast(DataType::Float64) / n.cast(DataType::Float64)).otherwise(lit(0.0)).alias(rate(m))
            })
            .collect::<Vec<_>>(),
    );
    let term = |m: u8, f: fn(Expr) -> Expr| col(format!("j_n_{m}")).fill_null(lit(0i64)).cast(DataType::Float64) * f(col(rate(m)));
    let expected = (2u8..=5).map(|m| term(m, |r| r)).reduce(|a, b| a + b).unwrap_or(lit(0.0));
    let variance = (2u8..=5).map(|m| term(m, |r| r.clone() * (lit(1.0) - r))).reduce(|a, b| a + b).unwrap_or(lit(0.0));
    // The pupils for whom the direction is possible: a journal mark above a ВПР «5» (below a
    // «2») cannot be, so those pupils neither count nor dilute the effect.
    let impossible = if up { "j_n_5" } else { "j_n_2" };
    let per_procedure = with_journal.join(region, key(), key(), nulls_equal(JoinType::Left)).select([
        col("school_id"),
        col("procedure"),
        col("grade"),
        col("subject"),
        col(side).fill_null(lit(0i64)).cast(DataType::Float64).alias("__obs"),
        expected.alias("__exp"),
        variance.alias("__var"),
        (col("j_n") - col(impossible).fill_null(lit(0i64))).cast(DataType::Float64).alias("__n"),
    ]);
    let pooled = per_procedure.clone().group_by([col("school_id")]).agg([
        col("procedure").first(),
        lit(NULL).cast(DataType::Int32).alias("grade"),
        lit(NULL).cast(DataType::String).alias("subject"),
        col("__obs").sum(),
        col("__exp").sum(),
        col("__var").sum(),
        col("__n").sum(),
    ]);
    let test = |lf: LazyFrame| {
        let (obs, exp, var, n) = (col("__obs"), col("__exp"), col("__var"), col("__n"));
        lf.filter(n.clone().gt_eq(lit(f64::from(config.objectivity.m1_min_pupils)))).select([
            col("school_id"),
            col("procedure"),
            col("grade"),
            col("subject"),
            lit(if up { M1_UP } else { M1_DOWN }).alias("marker"),
            (obs.clone() / n.clone()).alias("value"),
            (exp.clone() / n.clone()).alias("reference"),
            n.clone().cast(DataType::Int64).alias("n"),
            ((obs.clone() - exp.clone()) / n).alias("effect"),
            when(var.clone().gt(lit(0.0))).then((obs - exp) / var.sqrt()).otherwise(lit(NULL).cast(DataType::Float64)).alias("__z"),
            lit(true).alias("__one_sided"),
            lit(NULL).cast(DataType::Float64).alias("__p"),
        ])
    };
    let pooled = pooled.select([col("school_id"), col("procedure"), col("grade"), col("subject"), col("__obs"), col("__exp"), col("__var"), col("__n")]);
    concat([test(per_procedure), test(pooled)], UnionArgs::default())
}

/// M4: the fail share of the latest year against the year before, same school and procedure.
fn m4(results: &DataFrame, latest: i32, config: &Config) -> LazyFrame {
    let key = || [col("school_id"), col("procedure"), col("grade"), col("subject")];
    let min = lit(i64::from(config.objectivity.m4_min_participants));
    let before = results
        .clone()
        .lazy()
        .filter(col("year").eq(lit(latest - 1)).and(col("procedure").eq(lit(VPR))).and(col("participants").gt_eq(min.clone())))
        .select([col("school_id"), col("procedure"), col("grade"), col("subject"), col("failed").alias("__f0"), col("participants").alias("__n0")]);
    let (f1, n1) = (col("failed").cast(DataType::Float64), col("participants").cast(DataType::Float64));
    let (f0, n0) = (col("__f0").cast(DataType::Float64), col("__n0").cast(DataType::Float64));
    let pooled = (f1.clone() + f0.clone()) / (n1.clone() + n0.clone());
    let se = (pooled.clone() * (lit(1.0) - pooled) * (lit(1.0) / n1.clone() + lit(1.0) / n0.clone())).sqrt();
    let diff = f1 / n1.clone() - f0.clone() / n0.clone();
    latest_vpr(results, latest)
        .filter(col("participants").gt_eq(min))
        .join(before, key(), key(), nulls_equal(JoinType::Inner))
        .select([
            col("school_id"),
            col("procedure"),
            col("grade"),
            col("subject"),
            lit(M4).alias("marker"),
            (col("failed").cast(DataType::Float64) / col("participants").cast(DataType::Float64)).alias("value"),
            (f0 / n0).alias("reference"),
            col("participants").alias("n"),
            diff.clone().alias("effect"),
            when(se.clone().gt(lit(0.0))).then(diff / se).otherwise(lit(NULL).cast(DataType::Float64)).alias("__z"),
            lit(false).alias("__one_sided"),
            lit(NULL).cast(DataType::Float64).alias("__p"),
        ])
}

/// M2 at both boundaries: per work and boundary, the school's share of its window pupils at or
/// just above the boundary against the region's share for the same work (exact one-sided
/// binomial p-value in `__p`, with at least `m2_min_window` pupils in the window); and pooled over
/// the school's works and both boundaries (observed against expected, normal approximation of the
/// sum of binomials; its row has no grade and no subject), which sees a school that pushes a few
/// pupils in every work.
fn m2(results: &DataFrame, latest: i32, config: &Config) -> PolarsResult<DataFrame> {
    let min = lit(i64::from(config.objectivity.m2_min_window));
    let strata = config.objectivity.m2_strata;
    let windows = concat([window_counts(results, latest, 3, strata)?, window_counts(results, latest, 4, strata)?], UnionArgs::default())?.collect()?;
    let (k, n, p0) = (col("__k").cast(DataType::Float64), col("n").cast(DataType::Float64), col("reference"));
    let per_work = windows
        .clone()
        .lazy()
        .filter(col("n").gt_eq(min.clone()))
        .with_columns([(k.clone() / n.clone()).alias("value"), (k.clone() / n.clone() - p0.clone()).alias("effect"), lit(NULL).cast(DataType::Float64).alias("__z")])
        .collect()?;
    let (ks, ns, p0s) = (per_work.column("__k")?.i64()?, per_work.column("n")?.i64()?, per_work.column("reference")?.f64()?);
    let p: Float64Chunked = ks.iter().zip(ns.iter()).zip(p0s.iter()).map(|((k, n), p0)| Some(binomial_upper_tail(k?, n?, p0?))).collect();
    let mut per_work = per_work;
    per_work.with_column(p.with_name("__p".into()).into_column())?;
    let pooled = windows
        .lazy()
        .group_by([col("school_id")])
        .agg([
            col("procedure").first(),
            k.clone().sum().alias("__obs"),
            n.clone().sum().alias("__n"),
            (n.clone() * p0.clone()).sum().alias("__exp"),
            (n * p0.clone() * (lit(1.0) - p0)).sum().alias("__var"),
        ])
        .filter(col("__n").gt_eq(min.cast(DataType::Float64)))
        .select([
            col("school_id"),
            col("procedure"),
            lit(NULL).cast(DataType::Int32).alias("grade"),
            lit(NULL).cast(DataType::String).alias("subject"),
            lit(M2).alias("marker"),
            (col("__obs") / col("__n")).alias("value"),
            (col("__exp") / col("__n")).alias("reference"),
            col("__n").cast(DataType::Int64).alias("n"),
            ((col("__obs") - col("__exp")) / col("__n")).alias("effect"),
            when(col("__var").gt(lit(0.0))).then((col("__obs") - col("__exp")) / col("__var").sqrt()).otherwise(lit(NULL).cast(DataType::Float64)).alias("__z"),
            lit(true).alias("__one_sided"),
            lit(NULL).cast(DataType::Float64).alias("__p"),
        ]);
    let order = ["school_id", "procedure", "grade", "subject", "marker", "value", "reference", "n", "effect", "__z", "__one_sided", "__p"];
    concat([per_work.lazy().select(order.map(col)), pooled], UnionArgs::default())?.collect()
}

/// The window counts at the boundary of «`boundary`» of every latest ВПР work with pupils in the
/// window: school, work, marker code, `__k` (at or just above the boundary), `n` (in the window)
/// and `reference` (the share at or just above of the work's schools that stand alike around the
/// boundary: `m2_strata` strata of the share above the window among the pupils outside it).
fn window_counts(results: &DataFrame, latest: i32, boundary: u8, strata: u32) -> PolarsResult<LazyFrame> {
    let work = || vec![col("procedure"), col("grade"), col("subject")];
    let key = || work().into_iter().chain([col("__stratum")]).collect::<Vec<_>>();
    let (window, at) = (col(format!("b{boundary}_window")), col(format!("b{boundary}_at")));
    // Where the school stands around the boundary: of its pupils outside the window, the share
    // above it (pushing pupils across the boundary does not change it). A school high above the
    // boundary has scores rising across the window, a school below it falling; each is compared
    // with the schools of its own stratum of this share (0 = lowest).
    let (under, over) = (col(format!("b{boundary}_under")).cast(DataType::Float64), col(format!("b{boundary}_over")).cast(DataType::Float64));
    let level = when((under.clone() + over.clone()).gt(lit(0.0))).then(over.clone() / (under + over)).otherwise(lit(0.5));
    let rank = level.clone().rank(RankOptions { method: RankMethod::Average, descending: false }, None).over(work())?;
    let n = level.count().over(work())?;
    let stratum = ((rank - lit(1.0)) * lit(f64::from(strata.max(1))) / n.cast(DataType::Float64)).floor().cast(DataType::Int32);
    let rows = latest_vpr(results, latest).filter(window.clone().gt(lit(0i64))).with_column(stratum.fill_null(lit(0i32)).alias("__stratum"));
    let region = rows.clone().group_by(key()).agg([(at.clone().sum().cast(DataType::Float64) / window.clone().sum().cast(DataType::Float64)).alias("__p0")]);
    Ok(rows.join(region, key(), key(), nulls_equal(JoinType::Left)).select([
        col("school_id"),
        col("procedure"),
        col("grade"),
        col("subject"),
        lit(if boundary == 3 { M2_3 } else { M2_4 }).alias("marker"),
        at.cast(DataType::Int64).alias("__k"),
        window.cast(DataType::Int64).alias("n"),
        col("__p0").alias("reference"),
        lit(true).alias("__one_sided"),
    ]))
}

/// P(X ≥ k) for X ~ Binomial(n, p), summed exactly in log space.
pub fn binomial_upper_tail(k: i64, n: i64, p: f64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    // ln C(n, k), then each next term's coefficient from the last.
    let mut ln_c: f64 = (1..=k).map(|j| ((n - j + 1) as f64 / j as f64).ln()).sum();
    let mut terms = Vec::with_capacity((n - k + 1) as usize);
    for i in k..=n {
        terms.push(ln_c + i as f64 * lp + (n - i) as f64 * lq);
        ln_c += ((n - i) as f64 / (i + 1) as f64).ln();
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    (max + sum.ln()).exp().min(1.0)
}

/// M3: per school and subject, the ВПР fail share (pooled over grades) and the ОГЭ fail share,
/// each as a percentile of badness among the schools with enough participants; set when the ОГЭ
/// percentile is higher by at least `m3_rank_gap` points. Exempt school types are left out.
fn m3(results: &DataFrame, register: &DataFrame, latest: i32, config: &Config) -> Result<LazyFrame> {
    let o = &config.objectivity;
    let min = lit(i64::from(o.m3_min_participants));
    let pooled = |procedure: &str, tag: &str| -> PolarsResult<LazyFrame> {
        let share = col("failed").cast(DataType::Float64) / col("participants").cast(DataType::Float64);
        Ok(results
            .clone()
            .lazy()
            .filter(col("year").eq(lit(latest)).and(col("procedure").eq(lit(procedure))))
            .group_by([col("school_id"), col("subject")])
            .agg([col("failed").sum(), col("participants").sum()])
            .filter(col("participants").gt_eq(min.clone()))
            .with_column(share.alias("__share"))
            .with_column(super::badness_percentile(col("__share"), true, &[col("subject")])?.alias(format!("__pct_{tag}")))
            .select([col("school_id"), col("subject"), col(format!("__pct_{tag}")), col("participants").alias(format!("__n_{tag}"))]))
    };
    let exempt = o.m3_exempt.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).fold(lit(false), |acc, t| {
        acc.or(col("school_type").str().to_lowercase().str().contains_literal(lit(t)))
    });
    let types = register.clone().lazy().select([col("school_id"), exempt.fill_null(lit(false)).alias("__exempt")]);
    let key = || [col("school_id"), col("subject")];
    let gap = col("__pct_oge") - col("__pct_vpr");
    Ok(pooled(VPR, "vpr")?
        .join(pooled(OGE, "oge")?, key(), key(), JoinArgs::new(JoinType::Inner))
        .join(types, [col("school_id")], [col("school_id")], JoinArgs::new(JoinType::Left))
        .filter(col("__exempt").fill_null(lit(false)).not())
        .select([
            col("school_id"),
            lit(VPR).alias("procedure"),
            lit(NULL).cast(DataType::Int32).alias("grade"),
            col("subject"),
            lit(M3).alias("marker"),
            col("__pct_vpr").alias("value"),
            col("__pct_oge").alias("reference"),
            when(col("__n_vpr").lt(col("__n_oge"))).then(col("__n_vpr")).otherwise(col("__n_oge")).alias("n"),
            gap.clone().alias("effect"),
            lit(NULL).cast(DataType::Float64).alias("p"),
            lit(NULL).cast(DataType::Float64).alias("q"),
            gap.gt_eq(lit(o.m3_rank_gap)).fill_null(lit(false)).alias("flagged"),
        ]))
}

/// The p-value of each test: its exact one (`__p`) or from its z (one-sided upper tail or
/// two-sided).
fn with_p_values(tested: DataFrame) -> PolarsResult<DataFrame> {
    let z = tested.column("__z")?.f64()?.clone();
    let one = tested.column("__one_sided")?.bool()?.clone();
    let exact = tested.column("__p")?.f64()?.clone();
    let p: Float64Chunked = z
        .iter()
        .zip(one.iter())
        .zip(exact.iter())
        .map(|((z, one), exact)| exact.or_else(|| z.map(|z| if one.unwrap_or(true) { upper_tail(z) } else { (2.0 * upper_tail(z.abs())).min(1.0) })))
        .collect();
    let mut out = tested.drop_many(["__z", "__one_sided", "__p"]);
    out.with_column(p.with_name("p".into()).into_column())?;
    Ok(out)
}

/// Benjamini–Hochberg adjusted p-values over every test with a p-value: q₍ᵢ₎ = min over j ≥ i of
/// p₍ⱼ₎·m/j, at most 1 (tests without a p-value get none and count for nothing).
pub fn benjamini_hochberg(tested: DataFrame) -> PolarsResult<DataFrame> {
    let m = tested.column("p")?.f64()?.iter().flatten().count() as f64;
    tested
        .lazy()
        .with_row_index("__order", None)
        .sort(["p"], SortMultipleOptions::default().with_nulls_last(true).with_maintain_order(true))
        .with_row_index("__rank", None)
        .with_column((col("p") * lit(m) / (col("__rank").cast(DataType::Float64) + lit(1.0))).alias("__raw"))
        .with_column(col("__raw").cum_min(true).clip_max(lit(1.0)).alias("q"))
        .sort(["__order"], SortMultipleOptions::default())
        .drop(cols(["__order", "__rank", "__raw"]))
        .collect()
}

/// The standard normal upper tail P(Z > z) (erfc by its Chebyshev fit, relative error < 1.2e-7).
pub fn upper_tail(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18 + t * (-0.186_288_06 + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests;
