//! §4.6 definitions on small hand-made tables.

use polars::prelude::*;

use super::{identify, Aggregates, Identification, SchoolRow};
use crate::config::Config;

/// (school, year, subject, participants, failed, mean score)
type Row<'a> = (&'a str, i32, &'a str, i64, i64, Option<f64>);

fn results(rows: &[Row]) -> DataFrame {
    let n = rows.len();
    DataFrame::new_infer_height(vec![
        Column::new("year".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        Column::new("school_id".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::new("procedure".into(), vec!["ВПР"; n]),
        Column::new("grade".into(), vec![4i32; n]),
        Column::new("subject".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
        Column::new("participants".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
        Column::new("failed".into(), rows.iter().map(|r| r.4).collect::<Vec<_>>()),
        Column::new("fail_share".into(), rows.iter().map(|r| r.4 as f64 / r.3 as f64).collect::<Vec<_>>()),
        Column::new("mean_score".into(), rows.iter().map(|r| r.5).collect::<Vec<_>>()),
    ])
    .unwrap()
}

fn register(ids: &[(&str, &str)]) -> DataFrame {
    DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), ids.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::new("name".into(), ids.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::new("municipality".into(), vec!["М"; ids.len()]),
        Column::new("school_type".into(), ids.iter().map(|r| r.1).collect::<Vec<_>>()),
        Column::new("locality".into(), vec![None::<&str>; ids.len()]),
        Column::new("students".into(), vec![None::<i64>; ids.len()]),
    ])
    .unwrap()
}

fn run(reg: &DataFrame, res: &DataFrame, q: Option<&DataFrame>, config: &Config) -> Identification {
    let latest = res.column("year").unwrap().i32().unwrap().max().unwrap();
    let agg = Aggregates {
        register: reg,
        results: res,
        questionnaire: q,
        context: &[],
        selfdiagnosis: None,
        latest_year: latest,
    };
    identify(&agg, config, None).unwrap()
}

fn row<'a>(ident: &'a Identification, id: &str) -> &'a SchoolRow {
    ident.rows.iter().find(|r| r.school_id == id).unwrap()
}

fn value(ident: &Identification, id: &str, column: &str) -> Option<f64> {
    let r = row(ident, id);
    if let Some(y) = column.strip_prefix("inr_").and_then(|y| y.parse::<i32>().ok()) {
        return ident.years.iter().position(|x| *x == y).and_then(|i| r.inr_years[i]);
    }
    match column {
        "inr" => r.inr,
        "isbsh" => r.isbsh,
        "response_rate" => r.response_rate,
        "rank" => r.rank.map(|v| v as f64),
        "n_procedures" => r.n_procedures.map(|v| v as f64),
        "n_unreliable" => r.n_unreliable.map(|v| v as f64),
        "isbsh_indicators" => r.isbsh_indicators.map(|v| v as f64),
        other => panic!("no column {other}"),
    }
}

fn flag(ident: &Identification, id: &str, column: &str) -> bool {
    let r = row(ident, id);
    match column {
        "shnor" => r.shnor,
        "shnsu" => r.shnsu,
        "resilient" => r.resilient,
        other => r.flags.get(other),
    }
}

#[test]
fn min_participants_keeps_small_groups_out_of_the_percentiles() {
    let config = Config::defaults().unwrap();
    let reg = register(&[("a", "СОШ"), ("b", "СОШ"), ("c", "СОШ")]);
    // c has 4 participants (< 5): it takes no part, so n = 2 and a, b get 0 and 100.
    let res = results(&[("a", 2025, "РУ", 10, 1, None), ("b", 2025, "РУ", 10, 5, None), ("c", 2025, "РУ", 4, 4, None)]);
    let ident = run(&reg, &res, None, &config);
    assert_eq!(value(&ident, "a", "inr_2025"), Some(0.0));
    assert_eq!(value(&ident, "b", "inr_2025"), Some(100.0));
    assert_eq!(value(&ident, "c", "inr_2025"), None);
    assert_eq!(value(&ident, "c", "inr"), None);
}

