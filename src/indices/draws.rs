//! Posterior draws (§4.7): D seeded, deterministic draws of every usable school × year ×
//! procedure — the fail share from its posterior Beta(fᵢ + α, nᵢ − fᵢ + β), the mean score
//! around its shrunk value — each pushed through ИНР (§4.1: percentiles within the groups,
//! weighted terms, yearly and window means) and the rank of §4.6. Per school: the share of draws
//! in which its window ИНР is in the worst X % (P), the expected rank and the rank interval.
//!
//! The model's numbers (posterior parameters per row) are computed with polars
//! ([`super::inr::posterior_rows`]); this file is the simulation over those columns: per draw a
//! sort within each percentile group, which a dataframe would do as a window rank over
//! draws × rows (measured in docs/performance.md).

use anyhow::Result;
use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus as Generator;
use rand_distr::{Distribution, Gamma, StandardNormal};

use crate::config::Config;
use crate::model::columns::{floats, ints, strs};

/// Draws per independently seeded block (blocks run in parallel; the result does not depend on
/// how many threads run them).
const BLOCK: usize = 25;

/// The rows of the draws as flat columns, in percentile-group order.
struct Rows {
    /// End (exclusive) of each percentile group's rows.
    group_ends: Vec<usize>,
    school: Vec<u32>,
    year: Vec<u32>,
    weight: Vec<f64>,
    /// The fail share's posterior, or the constant share when it has none (τ² = 0).
    share: Vec<Share>,
    /// The mean score's posterior mean and standard deviation (NaN: no mean).
    mean: Vec<f64>,
    sd: Vec<f64>,
    schools: Vec<String>,
    years: usize,
    /// The weights of the two percentiles in a term, normalised to sum 1.
    w_fail: f64,
    w_mean: f64,
}

/// A fail share's posterior: Beta(a, b) drawn as X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b)
/// (Marsaglia–Tsang, each set up once per row; single precision, as the draws are compared),
/// or a constant share.
enum Share {
    Drawn(Gamma<f32>, Gamma<f32>),
    Fixed(f64),
}

impl Share {
    fn new(a: f64, b: f64) -> Option<Share> {
        Some(Share::Drawn(Gamma::new(a as f32, 1.0).ok()?, Gamma::new(b as f32, 1.0).ok()?))
    }

    fn sample(&self, rng: &mut Generator) -> f64 {
        match self {
            Share::Drawn(x, y) => {
                let (x, y) = (x.sample(rng), y.sample(rng));
                if x + y > 0.0 { f64::from(x / (x + y)) } else { 0.0 }
            }
            Share::Fixed(p) => *p,
        }
    }
}

/// What the draws give per school: `school_id`, `p_worst`, `rank_expected`, `rank_low`,
/// `rank_high` (1 = the worst school), `ranked_of` (how many schools are ranked). Empty when
/// `method.uncertainty.draws` is 0.
pub fn compute(posterior_rows: &DataFrame, config: &Config) -> Result<DataFrame> {
    let u = &config.method.uncertainty;
    let t0 = std::time::Instant::now();
    let rows = rows(posterior_rows, config)?;
    crate::i18n::trace(&tr!("строки испытаний", "rows of the draws"), t0);
    let t0 = std::time::Instant::now();
    let draws = u.draws as usize;
    let blocks: Vec<usize> = (0..draws.div_ceil(BLOCK)).collect();
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let x = config.criteria.bottom.share;
    let order: Vec<usize> = (0..blocks.len()).collect();
    let per_block = crate::parallel::in_parallel(&blocks, &order, workers, |_, &b| {
        let n = BLOCK.min(draws - b * BLOCK);
        Ok(block(&rows, u.seed, b as u64, n, x))
    })?;
    crate::i18n::trace(&tr!("испытания", "draws"), t0);
    let t0 = std::time::Instant::now();
    let out = summarise(&rows, &per_block, draws, u.rank_interval);
    crate::i18n::trace(&tr!("итоги испытаний", "summary of the draws"), t0);
    out
}

