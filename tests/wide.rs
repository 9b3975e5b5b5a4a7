//! Wide per-school result forms (subjects in column blocks) and schools known only by name: a
//! hand-made two-sheet workbook whose every value is checked in the aggregates.

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::{Format, Formula, Workbook};
use serde_json::Value;

mod common;
use common::{shnor, write};

const REGISTER: &str = "school_id;name;municipality\n\
s1;МБОУ «СОШ № 1»;Северный район\n\
s2;МБОУ «СОШ № 1»;Южный район\n\
s3;МАОУ «Гимназия № 2»;Северный район\n\
s4;МКОУ «Ивановская ООШ»;Южный район\n\
s5;Лицей № 7;Южный район\n";

/// Sheet «ЕГЭ-2024» (header rows 3–4, merged; column numbers in row 5; subjects from column D):
///
/// | row | B (МО) | C (school) | Русский язык: D participants, E below min, F mean | Математика профильная: G, H, I |
/// |---|---|---|---|---|
/// | 6 | ВСЕГО по региону | | formulas | formulas |
/// | 7 | Северный район | | formulas | |
/// | 8 | | СОШ №1 → s1 | 20, blank (= 0), 65.5 | 10, 3, «х» |
/// | 9 | | МАОУ "Гимназия №2" → s3 | =10+5 (cached 15), 1, 70 | empty block |
/// | 10 | Южный район | | | |
/// | 11 | | СОШ № 1 → s2 | 30, 9, blank mean | 12, 12, 30 |
/// | 12 | | Итого по Южному району | | |
/// | 13 | | Лицей №7 → s4 (crosswalk) | 8, «abc» (excluded) | empty |
///
/// Sheet «ЕГЭ-2025»: shifted one column right (an extra «Код МО» column B), header rows 2–3, no
/// column numbers; «Гимназия № 2» (Северный) → s3: 10, 0, 80; «СОШ № 1» in a municipality the
/// register does not know → ambiguous (s1 or s2), never guessed; «Лицей № 7» (Южный) → s4 by the
/// crosswalk, although the name alone would give s5.
fn workbook(dir: &Path) -> std::path::PathBuf {
    let mut wb = Workbook::new();
    let merge = Format::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name("ЕГЭ-2024").unwrap();
        ws.merge_range(0, 0, 0, 8, "Результаты ЕГЭ по ОО", &merge).unwrap();
        for (c, h) in ["№ п/п", "Муниципалитет", "Наименование ОО"].iter().enumerate() {
            ws.merge_range(2, c as u16, 3, c as u16, h, &merge).unwrap();
        }
        ws.merge_range(2, 3, 2, 5, "Русский язык, чел.", &merge).unwrap();
        ws.merge_range(2, 6, 2, 8, "Математика (профильный уровень), чел.", &merge).unwrap();
        for (c, h) in ["приняло участие", "не преодолен min порог", "средний балл"].iter().enumerate() {
            ws.write_string(3, 3 + c as u16, *h).unwrap();
            ws.write_string(3, 6 + c as u16, *h).unwrap();
        }
        for c in 0..9u16 {
            ws.write_number(4, c, f64::from(c + 1)).unwrap();
        }
        ws.write_string(5, 1, "ВСЕГО по региону").unwrap();
        ws.write_formula(5, 3, Formula::new("=D7+D10").set_result("73")).unwrap();
        ws.write_string(6, 1, "Северный район").unwrap();
        ws.write_formula(6, 3, Formula::new("=SUM(D8:D9)").set_result("35")).unwrap();
        ws.write_number(7, 0, 1.0).unwrap();
        ws.write_string(7, 2, "СОШ №1").unwrap();
        ws.write_number(7, 3, 20.0).unwrap();
        ws.write_number(7, 5, 65.5).unwrap();
        ws.write_number(7, 6, 10.0).unwrap();
        ws.write_number(7, 7, 3.0).unwrap();
        ws.write_string(7, 8, "х").unwrap();
        ws.write_number(8, 0, 2.0).unwrap();
        ws.write_string(8, 2, "МАОУ \"Гимназия №2\"").unwrap();
        ws.write_formula(8, 3, Formula::new("=10+5").set_result("15")).unwrap();
        ws.write_number(8, 4, 1.0).unwrap();
        ws.write_number(8, 5, 70.0).unwrap();
        ws.write_string(9, 1, "Южный район").unwrap();
        ws.write_number(10, 0, 3.0).unwrap();
        ws.write_string(10, 2, "СОШ № 1").unwrap();
        ws.write_number(10, 3, 30.0).unwrap();
        ws.write_number(10, 4, 9.0).unwrap();
        ws.write_number(10, 6, 12.0).unwrap();
        ws.write_number(10, 7, 12.0).unwrap();
        ws.write_number(10, 8, 30.0).unwrap();
        ws.write_string(11, 2, "Итого по Южному району").unwrap();
        ws.write_number(11, 3, 38.0).unwrap();
        ws.write_number(12, 0, 4.0).unwrap();
        ws.write_string(12, 2, "Лицей №7").unwrap();
        ws.write_number(12, 3, 8.0).unwrap();
        ws.write_string(12, 4, "abc").unwrap();
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("ЕГЭ-2025").unwrap();
        for (c, h) in ["№ п/п", "Код МО", "Муниципалитет", "Наименование ОО"].iter().enumerate() {
            ws.merge_range(1, c as u16, 2, c as u16, h, &merge).unwrap();
        }
        ws.merge_range(1, 4, 1, 6, "Русский язык", &merge).unwrap();
        for (c, h) in ["Приняло участие", "Не преодолен min порог", "Средний балл"].iter().enumerate() {
            ws.write_string(2, 4 + c as u16, *h).unwrap();
        }
        ws.write_string(3, 2, "Северный район").unwrap();
        ws.write_string(4, 3, "Гимназия № 2").unwrap();
        ws.write_number(4, 4, 10.0).unwrap();
        ws.write_number(4, 6, 80.0).unwrap();
        ws.write_string(5, 2, "Неизвестный район").unwrap();
        ws.write_string(6, 3, "СОШ № 1").unwrap();
        ws.write_number(6, 4, 11.0).unwrap();
        ws.write_string(7, 2, "Южный район").unwrap();
        ws.write_string(8, 3, "Лицей № 7").unwrap();
        ws.write_number(8, 4, 9.0).unwrap();
        ws.write_number(8, 5, 1.0).unwrap();
        ws.write_number(8, 6, 50.0).unwrap();
    }
    let p = dir.join("ege.xlsx");
    wb.save(&p).unwrap();
    p
}