#[test]
fn weights_and_missing_mean_score() {
    let config = Config::defaults().unwrap();
    let reg = register(&[("a", "СОШ"), ("b", "СОШ"), ("c", "СОШ")]);
    // РУ has means: a is worst on fails (100) and best on means (0): 0.7·100 + 0.3·0 = 70.
    // МА has no means: its term is the fail percentile alone. a: 20 participants on РУ, 10 on МА.
    let res = results(&[
        ("a", 2025, "РУ", 20, 10, Some(30.0)),
        ("b", 2025, "РУ", 10, 1, Some(20.0)),
        ("c", 2025, "РУ", 10, 2, Some(10.0)),
        ("a", 2025, "МА", 10, 0, None),
        ("b", 2025, "МА", 10, 3, None),
    ]);
    let ident = run(&reg, &res, None, &config);
    // a: РУ term 70 (weight 20), МА term 0 (n = 2, best) (weight 10) → 1400 / 30.
    let a = value(&ident, "a", "inr_2025").unwrap();
    assert!((a - 1400.0 / 30.0).abs() < 1e-9, "{a}");
    // b: РУ fail pct 0, mean pct 50 → 15; МА 100 → (15·10 + 100·10) / 20 = 57.5.
    let b = value(&ident, "b", "inr_2025").unwrap();
    assert!((b - 57.5).abs() < 1e-9, "{b}");
}

#[test]
fn bottom_needs_every_window_year() {
    let config = Config::defaults().unwrap();
    let ids: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    let reg = register(&ids.iter().map(|s| (s.as_str(), "СОШ")).collect::<Vec<_>>());
    let mut rows: Vec<Row> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        // s9 is the worst school in 2025 and has no 2024 results; s8 is worst in 2024.
        let fails_2025 = i as i64;
        rows.push((id.as_str(), 2025, "РУ", 10, fails_2025, None));
        if i != 9 {
            let fails_2024 = if i == 8 { 9 } else { i as i64 / 2 };
            rows.push((id.as_str(), 2024, "РУ", 10, fails_2024, None));
        }
    }
    let res = results(&rows);
    let ident = run(&reg, &res, None, &config);
    // ⌈0.1·10⌉ = 1 in 2025 (s9) and ⌈0.1·9⌉ = 1 in 2024 (s8): nobody is worst in both years.
    assert!(!flag(&ident, "s9", "flag_bottom"), "a missing window year rules BOTTOM out");
    assert!(!flag(&ident, "s8", "flag_bottom"));
    // The window ИНР of s9 is its only yearly ИНР.
    assert_eq!(value(&ident, "s9", "inr"), value(&ident, "s9", "inr_2025"));
}

#[test]
fn peer_groups_rank_within_school_type() {
    let mut config = Config::defaults().unwrap();
    config.method.peer_groups = vec!["school_type".to_string()];
    let reg = register(&[("a", "СОШ"), ("b", "СОШ"), ("g", "гимназия"), ("h", "гимназия")]);
    let res = results(&[
        ("a", 2025, "РУ", 10, 5, None),
        ("b", 2025, "РУ", 10, 6, None),
        ("g", 2025, "РУ", 10, 0, None),
        ("h", 2025, "РУ", 10, 1, None),
    ]);
    let ident = run(&reg, &res, None, &config);
    // Within the peer group h is the worst gymnasium (100) although it beats both СОШ.
    assert_eq!(value(&ident, "h", "inr_2025"), Some(100.0));
    assert_eq!(value(&ident, "a", "inr_2025"), Some(0.0));
}

#[test]
fn zero_sd_indicator_is_left_out_and_reported() {
    let mut config = Config::defaults().unwrap();
    config.isbsh.min_indicators = 1;
    let reg = register(&[("a", "СОШ"), ("b", "СОШ"), ("c", "СОШ")]);
    let res = results(&[("a", 2025, "РУ", 10, 1, None), ("b", 2025, "РУ", 10, 2, None), ("c", 2025, "РУ", 10, 3, None)]);
    let q = DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), vec!["a", "b", "c", "a", "b", "c"]),
        Column::new("year".into(), vec![2025i32; 6]),
        Column::new("indicator".into(), vec!["books_100", "books_100", "books_100", "low_income", "low_income", "low_income"]),
        Column::new("respondents".into(), vec![20i64; 6]),
        Column::new("share".into(), vec![0.5, 0.5, 0.5, 0.1, 0.2, 0.3]),
        Column::new("families".into(), vec![20i64; 6]),
    ])
    .unwrap();
    let ident = run(&reg, &res, Some(&q), &config);
    assert_eq!(ident.isbsh_left_out, vec!["books_100".to_string()]);
    // low_income (direction −): z = 1, 0, −1 → s = 1, 0, −1 → ИСБШ = 115, 100, 85.
    let a = value(&ident, "a", "isbsh").unwrap();
    let c = value(&ident, "c", "isbsh").unwrap();
    assert!((a - 115.0).abs() < 1e-9 && (c - 85.0).abs() < 1e-9, "{a} {c}");
    assert_eq!(value(&ident, "a", "isbsh_indicators"), Some(1.0));
}

