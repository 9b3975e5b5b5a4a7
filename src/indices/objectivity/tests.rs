use super::*;

/// A ВПР row of the latest year (2025) with its journal counts by ВПР mark:
/// `by_mark[m-2] = (pupils, journal higher, journal lower)`.
struct Row {
    school: &'static str,
    year: i32,
    procedure: &'static str,
    subject: &'static str,
    participants: i64,
    failed: i64,
    by_mark: Option<[(i64, i64, i64); 4]>,
}

fn frame(rows: &[Row]) -> DataFrame {
    let get = |f: &dyn Fn(&Row) -> Option<i64>| -> Vec<Option<i64>> { rows.iter().map(f).collect() };
    let mut cols = vec![
        Column::new("year".into(), rows.iter().map(|r| r.year).collect::<Vec<_>>()),
        Column::new("school_id".into(), rows.iter().map(|r| r.school).collect::<Vec<_>>()),
        Column::new("procedure".into(), rows.iter().map(|r| r.procedure).collect::<Vec<_>>()),
        Column::new("grade".into(), rows.iter().map(|r| if r.procedure == OGE { 9 } else { 5 }).collect::<Vec<i32>>()),
        Column::new("subject".into(), rows.iter().map(|r| r.subject).collect::<Vec<_>>()),
        Column::new("participants".into(), rows.iter().map(|r| r.participants).collect::<Vec<_>>()),
        Column::new("failed".into(), rows.iter().map(|r| r.failed).collect::<Vec<_>>()),
    ];
    let sum = |r: &Row, k: usize| r.by_mark.map(|b| b.iter().map(|t| [t.0, t.1, t.2][k]).sum::<i64>());
    cols.push(Column::new("j_n".into(), get(&|r| sum(r, 0))));
    cols.push(Column::new("j_higher".into(), get(&|r| sum(r, 1))));
    cols.push(Column::new("j_lower".into(), get(&|r| sum(r, 2))));
    for m in 2..=5usize {
        cols.push(Column::new(format!("j_n_{m}").into(), get(&|r| r.by_mark.map(|b| b[m - 2].0))));
        cols.push(Column::new(format!("j_higher_{m}").into(), get(&|r| r.by_mark.map(|b| b[m - 2].1))));
        cols.push(Column::new(format!("j_lower_{m}").into(), get(&|r| r.by_mark.map(|b| b[m - 2].2))));
    }
    DataFrame::new_infer_height(cols).unwrap()
}

fn register(types: &[(&str, &str)]) -> DataFrame {
    DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), types.iter().map(|t| t.0).collect::<Vec<_>>()),
        Column::new("school_type".into(), types.iter().map(|t| t.1).collect::<Vec<_>>()),
    ])
    .unwrap()
}

fn flagged(df: &DataFrame) -> Vec<(String, String)> {
    let f = df.clone().lazy().filter(col("flagged")).collect().unwrap();
    let ids = f.column("school_id").unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect::<Vec<_>>();
    let ms = f.column("marker").unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect::<Vec<_>>();
    ids.into_iter().zip(ms).collect()
}

fn vpr(school: &'static str, by_mark: [(i64, i64, i64); 4]) -> Row {
    let n = by_mark.iter().map(|t| t.0).sum();
    Row { school, year: 2025, procedure: VPR, subject: "Математика", participants: n, failed: by_mark[0].0, by_mark: Some(by_mark) }
}

#[test]
fn benjamini_hochberg_matches_a_hand_worked_list() {
    // p = 0.01, 0.04, 0.03, 0.005, none; m = 4. Sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02,
    // 0.03·4/3 = 0.04, 0.04·4/4 = 0.04; the running minimum from the top keeps them.
    let df = DataFrame::new_infer_height(vec![Column::new("p".into(), [Some(0.01), Some(0.04), Some(0.03), Some(0.005), None])]).unwrap();
    let q: Vec<Option<f64>> = benjamini_hochberg(df).unwrap().column("q").unwrap().f64().unwrap().iter().collect();
    let want = [Some(0.02), Some(0.04), Some(0.04), Some(0.02), None];
    for (a, b) in q.iter().zip(want) {
        assert_eq!(a.map(|x| (x * 1e9).round()), b.map(|x: f64| (x * 1e9).round()), "{q:?}");
    }
    // A larger p before a smaller adjusted one takes the smaller (monotone): 0.04·3/2 = 0.06 > 0.045.
    let df = DataFrame::new_infer_height(vec![Column::new("p".into(), [0.02, 0.04, 0.045])]).unwrap();
    let q: Vec<f64> = benjamini_hochberg(df).unwrap().column("q").unwrap().f64().unwrap().iter().flatten().collect();
    assert!((q[0] - 0.045).abs() < 1e-12 && (q[1] - 0.045).abs() < 1e-12 && (q[2] - 0.045).abs() < 1e-12, "{q:?}");
}