fn rows(df: &DataFrame, config: &Config) -> Result<Rows> {
    let (wf, wm) = (config.method.inr.w_fail, config.method.inr.w_mean);
    // Each row's school as an index into the sorted distinct ids (a join, not a search per row).
    let ids = df.clone().lazy().select([col("school_id")]).unique(None, UniqueKeepStrategy::First).sort(["school_id"], SortMultipleOptions::default()).with_row_index("__school", None).collect()?;
    let schools = strs(&ids, "school_id")?;
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    let df = &df.clone().lazy().join(ids.lazy(), [col("school_id")], [col("school_id")], args).collect()?;
    let school: Vec<u32> = df.column("__school")?.idx()?.iter().map(|i| i.unwrap_or(0) as u32).collect();
    let year = ints(df, "year")?;
    let first = year.iter().flatten().min().copied().unwrap_or(0);
    let last = year.iter().flatten().max().copied().unwrap_or(0);
    let group = ints(df, "__group")?;
    let group_ends: Vec<usize> = (1..=group.len()).filter(|&i| i == group.len() || group.get(i) != group.get(i - 1)).collect();
    let (a, b, m) = (floats(df, "post_a")?, floats(df, "post_b")?, floats(df, "post_m")?);
    let share = a
        .iter()
        .zip(&b)
        .zip(&m)
        .map(|((a, b), m)| match (a, b) {
            (Some(a), Some(b)) if *a > 0.0 && *b > 0.0 => Share::new(*a, *b).unwrap_or(Share::Fixed(a / (a + b))),
            (Some(a), Some(b)) if a + b > 0.0 => Share::Fixed(a / (a + b)),
            _ => Share::Fixed(m.unwrap_or(0.0)),
        })
        .collect();
    Ok(Rows {
        group_ends,
        school,
        year: year.iter().map(|y| (y.unwrap_or(first) - first) as u32).collect(),
        weight: floats(df, "participants")?.into_iter().map(|w| w.unwrap_or(0.0)).collect(),
        share,
        mean: floats(df, "post_mean")?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
        sd: floats(df, "post_sd")?.into_iter().map(|v| v.unwrap_or(0.0)).collect(),
        schools,
        years: (last - first + 1).max(1) as usize,
        w_fail: wf / (wf + wm),
        w_mean: wm / (wf + wm),
    })
}

/// One block of draws: per draw, each school's rank (1 = worst); per school, in how many draws
/// it was in the worst X %.
struct BlockOut {
    ranks: Vec<u32>,
    in_worst: Vec<u32>,
}

fn block(rows: &Rows, seed: u64, stream: u64, draws: usize, x: f64) -> BlockOut {
    // One generator per block, seeded from (seed, block): the same draws whatever the threads.
    let mut rng = Generator::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let s = rows.schools.len();
    let mut out = BlockOut { ranks: Vec::with_capacity(draws * s), in_worst: vec![0; s] };
    let mut scratch = Scratch::default();
    let cutoff = super::ceil_share(x, s as u64) as u32;
    for _ in 0..draws {
        let inr = one_draw(rows, &mut rng, &mut scratch);
        let ranks = worst_first_ranks(&inr, &mut scratch.order);
        for (i, r) in ranks.iter().enumerate() {
            if *r <= cutoff {
                out.in_worst[i] += 1;
            }
        }
        out.ranks.extend_from_slice(&ranks);
    }
    out
}

#[derive(Default)]
struct Scratch {
    drawn: Vec<f64>,
    pct_fail: Vec<f64>,
    pct: Vec<f64>,
    sort: SortScratch,
    order: Vec<u32>,
    sums: Vec<(f64, f64)>,
}