#[test]
fn combine_all_and_switched_off_criteria() {
    let reg = register(&[("a", "СОШ"), ("b", "СОШ"), ("c", "СОШ")]);
    let mut rows: Vec<Row> = Vec::new();
    for y in [2024, 2025] {
        rows.push(("a", y, "РУ", 10, 5, None));
        rows.push(("a", y, "МА", 10, 5, None));
        rows.push(("b", y, "РУ", 10, 0, None));
        rows.push(("c", y, "РУ", 10, 1, None));
    }
    let res = results(&rows);
    let mut config = Config::defaults().unwrap();
    let ident = run(&reg, &res, None, &config);
    assert!(flag(&ident, "a", "flag_r30") && flag(&ident, "a", "flag_bottom") && flag(&ident, "a", "shnor"));
    config.criteria.r30.enabled = false;
    config.criteria.bottom.enabled = false;
    let ident = run(&reg, &res, None, &config);
    assert!(!flag(&ident, "a", "shnor"), "no criterion enabled, nobody is ШНОР");
    config.criteria.r30.enabled = true;
    config.criteria.r30.min_procedures = 3;
    config.criteria.bottom.enabled = true;
    config.criteria.combine = crate::config::Combine::All;
    let ident = run(&reg, &res, None, &config);
    assert!(!flag(&ident, "a", "shnor"), "combine = all needs R30 too, which now needs 3 procedures");
}

#[test]
fn lower_bound_r30_drops_a_three_pupil_school_at_67_and_keeps_a_sixty_pupil_school_at_45() {
    let mut config = Config::defaults().unwrap();
    config.method.min_participants = 1;
    let ok = ["o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"];
    let mut rows: Vec<Row> = vec![("small", 2025, "РУ", 3, 2, None), ("large", 2025, "РУ", 60, 27, None)];
    rows.extend(ok.iter().map(|id| (*id, 2025, "РУ", 60, 6, None)));
    let res = results(&rows);
    let hits = |c: &Config| -> Vec<String> {
        let h = super::criteria::r30_hits(&res, c, 2025).unwrap();
        crate::model::columns::strs(&h, "school_id").unwrap()
    };
    assert_eq!(hits(&config), ["large", "small"]);
    config.criteria.r30.basis = crate::config::R30Basis::LowerBound;
    assert_eq!(hits(&config), ["large"]);
    // Shrunk towards the procedure's share (89 of 663, A ≈ 17): the small school's 2 of 3
    // becomes 0.21, the large school's 27 of 60 stays at 0.38.
    config.criteria.r30.basis = crate::config::R30Basis::Shrunk;
    assert_eq!(hits(&config), ["large"]);
}

#[test]
fn shrunk_inr_basis_damps_a_three_pupil_school() {
    let mut config = Config::defaults().unwrap();
    config.method.min_participants = 1;
    let reg = register(&[("a", "СОШ"), ("b", "СОШ"), ("c", "СОШ"), ("d", "СОШ")]);
    // a: 2 of 3 fail (67 %), b: 36 of 60 (60 %), c and d: 6 of 60 (10 %).
    let res = results(&[("a", 2025, "РУ", 3, 2, None), ("b", 2025, "РУ", 60, 36, None), ("c", 2025, "РУ", 60, 6, None), ("d", 2025, "РУ", 60, 6, None)]);
    config.method.years_window = 1;
    let raw = run(&reg, &res, None, &config);
    assert_eq!((value(&raw, "a", "inr_2025"), value(&raw, "b", "inr_2025")), (Some(100.0), Some(200.0 / 3.0)));
    // Shrunk (m = 50/183, A ≈ 3.6): a's 2 of 3 becomes 0.46, b's 36 of 60 stays at 0.58.
    config.method.inr.basis = crate::config::InrBasis::Shrunk;
    let shrunk = run(&reg, &res, None, &config);
    assert_eq!((value(&shrunk, "a", "inr_2025"), value(&shrunk, "b", "inr_2025")), (Some(200.0 / 3.0), Some(100.0)));
}

