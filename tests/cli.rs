//! CLI tests over data-samples/ and small hand-made inputs.

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{hand_region, read_csv, samples, shnor, write};



const REGISTER: &str = "Логин ОО;Наименование ОО;Муниципалитет;Тип ОО\ns1;Школа 1;Район А;СОШ\ns2;Школа 2;Район А;ООШ\ns3;Школа 3;Район Б;СОШ\n";


fn check_json(args: &[&str]) -> (Value, i32) {
    let out = shnor().arg("check").args(args).args(["--format", "json"]).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    (v, code)
}

fn input<'a>(v: &'a Value, kind: &str) -> &'a Value {
    v["inputs"].as_array().unwrap().iter().find(|i| i["kind"] == kind).unwrap()
}

fn excluded(i: &Value, reason: &str) -> u64 {
    i["excluded"].as_array().unwrap().iter().find(|e| e["reason"] == reason).map(|e| e["count"].as_u64().unwrap()).unwrap_or(0)
}

fn assert_adds_up(v: &Value) {
    for i in v["inputs"].as_array().unwrap() {
        if i["fatal"].as_bool().unwrap() {
            continue;
        }
        let read = i["rows_read"].as_u64().unwrap();
        let used = i["rows_used"].as_u64().unwrap();
        let excl = i["rows_excluded"].as_u64().unwrap();
        let by_reason: u64 = i["excluded"].as_array().unwrap().iter().map(|e| e["count"].as_u64().unwrap()).sum();
        assert_eq!(read, used + excl, "{}", i["path"]);
        assert_eq!(excl, by_reason, "{}", i["path"]);
    }
}

#[test]
fn sample_region_checks_in_russian() {
    shnor()
        .arg("check")
        .arg(samples().join("region.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Строк прочитано"))
        .stdout(predicate::str::contains("Windows-1251"))
        .stdout(predicate::str::contains("XLSX"))
        .stdout(predicate::str::contains("«Логин ОО» → school_id"))
        .stdout(predicate::str::contains("Итого: файлов 10"))
        .stdout(predicate::str::contains("широкая форма"))
        .stdout(predicate::str::contains("строка муниципалитета"));
}

#[test]
fn sample_region_checks_in_english() {
    shnor()
        .args(["--lang", "en", "check"])
        .arg(samples().join("region.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Rows read"))
        .stdout(predicate::str::contains("Total: 10 files"));
}

#[test]
fn sample_region_accounting_adds_up() {
    let cfg = samples().join("region.toml");
    let (v, code) = check_json(&[cfg.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_adds_up(&v);
    let reg = input(&v, "schools");
    assert_eq!(reg["rows_read"], 300);
    assert_eq!(reg["rows_used"], 300);
    assert_eq!(reg["header_row"], 3);
    assert_eq!(reg["format"], "XLSX");
    // The generator plants one bad mark, one blank id, one unknown school and one «н/д» mark in ВПР 2025.
    let vpr = v["inputs"].as_array().unwrap().iter().find(|i| i["path"].as_str().unwrap().ends_with("/vpr_2025.csv")).unwrap();
    assert_eq!(excluded(vpr, "bad_mark"), 2);
    assert_eq!(excluded(vpr, "blank_id"), 1);
    assert_eq!(excluded(vpr, "unknown_school"), 1);
    let gia = v["inputs"].as_array().unwrap().iter().find(|i| i["path"].as_str().unwrap().ends_with(".csv") && i["encoding"] == "Windows-1251").unwrap();
    assert_eq!(gia["delimiter"], ";");
    assert_eq!(excluded(gia, "bad_count"), 1);
    assert_eq!(excluded(gia, "marks_exceed_participants"), 1);
    assert!(excluded(gia, "procedure_not_in_method") > 0);
    // The printed-style ЕГЭ workbook: two sheets, every row below the header accounted for.
    let ege = v["inputs"].as_array().unwrap().iter().find(|i| i["path"].as_str().unwrap().ends_with("ege_2024_2025.xlsx")).unwrap();
    let sheets = ege["wide"]["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 2);
    for (sheet, year) in sheets.iter().zip([2024, 2025]) {
        assert_eq!(sheet["year"], year);
        assert_eq!(sheet["procedure"], "ЕГЭ");
        assert_eq!((sheet["subject_row"].as_u64(), sheet["metric_row"].as_u64()), (Some(4), Some(5)));
        let kinds: Vec<&str> = sheet["skipped"].as_array().unwrap().iter().map(|k| k["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "column_numbers").count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == "total").count(), 1);
        assert_eq!(kinds.iter().filter(|k| **k == "municipality").count(), 20);
        let school_rows = sheet["school_rows"].as_u64().unwrap();
        assert_eq!(sheet["rows"].as_u64().unwrap(), school_rows + kinds.len() as u64);
        let subjects: Vec<&str> = sheet["blocks"].as_array().unwrap().iter().map(|b| b["subject"].as_str().unwrap()).collect();
        assert_eq!(subjects, ["Русский язык", "Математика профильная", "Математика базовая", "Обществознание"]);
    }
    // Records: each school row × subject block with a value.
    let blocks: u64 = sheets.iter().map(|s| s["school_rows"].as_u64().unwrap() * 4 - s["empty_blocks"].as_u64().unwrap()).sum();
    assert_eq!(ege["rows_read"].as_u64(), Some(blocks));
    // Planted: one school with a typo in its name (never guessed), one under its former name
    // (resolved by the crosswalk); Обществознание is outside the method.
    assert_eq!(ege["name_matching"]["unmatched"], 8);
    assert_eq!(ege["name_matching"]["crosswalk"], 8);
    assert_eq!(ege["name_matching"]["ambiguous"], 0);
    assert_eq!(excluded(ege, "unmatched_name"), 8);
    assert!(excluded(ege, "procedure_not_in_method") > 0);
    assert_eq!(v["latest_year"], 2025);
}

#[test]
fn each_cyrillic_encoding_and_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Год;Логин ОО;Процедура;Класс;Предмет;Кол-во участников;2;3;4;5;Средний балл\n2025;s1;ВПР;4;Русский язык;20;2;8;6;4;14,5\n2025;s2;ВПР;4;Русский язык;10;1;4;3;2;15,25\n";
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    for enc in [encoding_rs::WINDOWS_1251, encoding_rs::KOI8_R, encoding_rs::IBM866, encoding_rs::UTF_8] {
        for delim in [";", ",", "\t"] {
            let body = if delim == ";" { text.to_string() } else {
                // Decimal commas must be quoted when the delimiter is a comma.
                text.lines().map(|l| l.split(';').map(|c| if c.contains(',') { format!("\"{c}\"") } else { c.to_string() }).collect::<Vec<_>>().join(delim)).collect::<Vec<_>>().join("\n")
            };
            let (bytes, _, _) = enc.encode(&body);
            let p = write(dir.path(), "r.csv", &bytes);
            let (v, code) = check_json(&["--schools", reg.to_str().unwrap(), "--results", p.to_str().unwrap()]);
            assert_eq!(code, 0, "{} {delim:?}: {v}", enc.name());
            let r = input(&v, "results");
            assert_eq!(r["rows_used"], 2, "{} {delim:?}: {r}", enc.name());
            let want_delim = if delim == "\t" { "TAB" } else { delim };
            assert_eq!(r["delimiter"], want_delim);
            let mapped = r["mapped"].as_array().unwrap();
            assert!(mapped.iter().any(|m| m["source"] == "Логин ОО" && m["canonical"] == "school_id"), "{} {delim:?}", enc.name());
        }
    }
}

#[test]
fn quoted_newlines_and_thousands_separators() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", "Логин ОО;Наименование ОО;Муниципалитет;Численность обучающихся\ns1;\"Школа\nс переносом\";Район;1 234\ns2;Школа 2;Район;\u{a0}987\n".as_bytes());
    let (v, code) = check_json(&["--schools", reg.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let r = input(&v, "schools");
    assert_eq!(r["rows_read"], 2);
    assert_eq!(r["rows_used"], 2);
    assert!(r["problems"].as_array().unwrap().is_empty(), "{r}");
}

#[test]
fn missing_required_column_is_fatal_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", "Логин ОО;Наименование ОО\ns1;Школа\n".as_bytes());
    shnor()
        .args(["check", "--schools"])
        .arg(&reg)
        .assert()
        .code(65)
        .stdout(predicate::str::contains("schools.csv"))
        .stdout(predicate::str::contains("municipality"));
}

#[test]
fn duplicate_school_id_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", "Логин ОО;Наименование ОО;Муниципалитет\ns1;Школа 1;Р\ns1;Школа 1 дубль;Р\n".as_bytes());
    shnor()
        .args(["check", "--schools"])
        .arg(&reg)
        .assert()
        .code(65)
        .stdout(predicate::str::contains("строка 3"))
        .stdout(predicate::str::contains("повторяется"));
}

#[test]
fn bad_rows_are_excluded_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    let students = "year;school_id;procedure;grade;subject;score;mark\n\
        2025;s1;ВПР;4;РУ;10;2\n2025;s1;ВПР;4;РУ;15;3\n2025;s1;ВПР;4;РУ;20;7\n2025;s1;ВПР;4;РУ;20;1\n\
        2025;s9;ВПР;4;РУ;12;3\n;s1;ВПР;4;РУ;12;3\n2025;;ВПР;4;РУ;12;3\n2025;s2;ВПР;4;РУ;abc;3\n2025;s2;ВПР;4;РУ;5\n\
        2025;s2;ВПР;4;РУ;11;4\n2025;s3;НИКО;4;РУ;11;4\n";
    let res = write(dir.path(), "vpr.csv", students.as_bytes());
    let per_school = "Год;Логин ОО;Процедура;Класс;Предмет;Участники;«2»;«3»;«4»;«5»\n\
        2025;s1;ОГЭ;9;Математика;10;-1;5;5;1\n2025;s2;ОГЭ;9;Математика;10;5;5;5;5\n2025;s3;ОГЭ;9;Математика;10;1;4;4;1\n2025;s3;ОГЭ;9;Физика;10;1;4;4;1\n";
    let oge = write(dir.path(), "oge.csv", per_school.as_bytes());
    // Files this broken stop the run (most of their rows are excluded for problems)…
    let (v, code) = check_json(&["--schools", reg.to_str().unwrap(), "--results", res.to_str().unwrap(), "--results", oge.to_str().unwrap()]);
    assert_eq!(code, 65, "{v}");
    assert_eq!(v["inputs"].as_array().unwrap().iter().filter(|i| i["problems"].as_array().unwrap().iter().any(|p| p["code"] == "too_many_excluded")).count(), 2);
    // …and, allowed, every row is accounted for.
    let (v, code) = check_json(&["--schools", reg.to_str().unwrap(), "--results", res.to_str().unwrap(), "--results", oge.to_str().unwrap(), "--allow-excluded"]);
    assert_eq!(code, 0, "{v}");
    assert_adds_up(&v);
    let files = v["inputs"].as_array().unwrap();
    let vpr = files.iter().find(|i| i["path"].as_str().unwrap().ends_with("vpr.csv")).unwrap();
    assert_eq!(vpr["rows_read"], 11);
    assert_eq!(excluded(vpr, "bad_mark"), 2);
    assert_eq!(excluded(vpr, "unknown_school"), 1);
    assert_eq!(excluded(vpr, "bad_year"), 1);
    assert_eq!(excluded(vpr, "blank_id"), 1);
    assert_eq!(excluded(vpr, "bad_score"), 1);
    assert_eq!(excluded(vpr, "ragged_row"), 1);
    assert_eq!(excluded(vpr, "bad_procedure"), 1);
    assert_eq!(vpr["rows_used"], 3);
    // Every excluded row is listed with its row number and column.
    let p = vpr["problems"].as_array().unwrap().iter().find(|p| p["code"] == "bad_mark").unwrap();
    assert_eq!(p["row"], 4);
    assert_eq!(p["column"], "mark");
    assert_eq!(p["value"], "7");
    let oge = files.iter().find(|i| i["path"].as_str().unwrap().ends_with("oge.csv")).unwrap();
    assert_eq!(excluded(oge, "bad_count"), 1);
    assert_eq!(excluded(oge, "marks_exceed_participants"), 1);
    assert_eq!(excluded(oge, "procedure_not_in_method"), 1);
    assert_eq!(oge["rows_used"], 1);
}

#[test]
fn results_without_anything_usable_are_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    let res = write(dir.path(), "vpr.csv", "year;school_id;procedure;grade;subject;mark\n2025;s1;ВПР;4;РУ;3\n2025;s1;ВПР;4;РУ;4\n".as_bytes());
    shnor()
        .args(["check", "--schools"])
        .arg(&reg)
        .arg("--results")
        .arg(&res)
        .assert()
        .code(65)
        .stdout(predicate::str::contains("нет пригодных результатов"));
}

