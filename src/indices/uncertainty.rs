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

/// The beta prior of fail shares over the rows of `group` (§4.7): the pooled share m, the prior
/// strength A = m(1 − m)/τ² − 1 and τ² (A is meaningless when τ² is 0: every school gets m).
struct BetaPrior {
    m: Expr,
    a: Expr,
    tau2: Expr,
}

fn beta_prior(f: &Expr, n: &Expr, group: &[Expr]) -> PolarsResult<BetaPrior> {
    let m = f.clone().sum().over(group)? / n.clone().sum().over(group)?;
    let p = f.clone() / n.clone();
    let s2 = (n.clone() * (p - m.clone()).pow(2)).sum().over(group)? / n.clone().sum().over(group)?;
    let var = m.clone() * (lit(1.0) - m.clone());
    let tau2 = s2 - var.clone() * (lit(1.0) / n.clone()).mean().over(group)?;
    let a = (var / tau2.clone() - lit(1.0)).clip_min(lit(0.0));
    Ok(BetaPrior { m, a, tau2 })
}

/// τ² at or below this is taken as 0 (no spread between schools beyond chance).
const TAU2_ZERO: f64 = 1e-12;

/// The empirical-Bayes shrunk fail share of each row, over the rows of its `group` (the schools
/// that take part in one year × procedure key): m = Σf/Σn; s² = Σnᵢ(pᵢ − m)²/Σnᵢ;
/// τ² = max(0, s² − m(1 − m)·mean(1/nᵢ)); A = m(1 − m)/τ² − 1; p̃ᵢ = (fᵢ + m·A)/(nᵢ + A) — and
/// every school gets m when τ² = 0.
pub fn shrunk_share(failed: Expr, n: Expr, group: &[Expr]) -> PolarsResult<Expr> {
    let (f, n) = (failed.cast(DataType::Float64), n.cast(DataType::Float64));
    let BetaPrior { m, a, tau2 } = beta_prior(&f, &n, group)?;
    Ok(when(tau2.gt(lit(TAU2_ZERO))).then((f + m.clone() * a.clone()) / (n + a)).otherwise(m))
}

/// The posterior Beta(fᵢ + α, nᵢ − fᵢ + β) of each row's fail share (α = m·A, β = (1 − m)·A),
/// as the columns `post_a`, `post_b`, and `post_m` = m: where τ² = 0 the first two are null
/// and the share is m in every draw.
pub fn beta_posterior(failed: Expr, n: Expr, group: &[Expr]) -> PolarsResult<[Expr; 3]> {
    let (f, n) = (failed.cast(DataType::Float64), n.cast(DataType::Float64));
    let BetaPrior { m, a, tau2 } = beta_prior(&f, &n, group)?;
    let spread = tau2.gt(lit(TAU2_ZERO));
    let null = || lit(NULL).cast(DataType::Float64);
    Ok([
        when(spread.clone()).then(f.clone() + m.clone() * a.clone()).otherwise(null()).alias("post_a"),
        when(spread).then(n - f + (lit(1.0) - m.clone()) * a).otherwise(null()).alias("post_b"),
        m.alias("post_m"),
    ])
}

/// The normal model of mean scores over the rows of `group` that have one (§4.7, stated in
/// docs/methodology.md): xᵢ = μ + uᵢ + eᵢ with uᵢ ~ N(0, τ²) between schools and eᵢ ~ N(0, σ²/nᵢ)
/// within; μ = Σnᵢxᵢ/Σnᵢ; σ² and τ² from the regression of (xᵢ − μ)² on 1/nᵢ (slope σ²,
/// intercept τ², both at least 0). Gives the reliability λᵢ = τ²/(τ² + σ²/nᵢ), the shrunk mean
/// μ + λᵢ(xᵢ − μ) and its posterior standard deviation √(λᵢσ²/nᵢ).
pub fn mean_posterior(mean: Expr, n: Expr, group: &[Expr]) -> PolarsResult<[Expr; 2]> {
    let x = mean.cast(DataType::Float64);
    let n = when(x.clone().is_not_null()).then(n.cast(DataType::Float64)).otherwise(lit(NULL).cast(DataType::Float64));
    let mu = (n.clone() * x.clone()).sum().over(group)? / n.clone().sum().over(group)?;
    let d2 = (x.clone() - mu.clone()).pow(2);
    let u = lit(1.0) / n.clone();
    let (mean_u, mean_d2) = (u.clone().mean().over(group)?, d2.clone().mean().over(group)?);
    let cov = ((u.clone() - mean_u.clone()) * (d2 - mean_d2.clone())).mean().over(group)?;
    let var_u = (u.clone() - mean_u.clone()).pow(2).mean().over(group)?;
    let sigma2 = when(var_u.clone().gt(lit(0.0))).then(cov / var_u).otherwise(lit(0.0)).clip_min(lit(0.0));
    let tau2 = (mean_d2 - sigma2.clone() * mean_u).clip_min(lit(0.0));
    let within = sigma2 * u;
    let total = tau2.clone() + within.clone();
    let lambda = when(total.clone().gt(lit(0.0))).then(tau2 / total).otherwise(lit(1.0));
    Ok([
        (mu.clone() + lambda.clone() * (x - mu)).alias("post_mean"),
        (lambda * within).sqrt().alias("post_sd"),
    ])
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
        let df = df!("f" => [2i64, 8, 1, 9], "n" => [10i64, 20, 10, 60], "g" => [1i32, 1, 1, 1]).unwrap();
        let out = df.clone().lazy().select([shrunk_share(col("f"), col("n"), &[col("g")]).unwrap().alias("s")]).collect().unwrap();
        let v: Vec<f64> = out.column("s").unwrap().f64().unwrap().iter().flatten().collect();
        assert!(v.iter().all(|x| (x - 0.2).abs() < 1e-12), "{v:?}");
        // f/n: 0/10, 10/20, 1/10, 9/60 → m = 0.2; s² = (10·0.04 + 20·0.09 + 10·0.01 + 60·0.0025)/100
        // = 0.0245; τ² = 0.0245 − 0.0106667 = 0.0138333; A = 0.16/0.0138333 − 1 = 10.566265;
        // p̃ = (f + 0.2·A)/(n + A): 0.102752, 0.400003…, 0.150139, 0.149192.
        let df = df!("f" => [0i64, 10, 1, 9], "n" => [10i64, 20, 10, 60], "g" => [1i32, 1, 1, 1]).unwrap();
        let out = df.lazy().select([shrunk_share(col("f"), col("n"), &[col("g")]).unwrap().alias("s")]).collect().unwrap();
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
