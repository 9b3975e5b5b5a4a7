//! Real regional files with zero configuration (issue: «Real regional files open with zero
//! configuration…»): printed forms with restarting column numbers, qualified headers and a
//! registrations sheet; municipality names that drift; ФИС ОКО protocols in two header
//! generations with absent pupils and a conversion scale; a misspelt required header; values
//! typed the Russian way; Russian argument errors. Every file is made here.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

mod common;
use common::{samples, shnor, write};

/// Two municipalities, each with a «СОШ № 1» (only the municipality tells them apart).
const REGISTER: &str = "Логин ОО;Наименование ОО;Муниципалитет\n\
s1;МБОУ «СОШ № 1»;Северный район\n\
s2;МБОУ «СОШ № 1»;Южный район\n\
s3;МАОУ «Гимназия № 2»;Северный район\n\
s4;МКОУ «Ивановская ООШ»;Южный район\n";

/// A printed ЕГЭ form as regions publish it: a title, a two-row merged header whose school column
/// is «Образовательная организация (школа)», a row of column numbers that restarts for every
/// subject block (1 2 3 4 5 6 4 5 6), a region total, the municipality on every school row as
/// its education authority (spelled differently in each sheet), a block with a blank count and
/// a mean written as 0, and a sheet of exam registrations (one count per subject) beside the
/// results sheets.
fn printed_form(dir: &Path) -> PathBuf {
    let mut wb = Workbook::new();
    let m = Format::new();
    let places = [("ЕГЭ 2024", "Северный муниципальный округ", "Южный муниципальный округ"), ("ЕГЭ 2025", "Комитет по образованию администрации Северного района", "Управление образования Южного района")];
    for (sheet, north, south) in places {
        let ws = wb.add_worksheet();
        ws.set_name(sheet).unwrap();
        ws.write_string(0, 0, &format!("Результаты {sheet} по образовательным организациям")).unwrap();
        for (c, h) in ["№ п/п", "Муниципалитет", "Образовательная организация (школа)"].iter().enumerate() {
            ws.merge_range(2, c as u16, 3, c as u16, h, &m).unwrap();
        }
        ws.merge_range(2, 3, 2, 5, "Русский язык", &m).unwrap();
        ws.merge_range(2, 6, 2, 8, "Математика (профильный уровень)", &m).unwrap();
        for (c, h) in ["Приняло участие", "Не преодолен min порог", "Средний балл"].iter().enumerate() {
            ws.write_string(3, 3 + c as u16, *h).unwrap();
            ws.write_string(3, 6 + c as u16, *h).unwrap();
        }
        for (c, n) in [1, 2, 3, 4, 5, 6, 4, 5, 6].iter().enumerate() {
            ws.write_number(4, c as u16, f64::from(*n)).unwrap();
        }
        // School rows: (row, №, municipality, name, [Русский язык], [Математика профильная]).
        let rows: [(u32, &str, &str, [Option<f64>; 3], [Option<f64>; 3]); 3] = [
            (5, north, "СОШ №1", [Some(20.0), Some(2.0), Some(61.5)], [Some(10.0), Some(4.0), Some(40.0)]),
            (6, south, "СОШ № 1", [Some(30.0), None, Some(70.0)], [None, None, Some(0.0)]),
            (7, north, "Гимназия № 2", [Some(12.0), Some(1.0), Some(75.0)], [Some(8.0), Some(0.0), Some(66.0)]),
        ];
        for (r, place, name, ru, ma) in rows {
            ws.write_number(r, 0, f64::from(r - 4)).unwrap();
            ws.write_string(r, 1, place).unwrap();
            ws.write_string(r, 2, name).unwrap();
            for (c, v) in ru.iter().chain(ma.iter()).enumerate() {
                if let Some(v) = v {
                    ws.write_number(r, 3 + c as u16, *v).unwrap();
                }
            }
        }
        ws.write_string(8, 1, "ВСЕГО").unwrap();
        ws.write_number(8, 3, 62.0).unwrap();
    }
    let ws = wb.add_worksheet();
    ws.set_name("Регистрация 2025").unwrap();
    ws.write_string(0, 0, "Зарегистрировано на ЕГЭ 2025").unwrap();
    ws.write_string(2, 0, "Образовательная организация (школа)").unwrap();
    ws.write_string(2, 1, "Русский язык").unwrap();
    ws.write_string(2, 2, "Математика (профильный уровень)").unwrap();
    ws.write_string(3, 1, "Количество участников").unwrap();
    ws.write_string(3, 2, "Количество участников").unwrap();
    ws.write_string(4, 0, "СОШ №1").unwrap();
    ws.write_number(4, 1, 25.0).unwrap();
    ws.write_number(4, 2, 11.0).unwrap();
    let path = dir.join("ege_form.xlsx");
    wb.save(&path).unwrap();
    path
}