#[test]
fn unusable_files_are_fatal_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    let empty = write(dir.path(), "empty.csv", b"");
    let binary = write(dir.path(), "binary.csv", &[0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0, 7]);
    // A truncated XLSX: the first bytes of a real one.
    let full = std::fs::read(samples().join("schools.xlsx")).unwrap();
    let truncated = write(dir.path(), "truncated.xlsx", &full[..full.len() / 3]);
    let missing = dir.path().join("nope.csv");
    for bad in [&empty, &binary, &truncated, &missing, &dir.path().to_path_buf()] {
        let out = shnor()
            .args(["check", "--schools"])
            .arg(&reg)
            .arg("--questionnaire")
            .arg(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(65), "{}: {}", bad.display(), String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stdout.contains(bad.to_str().unwrap()), "{stdout}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn xlsx_with_title_rows_and_merged_headers() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    let path = dir.path().join("oge.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("ОГЭ 2025").unwrap();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 9, "Результаты ОГЭ по математике, 2025 год", &f).unwrap();
    // Two-level header: «Логин ОО» etc. merged over two rows; «Количество отметок» over four columns.
    for (c, h) in ["Год", "Логин ОО", "Экзамен", "Предмет", "Количество участников"].iter().enumerate() {
        ws.merge_range(2, c as u16, 3, c as u16, h, &f).unwrap();
    }
    ws.merge_range(2, 5, 2, 8, "Количество отметок", &f).unwrap();
    for (i, h) in ["«2»", "«3»", "«4»", "«5»"].iter().enumerate() {
        ws.write_string(3, 5 + i as u16, *h).unwrap();
    }
    ws.write_string(3, 9, "Средний балл").unwrap();
    let rows = [("s1", 12.0, 3.0, 4.0, 4.0, 1.0), ("s2", 8.0, 0.0, 3.0, 3.0, 2.0)];
    for (i, (id, n, m2, m3, m4, m5)) in rows.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_number(r, 0, 2025.0).unwrap();
        ws.write_string(r, 1, *id).unwrap();
        ws.write_string(r, 2, "ОГЭ").unwrap();
        ws.write_string(r, 3, "Математика").unwrap();
        // Participants as a formula with its cached value, as exported workbooks have them.
        let formula = rust_xlsxwriter::Formula::new(format!("=SUM(F{0}:I{0})", r + 1)).set_result(n.to_string());
        ws.write_formula(r, 4, formula).unwrap();
        for (k, v) in [m2, m3, m4, m5].iter().enumerate() {
            ws.write_number(r, 5 + k as u16, **v).unwrap();
        }
        ws.write_string(r, 9, "х").unwrap();
    }
    wb.save(&path).unwrap();
    let (v, code) = check_json(&["--schools", reg.to_str().unwrap(), "--results", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let r = input(&v, "results");
    assert_eq!(r["header_row"], 4);
    assert_eq!(r["sheet"], "ОГЭ 2025");
    assert_eq!(r["rows_read"], 2);
    assert_eq!(r["rows_used"], 2);
    let mapped: Vec<String> = r["mapped"].as_array().unwrap().iter().map(|m| m["canonical"].as_str().unwrap().to_string()).collect();
    for c in ["year", "school_id", "procedure", "subject", "participants", "mark2", "mark5", "mean_score"] {
        assert!(mapped.iter().any(|m| m == c), "{c} not mapped: {mapped:?}");
    }
}

#[test]
fn header_with_latin_lookalikes_and_config_aliases() {
    let dir = tempfile::tempdir().unwrap();
    // «Логин OO» with Latin O, «МУНИЦИПАЛИТЕТ» upper case, and «Код школы X» via [aliases].
    let reg = write(dir.path(), "schools.csv", "Логин OO;наименование  оо;МУНИЦИПАЛИТЕТ\ns1;Школа;Р\n".as_bytes());
    let (v, code) = check_json(&["--schools", reg.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let cfg = write(dir.path(), "c.toml", "[aliases]\nname = [\"Школа полностью\"]\n\n[[input]]\nkind = \"schools\"\npath = \"s2.csv\"\n[input.columns]\n\"Идентификатор\" = \"school_id\"\n".as_bytes());
    write(dir.path(), "s2.csv", "Идентификатор,Школа полностью,МО\ns1,Школа,Р\n".as_bytes());
    let (v, code) = check_json(&[cfg.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(input(&v, "schools")["rows_used"], 1);
}

#[test]
fn two_columns_for_one_name_are_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", "Логин ОО;Код ОО;Наименование ОО;Муниципалитет\ns1;1;Школа;Р\n".as_bytes());
    shnor()
        .args(["check", "--schools"])
        .arg(&reg)
        .assert()
        .code(65)
        .stdout(predicate::str::contains("Логин ОО").and(predicate::str::contains("Код ОО")));
}

#[test]
fn questionnaire_answers_mapped_and_unrecognised_reported() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    let q = "Год;Логин ОО;Многодетная семья;Неполная семья\n2025;s1;да;нет\n2025;s1;Нет;1\n2025;s1;может быть;0\n2024;s1;да;да\n2025;s7;да;да\n";
    let qp = write(dir.path(), "q.csv", q.as_bytes());
    let (v, code) = check_json(&["--schools", reg.to_str().unwrap(), "--questionnaire", qp.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_adds_up(&v);
    let i = input(&v, "questionnaire");
    assert_eq!(i["rows_used"], 3);
    assert_eq!(excluded(i, "old_questionnaire_year"), 1);
    assert_eq!(excluded(i, "unknown_school"), 1);
    let p = i["problems"].as_array().unwrap().iter().find(|p| p["code"] == "unrecognised_answer").unwrap();
    assert_eq!(p["row"], 4);
    assert_eq!(p["value"], "может быть");
}

#[test]
fn schema_and_init() {
    shnor()
        .arg("schema")
        .assert()
        .success()
        .stdout(predicate::str::contains("school_id"))
        .stdout(predicate::str::contains("Логин ОО"))
        .stdout(predicate::str::contains("below_min"));
    let dir = tempfile::tempdir().unwrap();
    shnor().arg("init").arg(dir.path()).assert().success();
    let template = std::fs::read_to_string(dir.path().join("shnor.toml")).unwrap();
    assert!(template.contains("min_participants = 5"));
    assert!(template.contains("# Минимальное число участников"));
    let header = std::fs::read_to_string(dir.path().join("templates/schools.csv")).unwrap();
    assert!(header.starts_with("\u{feff}Логин ОО;Наименование ОО;Муниципалитет"), "{header}");
    // The template is itself a valid configuration, and init refuses to overwrite.
    shnor().arg("init").arg(dir.path()).assert().code(2);
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    shnor()
        .arg("check")
        .arg(dir.path().join("shnor.toml"))
        .arg("--schools")
        .arg(&reg)
        .assert()
        .success();
}

#[test]
fn usage_errors_exit_2() {
    shnor().args(["check", "--set", "method.nope=1", "--schools", "x.csv"]).assert().code(2).stderr(predicate::str::contains("method.nope"));
    shnor().arg("check").current_dir(tempfile::tempdir().unwrap().path()).assert().code(2);
    shnor().arg("frobnicate").assert().code(2);
}

#[test]
fn sample_region_accounting_snapshot() {
    let cfg = samples().join("region.toml");
    let (v, code) = check_json(&[cfg.to_str().unwrap()]);
    assert_eq!(code, 0);
    let mut lines = Vec::new();
    for i in v["inputs"].as_array().unwrap() {
        let name = Path::new(i["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().to_string();
        lines.push(format!(
            "{name}: {} {} read={} used={} excluded={}",
            i["format"].as_str().unwrap(),
            i["layout"].as_str().unwrap_or("-"),
            i["rows_read"],
            i["rows_used"],
            i["rows_excluded"]
        ));
        for e in i["excluded"].as_array().unwrap() {
            lines.push(format!("  {} = {}", e["reason"].as_str().unwrap(), e["count"]));
        }
    }
    for n in v["notes"].as_array().unwrap() {
        lines.push(format!("note {}: {}", n["code"].as_str().unwrap(), n["message"].as_str().unwrap()));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn hand_built_region_flags_categories_and_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = hand_region(dir.path());
    let out = dir.path().join("out");
    shnor().args(["--lang", "en", "run"]).arg(&cfg).arg("--out").arg(&out).assert().success();
    let rows = read_csv(&out.join("schools.csv"));
    let header = rows[0].join(",");
    assert!(
        header.starts_with("school_id,name,municipality,school_type,locality,inr_2024,inr_2025,inr,isbsh,flag_r30,flag_bottom,shnor,shnsu,resilient,category,rank,"),
        "{header}"
    );
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let get = |id: &str, name: &str| rows.iter().find(|r| r[0] == id).unwrap()[col(name)].clone();
    let expect = [
        ("s01", "1", "1", "1", "0", "0", "shnor", "2"),
        ("s02", "1", "0", "1", "1", "0", "shnor_shnsu", "1"),
        ("s03", "0", "0", "0", "0", "0", "none", ""),
        ("s04", "0", "0", "0", "0", "0", "none", ""),
        ("s05", "0", "0", "0", "0", "0", "none", ""),
        ("s06", "0", "0", "0", "1", "1", "shnsu", ""),
        ("s07", "0", "0", "0", "0", "1", "resilient", ""),
        ("s08", "0", "0", "0", "0", "0", "none", ""),
        ("s12", "0", "0", "0", "0", "0", "none", ""),
    ];
    for (id, r30, bottom, shnor, shnsu, resilient, category, rank) in expect {
        assert_eq!(get(id, "flag_r30"), r30, "{id} r30");
        assert_eq!(get(id, "flag_bottom"), bottom, "{id} bottom");
        assert_eq!(get(id, "shnor"), shnor, "{id} shnor");
        assert_eq!(get(id, "shnsu"), shnsu, "{id} shnsu");
        assert_eq!(get(id, "resilient"), resilient, "{id} resilient");
        assert_eq!(get(id, "category"), category, "{id} category");
        assert_eq!(get(id, "rank"), rank, "{id} rank");
    }
    // Hand-computed indices (decimal comma by default), rounded to one decimal for people
    // (675/22 = 30.68…; the full value is kept in aggregates/ and checked in the unit tests).
    let inr = |id: &str| get(id, "inr").replace(',', ".").parse::<f64>().unwrap();
    assert!((inr("s01") - 100.0).abs() < 1e-9);
    assert!((inr("s02") - 75.0).abs() < 1e-9);
    assert!((inr("s12") - 30.7).abs() < 1e-9, "{}", inr("s12"));
    // The list order: s02 first, then s01; the rest follow.
    assert_eq!(rows[1][0], "s02");
    assert_eq!(rows[2][0], "s01");
    assert_eq!(get("s12", "name"), "'=1+2 <b>&\"");
    assert_eq!(get("s01", "name"), format!("'{}", common::HOSTILE_NAME));
    let reasons = get("s02", "reasons");
    assert!(reasons.contains("R30") && reasons.contains("30 %"), "{reasons}");
}

#[test]
fn run_outputs_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = samples().join("region.toml");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        shnor().arg("run").arg(&cfg).arg("--out").arg(out).arg("-q").assert().success();
    }
    for f in ["schools.csv", "summary.json", "shnor.xlsx"] {
        let same = std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap();
        assert!(same, "{f} differs between runs");
    }
    let m: Value = serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["inputs"].as_array().unwrap().len(), 10);
    assert_eq!(m["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    for f in ["aggregates/results.parquet", "aggregates/register.parquet", "aggregates/questionnaire.parquet"] {
        assert!(a.join(f).is_file(), "{f}");
    }
}

#[test]
fn sample_region_list_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shnor().arg("run").arg(samples().join("region.toml")).arg("--out").arg(&out).arg("-q").assert().success();
    let s: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let mut lines = vec![format!("counts: {}", s["counts"])];
    for e in s["shnor_list"].as_array().unwrap() {
        lines.push(format!(
            "{} {} {} inr={:.6} r30={} bottom={}",
            e["rank"], e["school_id"].as_str().unwrap(), e["category"].as_str().unwrap(), e["inr"].as_f64().unwrap(), e["flag_r30"], e["flag_bottom"]
        ));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn run_without_results_is_a_data_error() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "schools.csv", REGISTER.as_bytes());
    let out = dir.path().join("out");
    shnor().args(["run", "--schools"]).arg(&reg).arg("--out").arg(&out).assert().code(65);
    assert!(!out.exists(), "no outputs on failure");
}

#[test]
fn dynamics_against_last_years_list() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = hand_region(dir.path());
    let first = dir.path().join("first");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&first).assert().success();
    // Last year's output directory: the same list, so both schools stayed.
    let again = dir.path().join("again");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&again).arg("--previous").arg(&first).assert().success();
    let s: Value = serde_json::from_slice(&std::fs::read(again.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["dynamics"]["stayed"], serde_json::json!(["s01", "s02"]));
    assert_eq!(s["dynamics"]["entered"], serde_json::json!([]));
    // A plain list file: s01 stays, s02 enters, s03 leaves, s99 is no longer in the register.
    let list = write(dir.path(), "prev.csv", "Логин ОО;Наименование ОО\ns01;Школа 1\ns03;Школа 3\ns99;Закрытая школа\n".as_bytes());
    let third = dir.path().join("third");
    shnor().args(["--lang", "en", "run", "-q"]).arg(&cfg).arg("--out").arg(&third).arg("--previous").arg(&list).assert().success();
    let s: Value = serde_json::from_slice(&std::fs::read(third.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["dynamics"]["stayed"], serde_json::json!(["s01"]));
    assert_eq!(s["dynamics"]["entered"], serde_json::json!(["s02"]));
    assert_eq!(s["dynamics"]["left"], serde_json::json!(["s03"]));
    assert_eq!(s["dynamics"]["left_register"], serde_json::json!(["s99"]));
    let rows = read_csv(&third.join("schools.csv"));
    let c = rows[0].iter().position(|h| h == "dynamics").unwrap();
    let s03 = rows.iter().find(|r| r[0] == "s03").unwrap();
    assert_eq!(s03[c], "left");
}

/// Output into a pipe that is already closed (as with `shnor check … | head`): the program ends
/// without a panic.
#[cfg(unix)]
#[test]
fn closed_stdout_is_no_panic() {
    use std::os::unix::process::ExitStatusExt;
    let bin = assert_cmd::cargo::cargo_bin("shnor");
    let mut child = std::process::Command::new(bin)
        .args(["check", "--format", "json"])
        .arg(samples().join("region.toml"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Nobody will ever read: every write to stdout fails.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
    assert!(out.status.code() == Some(0) || out.status.signal() == Some(13), "{:?} {stderr}", out.status);
}

/// `check` shows how the schools of a results file named by their names were matched, and the
/// crosswalk given with `--crosswalk` is read and counted like any input.
#[test]
fn check_shows_name_matching() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "reg.csv", REGISTER.as_bytes());
    let res = write(
        dir.path(),
        "res.csv",
        "Год;Наименование ОО;Процедура;Класс;Предмет;Участники;«2»\n\
         2025;Школа 1;ОГЭ;9;Математика;10;1\n\
         2025;«Школа 2»;ОГЭ;9;Математика;10;1\n\
         2025;Школа 30;ОГЭ;9;Математика;10;1\n\
         2025;Третья;ОГЭ;9;Математика;10;1\n"
            .as_bytes(),
    );
    let cw = write(dir.path(), "cw.csv", "Наименование в источнике;Логин ОО\nТретья;s3\n".as_bytes());
    let args = ["--schools", reg.to_str().unwrap(), "--results", res.to_str().unwrap(), "--crosswalk", cw.to_str().unwrap()];
    let (v, code) = check_json(&args);
    assert_eq!(code, 0, "{v}");
    let r = input(&v, "results");
    assert_eq!(r["name_matching"]["exact"], 1);
    assert_eq!(r["name_matching"]["normalized"], 1);
    assert_eq!(r["name_matching"]["crosswalk"], 1);
    assert_eq!(r["name_matching"]["unmatched"], 1);
    assert_eq!(excluded(r, "unmatched_name"), 1);
    assert_eq!(input(&v, "crosswalk")["rows_used"], 1);
    shnor()
        .arg("check")
        .args(args)
        .assert()
        .success()
        .stdout(predicate::str::contains("Школы по названию"))
        .stdout(predicate::str::contains("после нормализации"))
        .stdout(predicate::str::contains("Школа 30"))
        .stdout(predicate::str::contains("ближайшие"));
}

/// Large files are read block by block: with tiny blocks, the sample region (its CSV files then
/// come in dozens of blocks) gives exactly the outputs and the accounting of whole files.
#[test]
fn block_by_block_reading_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = samples().join("region.toml");
    let (whole, blocks) = (dir.path().join("whole"), dir.path().join("blocks"));
    shnor().arg("run").arg(&cfg).arg("--out").arg(&whole).arg("-q").assert().success();
    shnor().env("SHNOR_BLOCK_BYTES", "65536").arg("run").arg(&cfg).arg("--out").arg(&blocks).arg("-q").assert().success();
    for f in ["schools.csv", "summary.json", "shnor.xlsx", "report.md"] {
        let same = std::fs::read(whole.join(f)).unwrap() == std::fs::read(blocks.join(f)).unwrap();
        assert!(same, "{f} differs when read block by block");
    }
    let check = |env: Option<&str>| {
        let mut c = shnor();
        if let Some(b) = env {
            c.env("SHNOR_BLOCK_BYTES", b);
        }
        let out = c.args(["check", "--format", "json"]).arg(&cfg).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["inputs"].as_array().unwrap().iter().map(|i| (i["path"].clone(), i["rows_read"].clone(), i["rows_used"].clone(), i["excluded"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(check(None), check(Some("65536")));
}

/// The column of a header in a table read by `read_csv`.
fn column<'a>(table: &'a [Vec<String>], name: &str) -> impl Iterator<Item = &'a str> + 'a {
    let i = table[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", table[0]));
    table[1..].iter().map(move |r| r[i].as_str())
}

#[test]
fn every_listed_school_carries_its_probability_and_solidity_under_the_robust_preset() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = samples().join("region.toml");
    let (plain, robust) = (dir.path().join("plain"), dir.path().join("robust"));
    shnor().args(["--lang", "en", "run", "-q"]).arg(&cfg).arg("--out").arg(&plain).assert().success();
    shnor().args(["--lang", "en", "run", "-q", "--preset", "robust"]).arg(&cfg).arg("--out").arg(&robust).assert().success();
    for out in [&plain, &robust] {
        let t = read_csv(&out.join("schools.csv"));
        let listed: Vec<bool> = column(&t, "shnor").map(|v| v == "1").collect();
        let solid: Vec<&str> = column(&t, "flag_solid").collect();
        let p: Vec<&str> = column(&t, "p_worst").collect();
        assert!(listed.iter().any(|l| *l));
        for (i, on) in listed.iter().enumerate() {
            assert_eq!(*on, solid[i] == "1" || solid[i] == "0", "row {i}: {}", solid[i]);
        }
        // Every school with ИНР has its probability.
        for (inr, p) in column(&t, "inr").zip(&p) {
            assert_eq!(inr.is_empty(), p.is_empty());
        }
    }
    let params = |out: &Path| -> Value { serde_json::from_slice::<Value>(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()["parameters"].clone() };
    let r = params(&robust);
    assert_eq!(r["criteria"]["bottom"]["basis"], "probability");
    assert_eq!(r["criteria"]["r30"]["basis"], "lower_bound");
    assert_eq!(params(&plain)["criteria"]["bottom"]["basis"], "rank");
    // --set after the preset wins.
    let third = dir.path().join("third");
    shnor().args(["run", "-q", "--preset", "robust", "--set", "criteria.bottom.share=0.1"]).arg(&cfg).arg("--out").arg(&third).assert().success();
    assert_eq!(params(&third)["criteria"]["bottom"]["share"], 0.1);
    // whatif accepts the preset and shows each moved school's solidity.
    shnor()
        .args(["whatif", "--preset", "robust", "--from"])
        .arg(&plain)
        .assert()
        .success()
        .stdout(predicate::str::contains("criteria.bottom.basis").and(predicate::str::contains("Надёжность")).and(predicate::str::contains("P = ")));
    // sweep over the probability the preset requires: a higher one never lists more schools.
    let out = shnor()
        .args(["sweep", "--format", "json", "--preset", "robust", "--param", "criteria.bottom.min_probability=0.5,0.8,0.95", "--from"])
        .arg(&plain)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sizes: Vec<u64> = s["settings"].as_array().unwrap().iter().map(|v| v["counts"]["shnor_list"].as_u64().unwrap()).collect();
    assert_eq!(sizes.len(), 3);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]) && sizes[0] > sizes[2], "{sizes:?}");
}

#[test]
fn init_with_the_robust_preset_writes_a_configuration_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    shnor().arg("init").arg(dir.path()).arg("--preset").arg("robust").arg("-q").assert().success();
    let text = std::fs::read_to_string(dir.path().join("shnor.toml")).unwrap();
    assert!(text.contains("basis = \"probability\"  # --preset robust"), "{text}");
    // The written configuration runs on sample files named on the command line, with the
    // preset's method.
    let out = dir.path().join("out");
    shnor()
        .arg("run")
        .arg(dir.path().join("shnor.toml"))
        .arg("--schools")
        .arg(samples().join("schools.xlsx"))
        .arg("--results")
        .arg(samples().join("vpr_2024.xlsx"))
        .arg("--results")
        .arg(samples().join("vpr_2025.csv"))
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .success();
    let s: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["parameters"]["criteria"]["bottom"]["min_probability"], 0.5);
    assert_eq!(s["parameters"]["method"]["inr"]["basis"], "shrunk");
}

/// One part of a written ZIP package (DOCX, XLSX) as text.
fn package_part(path: &Path, part: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    z.by_name(part).unwrap_or_else(|e| panic!("{part}: {e}")).read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_order_appendix_and_the_print_sheet_hold_one_row_per_listed_school() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shnor().arg("run").arg(samples().join("region.toml")).arg("--out").arg(&out).arg("-q").assert().success();
    let s: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let listed = s["shnor_list"].as_array().unwrap().len();
    let doc = package_part(&out.join("prilozhenie.docx"), "word/document.xml");
    roxmltree::Document::parse(&doc).unwrap();
    // A header row (repeated on every page) and one row per listed school, on landscape A4.
    assert_eq!(doc.matches("<w:tr>").count(), listed + 1);
    assert_eq!(doc.matches("<w:tblHeader").count(), 1);
    assert!(doc.contains("w:orient=\"landscape\""), "not landscape");
    let first = s["shnor_list"][0]["name"].as_str().unwrap();
    assert!(doc.contains(&first.replace('"', "&quot;")) || doc.contains(first), "{first}");
    // The print-ready list sheet: landscape, fitted to the width, the header row repeated.
    let sheet = package_part(&out.join("shnor.xlsx"), "xl/worksheets/sheet1.xml");
    // fitToPage with fitToHeight 0: one page wide (fitToWidth defaults to 1), as long as needed.
    assert!(sheet.contains("orientation=\"landscape\"") && sheet.contains("fitToPage=\"1\"") && sheet.contains("fitToHeight=\"0\""), "print setup");
    let book = package_part(&out.join("shnor.xlsx"), "xl/workbook.xml");
    assert!(book.contains("_xlnm.Print_Titles"), "no print titles");
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(out.join("shnor.xlsx")).unwrap();
    let range = wb.worksheet_range("Список ШНОР").unwrap();
    assert_eq!(range.height(), listed + 2, "title, header and one row per school");
    // The ШНСУ sheet numbers its own order 1, 2, 3, …
    let shnsu = wb.worksheet_range("ШНСУ").unwrap();
    let places: Vec<f64> = shnsu.rows().skip(1).filter_map(|r| match r.first() {
        Some(Data::Float(f)) => Some(*f),
        _ => None,
    }).collect();
    assert!(!places.is_empty());
    assert!(places.iter().enumerate().all(|(i, p)| *p == (i + 1) as f64), "{places:?}");
    // Each ШНСУ school with its reason: the indicators that pull its ИСБШ down, against the region.
    let reason = shnsu.rows().nth(1).and_then(|r| r.get(7)).map(|c| c.to_string()).unwrap_or_default();
    assert!(reason.contains("семей (по региону") && reason.contains("ИСБШ"), "{reason}");
}

#[test]
fn run_refuses_to_write_over_a_previous_run_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cfg = samples().join("region.toml");
    shnor().arg("run").arg(&cfg).arg("--out").arg(&out).arg("-q").assert().success();
    shnor()
        .arg("run")
        .arg(&cfg)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force").and(predicate::str::contains("manifest.json")));
    shnor().arg("run").arg(&cfg).arg("--out").arg(&out).arg("-q").arg("--force").assert().success();
}

#[test]
fn every_municipality_gets_a_package_with_small_counts_suppressed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shnor()
        .arg("run")
        .arg(samples().join("region.toml"))
        .args(["--set", "output.suppress_below=10", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let s: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let municipalities = s["municipalities"].as_array().unwrap();
    let packages: Vec<_> = std::fs::read_dir(out.join("municipalities")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(packages.len(), municipalities.len());
    let mut suppressed = 0;
    let mut listed = 0;
    for p in &packages {
        let summary = std::fs::read_to_string(p.join("summary.html")).unwrap();
        let html = std::fs::read_to_string(p.join("lists.html")).unwrap();
        for page in [&summary, &html] {
            roxmltree::Document::parse_with_options(page, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() }).unwrap();
            // No count of pupils under 10 is printed; such counts read «n < 10».
            for k in 1..10 {
                assert!(!page.contains(&format!("n\u{a0}=\u{a0}{k})")), "{}: n = {k}", p.display());
            }
        }
        suppressed += html.matches("n\u{a0}&lt;\u{a0}10").count();
        let csv = read_csv(&p.join("list.csv"));
        let own = csv.iter().skip(1).filter(|r| r[0] == "ШНОР").count();
        listed += own;
        // The summary names every listed school up to 20 (then says where the rest are); the
        // reasons are in lists.html only.
        let named = csv.iter().skip(1).filter(|r| r[0] == "ШНОР").take(20).filter(|r| summary.contains(&format!("<td>{}</td>", r[2]))).count();
        assert_eq!(named, own.min(20), "{}", p.display());
        assert!(!summary.contains("n\u{a0}=\u{a0}") && summary.contains("lists.html"));
    }
    assert!(suppressed > 0, "the sample has small procedures: some counts must be suppressed");
    // The schools by risk factor: counts of 1 … 9 schools read «< 10» too.
    let mut risk_tables = 0;
    for p in &packages {
        let html = std::fs::read_to_string(p.join("lists.html")).unwrap();
        let Some(start) = html.find("<h2>Рисковые профили школ</h2>") else { continue };
        let part = &html[start..];
        let part = &part[..part.find("<h3>").or_else(|| part[4..].find("<h2>")).unwrap_or(part.len())];
        risk_tables += 1;
        for k in 1..10 {
            assert!(!part.contains(&format!("<td class=\"n\">{k}</td>")), "{}: {k} schools shown", p.display());
        }
    }
    assert_eq!(risk_tables, packages.len());
    // Every listed school is in its municipality's package.
    assert_eq!(listed, s["shnor_list"].as_array().unwrap().len());
}

#[test]
fn last_years_schools_csv_gives_only_its_listed_schools() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = samples().join("region.toml");
    let first = dir.path().join("first");
    shnor().args(["--lang", "en", "run", "-q"]).arg(&cfg).arg("--out").arg(&first).assert().success();
    let listed = read_csv(&first.join("schools.csv")).iter().skip(1).filter(|r| r[11] == "1").count();
    let second = dir.path().join("second");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&second).arg("--previous").arg(first.join("schools.csv")).assert().success();
    let s: Value = serde_json::from_slice(&std::fs::read(second.join("summary.json")).unwrap()).unwrap();
    let d = &s["dynamics"];
    assert_eq!(d["stayed"].as_array().unwrap().len(), listed, "{d}");
    assert!(d["entered"].as_array().unwrap().is_empty() && d["left"].as_array().unwrap().is_empty());
}