/// 20 schools of 60 pupils, two subjects, two years: «bad» fails 40 of 60 everywhere, «good» 0,
/// the others 4–9 of 60 (mean scores follow).
fn twenty_schools() -> (DataFrame, DataFrame) {
    let ids: Vec<String> = (0..18).map(|i| format!("s{i:02}")).chain(["bad".to_string(), "good".to_string()]).collect();
    let reg = register(&ids.iter().map(|i| (i.as_str(), "СОШ")).collect::<Vec<_>>());
    let mut rows: Vec<Row> = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let failed = match id.as_str() {
            "bad" => 40,
            "good" => 0,
            _ => 4 + (k as i64 % 6),
        };
        for year in [2024, 2025] {
            for subject in ["РУ", "МА"] {
                rows.push((id.as_str(), year, subject, 60, failed, Some(20.0 - failed as f64 / 4.0)));
            }
        }
    }
    (reg, results(&rows))
}

#[test]
fn p_worst_is_one_far_below_everyone_and_zero_far_above() {
    let (reg, res) = twenty_schools();
    let config = Config::defaults().unwrap();
    let ident = run(&reg, &res, None, &config);
    let (bad, good) = (row(&ident, "bad"), row(&ident, "good"));
    assert_eq!(bad.standing.p_worst, Some(1.0));
    assert_eq!((bad.standing.rank_low, bad.standing.rank_high, bad.standing.ranked_of), (Some(1), Some(1), Some(20)));
    assert_eq!(good.standing.p_worst, Some(0.0));
    assert_eq!((good.standing.rank_low, good.standing.rank_high), (Some(20), Some(20)));
    // Its BOTTOM flag holds beyond chance: «надёжно».
    assert!(bad.shnor && bad.solid == Some(true) && bad.reasons.iter().any(|r| r.solid == Some(true)));
    // The middle schools' ranks are uncertain: their intervals are wider than one place.
    assert!(ident.rows.iter().any(|r| r.standing.rank_high.unwrap_or(0) - r.standing.rank_low.unwrap_or(0) >= 3));
    // P is a probability, the expected rank lies in the interval.
    for r in &ident.rows {
        let s = &r.standing;
        assert!(s.p_worst.is_some_and(|p| (0.0..=1.0).contains(&p)), "{}", r.school_id);
        assert!(s.rank_low.unwrap() as f64 <= s.rank_expected.unwrap() && s.rank_expected.unwrap() <= s.rank_high.unwrap() as f64);
    }
}

#[test]
fn the_same_seed_gives_the_same_draws_and_another_seed_other_ones() {
    let (reg, res) = twenty_schools();
    let mut config = Config::defaults().unwrap();
    config.method.uncertainty.draws = 300;
    let standings = |c: &Config| run(&reg, &res, None, c).rows.iter().map(|r| (r.school_id.clone(), r.standing)).collect::<Vec<_>>();
    let first = standings(&config);
    assert_eq!(first, standings(&config));
    config.method.uncertainty.seed += 1;
    assert_ne!(first, standings(&config));
    // No draws: no probabilities, and BOTTOM cannot tell its solidity (R30's needs no draws).
    config.method.uncertainty.draws = 0;
    let none = run(&reg, &res, None, &config);
    assert!(none.rows.iter().all(|r| r.standing.p_worst.is_none()));
    let bottom: Vec<_> = none.rows.iter().flat_map(|r| &r.reasons).filter(|r| r.criterion == "flag_bottom").collect();
    assert!(!bottom.is_empty() && bottom.iter().all(|r| r.solid.is_none()));
    assert!(none.rows.iter().flat_map(|r| &r.reasons).any(|r| r.criterion == "flag_r30" && r.solid.is_some()));
}

#[test]
fn bottom_on_the_probability_basis_lists_the_school_surely_in_the_worst_share() {
    let (reg, res) = twenty_schools();
    let mut config = Config::defaults().unwrap();
    config.criteria.r30.enabled = false;
    config.criteria.bottom.basis = crate::config::BottomBasis::Probability;
    config.criteria.bottom.min_probability = 0.99;
    let ident = run(&reg, &res, None, &config);
    let listed: Vec<&str> = ident.rows.iter().filter(|r| r.shnor).map(|r| r.school_id.as_str()).collect();
    assert_eq!(listed, ["bad"]);
    let text = super::reason_texts(&row(&ident, "bad").reasons).join(" ");
    assert!(text.contains("вероятность быть в худших 10 % — 100 %") && text.ends_with("надёжно"), "{text}");
}

