//! Uncertainty of fail shares (§4.7): the Wilson 95 % interval of a share f/n, and empirical-Bayes
//! shrinkage of fail shares per year × procedure key (a beta-binomial model whose prior is
//! estimated from the schools that take part).

use polars::prelude::*;

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.959963984540054;
/// The normal quantile of a two-sided 99.8 % interval.
pub const Z998: f64 = 3.090232306167813;

/// Half the width of the binomial limits around a share `p0` for `n` trials: p0 ± this is where
/// a share of that size stays by chance (the funnel plot's limits).
pub fn binomial_half(p0: f64, n: f64, z: f64) -> f64 {
    z * (p0 * (1.0 - p0) / n).sqrt()
}

/// The Wilson 95 % interval of a share `p` observed on `n` (both bounds in 0…1).
pub fn wilson(p: f64, n: f64) -> Option<(f64, f64)> {
    if !(n > 0.0) || !p.is_finite() {
        return None;
    }
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The Wilson lower bound of `share` on `n` as an expression (null when n is not positive).
pub fn wilson_lower(share: Expr, n: Expr) -> Expr {
    let n = n.cast(DataType::Float64);
    let p = share.cast(DataType::Float64);
    let z2 = lit(Z95 * Z95);
    let denom = lit(1.0) + z2.clone() / n.clone();
    let centre = (p.clone() + z2.clone() / (lit(2.0) * n.clone())) / denom.clone();
    let half = lit(Z95) * (p.clone() * (lit(1.0) - p) / n.clone() + z2 / (lit(4.0) * n.clone() * n.clone())).sqrt() / denom;
    when(n.gt(lit(0.0))).then(centre - half).otherwise(lit(NULL).cast(DataType::Float64))
}

/// τ² at or below this is taken as 0 (no spread between schools beyond chance).
const TAU2_ZERO: f64 = 1e-12;

/// Joins to each row the per-group columns `aggs` (computed once per group, not as window
/// expressions: a window per statistic over a million rows costs seconds).
fn per_group(lf: LazyFrame, group: &[&str], aggs: Vec<Expr>) -> LazyFrame {
    let keys: Vec<Expr> = group.iter().map(|g| col(*g)).collect();
    let stats = lf.clone().group_by(keys.clone()).agg(aggs);
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    args.nulls_equal = true;
    lf.join(stats, keys.clone(), keys, args)
}

/// Adds the posterior of each row's fail share (§4.7) over the rows of its `group` (the schools
/// that take part in one year × procedure key): m = Σf/Σn; s² = Σnᵢ(pᵢ − m)²/Σnᵢ;
/// τ² = max(0, s² − m(1 − m)·mean(1/nᵢ)); A = m(1 − m)/τ² − 1; α = m·A, β = (1 − m)·A.
/// Columns `post_a` = fᵢ + α and `post_b` = nᵢ − fᵢ + β (null where τ² = 0: the share is m in
/// every draw) and `post_m` = m; the shrunk share p̃ᵢ = (fᵢ + α)/(nᵢ + A) is [`shrunk_share`].
pub fn with_beta_posterior(lf: LazyFrame, failed: &str, n: &str, group: &[&str]) -> LazyFrame {
    let (f, nn) = (col(failed).cast(DataType::Float64), col(n).cast(DataType::Float64));
    // Σnᵢ(pᵢ − m)² = Σfᵢ²/nᵢ − m·Σfᵢ.
    let lf = per_group(
        lf,
        group,
        vec![
            f.clone().sum().alias("__sf"),
            nn.clone().sum().alias("__sn"),
            (f.clone() * f.clone() / nn.clone()).sum().alias("__sff"),
            (lit(1.0) / nn.clone()).mean().alias("__mu"),
        ],
    );
    let m = col("__sf") / col("__sn");
    let s2 = (col("__sff") - m.clone() * col("__sf")) / col("__sn");
    let var = m.clone() * (lit(1.0) - m.clone());
    let tau2 = s2 - var.clone() * col("__mu");
    let a = (var / tau2.clone() - lit(1.0)).clip_min(lit(0.0));
    let spread = tau2.gt(lit(TAU2_ZERO));
    let null = || lit(NULL).cast(DataType::Float64);
    lf.with_columns([
        when(spread.clone()).then(f.clone() + m.clone() * a.clone()).otherwise(null()).alias("post_a"),
        when(spread).then(nn - f + (lit(1.0) - m.clone()) * a).otherwise(null()).alias("post_b"),
        m.alias("post_m"),
    ])
    .drop(cols(["__sf", "__sn", "__sff", "__mu"]))
}

/// The empirical-Bayes shrunk fail share from the columns of [`with_beta_posterior`]:
/// (fᵢ + α)/(nᵢ + A) = post_a/(post_a + post_b), and m where τ² = 0.
pub fn shrunk_share() -> Expr {
    when(col("post_a").is_not_null()).then(col("post_a") / (col("post_a") + col("post_b"))).otherwise(col("post_m"))
}

/// Adds the posterior of each row's mean score over the rows of its `group` that have one (§4.7,
/// stated in docs/methodology.md): xᵢ = μ + uᵢ + eᵢ with uᵢ ~ N(0, τ²) between schools and
/// eᵢ ~ N(0, σ²/nᵢ) within; μ = Σnᵢxᵢ/Σnᵢ; σ² and τ² from the regression of (xᵢ − μ)² on 1/nᵢ
/// (slope σ², intercept τ², both at least 0). Columns `post_mean` = μ + λᵢ(xᵢ − μ) with the
/// reliability λᵢ = τ²/(τ² + σ²/nᵢ), and `post_sd` = √(λᵢσ²/nᵢ) (null where the mean is).
pub fn with_mean_posterior(lf: LazyFrame, mean: &str, n: &str, group: &[&str]) -> LazyFrame {
    let x = col(mean).cast(DataType::Float64);
    let nn = when(x.clone().is_not_null()).then(col(n).cast(DataType::Float64)).otherwise(lit(NULL).cast(DataType::Float64));
    let u = lit(1.0) / nn.clone();
    // Moments over the rows with a mean (nulls take no part in sums and means).
    let lf = per_group(
        lf,
        group,
        vec![
            (nn.clone() * x.clone()).sum().alias("__snx"),
            nn.clone().sum().alias("__sn"),
            x.clone().mean().alias("__ex"),
            (x.clone() * x.clone()).mean().alias("__exx"),
            u.clone().mean().alias("__eu"),
            (u.clone() * u.clone()).mean().alias("__euu"),
            (u.clone() * x.clone()).mean().alias("__eux"),
            (u.clone() * x.clone() * x.clone()).mean().alias("__euxx"),
        ],
    );
    let mu = col("__snx") / col("__sn");
    // E[d²] and E[u·d²] with d = x − μ, from the moments.
    let e_d2 = col("__exx") - lit(2.0) * mu.clone() * col("__ex") + mu.clone() * mu.clone();
    let e_ud2 = col("__euxx") - lit(2.0) * mu.clone() * col("__eux") + mu.clone() * mu.clone() * col("__eu");
    let cov = e_ud2 - col("__eu") * e_d2.clone();
    let var_u = col("__euu") - col("__eu") * col("__eu");
    let sigma2 = when(var_u.clone().gt(lit(1e-15))).then(cov / var_u).otherwise(lit(0.0)).clip_min(lit(0.0));
    let tau2 = (e_d2 - sigma2.clone() * col("__eu")).clip_min(lit(0.0));
    let within = sigma2 * u;
    let total = tau2.clone() + within.clone();
    let lambda = when(total.clone().gt(lit(0.0))).then(tau2 / total).otherwise(lit(1.0));
    lf.with_columns([
        (mu.clone() + lambda.clone() * (x - mu)).alias("post_mean"),
        (lambda * within).sqrt().alias("post_sd"),
    ])
    .drop(cols(["__snx", "__sn", "__ex", "__exx", "__eu", "__euu", "__eux", "__euxx"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_hand_computed_values() {
        // 13 of 32: p = 0.40625; z² = 3.8415; centre = (0.40625 + 0.06002)/1.12005 = 0.41630;
        // half = 1.96·√(0.0075378 + 0.00093796)/1.12005 = 0.16107 → 0.2552 … 0.5774.
        let (lo, hi) = wilson(13.0 / 32.0, 32.0).unwrap();
        assert!((lo - 0.2552).abs() < 5e-4 && (hi - 0.5774).abs() < 5e-4, "{lo} {hi}");
        // 2 of 3: 0.2077 … 0.9385.
        let (lo, hi) = wilson(2.0 / 3.0, 3.0).unwrap();
        assert!((lo - 0.2077).abs() < 5e-4 && (hi - 0.9385).abs() < 5e-4, "{lo} {hi}");
        // 0 of 10: 0 … 0.2775.
        let (lo, hi) = wilson(0.0, 10.0).unwrap();
        assert!(lo.abs() < 1e-12 && (hi - 0.2775).abs() < 5e-4, "{lo} {hi}");
        assert!(wilson(0.5, 0.0).is_none());
        let df = df!("p" => [13.0 / 32.0, 2.0 / 3.0], "n" => [32i64, 3]).unwrap();
        let lo = df.lazy().select([wilson_lower(col("p"), col("n"))]).collect().unwrap();
        let v: Vec<f64> = lo.column("p").unwrap().f64().unwrap().iter().flatten().collect();
        assert!((v[0] - 0.2552).abs() < 5e-4 && (v[1] - 0.2077).abs() < 5e-4, "{v:?}");
    }

    #[test]
    fn shrinkage_on_a_hand_worked_four_school_case() {
        // f/n: 2/10, 8/20, 1/10, 9/60 → m = 20/100 = 0.2;
        // s² = (10·0 + 20·0.04 + 10·0.01 + 60·0.0025)/100 = 1.05/100 = 0.0105;
        // mean(1/n) = (0.1 + 0.05 + 0.1 + 0.016667)/4 = 0.0666667; m(1 − m) = 0.16;
        // τ² = 0.0105 − 0.16·0.0666667 = −0.000167 → 0: every school gets m.
        let shrunk = |df: DataFrame| with_beta_posterior(df.lazy(), "f", "n", &["g"]).select([shrunk_share().alias("s")]).collect().unwrap();
        let df = df!("f" => [2i64, 8, 1, 9], "n" => [10i64, 20, 10, 60], "g" => [1i32, 1, 1, 1]).unwrap();
        let out = shrunk(df);
        let v: Vec<f64> = out.column("s").unwrap().f64().unwrap().iter().flatten().collect();
        assert!(v.iter().all(|x| (x - 0.2).abs() < 1e-12), "{v:?}");
        // f/n: 0/10, 10/20, 1/10, 9/60 → m = 0.2; s² = (10·0.04 + 20·0.09 + 10·0.01 + 60·0.0025)/100
        // = 0.0245; τ² = 0.0245 − 0.0106667 = 0.0138333; A = 0.16/0.0138333 − 1 = 10.566265;
        // p̃ = (f + 0.2·A)/(n + A): 0.102752, 0.400003…, 0.150139, 0.149192.
        let df = df!("f" => [0i64, 10, 1, 9], "n" => [10i64, 20, 10, 60], "g" => [1i32, 1, 1, 1]).unwrap();
        let out = shrunk(df);
        let v: Vec<f64> = out.column("s").unwrap().f64().unwrap().iter().flatten().collect();
        let a = 0.16 / (0.0245 - 0.16 * (0.1 + 0.05 + 0.1 + 1.0 / 60.0) / 4.0) - 1.0;
        let want: Vec<f64> = [(0.0, 10.0), (10.0, 20.0), (1.0, 10.0), (9.0, 60.0)].iter().map(|(f, n)| (f + 0.2 * a) / (n + a)).collect();
        assert!((a - 10.566265).abs() < 1e-5, "{a}");
        for (x, w) in v.iter().zip(&want) {
            assert!((x - w).abs() < 1e-12, "{v:?} {want:?}");
        }
        // Shrunk towards m, the more the smaller the school.
        assert!(v[0] > 0.0 && v[0] < 0.2 && v[1] < 0.5 && v[1] > 0.2);
    }
}