#[test]
fn run_after_init_says_the_templates_inputs_are_commented_out() {
    let dir = tempfile::tempdir().unwrap();
    shnor().arg("init").arg(dir.path()).arg("-q").assert().success();
    shnor().arg("run").current_dir(dir.path()).assert().failure().stderr(predicate::str::contains("[[input]] закомментированы"));
}

/// A region's ЕГЭ form alone (one procedure a school, no questionnaires): the screen and the
/// report say that R30 cannot fire and why the ШНСУ list is empty, and the method names the
/// procedure actually present.
#[test]
fn a_criterion_that_cannot_fire_is_said_on_screen_and_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = String::from("Логин ОО;Наименование ОО;Муниципалитет\n");
    let mut ege = String::from("Логин ОО;Год;Процедура;Предмет;Участников;Не сдали;Средний балл\n");
    for i in 0..42 {
        reg.push_str(&format!("s{i};Школа {i};Район {}\n", i % 5));
        for year in [2024, 2025] {
            ege.push_str(&format!("s{i};{year};ЕГЭ;Русский язык;{};{};{}\n", 20 + i % 7, i % 6, 50 + i % 20));
        }
    }
    let (reg, ege) = (write(dir.path(), "schools.csv", reg.as_bytes()), write(dir.path(), "ege.csv", ege.as_bytes()));
    let out = dir.path().join("out");
    shnor()
        .arg("run")
        .arg("--schools")
        .arg(&reg)
        .arg("--results")
        .arg(&ege)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("R30 не может сработать").and(predicate::str::contains("Список ШНСУ пуст")));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("R30 не может сработать"), "no warning in the report");
    assert!(md.contains("есть в данных последнего года: ЕГЭ Русский язык"), "the method does not say what was computed");
    assert!(md.contains("ИСБШ) не рассчитан ни для одной школы"), "the method claims an ИСБШ");
}