fn region(dir: &Path) -> std::path::PathBuf {
    write(dir, "schools.csv", REGISTER.as_bytes());
    write(dir, "cw.csv", "Наименование в источнике;Муниципалитет;Логин ОО\nЛицей № 7;Южный район;s4\n".as_bytes());
    workbook(dir);
    let cfg = "[[input]]\nkind = \"schools\"\npath = \"schools.csv\"\n\n\
               [[input]]\nkind = \"results\"\npath = \"ege.xlsx\"\nlayout = \"wide\"\n\n\
               [[input]]\nkind = \"crosswalk\"\npath = \"cw.csv\"\n";
    write(dir, "region.toml", cfg.as_bytes())
}

fn check(cfg: &Path) -> Value {
    let out = shnor().args(["check", "--format", "json"]).arg(cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn results_input(v: &Value) -> &Value {
    v["inputs"].as_array().unwrap().iter().find(|i| i["kind"] == "results").unwrap()
}

#[test]
fn wide_form_sheets_header_and_skipped_rows() {
    let dir = tempfile::tempdir().unwrap();
    let v = check(&region(dir.path()));
    let r = results_input(&v);
    let sheets = r["wide"]["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 2);
    let (a, b) = (&sheets[0], &sheets[1]);
    assert_eq!((a["sheet"].as_str(), a["year"].as_i64(), a["procedure"].as_str()), (Some("ЕГЭ-2024"), Some(2024), Some("ЕГЭ")));
    assert_eq!((a["subject_row"].as_u64(), a["metric_row"].as_u64()), (Some(3), Some(4)));
    let skipped: Vec<(u64, &str)> = a["skipped"].as_array().unwrap().iter().map(|k| (k["row"].as_u64().unwrap(), k["kind"].as_str().unwrap())).collect();
    assert_eq!(skipped, [(5, "column_numbers"), (6, "total"), (7, "municipality"), (10, "municipality"), (12, "total")]);
    assert_eq!(a["school_rows"], 4);
    assert_eq!(a["rows"], 9);
    assert_eq!(a["empty_blocks"], 2);
    let blocks: Vec<(&str, &str)> = a["blocks"].as_array().unwrap().iter().map(|b| (b["header"].as_str().unwrap(), b["subject"].as_str().unwrap())).collect();
    assert_eq!(blocks, [("Русский язык, чел.", "Русский язык"), ("Математика (профильный уровень), чел.", "Математика (профильный уровень)")]);
    // The second sheet: shifted by a column, header higher up, no column numbers.
    assert_eq!((b["year"].as_i64(), b["subject_row"].as_u64(), b["metric_row"].as_u64()), (Some(2025), Some(2), Some(3)));
    assert_eq!(b["blocks"][0]["metrics"][0], serde_json::json!(["E", "participants"]));
    assert_eq!(b["school_rows"], 3);
    assert!(r["unknown_columns"].as_array().unwrap().iter().any(|u| u.as_str().unwrap().contains("Код МО")));
    // Records: 6 + 3 with values, of which one has a bad count and one an ambiguous name.
    assert_eq!(r["rows_read"], 9);
    assert_eq!(r["rows_used"], 7);
    let excluded: Vec<(&str, u64)> = r["excluded"].as_array().unwrap().iter().map(|e| (e["reason"].as_str().unwrap(), e["count"].as_u64().unwrap())).collect();
    assert_eq!(excluded, [("ambiguous_name", 1), ("bad_count", 1)]);
    let m = &r["name_matching"];
    assert_eq!((m["exact"].as_u64(), m["normalized"].as_u64(), m["crosswalk"].as_u64(), m["ambiguous"].as_u64(), m["unmatched"].as_u64()), (Some(0), Some(6), Some(2), Some(1), Some(0)));
    // Problems name the sheet, the row and the column of the form.
    let problems = r["problems"].as_array().unwrap();
    let bad = problems.iter().find(|p| p["code"] == "bad_count").unwrap();
    assert_eq!((bad["sheet"].as_str(), bad["row"].as_u64(), bad["value"].as_str()), (Some("ЕГЭ-2024"), Some(13), Some("abc")));
    assert!(bad["column"].as_str().unwrap().starts_with("E: Русский язык"), "{bad}");
    let amb = problems.iter().find(|p| p["code"] == "ambiguous_name").unwrap();
    assert_eq!((amb["sheet"].as_str(), amb["row"].as_u64()), (Some("ЕГЭ-2025"), Some(7)));
    let msg = amb["message"].as_str().unwrap();
    assert!(msg.contains("(s1,") && msg.contains("(s2,"), "{msg}");
}

#[test]
fn wide_form_values_reach_the_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = region(dir.path());
    let out = dir.path().join("out");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&out).assert().success();
    let df = ParquetReader::new(std::fs::File::open(out.join("aggregates/results.parquet")).unwrap()).finish().unwrap();
    let rows = df.height();
    let get = |i: usize, c: &str| df.column(c).unwrap().get(i).unwrap().to_string();
    let mut seen: Vec<String> = (0..rows)
        .map(|i| format!("{} {} {} {} {} {} {}", get(i, "year"), get(i, "school_id"), get(i, "grade"), get(i, "subject"), get(i, "participants"), get(i, "failed"), get(i, "mean_score")))
        .collect();
    seen.sort();
    let want = [
        // s1: a blank «не преодолен» is zero; «х» as the mean is no mean.
        "2024 \"s1\" 11 \"Математика профильная\" 10 3 null",
        "2024 \"s1\" 11 \"Русский язык\" 20 0 65.5",
        // s2 by its municipality; a blank mean stays unknown (not zero).
        "2024 \"s2\" 11 \"Математика профильная\" 12 12 30.0",
        "2024 \"s2\" 11 \"Русский язык\" 30 9 null",
        // s3: the cached value of a formula cell; no row for its empty mathematics block.
        "2024 \"s3\" 11 \"Русский язык\" 15 1 70.0",
        "2025 \"s3\" 11 \"Русский язык\" 10 0 80.0",
        // The crosswalk wins over the name: «Лицей № 7» in Южный район is s4.
        "2025 \"s4\" 11 \"Русский язык\" 9 1 50.0",
    ];
    assert_eq!(seen, want);
}

#[test]
fn wide_form_with_explicit_rows_and_unknown_year_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    region(dir.path());
    // A sheet name without a year and no title: the year must be given.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Лист1").unwrap();
    ws.write_string(0, 0, "Наименование ОО").unwrap();
    ws.write_string(0, 1, "ОГЭ Математика").unwrap();
    ws.write_string(1, 1, "Приняло участие").unwrap();
    ws.write_string(1, 2, "«2»").unwrap();
    ws.write_string(2, 0, "Гимназия № 2").unwrap();
    ws.write_number(2, 1, 12.0).unwrap();
    ws.write_number(2, 2, 2.0).unwrap();
    wb.save(dir.path().join("oge.xlsx")).unwrap();
    let base = "[[input]]\nkind = \"schools\"\npath = \"schools.csv\"\n\n[[input]]\nkind = \"results\"\npath = \"oge.xlsx\"\nlayout = \"wide\"\n";
    let cfg = write(dir.path(), "a.toml", base.as_bytes());
    let out = shnor().args(["check", "--format", "json"]).arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let msg = results_input(&v)["problems"][0]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("Лист1") && msg.contains("год"), "{msg}");
    // With the year (and the header rows spelled out) it reads; the procedure comes from the block.
    let cfg = write(dir.path(), "b.toml", format!("{base}year = 2025\n[input.wide]\nsubject_row = 1\nmetric_row = 2\n").as_bytes());
    let v = check(&cfg);
    let r = results_input(&v);
    assert_eq!(r["rows_used"], 1, "{r}");
    assert_eq!(r["wide"]["sheets"][0]["blocks"][0]["procedure"], "ОГЭ");
    assert_eq!(r["wide"]["sheets"][0]["blocks"][0]["subject"], "Математика");
    // Wrong settings are usage errors that name the key.
    let bad = write(dir.path(), "c.toml", format!("{base}[input.wide.metrics]\n\"сдавали\" = \"students\"\n").as_bytes());
    shnor().arg("check").arg(&bad).assert().code(2).stderr(predicates::str::contains("wide.metrics"));
    let bad = write(dir.path(), "d.toml", b"[[input]]\nkind = \"questionnaire\"\npath = \"oge.xlsx\"\nlayout = \"wide\"\n");
    shnor().arg("check").arg(&bad).assert().code(2).stderr(predicates::str::contains("wide"));
}

/// Named on the command line without any configuration, a wide form is recognised as one.
#[test]
fn wide_form_recognised_without_configuration() {
    let dir = tempfile::tempdir().unwrap();
    region(dir.path());
    let (reg, ege) = (dir.path().join("schools.csv"), dir.path().join("ege.xlsx"));
    let out = shnor().args(["check", "--format", "json", "--schools"]).arg(&reg).arg("--results").arg(&ege).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = results_input(&v);
    assert_eq!(r["wide"]["sheets"].as_array().map(Vec::len), Some(2));
    assert_eq!(r["rows_read"], 9);
}