fn check_json(args: &[&std::ffi::OsStr]) -> (i32, Value, String) {
    let out = shnor().args(["check", "--format", "json"]).args(args).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v, String::from_utf8_lossy(&out.stderr).to_string())
}

fn inputs_of<'a>(v: &'a Value, kind: &str) -> Vec<&'a Value> {
    v["inputs"].as_array().map(|a| a.iter().filter(|i| i["kind"] == kind).collect()).unwrap_or_default()
}

/// The aggregates of a run as sorted lines «year school subject participants failed mean».
fn aggregates(out: &Path) -> Vec<String> {
    let df = ParquetReader::new(std::fs::File::open(out.join("aggregates/results.parquet")).unwrap()).finish().unwrap();
    let get = |i: usize, c: &str| df.column(c).unwrap().get(i).unwrap().to_string().replace('"', "");
    let mut seen: Vec<String> = (0..df.height())
        .map(|i| format!("{} {} {} {} {} {} {}", get(i, "year"), get(i, "school_id"), get(i, "procedure"), get(i, "subject"), get(i, "participants"), get(i, "failed"), get(i, "mean_score")))
        .collect();
    seen.sort();
    seen
}

#[test]
fn printed_form_reads_without_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "reg.csv", REGISTER.as_bytes());
    let form = printed_form(dir.path());
    let (code, v, err) = check_json(&["--schools".as_ref(), reg.as_os_str(), "--results".as_ref(), form.as_os_str()]);
    assert_eq!(code, 0, "{err}\n{v}");
    let r = inputs_of(&v, "results")[0];
    let w = &r["wide"];
    let sheets: Vec<&str> = w["sheets"].as_array().unwrap().iter().map(|s| s["sheet"].as_str().unwrap()).collect();
    assert_eq!(sheets, ["ЕГЭ 2024", "ЕГЭ 2025"]);
    // The registrations sheet is named and passed over, never read as results.
    let passed: Vec<&str> = w["passed_over"].as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(passed, ["Регистрация 2025"]);
    for s in w["sheets"].as_array().unwrap() {
        let skipped: Vec<(u64, &str)> = s["skipped"].as_array().unwrap().iter().map(|k| (k["row"].as_u64().unwrap(), k["kind"].as_str().unwrap())).collect();
        assert_eq!(skipped, [(5, "column_numbers"), (9, "total")], "{s}");
        assert_eq!(s["school_rows"], 3);
        // The southern school's mathematics: blank count, mean 0 — an empty block, no record.
        assert_eq!(s["empty_blocks"], 1);
    }
    // Every record accounted for: 2 sheets × 5 records, all used.
    assert_eq!((r["rows_read"].as_u64(), r["rows_used"].as_u64(), r["rows_excluded"].as_u64()), (Some(10), Some(10), Some(0)));
    // Each drifted municipality spelling is listed with the register's name it was matched to.
    let drift: Vec<&str> = r["problems"].as_array().unwrap().iter().filter(|p| p["code"] == "municipality_matched").map(|p| p["value"].as_str().unwrap()).collect();
    assert_eq!(drift.len(), 4, "{drift:?}");
    assert!(drift.contains(&"Комитет по образованию администрации Северного района"));
    // The school column headed «Образовательная организация (школа)» is matched automatically.
    let name = r["mapped"].as_array().unwrap().iter().find(|m| m["canonical"] == "name").unwrap();
    assert!(name["matched_by"].as_str().is_some(), "{name}");

    let out = dir.path().join("out");
    shnor().args(["run", "-q", "--schools"]).arg(&reg).arg("--results").arg(&form).arg("--out").arg(&out).assert().success();
    let want = [
        "2024 s1 ЕГЭ Математика профильная 10 4 40.0",
        "2024 s1 ЕГЭ Русский язык 20 2 61.5",
        "2024 s2 ЕГЭ Русский язык 30 0 70.0",
        "2024 s3 ЕГЭ Математика профильная 8 0 66.0",
        "2024 s3 ЕГЭ Русский язык 12 1 75.0",
        "2025 s1 ЕГЭ Математика профильная 10 4 40.0",
        "2025 s1 ЕГЭ Русский язык 20 2 61.5",
        "2025 s2 ЕГЭ Русский язык 30 0 70.0",
        "2025 s3 ЕГЭ Математика профильная 8 0 66.0",
        "2025 s3 ЕГЭ Русский язык 12 1 75.0",
    ];
    assert_eq!(aggregates(&out), want);
}

