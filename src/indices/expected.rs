//! Results against expectations (§4.9): weighted least squares of the school's ИНР on its ИСБШ
//! (plus locality and school type as categories when the register gives more than one), weights
//! = the school's participants, over the schools with both. Each school gets `inr_expected`,
//! `inr_residual` = ИНР − expected and the residual's 95 % prediction interval; the fit its R²
//! («условия объясняют N % различий ИНР»).
//!
//! The sums of the normal equations are polars sums over the schools; only the small p × p
//! system is solved here.

use anyhow::Result;
use polars::prelude::*;

/// The columns added per school.
pub const COLUMNS: [&str; 4] = ["inr_expected", "inr_residual", "inr_residual_low", "inr_residual_high"];

/// What the fit says of the region as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Weighted R²: the share of the differences in ИНР the conditions explain.
    pub r2: f64,
    /// Schools in the fit, and the number of coefficients.
    pub n: usize,
    pub p: usize,
    /// The terms besides ИСБШ («тип местности», «вид ОО») that entered the fit.
    pub categories: Vec<&'static str>,
    /// The fitted line ИНР = `line.0` + `line.1`·ИСБШ at the region's mix of categories (the
    /// category terms at their weighted means).
    pub line: (f64, f64),
}

/// The fit over `schools` (columns `school_id`, `inr`, `isbsh`, `participants_window`,
/// `locality`, `school_type`): the per-school [`COLUMNS`] keyed by `school_id` (null where the
/// school has no ИНР, ИСБШ or participants) and the [`Fit`]; none when there are too few
/// schools for the terms or the system is singular.
pub fn fit(schools: &DataFrame) -> Result<Option<(DataFrame, Fit)>> {
    let usable = schools
        .clone()
        .lazy()
        .filter(col("inr").is_not_null().and(col("isbsh").is_not_null()).and(col("participants_window").gt(lit(0i64))))
        .collect()?;
    let mut terms: Vec<Expr> = vec![lit(1.0), col("isbsh").cast(DataType::Float64)];
    let mut categories = Vec::new();
    for (column, word) in [("locality", "тип местности"), ("school_type", "вид ОО")] {
        let levels = levels(&usable, column)?;
        if levels.len() > 1 {
            categories.push(word);
            // Each level but the first (the reference) as a 0/1 term.
            terms.extend(levels.iter().skip(1).map(|l| col(column).eq(lit(l.clone())).fill_null(lit(false)).cast(DataType::Float64)));
        }
    }
    let p = terms.len();
    let n = usable.height();
    if n <= p + 1 {
        return Ok(None);
    }
    let x = |j: usize| col(format!("__x{j}"));
    let w = || col("participants_window").cast(DataType::Float64);
    let y = || col("inr").cast(DataType::Float64);
    let with_x = usable.lazy().with_columns(terms.iter().enumerate().map(|(j, t)| t.clone().alias(format!("__x{j}"))).collect::<Vec<_>>());
    // XᵀWX (upper triangle) and XᵀWy.
    let mut sums = Vec::new();
    for i in 0..p {
        for j in i..p {
            sums.push((w() * x(i) * x(j)).sum().alias(format!("__a{i}_{j}")));
        }
        sums.push((w() * x(i) * y()).sum().alias(format!("__b{i}")));
    }
    let s = with_x.clone().select(sums).collect()?;
    let get = |c: String| -> Result<f64> { Ok(s.column(&c)?.f64()?.get(0).unwrap_or(0.0)) };
    let mut a = vec![vec![0.0; p]; p];
    let mut b = vec![0.0; p];
    for i in 0..p {
        for j in i..p {
            let v = get(format!("__a{i}_{j}"))?;
            a[i][j] = v;
            a[j][i] = v;
        }
        b[i] = get(format!("__b{i}"))?;
    }
    let Some(inv) = inverse(&a) else { return Ok(None) };
    let beta: Vec<f64> = (0..p).map(|i| (0..p).map(|j| inv[i][j] * b[j]).sum()).collect();
    let fitted = (0..p).map(|j| x(j) * lit(beta[j])).reduce(|l, r| l + r).unwrap_or(lit(0.0));
    let leverage = (0..p).flat_map(|i| (0..p).map(move |j| (i, j))).map(|(i, j)| x(i) * x(j) * lit(inv[i][j])).reduce(|l, r| l + r).unwrap_or(lit(0.0));
    let scored = with_x.with_columns([fitted.alias("inr_expected"), leverage.alias("__h")]).with_column((y() - col("inr_expected")).alias("inr_residual"));
    let totals = scored
        .clone()
        .select([
            (w() * col("inr_residual").pow(2)).sum().alias("__sse"),
            (w() * (y() - (w() * y()).sum() / w().sum()).pow(2)).sum().alias("__sst"),
        ])
        .collect()?;
    let total = |c: &str| -> Result<f64> { Ok(totals.column(c)?.f64()?.get(0).unwrap_or(0.0)) };
    let (sse, sst) = (total("__sse")?, total("__sst")?);
    let sigma2 = sse / (n - p) as f64;
    let half = lit(t_975((n - p) as f64)) * (lit(sigma2) * (lit(1.0) / w() + col("__h"))).sqrt();
    let table = scored
        .select([
            col("school_id"),
            col("inr_expected"),
            col("inr_residual"),
            (col("inr_residual") - half.clone()).alias("inr_residual_low"),
            (col("inr_residual") + half).alias("inr_residual_high"),
        ])
        .collect()?;
    let r2 = if sst > 0.0 { (1.0 - sse / sst).clamp(0.0, 1.0) } else { 0.0 };
    // Σw·x_j / Σw is the weighted mean of term j (a[0][0] = Σw, a[0][j] = Σw·x_j).
    let at_mix = beta[0] + (2..p).map(|j| beta[j] * a[0][j] / a[0][0]).sum::<f64>();
    Ok(Some((table, Fit { r2, n, p, categories, line: (at_mix, beta[1]) })))
}

