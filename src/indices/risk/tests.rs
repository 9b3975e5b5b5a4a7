use super::*;
use crate::config::risk::{Factor, Source};

fn factor(source: Source, columns: &[&str], direction: Direction, weight: f64, threshold: Option<f64>) -> Factor {
    Factor {
        name: "f".into(),
        source,
        subjects: Vec::new(),
        indicator: None,
        columns: columns.iter().map(|s| s.to_string()).collect(),
        direction,
        weight,
        threshold,
        directions: vec!["d".into()],
    }
}

fn config(factors: Vec<(&str, Factor)>) -> Config {
    let mut c = Config::defaults().unwrap();
    c.risk.factors = factors.into_iter().map(|(k, f)| (k.to_string(), f)).collect();
    c
}

struct Data {
    base: DataFrame,
    per_procedure: DataFrame,
    context: DataFrame,
}

fn data() -> Data {
    let ids = ["a", "b", "c", "d", "e"];
    Data {
        base: df!("school_id" => ids, "isbsh" => [90.0, 95.0, 100.0, 105.0, 110.0], "students" => [100i64, 200, 300, 400, 500]).unwrap(),
        per_procedure: df!("year" => [2025i32; 5], "school_id" => ids, "subject" => ["Математика"; 5], "participants" => [10i64; 5], "failed" => [0i64, 0, 1, 2, 5], "term" => [10.0, 20.0, 30.0, 40.0, 50.0]).unwrap(),
        // «Вакансии»: most schools have none (a tie at the best value).
        context: df!("school_id" => ids, "Вакансии" => [0.0, 0.0, 0.0, 0.0, 3.0], "Удалённость" => [0.1, 0.2, 0.3, 0.4, 0.5], "Текст" => ["село"; 5]).unwrap(),
    }
}

fn inputs<'a>(d: &'a Data, sd: Option<&'a DataFrame>) -> Inputs<'a> {
    Inputs { base: &d.base, per_procedure: &d.per_procedure, questionnaire: None, tables: vec![&d.base, &d.context], markers: None, selfdiagnosis: sd, latest_year: 2025 }
}

fn actual(p: &Profiles, factor: &str) -> Vec<String> {
    let f = p.factors.clone().lazy().filter(col("factor").eq(lit(factor)).and(col("actual"))).collect().unwrap();
    f.column("school_id").unwrap().str().unwrap().iter().flatten().map(str::to_string).collect()
}

#[test]
fn the_worst_quartile_includes_its_boundary() {
    // Eight schools: the two worst make exactly a quarter (actual), the third does not.
    let mut d = data();
    let ids = ["a", "b", "c", "d", "e", "f", "g", "h"];
    d.context = df!("school_id" => ids, "Удалённость" => [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], "Учеников" => [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]).unwrap();
    let c = config(vec![
        ("far", factor(Source::Column, &["удалённость"], Direction::Minus, 1.0, None)),
        ("small", factor(Source::Column, &["учеников"], Direction::Plus, 1.0, None)),
    ]);
    let p = compute(&Inputs { tables: vec![&d.context], ..inputs(&d, None) }, &c).unwrap();
    assert_eq!(actual(&p, "far"), ["g", "h"]);
    assert_eq!(actual(&p, "small"), ["a", "b"]);
    // A tie across the boundary: the tied schools are all out (3 of 8 as bad or worse).
    d.context = df!("school_id" => ids, "Удалённость" => [1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 7.0, 8.0]).unwrap();
    let c = config(vec![("far", factor(Source::Column, &["удалённость"], Direction::Minus, 1.0, None))]);
    let p = compute(&Inputs { tables: vec![&d.context], ..inputs(&d, None) }, &c).unwrap();
    assert_eq!(actual(&p, "far"), ["h"]);
}

#[test]
fn a_tie_at_the_best_value_is_not_a_risk() {
    let d = data();
    let c = config(vec![("vac", factor(Source::Column, &["Вакансии"], Direction::Minus, 1.0, None))]);
    let p = compute(&inputs(&d, None), &c).unwrap();
    assert_eq!(actual(&p, "vac"), ["e"]);
}

#[test]
fn thresholds_subjects_fail_shares_and_the_index() {
    let d = data();
    let mut math = factor(Source::Subject, &[], Direction::Minus, 1.0, Some(35.0));
    math.subjects = vec!["Математика".into()];
    let c = config(vec![
        ("math", math),
        ("fail", factor(Source::FailShare, &[], Direction::Minus, 3.0, Some(0.2))),
        ("isbsh", factor(Source::Isbsh, &[], Direction::Plus, 1.0, None)),
        ("missing", factor(Source::Column, &["нет такого"], Direction::Minus, 1.0, None)),
        ("text", factor(Source::Column, &["Текст"], Direction::Minus, 1.0, None)),
    ]);
    let p = compute(&inputs(&d, None), &c).unwrap();
    assert_eq!(actual(&p, "math"), ["d", "e"]);
    assert_eq!(actual(&p, "fail"), ["d", "e"]);
    assert_eq!(actual(&p, "isbsh"), ["a"]);
    assert_eq!(p.not_evaluated, ["missing", "text"]);
    // d: math and fail actual (weights 1 + 3) of 1 + 3 + 1 → 80; a: isbsh (1 of 5) → 20.
    let s = p.schools.clone().lazy().sort(["school_id"], Default::default()).collect().unwrap();
    let idx: Vec<f64> = s.column("risk_index").unwrap().f64().unwrap().iter().flatten().collect();
    let n: Vec<i64> = s.column("risk_factors").unwrap().i64().unwrap().iter().flatten().collect();
    assert_eq!(idx, [20.0, 0.0, 0.0, 80.0, 80.0]);
    assert_eq!(n, [1, 0, 0, 2, 2]);
}

#[test]
fn a_self_diagnosis_overrides_and_adds() {
    let d = data();
    let c = config(vec![
        ("far", factor(Source::Column, &["удалённость"], Direction::Minus, 1.0, Some(0.35))),
        ("staff", factor(Source::Column, &["нет такого"], Direction::Minus, 1.0, None)),
    ]);
    let sd = df!("school_id" => ["e", "a"], "factor" => ["far", "staff"], "level" => ["низкий", "высокий"], "actual" => [false, true]).unwrap();
    let p = compute(&inputs(&d, Some(&sd)), &c).unwrap();
    assert_eq!(actual(&p, "far"), ["d"]);
    assert_eq!(actual(&p, "staff"), ["a"]);
    let a = p.factors.clone().lazy().filter(col("school_id").eq(lit("a")).and(col("factor").eq(lit("staff")))).collect().unwrap();
    assert_eq!(a.column("level").unwrap().str().unwrap().get(0), Some("высокий"));
    assert_eq!(a.column("value").unwrap().f64().unwrap().get(0), None);
}