/// Last year's summary.json as if written a year earlier: its latest year and its list history
/// moved back by `by` years.
fn a_year_earlier(summary: &Path, by: i64) {
    let mut s: Value = serde_json::from_slice(&std::fs::read(summary).unwrap()).unwrap();
    s["latest_year"] = Value::from(s["latest_year"].as_i64().unwrap() - by);
    for e in s["shnor_list"].as_array_mut().unwrap() {
        for h in e["inr_by_year"].as_array_mut().unwrap() {
            h["year"] = Value::from(h["year"].as_i64().unwrap() - by);
        }
    }
    std::fs::write(summary, serde_json::to_vec(&s).unwrap()).unwrap();
}

#[test]
fn years_on_the_list_carry_forward_from_run_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = samples().join("region.toml");
    let run = |out: &Path, previous: Option<&Path>| {
        let mut cmd = shnor();
        cmd.args(["run", "-q"]).arg(&cfg).arg("--out").arg(out);
        if let Some(p) = previous {
            cmd.arg("--previous").arg(p);
        }
        cmd.assert().success();
        serde_json::from_slice::<Value>(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
    };
    let first = dir.path().join("first");
    let s1 = run(&first, None);
    let y = s1["latest_year"].as_i64().unwrap();
    let listed = s1["shnor_list"].as_array().unwrap();
    assert!(listed.iter().all(|e| e["years_on_list"] == 1 && e["inr_by_year"].as_array().unwrap().len() == 1));
    // The same year's list again: no year is added.
    let same = run(&dir.path().join("same"), Some(&first));
    assert!(same["shnor_list"].as_array().unwrap().iter().all(|e| e["years_on_list"] == 1));
    // Last year's and the year before's: two and three years in a row, ИНР by each list year.
    a_year_earlier(&first.join("summary.json"), 1);
    let second = dir.path().join("second");
    let s2 = run(&second, Some(&first));
    let e = &s2["shnor_list"][0];
    assert_eq!(e["years_on_list"], 2, "{e}");
    let years: Vec<i64> = e["inr_by_year"].as_array().unwrap().iter().map(|h| h["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [y - 1, y]);
    a_year_earlier(&second.join("summary.json"), 1);
    let third = dir.path().join("third");
    let s3 = run(&third, Some(&second));
    assert_eq!(s3["shnor_list"][0]["years_on_list"], 3);
    assert_eq!(s3["shnor_list"][0]["inr_by_year"].as_array().unwrap().len(), 3);
    // Shown to people: the sheets, the report's list and the appendix.
    let rows = read_csv(&third.join("schools.csv"));
    let c = rows[0].iter().position(|h| h == "Лет в перечне подряд").unwrap();
    let id = s3["shnor_list"][0]["school_id"].as_str().unwrap();
    let row = rows.iter().find(|r| r[0] == id).unwrap();
    assert_eq!(row[c], "3");
    assert_eq!(row[c + 1].matches("; ").count(), 2, "{}", row[c + 1]);
    let report = std::fs::read_to_string(third.join("report.html")).unwrap();
    assert!(report.contains("3-й год подряд") && report.contains("второй год подряд и дольше"));
    assert!(std::fs::read_to_string(third.join("appendix.html")).unwrap().contains("В перечне несколько лет подряд"));
    // The tool's own schools.csv as last year's list carries the years too.
    let fourth = run(&dir.path().join("fourth"), Some(&third.join("schools.csv")));
    assert_eq!(fourth["shnor_list"][0]["years_on_list"], 4);
}

/// The objectivity screen on the sample: objectivity.csv, the schools.csv count, the workbook
/// sheet and the report's words — signs that need checking, never a verdict; under
/// `objectivity.effect = "exclude"` the marked works are set aside, and whatif can switch it.
#[test]
fn the_objectivity_screen_is_shown_and_can_set_works_aside() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = samples().join("region.toml");
    let out = dir.path().join("out");
    shnor().args(["--lang", "en", "run", "-q"]).arg(&cfg).arg("--out").arg(&out).assert().success();
    let markers = read_csv(&out.join("objectivity.csv"));
    assert!(markers.len() > 1, "the sample's schools inflate journal marks: some markers are set");
    let code = markers[0].iter().position(|h| h == "marker_code").unwrap();
    assert!(markers.iter().skip(1).all(|r| r[code].starts_with('m')));
    let schools = read_csv(&out.join("schools.csv"));
    let c = schools[0].iter().position(|h| h == "objectivity_markers").unwrap();
    for r in schools.iter().skip(1) {
        let own = markers.iter().skip(1).filter(|m| m[0] == r[0]).count();
        assert_eq!(r[c], own.to_string(), "{}", r[0]);
    }
    let russian = dir.path().join("ru");
    shnor().args(["run", "-q"]).arg(&cfg).arg("--out").arg(&russian).assert().success();
    for file in ["report.html", "appendix.html", "report.md"] {
        let text = std::fs::read_to_string(russian.join(file)).unwrap().to_lowercase();
        assert!(text.contains("признаки, требующие проверки"), "{file}");
        assert!(!text.contains("нарушени"), "{file}");
        // «необъективн…» only in the heading «Признаки необъективности … (требуют проверки)».
        assert_eq!(text.matches("необъективн").count(), text.matches("признаки необъективности результатов (требуют проверки)").count(), "{file}");
    }
    // Exclude: the marked works leave ИНР and R30; the report says how many.
    let excluded = dir.path().join("excluded");
    shnor().args(["run", "-q", "--set", "objectivity.effect=exclude"]).arg(&cfg).arg("--out").arg(&excluded).assert().success();
    assert!(std::fs::read_to_string(excluded.join("report.html")).unwrap().contains("не учитывались в ИНР и критерии R30"));
    let inr = |dir: &Path| -> Vec<String> {
        let rows = read_csv(&dir.join("schools.csv"));
        let c = rows[0].iter().position(|h| h == "ИНР").unwrap();
        rows.iter().map(|r| r[c].clone()).collect()
    };
    assert_ne!(inr(&russian), inr(&excluded), "setting works aside changes some school's ИНР");
    shnor()
        .args(["--lang", "en", "whatif", "--format", "json", "--set", "objectivity.effect=exclude", "--from"])
        .arg(&russian)
        .assert()
        .success();
}

/// M2 end to end: a per-student ВПР file where one school's pupils one or two points short of
/// the lowest score of «3» were written at it; the boundary comes from the marks (no scale), the
/// histogram from the rows, and the marker reaches objectivity.csv — only for that school.
#[test]
fn scores_bunched_at_a_mark_boundary_are_marked() {
    let dir = tempfile::tempdir().unwrap();
    let mark = |s: u32| match s {
        0..=4 => 2,
        5..=9 => 3,
        10..=13 => 4,
        _ => 5,
    };
    let mut reg = String::from("school_id;name;municipality\n");
    let mut res = String::from("year;school_id;procedure;grade;subject;score;mark\n");
    for i in 1..=21 {
        let id = format!("s{i:02}");
        reg.push_str(&format!("{id};Школа {i};Район\n"));
        for k in 0..63u32 {
            let mut score = k % 21;
            if i == 21 && (score == 3 || score == 4) {
                score += 2;
            }
            res.push_str(&format!("2025;{id};ВПР;5;Математика;{score};{}\n", mark(score)));
        }
    }
    std::fs::write(dir.path().join("schools.csv"), reg).unwrap();
    std::fs::write(dir.path().join("vpr.csv"), res).unwrap();
    let cfg = dir.path().join("region.toml");
    std::fs::write(&cfg, "[[input]]\nkind = \"schools\"\npath = \"schools.csv\"\n\n[[input]]\nkind = \"results\"\npath = \"vpr.csv\"\n").unwrap();
    let out = dir.path().join("out");
    shnor().args(["--lang", "en", "run", "-q"]).arg(&cfg).arg("--out").arg(&out).assert().success();
    let markers = read_csv(&out.join("objectivity.csv"));
    let found: Vec<(&str, &str)> = column(&markers, "school_id").zip(column(&markers, "marker_code")).collect();
    assert_eq!(found, [("s21", "m2_boundary_3")]);
    let value: Vec<&str> = column(&markers, "value").collect();
    assert_eq!(value, ["1"], "all 12 pupils of the window at 5 or 6");
}

/// Results against conditions (§4.9) in schools.csv: the residual is ИНР − expected, and the
/// label follows the 95 % interval (below expected exactly when the interval lies above 0).
#[test]
fn results_against_conditions_are_consistent_in_schools_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shnor().args(["--lang", "en", "run", "-q"]).arg(samples().join("region.toml")).arg("--out").arg(&out).assert().success();
    let rows = read_csv(&out.join("schools.csv"));
    let num = |s: &str| s.replace(',', ".").parse::<f64>().ok();
    let cols: Vec<Vec<&str>> = ["inr", "inr_expected", "inr_residual", "inr_residual_low", "inr_residual_high", "against_expected"].iter().map(|c| column(&rows, c).collect()).collect();
    let mut fitted = 0;
    for i in 0..rows.len() - 1 {
        let (Some(inr), Some(ex), Some(res), Some(low), Some(high)) = (num(cols[0][i]), num(cols[1][i]), num(cols[2][i]), num(cols[3][i]), num(cols[4][i])) else {
            assert_eq!(cols[5][i], "", "a label without numbers");
            continue;
        };
        fitted += 1;
        assert!((inr - ex - res).abs() <= 0.11, "row {i}: {inr} − {ex} ≠ {res}");
        assert!(low <= res && res <= high);
        // (Values are rounded to 0.1: a bound within rounding of 0 can go either way.)
        if low.abs() < 0.06 || high.abs() < 0.06 {
            continue;
        }
        let want = if low > 0.0 { "below_expected" } else if high < 0.0 { "above_expected" } else { "" };
        assert_eq!(cols[5][i], want, "row {i}");
    }
    assert!(fitted > 200, "most sample schools have ИНР and ИСБШ: {fitted}");
}

