//! whatif and sweep over the stored aggregates of the sample region's run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{samples, shnor};

fn run_sample(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    shnor().arg("run").arg(samples().join("region.toml")).arg("--out").arg(&out).arg("-q").assert().success();
    out
}

fn json_of(args: &[&str], from: &Path) -> Value {
    let out = shnor().args(args).arg("--from").arg(from).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn summary(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

fn list<'a>(w: &'a Value, code: &str) -> &'a Value {
    w["lists"].as_array().unwrap().iter().find(|l| l["list"] == code).unwrap()
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x["school_id"].as_str().unwrap().to_string())).collect()
}

#[test]
fn whatif_with_the_run_parameters_reproduces_the_lists() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let s = summary(&out);
    let w = json_of(&["whatif"], &out);
    assert_eq!(w["changes"], serde_json::json!([]));
    for l in w["lists"].as_array().unwrap() {
        assert_eq!(l["before"], l["after"], "{}", l["list"]);
        assert_eq!(l["entered"], serde_json::json!([]));
        assert_eq!(l["left"], serde_json::json!([]));
    }
    assert_eq!(ids(&list(&w, "shnor_list")["ids"]), ids(&s["shnor_list"]));
    assert_eq!(ids(&list(&w, "shnsu_list")["ids"]), ids(&s["shnsu_list"]));
    assert_eq!(ids(&list(&w, "resilient")["ids"]), ids(&s["resilient"]));
    assert_eq!(list(&w, "shnor_list")["after"], s["on_shnor_list"]);
    // A change that makes the indices be recomputed from the aggregates (instead of taken from
    // the stored index tables) but moves no school: the same lists.
    let w = json_of(&["whatif", "--set", "method.unreliable_below=11"], &out);
    for l in w["lists"].as_array().unwrap() {
        assert_eq!(l["entered"], serde_json::json!([]), "{}", l["list"]);
        assert_eq!(l["left"], serde_json::json!([]), "{}", l["list"]);
    }
    assert_eq!(ids(&list(&w, "shnor_list")["ids"]), ids(&s["shnor_list"]));
}

#[test]
fn raising_the_bottom_cut_off_gives_a_superset() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let s = summary(&out);
    let w = json_of(&["whatif", "--set", "criteria.bottom.share=0.15"], &out);
    let l = list(&w, "shnor_list");
    assert_eq!(l["left"], serde_json::json!([]));
    let after = ids(&l["ids"]);
    assert!(after.is_superset(&ids(&s["shnor_list"])));
    assert!(after.len() > ids(&s["shnor_list"]).len(), "15 % should add schools on the sample region");
    // Each entering school carries its risk profile's index and count (the same before and after:
    // the profile does not depend on the cut-offs).
    for m in l["entered"].as_array().unwrap() {
        let (b, a) = (&m["before"], &m["after"]);
        let index = a["risk_index"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&index), "{m}");
        assert_eq!(b["risk_index"], a["risk_index"]);
        assert_eq!(b["risk_factors"], a["risk_factors"]);
    }
    assert_eq!(w["changes"][0]["key"], "criteria.bottom.share");
}

#[test]
fn switching_r30_off_removes_exactly_the_r30_only_schools() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let s = summary(&out);
    let r30_only: BTreeSet<String> = s["shnor_list"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["flag_r30"] == true && e["flag_bottom"] == false)
        .map(|e| e["school_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!r30_only.is_empty());
    let w = json_of(&["whatif", "--set", "criteria.r30.enabled=false"], &out);
    let l = list(&w, "shnor_list");
    assert_eq!(ids(&l["left"]), r30_only);
    assert_eq!(l["entered"], serde_json::json!([]));
    // whatif.md and whatif.xlsx with --out.
    let wo = dir.path().join("w");
    shnor().args(["whatif", "-q", "--set", "criteria.r30.enabled=false", "--from"]).arg(&out).arg("--out").arg(&wo).assert().success();
    let md = std::fs::read_to_string(wo.join("whatif.md")).unwrap();
    assert!(md.contains("criteria.r30.enabled") && md.contains("вышли"), "{md}");
    assert!(wo.join("whatif.xlsx").is_file());
}

#[test]
fn sweep_rows_agree_with_separate_whatif_calls() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let sw = json_of(&["sweep", "--param", "criteria.bottom.share=0.1:0.2:0.1", "--param", "criteria.combine=any,all"], &out);
    let settings = sw["settings"].as_array().unwrap();
    assert_eq!(settings.len(), 4);
    for st in settings {
        let v = st["values"].as_array().unwrap();
        let (share, combine) = (v[0].as_str().unwrap(), v[1].as_str().unwrap());
        let w = json_of(
            &["whatif", "--set", &format!("criteria.bottom.share={share}"), "--set", &format!("criteria.combine={combine}")],
            &out,
        );
        for code in ["shnor_list", "shnsu_list", "shnor_shnsu", "shnor", "shnsu", "resilient"] {
            assert_eq!(st["counts"][code], list(&w, code)["after"], "{share} {combine} {code}");
        }
    }
    // Robustness: a school flipping inside the grid is ШНОР in some settings only.
    let total = settings.len() as u64;
    for f in sw["flipping"].as_array().unwrap() {
        let n = f["shnor_settings"].as_u64().unwrap();
        assert!(n > 0 && n < total);
    }
    let so = dir.path().join("s");
    shnor().args(["sweep", "-q", "--param", "criteria.bottom.share=0.05:0.25:0.05", "--from"]).arg(&out).arg("--out").arg(&so).assert().success();
    let svg = std::fs::read_to_string(so.join("charts/sweep.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(svg.contains("<polyline"));
    assert!(std::fs::read_to_string(so.join("sweep.md")).unwrap().contains("](charts/sweep.svg)"));
    assert!(so.join("sweep.xlsx").is_file());
}

#[test]
fn unknown_or_unrecomputable_parameters_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(dir.path());
    let err = |args: &[&str], needle: &str| {
        shnor().args(args).arg("--from").arg(&out).assert().code(2).stderr(predicates::str::contains(needle.to_string()));
    };
    err(&["whatif", "--set", "criteria.bottom.shar=0.2"], "criteria.bottom.shar");
    err(&["sweep", "--param", "criteria.nothing=1,2"], "criteria.nothing");
    err(&["whatif", "--set", "method.procedures=[\"ВПР\"]"], "method.procedures");
    err(&["whatif", "--set", "method.years_window=3"], "method.years_window");
    err(&["whatif", "--set", "criteria.bottom.share=1.5"], "criteria.bottom.share");
    err(&["sweep", "--param", "criteria.bottom.share=0.3:0.1:0.05"], "criteria.bottom.share");
}

#[test]
fn r30_keeps_the_previous_year_with_a_one_year_window() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::hand_region(dir.path());
    // run with a one-year window: R30 still compares with Y−1 (s02 is flagged by R30 only).
    let one = dir.path().join("one");
    shnor().args(["--lang", "en", "run", "-q", "--set", "method.years_window=1"]).arg(&cfg).arg("--out").arg(&one).assert().success();
    let rows = common::read_csv(&one.join("schools.csv"));
    let c = rows[0].iter().position(|h| h == "flag_r30").unwrap();
    assert_eq!(rows.iter().find(|r| r[0] == "s02").unwrap()[c], "1");
    // whatif from a two-year run to a one-year window gives the same list as that run.
    let two = dir.path().join("two");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&two).assert().success();
    let w = json_of(&["whatif", "--set", "method.years_window=1"], &two);
    assert_eq!(ids(&list(&w, "shnor_list")["ids"]), ids(&summary(&one)["shnor_list"]));
}