/// One draw's window ИНР of every school (§4.1 over drawn shares and means).
fn one_draw(rows: &Rows, rng: &mut Generator, sc: &mut Scratch) -> Vec<f64> {
    sc.sums.clear();
    sc.sums.resize(rows.schools.len() * rows.years, (0.0, 0.0));
    let mut start = 0;
    for &end in &rows.group_ends {
        let range = start..end;
        start = end;
        sc.drawn.clear();
        sc.drawn.extend(rows.share[range.clone()].iter().map(|s| s.sample(rng)));
        sc.pct_fail.clear();
        sc.pct_fail.resize(range.len(), f64::NAN);
        percentiles(&sc.drawn, &mut sc.pct_fail, &mut sc.sort);
        // Mean scores: lower is worse, so the badness is the negative drawn mean.
        sc.drawn.clear();
        sc.drawn.extend(range.clone().map(|i| {
            let z: f32 = rng.sample(StandardNormal);
            -(rows.mean[i] + rows.sd[i] * f64::from(z))
        }));
        sc.pct.clear();
        sc.pct.resize(range.len(), f64::NAN);
        percentiles(&sc.drawn, &mut sc.pct, &mut sc.sort);
        for (k, i) in range.enumerate() {
            let term = if sc.pct[k].is_nan() { sc.pct_fail[k] } else { rows.w_fail * sc.pct_fail[k] + rows.w_mean * sc.pct[k] };
            let cell = &mut sc.sums[rows.school[i] as usize * rows.years + rows.year[i] as usize];
            cell.0 += term * rows.weight[i];
            cell.1 += rows.weight[i];
        }
    }
    sc.sums
        .chunks(rows.years)
        .map(|years| {
            let yearly: Vec<f64> = years.iter().filter(|(_, w)| *w > 0.0).map(|(t, w)| t / w).collect();
            if yearly.is_empty() { f64::NAN } else { yearly.iter().sum::<f64>() / yearly.len() as f64 }
        })
        .collect()
}

/// Percentiles of badness (§4.6) of `values` (higher is worse; NaN takes no part): average
/// ranks for ties, 100·(rank − 1)/(n − 1), 50 when n = 1. NaN stays NaN in `out`.
fn percentiles(values: &[f64], out: &mut [f64], sc: &mut SortScratch) {
    sc.keys.clear();
    sc.keys.extend(values.iter().enumerate().filter(|(_, v)| !v.is_nan()).map(|(i, v)| (u64::from(sortable(*v as f32)) << 32) | i as u64));
    sort_keys(sc);
    let keys = &sc.keys;
    let n = keys.len();
    let scale = 100.0 / (n as f64 - 1.0);
    let mut k = 0;
    while k < n {
        let v = keys[k] >> 32;
        let mut j = k + 1;
        while j < n && keys[j] >> 32 == v {
            j += 1;
        }
        // Ranks k+1 … j share their average.
        let rank = (k + 1 + j) as f64 / 2.0;
        let pct = if n <= 1 { 50.0 } else { (rank - 1.0) * scale };
        for key in &keys[k..j] {
            if let Some(o) = out.get_mut((key & 0xFFFF_FFFF) as usize) {
                *o = pct;
            }
        }
        k = j;
    }
}

/// A drawn value as a u32 of the same order (negative numbers below positive ones). Values are
/// compared in single precision: draws closer than that tie (a tie of no consequence for a
/// percentile among draws).
fn sortable(v: f32) -> u32 {
    let b = v.to_bits();
    if b >> 31 == 1 { !b } else { b | (1 << 31) }
}

/// Keys (value in the high 32 bits, row in the low) and the buffer of their radix sort.
#[derive(Default)]
struct SortScratch {
    keys: Vec<u64>,
    buffer: Vec<u64>,
}

/// Sorts the keys by their high 32 bits: least-significant-digit radix sort, 8 bits a pass,
/// passes where every key has the same digit skipped; short slices by comparison.
fn sort_keys(sc: &mut SortScratch) {
    if sc.keys.len() < 128 {
        sc.keys.sort_unstable();
        return;
    }
    sc.buffer.clear();
    sc.buffer.resize(sc.keys.len(), 0);
    // Four passes of 8 bits; every pass's digit counts in one read.
    let mut counts = [[0u32; 256]; 4];
    for k in &sc.keys {
        let v = (k >> 32) as u32;
        for (p, c) in counts.iter_mut().enumerate() {
            c[((v >> (8 * p)) & 0xFF) as usize] += 1;
        }
    }
    let n = sc.keys.len() as u32;
    for (p, counts) in counts.iter_mut().enumerate() {
        if counts.iter().any(|&c| c == n) {
            continue;
        }
        // Counts become each digit's first position.
        let mut sum = 0;
        for c in counts.iter_mut() {
            let here = *c;
            *c = sum;
            sum += here;
        }
        let shift = 32 + 8 * p as u32;
        for &k in &sc.keys {
            let d = ((k >> shift) & 0xFF) as usize;
            let at = &mut counts[d];
            if let Some(b) = sc.buffer.get_mut(*at as usize) {
                *b = k;
            }
            *at += 1;
        }
        std::mem::swap(&mut sc.keys, &mut sc.buffer);
    }
}