/// `resilience.basis = "residual"`: the resilient schools are those with adverse conditions whose
/// ИНР is lowest against what their conditions predict — the set differs from the absolute one.
#[test]
fn resilience_can_be_judged_against_conditions() {
    let dir = tempfile::tempdir().unwrap();
    let run = |basis: &str| {
        let out = dir.path().join(basis);
        shnor().args(["--lang", "en", "run", "-q", "--set"]).arg(format!("resilience.basis={basis}")).arg(samples().join("region.toml")).arg("--out").arg(&out).assert().success();
        read_csv(&out.join("schools.csv"))
    };
    let (absolute, residual) = (run("absolute"), run("residual"));
    let ids = |rows: &[Vec<String>]| -> Vec<String> {
        column(rows, "school_id").zip(column(rows, "resilient")).filter(|(_, r)| *r == "1").map(|(s, _)| s.to_string()).collect::<std::collections::BTreeSet<_>>().into_iter().collect()
    };
    let (a, r) = (ids(&absolute), ids(&residual));
    assert!(!r.is_empty() && a != r, "{a:?} {r:?}");
    let num = |s: &str| s.replace(',', ".").parse::<f64>().ok();
    let mut all: Vec<f64> = column(&residual, "inr_residual").filter_map(num).collect();
    all.sort_by(f64::total_cmp);
    let quarter = all[(all.len() as f64 * 0.25).ceil() as usize - 1];
    for (res, flag) in column(&residual, "inr_residual").zip(column(&residual, "resilient")) {
        if flag == "1" {
            assert!(num(res).unwrap() <= quarter + 0.05, "{res} > {quarter}");
        }
    }
}