#[test]
fn schools_under_min_school_participants_are_not_ranked() {
    let (reg, res) = twenty_schools();
    let mut config = Config::defaults().unwrap();
    // Every school has 240 participants over the window: 241 leaves them all out.
    config.method.min_school_participants = 240;
    let ident = run(&reg, &res, None, &config);
    assert!(ident.rows.iter().all(|r| r.inr.is_some() && !r.few_participants));
    config.method.min_school_participants = 241;
    let ident = run(&reg, &res, None, &config);
    let good = row(&ident, "good");
    assert!(good.inr.is_none() && good.few_participants && good.participants_window == Some(240));
    assert_eq!(good.standing_label(), "мало участников");
    // R30 is no rank: a listed school keeps its flag, and its label says how solid it is.
    let bad = row(&ident, "bad");
    assert!(bad.inr.is_none() && bad.shnor && bad.standing_label() == "надёжно");
}

#[test]
fn shrunk_mean_scores_move_small_schools_most() {
    // Mean scores 10 (n = 60), 30 (n = 60), 30 (n = 4), 20 (n = 60): the small school's 30 is
    // pulled further towards the region's mean than the large school's 30.
    let df = df!("x" => [10.0, 30.0, 30.0, 20.0], "n" => [60i64, 60, 4, 60], "g" => [1, 1, 1, 1]).unwrap();
    let out = crate::indices::uncertainty::with_mean_posterior(df.lazy(), "x", "n", &["g"]).collect().unwrap();
    let m = crate::model::columns::floats(&out, "post_mean").unwrap();
    let s = crate::model::columns::floats(&out, "post_sd").unwrap();
    let (large, small) = (m[1].unwrap(), m[2].unwrap());
    assert!(small < large && large <= 30.0, "{m:?}");
    assert!(s[2].unwrap() > s[1].unwrap(), "{s:?}");
    // Equal n everywhere: the within-school variance cannot be told from the between: no
    // shrinkage, no spread.
    let df = df!("x" => [10.0, 30.0, 20.0], "n" => [60i64, 60, 60], "g" => [1, 1, 1]).unwrap();
    let out = crate::indices::uncertainty::with_mean_posterior(df.lazy(), "x", "n", &["g"]).collect().unwrap();
    assert_eq!(crate::model::columns::floats(&out, "post_mean").unwrap(), vec![Some(10.0), Some(30.0), Some(20.0)]);
    assert_eq!(crate::model::columns::floats(&out, "post_sd").unwrap(), vec![Some(0.0); 3]);
}

#[test]
fn reweighted_inr_is_the_inr_computed_with_those_weights() {
    let reg = register(&[("a", "СОШ"), ("b", "СОШ"), ("c", "СОШ"), ("d", "СОШ")]);
    let res = results(&[
        ("a", 2024, "Математика", 20, 8, Some(9.0)),
        ("b", 2024, "Математика", 25, 2, Some(14.0)),
        ("c", 2024, "Математика", 30, 5, None),
        ("d", 2024, "Математика", 22, 1, Some(16.5)),
        ("a", 2025, "Русский язык", 21, 3, Some(11.0)),
        ("b", 2025, "Русский язык", 24, 9, Some(8.0)),
        ("c", 2025, "Русский язык", 28, 2, Some(15.0)),
        ("d", 2025, "Русский язык", 26, 6, Some(10.0)),
    ]);
    let mut config = Config::defaults().unwrap();
    config.method.min_participants = 5;
    let base = crate::indices::inr::compute(&res, &reg, &config, 2025).unwrap();
    let mut other = config.clone();
    (other.method.inr.w_fail, other.method.inr.w_mean) = (0.8, 0.2);
    let full = crate::indices::inr::compute(&res, &reg, &other, 2025).unwrap();
    let reweighted = crate::indices::inr::reweight(&base, &other).unwrap();
    assert!(full.per_procedure.equals_missing(&reweighted.per_procedure));
    assert!(full.yearly.equals_missing(&reweighted.yearly));
    assert!(full.window.equals_missing(&reweighted.window));
    // The weights do change the index (the test would not tell anything otherwise).
    assert!(!base.window.equals_missing(&full.window));
}
