//! Bunching at mark boundaries (§4.8 M2): the score histograms of the per-student ВПР files,
//! reduced to a few counts per school × procedure of the latest year and attached to the results
//! table. The histograms themselves never leave this module.
//!
//! For each boundary b (the lowest primary score of «3» and of «4») the window is the scores
//! b − `m2_below` … b + `m2_above` (by default b − 2 … b + 1): a school's `b{m}_window` counts
//! its pupils in the window, `b{m}_at` those at b … b + `m2_above`, `b{m}_under` and `b{m}_over`
//! those scoring below and above the window (where the school stands around the boundary,
//! untouched by pushing pupils across it); `b{m}_score` is b.
//!
//! The boundary comes from the conversion scale of the work (year, grade, subject) when one is
//! known; otherwise from the marks: the lowest score at which most of the region's pupils of the
//! work have that mark or a higher one (in a consistent file the lowest score anyone got the mark
//! with; a single mistyped mark below it does not move it).

use polars::prelude::*;

use super::results_common::{ScoreHistogram, KEY};
use super::scales::Scales;
use super::columns::nulls_equal;
use crate::config::Objectivity;

/// The columns attached to the results table (null where there is no histogram).
pub const BUNCHING: [&str; 10] = ["b3_score", "b3_window", "b3_at", "b3_under", "b3_over", "b4_score", "b4_window", "b4_at", "b4_under", "b4_over"];

/// The marks whose lowest score is a boundary.
const MARKS: [i32; 2] = [3, 4];

/// The results table with the [`BUNCHING`] columns: the histograms of every per-student file
/// (latest year only) reduced to window counts.
pub fn attach(table: DataFrame, histograms: Vec<ScoreHistogram>, scales: Option<&Scales>, latest: i32, o: &Objectivity) -> PolarsResult<DataFrame> {
    let histograms: Vec<ScoreHistogram> = histograms.into_iter().filter(|h| h.counts.height() > 0).collect();
    if histograms.is_empty() {
        let nulls: Vec<Expr> = BUNCHING.iter().map(|c| lit(NULL).cast(DataType::Int64).alias(*c)).collect();
        return table.lazy().with_columns(nulls).collect();
    }
    let key = || KEY.iter().map(|k| col(*k)).collect::<Vec<_>>();
    let work = || vec![col("year"), col("procedure"), col("grade"), col("subject")];
    // Each histogram's groups of the latest year, each with the integer id of its work (year,
    // procedure, grade, subject): the counts (a row per group × score × mark, millions for a
    // country) are joined and grouped by integers only; text columns stay on the group rows.
    let mut latest_keys = Vec::new();
    for h in &histograms {
        let on: Vec<Expr> = h.key_cols.iter().map(|k| col(k.as_str())).collect();
        let keys = h.keys.clone().lazy().filter(col("year").eq(lit(latest)));
        let works = keys.clone().select(work()).unique_stable(None, UniqueKeepStrategy::First).with_row_index("__w", None).collect()?;
        let keys = keys.join(works.clone().lazy(), work(), work(), nulls_equal(JoinType::Inner)).collect()?;
        latest_keys.push((on, keys, works));
    }
    // The region's pupils by work, score and mark (small), for the boundaries.
    let mut region = Vec::new();
    for (h, (on, keys, works)) in histograms.iter().zip(&latest_keys) {
        let by_work = counts_of(h, keys.clone().lazy().select(on.iter().cloned().chain([col("__w")]).collect::<Vec<_>>()), on)
            .group_by([col("__w"), col("score"), col("mark")])
            .agg([col("pupils").sum()]);
        region.push(by_work.join(works.clone().lazy(), [col("__w")], [col("__w")], JoinArgs::new(JoinType::Inner)).select(work().into_iter().chain([col("score"), col("mark"), col("pupils")]).collect::<Vec<_>>()));
    }
    let region = concat(region, UnionArgs::default())?
        .group_by(work().into_iter().chain([col("score"), col("mark")]).collect::<Vec<_>>())
        .agg([col("pupils").sum()])
        .collect()?;
    let bounds = boundaries(&region, scales, latest)?;
    // Each file's (block's) window counts by its integer group key, then with the group's school
    // × year × procedure, summed over files and blocks.
    let mut counts = Vec::new();
    for (h, (on, keys, _)) in histograms.iter().zip(&latest_keys) {
        let bounded = keys.clone().lazy().join(bounds.clone().lazy(), work(), work(), nulls_equal(JoinType::Inner)).collect()?.lazy();
        let with_bounds = bounded.clone().select(on.iter().cloned().chain(MARKS.iter().map(|m| col(format!("b{m}_score")))).collect::<Vec<_>>());
        let sums = window_sums(counts_of(h, with_bounds, on), on.clone(), o);
        let named = bounded.select(on.iter().cloned().chain(key()).collect::<Vec<_>>());
        counts.push(sums.join(named, on.clone(), on.clone(), JoinArgs::new(JoinType::Inner)));
    }
    let mut sums: Vec<Expr> = Vec::new();
    for m in MARKS {
        sums.push(col(format!("b{m}_score")).first());
        sums.extend(["window", "at", "under", "over"].map(|part| col(format!("b{m}_{part}")).sum()));
    }
    let counts = concat(counts, UnionArgs::default())?.group_by(key()).agg(sums);
    let mut columns: Vec<Expr> = table.get_column_names().into_iter().map(|c| col(c.clone())).collect();
    columns.extend(BUNCHING.iter().map(|c| col(*c)));
    table
        .lazy()
        .join(counts, key(), key(), JoinArgs { maintain_order: MaintainOrderJoin::Left, ..nulls_equal(JoinType::Left) })
        .select(columns)
        .collect()
}