/// Similar schools (§4.9): each school of the ШНОР list with ИНР and ИСБШ names `similar.k`
/// schools of its locality type and how many of them have a worse ИНР; other schools none.
#[test]
fn listed_schools_name_their_similar_schools() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shnor().args(["--lang", "en", "run", "-q", "--set", "similar.k=5"]).arg(samples().join("region.toml")).arg("--out").arg(&out).assert().success();
    let rows = read_csv(&out.join("schools.csv"));
    let get = |c: &str| column(&rows, c).map(str::to_string).collect::<Vec<_>>();
    let (ids, shnor, locality, inr, near, worse) = (get("school_id"), get("shnor"), get("locality"), get("inr"), get("similar_schools"), get("similar_worse"));
    let isbsh = get("isbsh");
    let num = |s: &str| s.replace(',', ".").parse::<f64>().ok();
    let mut checked = 0;
    for i in 0..ids.len() {
        if shnor[i] != "1" || inr[i].is_empty() || isbsh[i].is_empty() {
            // Not listed, or without ИНР or ИСБШ: no similar schools.
            assert!(near[i].is_empty(), "{}", ids[i]);
            continue;
        }
        let named: Vec<&str> = near[i].split(", ").collect();
        assert_eq!(named.len(), 5, "{}", ids[i]);
        let mut higher = 0;
        for n in &named {
            let j = ids.iter().position(|x| x == n).unwrap();
            assert_eq!(locality[j], locality[i], "{n} is of another locality");
            assert!(n != &ids[i]);
            if num(&inr[j]) > num(&inr[i]) {
                higher += 1;
            }
        }
        // (ИНР rounded to 0.1 in the table: equal-looking values may differ unrounded.)
        let w: usize = worse[i].parse().unwrap();
        assert!(w.abs_diff(higher) <= 1, "{}: {w} vs {higher}", ids[i]);
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}