#[test]
fn the_normal_tail_is_right() {
    assert!((upper_tail(0.0) - 0.5).abs() < 1e-7);
    assert!((upper_tail(1.959963984540054) - 0.025).abs() < 1e-7);
    assert!((upper_tail(-1.644853626951) - 0.95).abs() < 1e-7);
}

/// Twenty ordinary schools: per ВПР mark 2/3/4/5 — 5 pupils each; the journal higher for two
/// pupils of «2» (weak pupils get the benefit of the doubt), lower for one pupil of each mark
/// above 2.
fn ordinary(ids: &[&'static str]) -> Vec<Row> {
    ids.iter().map(|s| vpr(s, [(5, 2, 0), (5, 0, 1), (5, 0, 1), (5, 0, 1)])).collect()
}

const IDS: [&str; 20] = ["a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "a10", "a11", "a12", "a13", "a14", "a15", "a16", "a17", "a18", "a19", "a20"];

#[test]
fn m1_fires_on_an_inflated_journal_not_on_a_weak_school() {
    let mut rows = ordinary(&IDS);
    // Inflated: 30 pupils, every one with a «2» or «3» in ВПР has a higher journal mark.
    rows.push(vpr("inflated", [(10, 10, 0), (10, 10, 0), (5, 1, 1), (5, 0, 1)]));
    // Weak: all «2» in ВПР, the journal higher at the region's rate for «2» (2 in 5). Against the
    // region's pupils of every mark (2 of 15 who could get a higher journal mark, 13 %) its 40 %
    // would be an excess of 0.27 — a marker on weakness itself; against pupils of its own marks it
    // is none.
    rows.push(vpr("weak", [(30, 12, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)]));
    // Too few pupils with both marks to be judged, however extreme.
    rows.push(vpr("tiny", [(5, 5, 0), (4, 4, 0), (0, 0, 0), (0, 0, 0)]));
    let out = compute(&frame(&rows), &register(&[]), &Config::defaults().unwrap(), 2025).unwrap();
    let f = flagged(&out);
    assert!(f.contains(&("inflated".into(), M1_UP.into())), "{f:?}");
    assert!(!f.iter().any(|(s, _)| s == "weak" || s.starts_with('a')), "{f:?}");
    // No test below the minimum number of pupils.
    let tested: Vec<&str> = out.column("school_id").unwrap().str().unwrap().iter().flatten().collect();
    assert!(!tested.contains(&"tiny"));
}

#[test]
fn m4_fires_on_a_jump_between_years() {
    let mut rows = Vec::new();
    for (i, s) in IDS.iter().enumerate() {
        let failed = 5 + (i as i64 % 3);
        rows.push(Row { school: s, year: 2024, procedure: VPR, subject: "Математика", participants: 40, failed, by_mark: None });
        rows.push(Row { school: s, year: 2025, procedure: VPR, subject: "Математика", participants: 40, failed: failed + 1, by_mark: None });
    }
    // From 60 % of «2» to 5 %.
    rows.push(Row { school: "jump", year: 2024, procedure: VPR, subject: "Математика", participants: 40, failed: 24, by_mark: None });
    rows.push(Row { school: "jump", year: 2025, procedure: VPR, subject: "Математика", participants: 40, failed: 2, by_mark: None });
    // The same jump on 8 pupils a year: below the minimum n, not tested.
    rows.push(Row { school: "small", year: 2024, procedure: VPR, subject: "Математика", participants: 8, failed: 5, by_mark: None });
    rows.push(Row { school: "small", year: 2025, procedure: VPR, subject: "Математика", participants: 8, failed: 0, by_mark: None });
    let df = frame(&rows);
    let out = compute(&df, &register(&[]), &Config::defaults().unwrap(), 2025).unwrap();
    assert_eq!(flagged(&out), vec![("jump".to_string(), M4.to_string())]);
    let tested: Vec<&str> = out.column("school_id").unwrap().str().unwrap().iter().flatten().collect();
    assert!(!tested.contains(&"small"));
}

#[test]
fn m3_fires_when_oge_does_not_confirm_vpr_and_spares_lyceums() {
    let mut rows = Vec::new();
    for (i, s) in IDS.iter().enumerate() {
        // ВПР and ОГЭ agree: the same order of schools.
        rows.push(Row { school: s, year: 2025, procedure: VPR, subject: "Математика", participants: 40, failed: i as i64, by_mark: None });
        rows.push(Row { school: s, year: 2025, procedure: OGE, subject: "Математика", participants: 20, failed: i as i64 / 2, by_mark: None });
    }
    for s in ["good_vpr", "lyceum"] {
        // Best in ВПР, worst in ОГЭ.
        rows.push(Row { school: s, year: 2025, procedure: VPR, subject: "Математика", participants: 40, failed: 0, by_mark: None });
        rows.push(Row { school: s, year: 2025, procedure: OGE, subject: "Математика", participants: 20, failed: 15, by_mark: None });
    }
    let df = frame(&rows);
    let reg = register(&[("good_vpr", "Средняя общеобразовательная школа"), ("lyceum", "Лицей")]);
    let out = compute(&df, &reg, &Config::defaults().unwrap(), 2025).unwrap();
    assert_eq!(flagged(&out), vec![("good_vpr".to_string(), M3.to_string())]);
}

#[test]
fn exclude_sets_aside_exactly_the_marked_works() {
    let mut rows = Vec::new();
    for (school, subject) in [("a", "Математика"), ("a", "Русский язык"), ("b", "Математика"), ("b", "Математика"), ("c", "Математика")] {
        rows.push(Row { school, year: 2025, procedure: VPR, subject, participants: 20, failed: 2, by_mark: None });
    }
    rows.push(Row { school: "a", year: 2024, procedure: VPR, subject: "Математика", participants: 20, failed: 2, by_mark: None });
    rows.push(Row { school: "b", year: 2025, procedure: OGE, subject: "Математика", participants: 20, failed: 2, by_mark: None });
    let mut results = frame(&rows);
    // Grades: the 4th row is grade 6.
    let grades: Vec<i32> = (0..results.height()).map(|i| match i { 3 => 6, 6 => 9, _ => 5 }).collect();
    results.with_column(Column::new("grade".into(), grades)).unwrap();
    // Markers: a — ВПР 5 Математика (a procedure's own marker); b — the subject Математика (M3,
    // no grade); c — a marker that is tested but not set.
    let markers = DataFrame::new_infer_height(vec![
        Column::new("school_id".into(), ["a", "b", "c"]),
        Column::new("grade".into(), [Some(5i32), None, Some(5)]),
        Column::new("subject".into(), [Some("Математика"), Some("Математика"), Some("Математика")]),
        Column::new("flagged".into(), [true, true, false]),
    ])
    .unwrap();
    let (kept, gone) = set_aside(&results, &markers, 2025).unwrap();
    assert_eq!(gone, 3);
    let left: Vec<(String, i32, String, i32)> = (0..kept.height())
        .map(|i| {
            let s = |c: &str| kept.column(c).unwrap().str().unwrap().get(i).unwrap_or("").to_string();
            let n = |c: &str| kept.column(c).unwrap().cast(&DataType::Int32).unwrap().i32().unwrap().get(i).unwrap_or(0);
            (s("school_id"), n("year"), s("subject"), n("grade"))
        })
        .collect();
    // Left: a's Russian and its previous year, b's ОГЭ, c's work.
    assert_eq!(left.len(), 4, "{left:?}");
    assert!(left.contains(&("a".into(), 2025, "Русский язык".into(), 5)) && left.contains(&("a".into(), 2024, "Математика".into(), 5)));
    assert!(left.contains(&("c".into(), 2025, "Математика".into(), 5)) && left.iter().any(|r| r.0 == "b" && r.3 == 9));
}

#[test]
fn the_binomial_tail_matches_hand_worked_values() {
    assert!((binomial_upper_tail(2, 3, 0.5) - 0.5).abs() < 1e-12);
    assert!((binomial_upper_tail(3, 3, 0.5) - 0.125).abs() < 1e-12);
    // Σ_{i=6}^{10} C(10, i)·0.3^i·0.7^(10−i).
    assert!((binomial_upper_tail(6, 10, 0.3) - 0.047_348_987_6).abs() < 1e-9);
    // Large n stays finite and right: P(X ≥ 120 | 200, 0.5).
    assert!((binomial_upper_tail(120, 200, 0.5) - 0.002_842_578_0).abs() < 1e-9);
    assert_eq!(binomial_upper_tail(0, 10, 0.3), 1.0);
    assert_eq!(binomial_upper_tail(11, 10, 0.3), 0.0);
}

/// ВПР rows of the latest year with the window counts at the boundary of «3»:
/// `(school, pupils in the window, of them at b or b + 1)`.
fn bunching_frame(rows: &[(&'static str, i64, i64)]) -> DataFrame {
    let mut df = frame(&rows.iter().map(|r| Row { school: r.0, year: 2025, procedure: VPR, subject: "Математика", participants: 60, failed: 10, by_mark: None }).collect::<Vec<_>>());
    let some = |f: fn(&(&'static str, i64, i64)) -> i64| rows.iter().map(|r| Some(f(r))).collect::<Vec<Option<i64>>>();
    let none = vec![None::<i64>; rows.len()];
    let ten = vec![Some(10i64); rows.len()];
    let columns = [
        ("b3_score", vec![Some(5i64); rows.len()]), ("b3_window", some(|r| r.1)), ("b3_at", some(|r| r.2)), ("b3_under", ten.clone()), ("b3_over", ten),
        ("b4_score", none.clone()), ("b4_window", none.clone()), ("b4_at", none.clone()), ("b4_under", none.clone()), ("b4_over", none),
    ];
    for (c, v) in columns {
        df.with_column(Column::new(c.into(), v)).unwrap();
    }
    df
}

#[test]
fn m2_fires_on_a_jump_at_the_boundary_not_on_a_fuller_window() {
    let mut rows: Vec<(&'static str, i64, i64)> = IDS.iter().map(|s| (*s, 20, 10)).collect();
    // Bunched: 27 of 30 pupils around the boundary sit at it or one point above.
    rows.push(("bunched", 30, 27));
    // Weak: three times as many pupils near the «3» boundary, spread as in the region.
    rows.push(("weak", 60, 30));
    // Too few pupils in the window to judge, however extreme.
    rows.push(("tiny", 11, 11));
    let out = compute(&bunching_frame(&rows), &register(&[]), &Config::defaults().unwrap(), 2025).unwrap();
    // The work's test and the school's pooled one (here the same single work).
    assert_eq!(flagged(&out), vec![("bunched".to_string(), M2_3.to_string()), ("bunched".to_string(), M2.to_string())]);
    let m2 = out.lazy().filter(col("marker").eq(lit(M2_3))).collect().unwrap();
    let tested: Vec<&str> = m2.column("school_id").unwrap().str().unwrap().iter().flatten().collect();
    assert!(!tested.contains(&"tiny") && tested.contains(&"weak"), "{tested:?}");
    // A smaller excess (0.65 against the region's 0.53) is below the minimum effect of 0.15, and
    // above it when the minimum is lowered.
    let mut rows: Vec<(&'static str, i64, i64)> = IDS.iter().map(|s| (*s, 40, 20)).collect();
    rows.push(("some", 200, 130));
    let mut config = Config::defaults().unwrap();
    assert!(flagged(&compute(&bunching_frame(&rows), &register(&[]), &config, 2025).unwrap()).is_empty());
    config.objectivity.m2_min_effect = 0.05;
    let found = flagged(&compute(&bunching_frame(&rows), &register(&[]), &config, 2025).unwrap());
    assert_eq!(found, vec![("some".to_string(), M2_3.to_string()), ("some".to_string(), M2.to_string())]);
}