/// ФИС ОКО protocol, older generation (XLSX): title with subject, grade and year; «Муниципалитет»
/// and «Школа» as `code | name`; pupil codes; class names; «вариант» with «отсутствовал»; task
/// columns «N (Kб)»; «всего баллов»; «отметка за предыдущую четверть/триместр» with «нет отметки»;
/// all cells text; no mark.
fn protocol_xlsx(dir: &Path) -> PathBuf {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Проведение работы по математике, 5 класс. ВПР 2025").unwrap();
    let head = ["Муниципалитет", "Школа", "номер обучающегося", "класс", "вариант", "1 (1б)", "2 (2б)", "3 (2б)", "всего баллов", "отметка за предыдущую четверть/триместр"];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    // (school, class, variant, tasks, total, journal): s1 — scores 1, 3, 5, 5, 2 and one absent.
    let rows = [
        ("s1 | МБОУ «СОШ № 1»", "5А", "1", "1", "2"),
        ("s1 | МБОУ «СОШ № 1»", "5А", "2", "3", "3"),
        ("s1 | МБОУ «СОШ № 1»", "5Б", "1", "5", "4"),
        ("s1 | МБОУ «СОШ № 1»", "5Б", "2", "5", "5"),
        ("s1 | МБОУ «СОШ № 1»", "5Б", "отсутствовал", "0", "нет отметки"),
        ("s1 | МБОУ «СОШ № 1»", "5Б", "1", "2", "нет отметки"),
    ];
    for (i, (school, class, variant, total, journal)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        let cells = ["reg61_m001 | Северный район", school, &format!("{:06}", 100 + i), class, variant, "1", "0", "0", total, journal];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    }
    let p = dir.join("protocol_5_math.xlsx");
    wb.save(&p).unwrap();
    p
}

/// ФИС ОКО protocol, newer generation (CSV): «логин школы», «регион» (the municipality),
/// «код обучающегося», «Наименование класса», «Вариант», task columns «10К1 (1б)», «Итого баллов»,
/// «Отметка за предыдущий триместр/ четверть/полугодие»; subject, grade and year only in the
/// folders and the file name: `2025/5/Математика.csv`.
fn protocol_csv(dir: &Path) -> PathBuf {
    let folder = dir.join("fisoko").join("2025").join("5");
    std::fs::create_dir_all(&folder).unwrap();
    let text = "логин школы;регион;код обучающегося;Наименование класса;Вариант;1К1 (1б);10К1 (1б);Итого баллов;Отметка за предыдущий триместр/ четверть/полугодие\n\
s3;Северный район;000201;5В;1;1;0;4;3\n\
s3;Северный район;000202;5В;2;1;1;6;4\n\
s3;Северный район;000203;5В;Отсутствовал;;;;\n\
s3;Северный район;000204;5В;1;0;0;0;2\n\
s3;Северный район;000205;5В;1;0;1;5;нет отметки\n\
s3;Северный район;000206;5В;2;1;1;9;5\n";
    write(&folder, "Математика.csv", text.as_bytes())
}

const SCALE: &str = "Год;Класс;Предмет;«3» от;«4» от;«5» от\n2025;5;Математика;3;5;8\n";

