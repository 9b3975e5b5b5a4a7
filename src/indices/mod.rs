//! The indices: ИНР (low-results index) and ИСБШ (social well-being index), one file each, plus
//! the exact rank rules of §4.6 they share with identification.

pub mod inr;
pub mod isbsh;
pub mod draws;
pub mod expected;
pub mod uncertainty;
pub mod objectivity;
pub mod risk;

use polars::prelude::*;

/// Values rounded to 9 decimal places: ties and cut-offs are decided on these, so that the
/// summation order of floating-point arithmetic never decides a flag.
pub fn round9(e: Expr) -> Expr {
    e.round(9, RoundMode::HalfToEven)
}

/// A share X as an exact decimal fraction p / 10^k (X as the user wrote it, at most 9 decimals).
pub fn decimal_fraction(x: f64) -> (i64, i64) {
    let s = format!("{x}");
    if let (false, Some((int, frac))) = (s.contains('e'), s.split_once('.')) {
        let frac: String = frac.chars().take(9).collect();
        let d = 10i64.pow(frac.len() as u32);
        let p = int.parse::<i64>().unwrap_or(0) * d + frac.parse::<i64>().unwrap_or(0);
        (p, d)
    } else if !s.contains('e') {
        (s.parse::<i64>().unwrap_or(0), 1)
    } else {
        ((x * 1e9).round() as i64, 1_000_000_000)
    }
}

/// ⌈X · n⌉ in integer arithmetic (the reference the expression below is tested against).
pub fn ceil_share(x: f64, n: u64) -> u64 {
    let (p, d) = decimal_fraction(x);
    let (p, d) = (p.max(0) as u128, d.max(1) as u128);
    ((p * n as u128).div_ceil(d)) as u64
}

/// ⌈X · n⌉ as an expression of a count column (exact for counts below 2^53 / 10^9).
pub fn ceil_share_expr(x: f64, n: Expr) -> Expr {
    let (p, d) = decimal_fraction(x);
    ((n.cast(DataType::Float64) * lit(p as f64) + lit((d - 1) as f64)) / lit(d as f64)).floor()
}

/// Rank of the rounded value (ties by `method`) and the number of schools that have it, both
/// within `group` when one is given.
fn ranked(v: &Expr, method: RankMethod, descending: bool, group: &[Expr]) -> PolarsResult<(Expr, Expr)> {
    let rank = v.clone().rank(RankOptions { method, descending }, None);
    let n = v.clone().count();
    if group.is_empty() {
        Ok((rank, n))
    } else {
        Ok((rank.over(group)?, n.over(group)?))
    }
}

/// Membership in the worst X % (§4.6): rank by badness with 1 = worst, ties sharing the smallest
/// rank; in the worst X % when rank ≤ ⌈X·n⌉, n = schools that have the value. `higher_is_worse`
/// gives the direction. Null values are never in.
pub fn in_worst(value: Expr, higher_is_worse: bool, x: f64, group: &[Expr]) -> PolarsResult<Expr> {
    let v = round9(value);
    let (rank, n) = ranked(&v, RankMethod::Min, higher_is_worse, group)?;
    Ok(v.is_not_null()
        .and(rank.cast(DataType::Float64).lt_eq(ceil_share_expr(x, n)))
        .fill_null(lit(false)))
}