/// The sample region's configuration with absolute paths, and more inputs after it.
fn sample_config_with(dir: &Path, more: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(samples().join("region.toml")).unwrap();
    let base = samples().display().to_string().replace('\\', "/");
    let text = text.replace("path = \"", &format!("path = \"{base}/"));
    write(dir, "region.toml", format!("{text}\n{more}").as_bytes())
}

/// Risk profiles (§4.9): each school's risk index and actual factors; a self-diagnosis (long
/// and wide files) overrides the computed factor and adds factors nothing else knows; its bad
/// rows are excluded by reason and counted.
#[test]
fn risk_profiles_with_a_self_diagnosis() {
    let dir = tempfile::tempdir().unwrap();
    let run = |config: &Path, out: &Path| {
        shnor().args(["--lang", "en", "run", "-q"]).arg(config).arg("--out").arg(out).assert().success();
        read_csv(&out.join("schools.csv"))
    };
    let profile = |rows: &[Vec<String>], id: &str| -> (Vec<String>, f64) {
        let i = column(rows, "school_id").position(|s| s == id).unwrap();
        let names: Vec<String> = column(rows, "risk_profile").nth(i).unwrap().split("; ").filter(|s| !s.is_empty()).map(str::to_string).collect();
        let index: f64 = column(rows, "risk_index").nth(i).unwrap().replace(',', ".").parse().unwrap();
        let count: usize = column(rows, "risk_factors").nth(i).unwrap().parse().unwrap();
        assert_eq!(count, names.len(), "{id}");
        assert!((0.0..=100.0).contains(&index), "{id}: {index}");
        (names, index)
    };
    let plain = run(&samples().join("region.toml"), &dir.path().join("plain"));
    let ids: Vec<String> = column(&plain, "school_id").map(str::to_string).collect();
    let has = |id: &str, f: &str| profile(&plain, id).0.iter().any(|n| n == f);
    // A listed school without staff shortage, a school where remoteness is actual.
    let listed: Vec<&str> = column(&plain, "school_id").zip(column(&plain, "shnor")).filter(|(_, s)| *s == "1").map(|(i, _)| i).collect();
    let a = *listed.iter().find(|id| !has(id, "staff_shortage")).unwrap();
    let b = ids.iter().find(|id| has(id, "remoteness") && id.as_str() != a).unwrap();
    let c = ids.iter().find(|id| has(id, "staff_age") && id.as_str() != a && *id != b).unwrap();
    let long = format!("Логин ОО;Фактор риска;Уровень\n{a};Дефицит педагогических кадров;Высокий\n{b};remoteness;низкий\n{}", [
        "sch610003;Нет такого фактора;высокий", "sch610004;Дефицит педагогических кадров;может быть", "nobody;Малочисленная школа;высокий",
        "sch610010;isbsh;нет", "sch610011;isbsh;нет", "sch610012;isbsh;нет", "sch610013;isbsh;нет\n",
    ].join("\n"));
    write(dir.path(), "self_long.csv", long.as_bytes());
    write(dir.path(), "self_wide.csv", format!("Логин ОО;Старение педагогического коллектива;Что-то ещё\n{c};низкий;1\nsch610007;;1\n").as_bytes());
    let more = "[[input]]\nkind = \"selfdiagnosis\"\npath = \"self_long.csv\"\n\n[[input]]\nkind = \"selfdiagnosis\"\npath = \"self_wide.csv\"\n";
    let config = sample_config_with(dir.path(), more);
    let (v, code) = check_json(&[config.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_adds_up(&v);
    let file = v["inputs"].as_array().unwrap().iter().find(|i| i["path"].as_str().unwrap().ends_with("self_long.csv")).unwrap();
    assert_eq!((file["rows_read"].as_u64(), file["rows_used"].as_u64()), (Some(9), Some(6)));
    for reason in ["unknown_factor", "unknown_level", "unknown_school"] {
        assert_eq!(excluded(file, reason), 1, "{reason}");
    }
    let out = dir.path().join("out");
    let rows = run(&config, &out);
    assert!(profile(&rows, a).0.contains(&"staff_shortage".to_string()));
    assert!(!profile(&rows, b).0.contains(&"remoteness".to_string()));
    assert!(!profile(&rows, c).0.contains(&"staff_age".to_string()));
    // The school where the self-diagnosis added a factor: one more, a higher index.
    let (before, after) = (profile(&plain, a), profile(&rows, a));
    assert_eq!(after.0.len(), before.0.len() + 1, "{before:?} {after:?}");
    assert!(after.1 > before.1);
    // The report and the appendix carry the sections; the appendix names the level's source.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("Risk profiles") && report.contains("Bias audit of the list"), "sections missing");
    let appendix = std::fs::read_to_string(out.join("appendix.html")).unwrap();
    assert!(appendix.contains("self-diagnosis: Высокий"), "the self-diagnosis level is shown");
    // The workbook's sheet holds a row per listed school × actual factor (its shared strings
    // hold the factors' directions).
    assert!(package_part(&out.join("shnor.xlsx"), "xl/workbook.xml").contains("name=\"Risk profiles\""));
    let listed_factors: usize = column(&rows, "shnor").zip(column(&rows, "shnsu")).zip(column(&rows, "risk_factors")).filter(|((a, b), _)| *a == "1" || *b == "1").map(|(_, n)| n.parse::<usize>().unwrap()).sum();
    let sheets = package_part(&out.join("shnor.xlsx"), "xl/workbook.xml");
    // Split at «<sheet »: the n-th piece after the first is sheet n.
    let k = sheets.split("<sheet ").position(|s| s.contains("name=\"Risk profiles\"")).unwrap();
    let sheet = package_part(&out.join("shnor.xlsx"), &format!("xl/worksheets/sheet{k}.xml"));
    assert_eq!(sheet.matches("<row ").count(), listed_factors + 1, "a header and a row per listed school × factor");
}

/// Every file under `dir` by its path relative to it (manifest.json left out: it holds the
/// run's time).
fn output_set(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                if rel != "manifest.json" {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Copies a folder (a saved output set) to `to`, replacing what is there.
fn copy_set(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    for (rel, bytes) in output_set(from).into_iter().chain([("manifest.json".to_string(), std::fs::read(from.join("manifest.json")).unwrap())]) {
        let p = to.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

/// Outputs are one set (§6): a run killed at any point leaves the folder with the complete old
/// set or the complete new one — or, killed between the swap's two renames, no folder and the
/// complete old set beside it (`.out.previous`), which readers and the next run take back. The
/// old set is another setting's (other lists, other files), so a mix would be seen.
#[test]
fn a_killed_run_leaves_the_old_set_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new, out) = (dir.path().join("old"), dir.path().join("new"), dir.path().join("out"));
    // Each file's writing is followed by a pause, so that many kills land while files are written.
    const PAUSE: &str = "8";
    let run = |to: &Path, extra: &[&str]| shnor().env("SHNOR_WRITE_PAUSE_MS", PAUSE).args(["run", "-q", "--force"]).args(extra).arg(samples().join("region.toml")).arg("--out").arg(to).assert().success();
    run(&old, &["--set", "criteria.r30.threshold=0.25"]);
    let t0 = std::time::Instant::now();
    run(&new, &[]);
    let whole = t0.elapsed().as_millis() as u64;
    let (old_set, new_set) = (output_set(&old), output_set(&new));
    assert!(old_set != new_set && new_set.len() > 50);
    let bin = assert_cmd::cargo::cargo_bin("shnor");
    let mut seed: u64 = 0x5eed;
    let (mut kept, mut replaced) = (0, 0);
    for round in 0..12 {
        copy_set(&old, &out);
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        // Kill points spread over the whole run (reading, computing, writing, swapping).
        let at = (seed >> 33) % (whole + whole / 4).max(1);
        let mut child = std::process::Command::new(&bin)
            .env("SHNOR_WRITE_PAUSE_MS", PAUSE)
            .args(["run", "-q", "--force"])
            .arg(samples().join("region.toml"))
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(at));
        let _ = child.kill();
        let _ = child.wait();
        let seen = if out.exists() { out.clone() } else { dir.path().join(".out.previous") };
        assert!(seen.join("manifest.json").is_file(), "round {round} (killed at {at} ms): no complete set");
        let set = output_set(&seen);
        assert!(set == old_set || set == new_set, "round {round} (killed at {at} ms): the folder mixes two runs");
        if set == old_set { kept += 1 } else { replaced += 1 }
    }
    // (How many kills landed before the swap depends on the machine's speed; some always do.)
    assert!(kept > 0, "{kept} kept, {replaced} replaced");
    // The next run takes back whatever a kill left and ends with one folder.
    run(&out, &[]);
    assert!(output_set(&out) == new_set);
    assert!(!dir.path().join(".out.new").exists() && !dir.path().join(".out.previous").exists());
}

/// A disk that fills up while the outputs are written (every file after the 20th fails with
/// ENOSPC, `SHNOR_WRITE_FAIL_AFTER`): exit 1 with the reason, the previous set untouched, no
/// staging folder left behind.
#[test]
fn a_full_disk_leaves_the_old_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    shnor().args(["run", "-q", "--set", "criteria.r30.threshold=0.25"]).arg(samples().join("region.toml")).arg("--out").arg(&out).assert().success();
    let before = output_set(&out);
    shnor()
        .env("SHNOR_WRITE_FAIL_AFTER", "20")
        .args(["run", "-q", "--force"])
        .arg(samples().join("region.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("на диске нет места"));
    assert!(output_set(&out) == before, "the old set changed");
    assert!(!dir.path().join(".out.new").exists() && !dir.path().join(".out.previous").exists());
}

/// A folder of other files is never replaced by outputs.
#[test]
fn a_folder_of_other_files_is_not_taken_for_outputs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mine.txt", b"keep me");
    shnor().args(["run", "-q"]).arg(samples().join("region.toml")).arg("--out").arg(dir.path()).assert().code(2).stderr(predicate::str::contains("не пуст"));
    assert_eq!(std::fs::read(dir.path().join("mine.txt")).unwrap(), b"keep me");
}