#[test]
fn fisoko_protocols_in_two_generations_with_a_scale() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "reg.csv", REGISTER.as_bytes());
    let xlsx = protocol_xlsx(dir.path());
    protocol_csv(dir.path());
    let folder = dir.path().join("fisoko");
    let scales = write(dir.path(), "scales.csv", SCALE.as_bytes());
    let args = |with_scale: bool| {
        let mut a: Vec<&std::ffi::OsStr> = vec!["--schools".as_ref(), reg.as_os_str(), "--results".as_ref(), xlsx.as_os_str(), "--results".as_ref(), folder.as_os_str()];
        if with_scale {
            a.extend(["--scales".as_ref(), scales.as_os_str()]);
        }
        a
    };
    // Without the scale: fatal, naming the mark column and the missing (year, grade, subject).
    let (code, v, _) = check_json(&args(false));
    assert_eq!(code, 65);
    let msg = inputs_of(&v, "results")[0]["problems"].as_array().unwrap().iter().find(|p| p["code"] == "missing_scale").unwrap()["message"].as_str().unwrap().to_string();
    assert!(msg.contains("Отметка") && msg.contains("2025") && msg.contains("5 класс") && msg.contains("Математика"), "{msg}");

    let (code, v, err) = check_json(&args(true));
    assert_eq!(code, 0, "{err}\n{v}");
    let res = inputs_of(&v, "results");
    assert_eq!(res.len(), 2, "the folder gives its one file");
    for r in &res {
        // One absent pupil each, excluded by its own reason (never a zero score).
        assert_eq!(r["rows_read"], 6, "{r}");
        assert_eq!(r["rows_used"], 5, "{r}");
        let ex: Vec<(&str, u64)> = r["excluded"].as_array().unwrap().iter().map(|e| (e["reason"].as_str().unwrap(), e["count"].as_u64().unwrap())).collect();
        assert_eq!(ex, [("absent", 1)], "{r}");
        // The task columns are recognised and left aside; the scale that served is named.
        assert!(r["task_columns"].as_u64().unwrap() >= 2, "{r}");
        let problems = r["problems"].as_array().unwrap();
        assert!(problems.iter().any(|p| p["code"] == "scale_used" && p["message"].as_str().unwrap().contains("scales.csv")), "{r}");
        assert!(problems.iter().any(|p| p["code"] == "from_title"), "{r}");
    }
    // The folder named in a configuration reads the same way.
    let cfg = write(dir.path(), "fisoko.toml", b"[[input]]\nkind = \"schools\"\npath = \"reg.csv\"\n\n[[input]]\nkind = \"results\"\npath = \"fisoko\"\n\n[[input]]\nkind = \"scales\"\npath = \"scales.csv\"\n");
    let (code, v, err) = check_json(&[cfg.as_os_str()]);
    assert_eq!(code, 0, "{err}\n{v}");
    assert_eq!(inputs_of(&v, "results").iter().map(|r| r["rows_used"].as_u64()).collect::<Vec<_>>(), [Some(5)]);
    let out = dir.path().join("out");
    shnor().args(["run", "-q"]).args(args(true)).arg("--out").arg(&out).assert().success();
    // s1: totals 1, 3, 5, 5, 2 → marks 2, 3, 4, 4, 2 (scale 3/5/8); s3: 4, 6, 0, 5, 9 → 3, 4, 2, 4, 5.
    assert_eq!(aggregates(&out), ["2025 s1 ВПР Математика 5 2 3.2", "2025 s3 ВПР Математика 5 1 4.8"]);
}

#[test]
fn misspelt_required_header_stops_the_run_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(samples()).unwrap().flatten() {
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    let csv = dir.path().join("vpr_2025.csv");
    let text = std::fs::read_to_string(&csv).unwrap().replacen(",mark,", ",Отмтека,", 1);
    std::fs::write(&csv, text).unwrap();
    let out = dir.path().join("out");
    let assert = shnor().arg("run").arg(dir.path().join("region.toml")).arg("--out").arg(&out).assert().code(65);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("vpr_2025.csv") && err.contains("«Отметка»") && err.contains("возможно, «Отмтека»"), "{err}");
    assert!(!out.join("schools.csv").exists());
}

#[test]
fn a_mostly_excluded_file_is_fatal_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::hand_region(dir.path());
    // A second results file whose schools are mostly not in the register.
    let mut text = String::from("year;school_id;procedure;grade;subject;participants;mark2\n");
    for i in 0..8 {
        text.push_str(&format!("2025;x{i};ВПР;5;Математика;10;1\n"));
    }
    text.push_str("2025;s03;ВПР;5;Математика;10;1\n");
    write(dir.path(), "other.csv", text.as_bytes());
    let with_other = std::fs::read_to_string(&cfg).unwrap() + "\n[[input]]\nkind = \"results\"\npath = \"other.csv\"\n";
    let cfg = write(dir.path(), "two.toml", with_other.as_bytes());
    let out = dir.path().join("out");
    let a = shnor().arg("run").arg(&cfg).arg("--out").arg(&out).assert().code(65);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("other.csv") && err.contains("8 из 9") && err.contains("--allow-excluded"), "{err}");
    let a = shnor().arg("run").arg(&cfg).arg("--out").arg(&out).arg("--allow-excluded").assert().success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(stdout.contains("other.csv") && stdout.contains("88,9 %"), "{stdout}");
    // The threshold is a setting: at 0.95 the file passes.
    shnor().arg("run").arg(&cfg).arg("--out").arg(dir.path().join("out2")).args(["--set", "input.max_excluded_share=95 %"]).assert().success();
}