/// Ranks by badness, 1 = the worst, ties sharing the smallest rank (§4.6 «min»); schools
/// without a value get `u32::MAX`.
fn worst_first_ranks(values: &[f64], order: &mut Vec<u32>) -> Vec<u32> {
    order.clear();
    order.extend((0..values.len() as u32).filter(|&i| !values[i as usize].is_nan()));
    order.sort_unstable_by(|a, b| values[*b as usize].total_cmp(&values[*a as usize]));
    let mut ranks = vec![u32::MAX; values.len()];
    let mut prev: Option<(f64, u32)> = None;
    for (k, &i) in order.iter().enumerate() {
        let v = values[i as usize];
        let r = match prev {
            Some((pv, pr)) if pv == v => pr,
            _ => k as u32 + 1,
        };
        ranks[i as usize] = r;
        prev = Some((v, r));
    }
    ranks
}

/// Per school: P, the expected rank and the rank interval over all blocks.
fn summarise(rows: &Rows, blocks: &[BlockOut], draws: usize, coverage: f64) -> Result<DataFrame> {
    let s = rows.schools.len();
    let mut p = Vec::with_capacity(s);
    let (mut expected, mut low, mut high) = (Vec::with_capacity(s), Vec::with_capacity(s), Vec::with_capacity(s));
    let tail = ((1.0 - coverage.clamp(0.0, 1.0)) / 2.0).max(0.0);
    let mut ranks: Vec<u32> = Vec::with_capacity(draws);
    for i in 0..s {
        ranks.clear();
        let mut worst = 0u64;
        for b in blocks {
            worst += u64::from(b.in_worst[i]);
            ranks.extend(b.ranks.iter().skip(i).step_by(s).copied());
        }
        ranks.sort_unstable();
        let d = ranks.len();
        if d == 0 {
            p.push(None);
            expected.push(None);
            low.push(None);
            high.push(None);
            continue;
        }
        p.push(Some(worst as f64 / d as f64));
        expected.push(Some(ranks.iter().map(|r| f64::from(*r)).sum::<f64>() / d as f64));
        let at = |q: f64, up: bool| {
            let pos = q * (d - 1) as f64;
            let k = if up { pos.ceil() } else { pos.floor() } as usize;
            ranks.get(k.min(d - 1)).map(|r| i64::from(*r))
        };
        low.push(at(tail, false));
        high.push(at(1.0 - tail, true));
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), rows.schools.clone()),
        Column::new("p_worst".into(), p),
        Column::new("rank_expected".into(), expected),
        Column::new("rank_low".into(), low),
        Column::new("rank_high".into(), high),
        Column::new("ranked_of".into(), vec![s as i64; s]),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_ranks_follow_the_exact_definitions() {
        let mut out = vec![f64::NAN; 5];
        let (mut order, mut keyed) = (Vec::new(), SortScratch::default());
        percentiles(&[0.1, 0.2, 0.2, 0.5, f64::NAN], &mut out, &mut keyed);
        assert_eq!(&out[..4], &[0.0, 50.0, 50.0, 100.0]);
        assert!(out[4].is_nan());
        let mut one = vec![f64::NAN];
        percentiles(&[0.3], &mut one, &mut keyed);
        let mut signs = vec![0.0; 3];
        percentiles(&[-1.0, 2.0, -3.0], &mut signs, &mut keyed);
        assert_eq!(signs, vec![50.0, 100.0, 0.0]);
        assert_eq!(one, vec![50.0]);
        // Long slices go through the radix sort: the same percentiles as by comparison.
        let long: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64 / 10.0 - 50.0).collect();
        let mut got = vec![f64::NAN; 1000];
        percentiles(&long, &mut got, &mut keyed);
        for (v, p) in long.iter().zip(&got) {
            assert!((p - (v + 50.0) * 1000.0 / 999.0).abs() < 1e-6, "{v} {p}");
        }
        assert_eq!(worst_first_ranks(&[10.0, 90.0, 90.0, f64::NAN, 5.0], &mut order), vec![3, 1, 1, u32::MAX, 4]);
    }
}