/// A histogram's counts joined (inner, by the integer group key `on`) with per-group columns,
/// `pupils` as Int64.
fn counts_of(h: &ScoreHistogram, per_group: LazyFrame, on: &[Expr]) -> LazyFrame {
    h.counts
        .clone()
        .lazy()
        .join(per_group, on.to_vec(), on.to_vec(), JoinArgs::new(JoinType::Inner))
        .with_column(col("pupils").cast(DataType::Int64))
}

/// The window counts of counts joined with their boundaries (`b3_score`, `b4_score`), per
/// group key `on`.
fn window_sums(lf: LazyFrame, on: Vec<Expr>, o: &Objectivity) -> LazyFrame {
    let score = || col("score").cast(DataType::Int64);
    let (below, above) = (i64::from(o.m2_below), i64::from(o.m2_above));
    let count = |e: Expr| when(e).then(col("pupils")).otherwise(lit(0i64)).sum();
    let mut sums = Vec::new();
    for m in MARKS {
        let b = || col(format!("b{m}_score"));
        sums.push(b().first().alias(format!("b{m}_score")));
        sums.push(count(score().gt_eq(b() - lit(below)).and(score().lt_eq(b() + lit(above)))).alias(format!("b{m}_window")));
        sums.push(count(score().gt_eq(b()).and(score().lt_eq(b() + lit(above)))).alias(format!("b{m}_at")));
        sums.push(count(score().lt(b() - lit(below))).alias(format!("b{m}_under")));
        sums.push(count(score().gt(b() + lit(above))).alias(format!("b{m}_over")));
    }
    lf.group_by(on).agg(sums)
}

/// The boundaries of each ВПР work of the histograms: `b3_score`, `b4_score` (Int64) by year,
/// procedure, grade and subject — from the scale when one is known, else from the marks.
fn boundaries(hist: &DataFrame, scales: Option<&Scales>, latest: i32) -> PolarsResult<DataFrame> {
    let work = || [col("year"), col("procedure"), col("grade"), col("subject")];
    let mut by_score = hist.clone().lazy().group_by(work().into_iter().chain([col("score")]).collect::<Vec<_>>()).agg(
        [col("pupils").sum().alias("__n")]
            .into_iter()
            .chain(MARKS.iter().map(|m| when(col("mark").gt_eq(lit(*m))).then(col("pupils")).otherwise(lit(0i64)).sum().alias(format!("__up{m}"))))
            .collect::<Vec<_>>(),
    );
    by_score = by_score.cache();
    let mut bounds = hist.clone().lazy().select(work()).unique(None, UniqueKeepStrategy::First);
    let scale = scale_table(scales, latest)?;
    for m in MARKS {
        let from_marks = by_score
            .clone()
            .filter((col(format!("__up{m}")) * lit(2i64)).gt(col("__n")))
            .group_by(work())
            .agg([col("score").cast(DataType::Int64).min().alias(format!("__marks{m}"))]);
        bounds = bounds.join(from_marks, work(), work(), nulls_equal(JoinType::Left));
    }
    let scale_key = || [col("year"), col("grade"), col("subject")];
    bounds
        .join(scale.lazy(), scale_key(), scale_key(), JoinArgs::new(JoinType::Left))
        .select(work().into_iter().chain(MARKS.iter().map(|m| coalesce(&[col(format!("__scale{m}")), col(format!("__marks{m}"))]).alias(format!("b{m}_score")))).collect::<Vec<_>>())
        .collect()
}