/// The distinct non-empty values of a text column, sorted.
fn levels(df: &DataFrame, column: &str) -> Result<Vec<String>> {
    let Ok(c) = df.column(column) else { return Ok(Vec::new()) };
    let c = c.cast(&DataType::String)?;
    let mut v: Vec<String> = c.str()?.iter().flatten().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    v.sort();
    v.dedup();
    Ok(v)
}

/// The inverse of a small symmetric matrix by Gauss–Jordan with partial pivoting; none when it
/// is singular (a term that does not vary, or one that repeats another).
fn inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let p = a.len();
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs())).max(f64::MIN_POSITIVE);
    let mut m: Vec<Vec<f64>> = a.iter().enumerate().map(|(i, row)| row.iter().copied().chain((0..p).map(|j| if i == j { 1.0 } else { 0.0 })).collect()).collect();
    for c in 0..p {
        let pivot = (c..p).max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs()))?;
        if m[pivot][c].abs() <= 1e-12 * scale {
            return None;
        }
        m.swap(c, pivot);
        let d = m[c][c];
        for v in m[c].iter_mut() {
            *v /= d;
        }
        for r in 0..p {
            if r != c {
                let f = m[r][c];
                if f != 0.0 {
                    for k in 0..2 * p {
                        m[r][k] -= f * m[c][k];
                    }
                }
            }
        }
    }
    Some(m.into_iter().map(|row| row[p..].to_vec()).collect())
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (Cornish–Fisher expansion
/// around the normal 1.959964; error below 0.01 from 5 degrees of freedom on).
fn t_975(df: f64) -> f64 {
    let z: f64 = 1.959_963_985;
    let df = df.max(1.0);
    z + (z.powi(3) + z) / (4.0 * df) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * df.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schools(inr: &[f64], isbsh: &[f64], w: &[i64], locality: &[&str]) -> DataFrame {
        let n = inr.len();
        df!(
            "school_id" => (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>(),
            "inr" => inr.to_vec(),
            "isbsh" => isbsh.to_vec(),
            "participants_window" => w.to_vec(),
            "locality" => locality.to_vec(),
            "school_type" => vec!["СОШ"; n],
        )
        .unwrap_or_default()
    }

    fn column(df: &DataFrame, c: &str) -> Vec<f64> {
        df.column(c).map(|c| c.f64().map(|v| v.iter().map(|x| x.unwrap_or(f64::NAN)).collect()).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn weighted_least_squares_matches_a_hand_worked_five_school_case() {
        // x = 0, 1, 2, 3, 4; y = 10, 12, 15, 15, 20; w = 1, 2, 1, 2, 1 (weights = participants).
        // Σw = 7, Σwx = 14, Σwx² = 40, Σwy = 99, Σwxy = 224, Σwy² = 1463. Normal equations
        // 7a + 14b = 99, 14a + 40b = 224: det = 280 − 196 = 84, b = (7·224 − 14·99)/84 = 13/6,
        // a = (99 − 14·13/6)/7 = 206/21. Residuals 4/21, 1/42, 6/7, −55/42, 32/21;
        // SSE = Σwe² = 137/21; SST = 1463 − 99²/7 = 440/7; R² = 1 − SSE/SST = 1183/1320.
        let df = schools(&[10.0, 12.0, 15.0, 15.0, 20.0], &[0.0, 1.0, 2.0, 3.0, 4.0], &[1, 2, 1, 2, 1], &["город"; 5]);
        let Some((t, f)) = fit(&df).unwrap() else { panic!("no fit") };
        let (a, b) = (206.0 / 21.0, 13.0 / 6.0);
        let expected = column(&t, "inr_expected");
        for (i, v) in expected.iter().enumerate() {
            assert!((v - (a + b * i as f64)).abs() < 1e-9, "{expected:?}");
        }
        let residual = column(&t, "inr_residual");
        for (r, want) in residual.iter().zip([4.0 / 21.0, 1.0 / 42.0, 6.0 / 7.0, -55.0 / 42.0, 32.0 / 21.0]) {
            assert!((r - want).abs() < 1e-9, "{residual:?}");
        }
        assert!((f.r2 - 1183.0 / 1320.0).abs() < 1e-12, "{}", f.r2);
        assert_eq!((f.n, f.p), (5, 2));
        assert!((f.line.0 - a).abs() < 1e-9 && (f.line.1 - b).abs() < 1e-9, "{:?}", f.line);
        assert!(f.categories.is_empty(), "one locality is no category");
        // The interval: σ² = SSE/(5 − 2) = 137/63; school 0 (x = 0, w = 1): leverage
        // x'(X'WX)⁻¹x = Σwx²/det = 40/84.
        let half = t_975(3.0) * (137.0f64 / 63.0 * (1.0 + 40.0 / 84.0)).sqrt();
        assert!((column(&t, "inr_residual_high")[0] - (4.0 / 21.0 + half)).abs() < 1e-9);
        assert!((column(&t, "inr_residual_low")[0] - (4.0 / 21.0 - half)).abs() < 1e-9);
    }

    #[test]
    fn locality_enters_as_a_category_and_explains_what_it_explains() {
        // ИНР depends only on locality: the fit with it explains everything.
        let df = schools(&[60.0, 60.0, 60.0, 20.0, 20.0, 20.0], &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0], &[10; 6], &["село", "село", "село", "город", "город", "город"]);
        let Some((t, f)) = fit(&df).unwrap() else { panic!("no fit") };
        assert_eq!(f.categories, ["тип местности"]);
        assert!((f.r2 - 1.0).abs() < 1e-9, "{}", f.r2);
        assert!(column(&t, "inr_residual").iter().all(|r| r.abs() < 1e-9));
    }

    #[test]
    fn too_few_schools_or_no_spread_give_no_fit() {
        assert!(fit(&schools(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], &[1, 1, 1], &["город"; 3])).unwrap().is_none());
        // Every school with the same ИСБШ: ИСБШ repeats the intercept.
        assert!(fit(&schools(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0; 5], &[1; 5], &["город"; 5])).unwrap().is_none());
    }

    #[test]
    fn the_t_quantile_is_close() {
        for (df, t) in [(5.0, 2.570_582), (10.0, 2.228_139), (30.0, 2.042_272), (1000.0, 1.962_339)] {
            assert!((t_975(df) - t).abs() < 0.01, "{df}: {}", t_975(df));
        }
    }
}