#[test]
fn values_typed_the_russian_way() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::hand_region(dir.path());
    for (i, v) in ["0,15", "15 %", "15%"].iter().enumerate() {
        let out = dir.path().join(format!("out{i}"));
        shnor().arg("run").arg(&cfg).arg("--out").arg(&out).args(["-q", "--set"]).arg(format!("criteria.bottom.share={v}")).args(["--set", "criteria.r30.enabled=нет", "--set", "criteria.combine=или"]).assert().success();
        let m: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let c = &m["configuration"]["criteria"];
        assert_eq!((c["bottom"]["share"].as_f64(), c["r30"]["enabled"].as_bool(), c["combine"].as_str()), (Some(0.15), Some(false), Some("any")), "{v}");
    }
    shnor().arg("run").arg(&cfg).args(["--set", "criteria.bottom.shar=0,15"]).assert().code(2).stderr(predicates::str::contains("возможно, «share»"));
}

#[test]
fn argument_errors_and_help_in_russian() {
    let a = shnor().arg("rnu").assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("неизвестная команда «rnu»") && err.contains("«run»") && !err.contains("error:") && !err.contains("Usage"), "{err}");
    let a = shnor().args(["run", "--shools", "x.csv"]).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("«--shools»") && err.contains("--schools") && !err.contains("unexpected"), "{err}");
    let a = shnor().args(["run", "--help"]).assert().success();
    let help = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(help.contains("Использование:") && help.contains("Показать справку") && !help.contains("Usage:") && !help.contains("Print help"), "{help}");
    // A missing file is named in Russian, without the system's English text.
    let dir = tempfile::tempdir().unwrap();
    let a = shnor().arg("run").arg(dir.path().join("нет.toml")).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("не найден") && !err.contains("os error"), "{err}");
    // --lang en keeps clap's English.
    shnor().args(["--lang", "en", "rnu"]).assert().code(2).stderr(predicates::str::contains("unrecognized subcommand"));
}

#[test]
fn bad_input_rules_for_shares_duplicates_and_leading_zeros() {
    let dir = tempfile::tempdir().unwrap();
    // Two unknown columns with the same header (register and results): harmless, both listed.
    let reg = write(dir.path(), "reg.csv", "Логин ОО;Наименование ОО;Муниципалитет;Примечание;Примечание\n00123;Школа 1;Район А;a;b\n00124;Школа 2;Район А;;\n00125;Школа 3;Район Б;;\n".as_bytes());
    // Shares in one column (one of them out of range), percentages in the other.
    let res = "Год;Логин ОО;Процедура;Класс;Предмет;Участники;Доля «2»;«3», %;Комментарий;Комментарий\n\
2025;00123;ВПР;4;Русский язык;20;0,1;40;;\n\
2025;00124;ВПР;4;Русский язык;20;0,2;55;;\n\
2025;00124;ВПР;4;Математика;20;1,5;30;;\n\
2025;00123;ВПР;4;Математика;20;0,25;150;;\n";
    let res = write(dir.path(), "res.csv", res.as_bytes());
    let (code, v, err) = check_json(&["--schools".as_ref(), reg.as_os_str(), "--results".as_ref(), res.as_os_str(), "--allow-excluded".as_ref()]);
    assert_eq!(code, 0, "{err}\n{v}");
    let r = inputs_of(&v, "results")[0];
    assert_eq!(r["unknown_columns"], serde_json::json!(["Комментарий", "Комментарий"]));
    let register = inputs_of(&v, "schools")[0];
    assert!(register["unknown_columns"].as_array().unwrap().iter().any(|u| u == "Примечание"), "{register}");
    // «Доля «2»» is a column of shares (1,5 is out of range, not a sign of percentages) and «3», %
    // one of percentages (150 is out of range): each bad cell excludes its row, named.
    let bad: Vec<(u64, &str, &str)> = r["problems"].as_array().unwrap().iter().filter(|p| p["code"] == "share_out_of_range").map(|p| (p["row"].as_u64().unwrap(), p["column"].as_str().unwrap(), p["value"].as_str().unwrap())).collect();
    assert_eq!(bad, [(4, "Доля «2»", "1,5"), (5, "«3», %", "150")]);
    assert_eq!(r["rows_used"], 2);
    // Identifiers keep their leading zeros, in the data-quality lists too.
    let without: Vec<&str> = v["schools_without_results"].as_array().unwrap().iter().map(|s| s["school_id"].as_str().unwrap()).collect();
    assert_eq!(without, ["00125"]);
    let out = dir.path().join("out");
    shnor().args(["run", "-q", "--allow-excluded", "--schools"]).arg(&reg).arg("--results").arg(&res).arg("--out").arg(&out).assert().success();
    let rows = aggregates(&out);
    assert_eq!(rows, ["2025 00123 ВПР Русский язык 20 2 null", "2025 00124 ВПР Русский язык 20 4 null"]);
}