/// The scales of the latest year as a table: year, grade, subject, `__scale3`, `__scale4` (the
/// lowest whole score of the mark).
fn scale_table(scales: Option<&Scales>, latest: i32) -> PolarsResult<DataFrame> {
    let rows: Vec<(&(i32, u32, String), &super::scales::Scale)> = scales.map(|s| s.map.iter().filter(|((y, _, _), _)| *y == latest).collect()).unwrap_or_default();
    let whole = |x: f64| x.ceil() as i64;
    DataFrame::new_infer_height(vec![
        Column::new("year".into(), rows.iter().map(|((y, _, _), _)| *y).collect::<Vec<i32>>()),
        Column::new("grade".into(), rows.iter().map(|((_, g, _), _)| *g as i32).collect::<Vec<i32>>()),
        Column::new("subject".into(), rows.iter().map(|((_, _, s), _)| s.as_str()).collect::<Vec<&str>>()),
        Column::new("__scale3".into(), rows.iter().map(|(_, s)| whole(s.min3)).collect::<Vec<i64>>()),
        Column::new("__scale4".into(), rows.iter().map(|(_, s)| whole(s.min4)).collect::<Vec<i64>>()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A histogram of ВПР 5 Математика 2025 keyed by school (one group per school).
    fn hist(rows: &[(&str, i16, Option<i8>, u32)]) -> ScoreHistogram {
        hist_of_year(rows, 2025)
    }

    fn hist_of_year(rows: &[(&str, i16, Option<i8>, u32)], year: i32) -> ScoreHistogram {
        let mut ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
        ids.sort();
        ids.dedup();
        let code = |id: &str| ids.iter().position(|i| *i == id).unwrap_or(0) as u64;
        let counts = df!(
            "__k" => rows.iter().map(|r| code(r.0)).collect::<Vec<_>>(),
            "score" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "mark" => rows.iter().map(|r| r.2.unwrap_or(0)).collect::<Vec<_>>(),
            "pupils" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        let n = ids.len();
        let keys = df!(
            "__k" => (0..n as u64).collect::<Vec<_>>(),
            "year" => vec![year; n],
            "school_id" => ids.clone(),
            "procedure" => vec!["ВПР"; n],
            "grade" => vec![5i32; n],
            "subject" => vec!["Математика"; n],
        )
        .unwrap_or_default();
        ScoreHistogram { counts, keys, key_cols: vec!["__k".into()] }
    }

    fn table(ids: &[&str]) -> DataFrame {
        let n = ids.len();
        df!(
            "year" => vec![2025i32; n],
            "school_id" => ids.to_vec(),
            "procedure" => vec!["ВПР"; n],
            "grade" => vec![5i32; n],
            "subject" => vec!["Математика"; n],
            "participants" => vec![10i64; n],
        )
        .unwrap_or_default()
    }

    fn get(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
        df.column(c).map(|c| c.i64().map(|v| v.iter().collect()).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn windows_count_two_scores_below_and_two_at_the_boundary_found_from_marks() {
        // «3» from 5 (one mistyped «3» at score 1 does not move it), «4» from 8.
        let h = hist(&[
            ("a", 1, Some(3), 1), ("a", 1, Some(2), 9), ("a", 3, Some(2), 2), ("a", 4, Some(2), 3),
            ("a", 5, Some(3), 4), ("a", 6, Some(3), 1), ("a", 7, Some(3), 5), ("a", 8, Some(4), 6),
            ("a", 9, Some(4), 2), ("b", 6, Some(3), 7), ("b", 2, Some(2), 3),
        ]);
        let out = attach(table(&["a", "b", "c"]), vec![h], None, 2025, &Objectivity::default()).unwrap_or_default();
        assert_eq!(get(&out, "b3_score"), [Some(5), Some(5), None]);
        assert_eq!(get(&out, "b3_window"), [Some(10), Some(7), None]);
        assert_eq!(get(&out, "b3_at"), [Some(5), Some(7), None]);
        assert_eq!(get(&out, "b4_score"), [Some(8), Some(8), None]);
        // a: under 3 — the ten at score 1; over 6 — 5 + 6 + 2.
        assert_eq!(get(&out, "b3_under"), [Some(10), Some(3), None]);
        assert_eq!(get(&out, "b3_over"), [Some(13), Some(0), None]);
        // a: scores 6..9 → 1 + 5 + 6 + 2; at 8, 9 → 8.
        assert_eq!(get(&out, "b4_window"), [Some(14), Some(7), None]);
        assert_eq!(get(&out, "b4_at"), [Some(8), Some(0), None]);
    }

    #[test]
    fn a_scale_gives_the_boundary_and_other_years_are_left_out() {
        let mut scales = Scales::default();
        let scale = super::super::scales::Scale { min3: 6.0, min4: 9.0, min5: 12.0, source: String::new() };
        scales.map.insert((2025, 5, "Математика".into()), scale);
        let old = hist_of_year(&[("a", 6, Some(3), 50)], 2024);
        let h = hist(&[("a", 4, Some(2), 1), ("a", 5, Some(3), 2), ("a", 6, Some(3), 3), ("a", 7, Some(3), 4)]);
        let out = attach(table(&["a"]), vec![h, old], Some(&scales), 2025, &Objectivity::default()).unwrap_or_default();
        assert_eq!(get(&out, "b3_score"), [Some(6)]);
        assert_eq!(get(&out, "b3_window"), [Some(10)]);
        assert_eq!(get(&out, "b3_at"), [Some(7)]);
    }

    #[test]
    fn without_histograms_the_columns_are_null() {
        let out = attach(table(&["a"]), Vec::new(), None, 2025, &Objectivity::default()).unwrap_or_default();
        for c in BUNCHING {
            assert_eq!(get(&out, c), [None], "{c}");
        }
    }
}