/// Percentile of badness (§4.6): average ranks for ties, `100·(rank−1)/(n−1)`, 50 when n = 1;
/// 100 is the worst.
pub fn badness_percentile(value: Expr, higher_is_worse: bool, group: &[Expr]) -> PolarsResult<Expr> {
    let v = round9(value);
    let (rank, n) = ranked(&v, RankMethod::Average, !higher_is_worse, group)?;
    let n = n.cast(DataType::Float64);
    Ok(when(v.is_null())
        .then(lit(NULL).cast(DataType::Float64))
        .when(n.clone().lt_eq(lit(1.0)))
        .then(lit(50.0))
        .otherwise(lit(100.0) * (rank.cast(DataType::Float64) - lit(1.0)) / (n - lit(1.0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_ceil() {
        assert_eq!(decimal_fraction(0.1), (1, 10));
        assert_eq!(decimal_fraction(0.15), (15, 100));
        assert_eq!(decimal_fraction(1.0), (1, 1));
        assert_eq!(ceil_share(0.1, 30), 3); // 0.1 * 30 in floating point is 3.0000000000000004
        assert_eq!(ceil_share(0.1, 31), 4);
        assert_eq!(ceil_share(0.15, 20), 3);
        assert_eq!(ceil_share(0.1, 0), 0);
        assert_eq!(ceil_share(0.7, 10), 7); // 0.7 * 10 = 7.000000000000001
        // The expression agrees with integer arithmetic on every n up to 5000 for common shares.
        let ns: Vec<u32> = (0..5000).collect();
        for x in [0.05, 0.1, 0.15, 0.25, 0.3, 0.33, 0.7] {
            let df = DataFrame::new_infer_height(vec![Column::new("n".into(), ns.clone())]).unwrap();
            let out = df.lazy().select([ceil_share_expr(x, col("n")).alias("c")]).collect().unwrap();
            let got: Vec<Option<f64>> = out.column("c").unwrap().f64().unwrap().iter().collect();
            for (n, g) in ns.iter().zip(got) {
                assert_eq!(g, Some(ceil_share(x, u64::from(*n)) as f64), "x={x} n={n}");
            }
        }
    }

    fn eval(values: &[Option<f64>], e: Expr) -> Vec<Option<f64>> {
        let df = DataFrame::new_infer_height(vec![Column::new("v".into(), values.to_vec())]).unwrap();
        let out = df.lazy().select([e.alias("o")]).collect().unwrap();
        out.column("o").unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
    }

    #[test]
    fn percentile_with_average_ties() {
        // fail shares 0.1, 0.2, 0.2, 0.5: ranks 1, 2.5, 2.5, 4 → 0, 50, 50, 100.
        let got = eval(&[Some(0.1), Some(0.2), Some(0.2), Some(0.5), None], badness_percentile(col("v"), true, &[]).unwrap());
        assert_eq!(got, vec![Some(0.0), Some(50.0), Some(50.0), Some(100.0), None]);
        // lower mean score is worse
        let got = eval(&[Some(10.0), Some(20.0), Some(30.0)], badness_percentile(col("v"), false, &[]).unwrap());
        assert_eq!(got, vec![Some(100.0), Some(50.0), Some(0.0)]);
        let got = eval(&[Some(0.3)], badness_percentile(col("v"), true, &[]).unwrap());
        assert_eq!(got, vec![Some(50.0)]);
    }

    #[test]
    fn worst_share_with_ties_at_the_boundary() {
        // n = 10, 10 % → ⌈1⌉ = 1: the two tied worst both have rank 1 and are both in.
        let mut v: Vec<Option<f64>> = (1..=8).map(|i| Some(i as f64)).collect();
        v.push(Some(90.0));
        v.push(Some(90.0));
        v.push(None);
        let got = eval(&v, in_worst(col("v"), true, 0.1, &[]).unwrap());
        let flagged: Vec<usize> = got.iter().enumerate().filter(|(_, x)| **x == Some(1.0)).map(|(i, _)| i).collect();
        assert_eq!(flagged, vec![8, 9]);
        // 30 values, 10 % → exactly 3 (not 4 from 3.0000000000000004).
        let v: Vec<Option<f64>> = (1..=30).map(|i| Some(i as f64)).collect();
        let got = eval(&v, in_worst(col("v"), true, 0.1, &[]).unwrap());
        assert_eq!(got.iter().filter(|x| **x == Some(1.0)).count(), 3);
        // Values equal up to the 9th decimal tie.
        let v = vec![Some(1.0), Some(2.0), Some(3.0), Some(5.0), Some(5.0 + 1e-12)];
        let got = eval(&v, in_worst(col("v"), true, 0.2, &[]).unwrap());
        assert_eq!(got, vec![Some(0.0), Some(0.0), Some(0.0), Some(1.0), Some(1.0)]);
    }
}
