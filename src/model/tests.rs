//! Canonical tables built from small hand-made inputs, checked against hand-computed values.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::load;
use crate::config::Sources;
use crate::config::Config;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn row(df: &DataFrame, school: &str, procedure: &str, subject: &str) -> DataFrame {
    df.clone()
        .lazy()
        .filter(col("school_id").eq(lit(school)).and(col("procedure").eq(lit(procedure))).and(col("subject").eq(lit(subject))))
        .collect()
        .unwrap()
}

fn i64_of(df: &DataFrame, c: &str) -> Option<i64> {
    df.column(c).unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().get(0)
}

fn f64_of(df: &DataFrame, c: &str) -> Option<f64> {
    df.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().get(0)
}

#[test]
fn per_student_aggregation_matches_hand_counts() {
    let dir = tempfile::tempdir().unwrap();
    let schools = write(dir.path(), "s.csv", "school_id;name;municipality\ns1;Школа 1;А\ns2;Школа 2;Б\n");
    let students = "year;school_id;procedure;grade;subject;score;mark;journal_mark\n\
        2025;s1;ВПР;4;Русский язык;5;2;3\n\
        2025;s1;ВПР;4;РУ;6;2;2\n\
        2025;s1;ВПР;4;русский яз.;10;3;3\n\
        2025;s1;ВПР;4;РУ;15;4;5\n\
        2025;s1;ВПР;4;РУ;20;5;5\n\
        2025;s1;ЕГЭ;;Русский язык;20;;\n\
        2025;s1;ЕГЭ;;Русский язык;30;;\n\
        2025;s1;ЕГЭ;;Русский язык;50;;\n\
        2025;s1;ЕГЭ;11;Математика базовая;;2;\n\
        2025;s1;ЕГЭ;11;Математика базовая;;3;\n\
        2025;s1;ЕГЭ;11;Математика базовая;;4;\n\
        2024;s2;ВПР;4;МА;7;3;4\n\
        2024;s2;ВПР;4;МА;8;3;3\n\
        2023;s2;ВПР;4;МА;8;3;3\n";
    let res = write(dir.path(), "r.csv", students);
    let shares = write(dir.path(), "p.csv", "Год;Логин ОО;Процедура;Класс;Предмет;Участники;«2», %;Средний балл\n2025;s2;ОГЭ;9;Математика;20;25;12,5\n");
    let args = Sources {
        schools: Some(schools),
        results: vec![res, shares],
        ..Sources::default()
    };
    let config = Config::load(&args).unwrap();
    let ds = load(&config, 10, crate::identify::first_year_needed).unwrap();
    assert!(!ds.fatal(), "{:?}", ds.reports.iter().map(|r| &r.problems).collect::<Vec<_>>());
    let t = ds.results.unwrap();

    let vpr = row(&t, "s1", "ВПР", "Русский язык");
    assert_eq!(vpr.height(), 1, "subject aliases merge into one procedure");
    assert_eq!(i64_of(&vpr, "participants"), Some(5));
    assert_eq!(i64_of(&vpr, "failed"), Some(2));
    assert_eq!(i64_of(&vpr, "mark2"), Some(2));
    assert_eq!(i64_of(&vpr, "mark3"), Some(1));
    assert_eq!(i64_of(&vpr, "mark4"), Some(1));
    assert_eq!(i64_of(&vpr, "mark5"), Some(1));
    assert_eq!(f64_of(&vpr, "mean_score"), Some(11.2));
    assert_eq!(f64_of(&vpr, "fail_share"), Some(0.4));
    assert_eq!(f64_of(&vpr, "quality_share"), Some(0.4));
    assert_eq!(i64_of(&vpr, "j_higher"), Some(2));
    assert_eq!(i64_of(&vpr, "j_same"), Some(3));
    assert_eq!(i64_of(&vpr, "j_lower"), Some(0));

    // ЕГЭ without marks: failed = score below the subject minimum (24); grade defaults to 11.
    let ege = row(&t, "s1", "ЕГЭ", "Русский язык");
    assert_eq!(i64_of(&ege, "grade"), Some(11));
    assert_eq!(i64_of(&ege, "participants"), Some(3));
    assert_eq!(i64_of(&ege, "failed"), Some(1));
    assert_eq!(i64_of(&ege, "mark2"), None);
    let mean = f64_of(&ege, "mean_score").unwrap();
    assert!((mean - 100.0 / 3.0).abs() < 1e-9);
    // Base mathematics: failed = mark 2.
    let base = row(&t, "s1", "ЕГЭ", "Математика базовая");
    assert_eq!(i64_of(&base, "failed"), Some(1));
    assert_eq!(f64_of(&base, "mean_score"), None);

    let vpr2 = row(&t, "s2", "ВПР", "Математика");
    assert_eq!(vpr2.height(), 1);
    assert_eq!(i64_of(&vpr2, "year"), Some(2024));
    assert_eq!(i64_of(&vpr2, "participants"), Some(2), "the 2023 row is outside the window");
    assert_eq!(i64_of(&vpr2, "j_higher"), Some(1));

    // Percentages per school: 25 % of 20 participants = 5 failed.
    let oge = row(&t, "s2", "ОГЭ", "Математика");
    assert_eq!(i64_of(&oge, "failed"), Some(5));
    assert_eq!(f64_of(&oge, "mean_score"), Some(12.5));

    let r = &ds.reports[1];
    assert_eq!(r.rows_read, 14);
    assert_eq!(r.rows_used, 13);
    assert_eq!(r.excluded_map().get("year_outside_window"), Some(&1));
    assert_eq!(ds.latest_year, Some(2025));
    assert_eq!(ds.first_year, Some(2024));
}

#[test]
fn questionnaire_shares_per_indicator() {
    let dir = tempfile::tempdir().unwrap();
    let schools = write(dir.path(), "s.csv", "school_id;name;municipality\ns1;Школа 1;А\n");
    let q = write(
        dir.path(),
        "q.csv",
        "Логин ОО;Многодетная семья;Больше 100 книг\ns1;да;нет\ns1;нет;\ns1;Да;+\ns1;1;нет\n",
    );
    let args = Sources {
        schools: Some(schools),
        questionnaire: vec![q],
        ..Sources::default()
    };
    let ds = load(&Config::load(&args).unwrap(), 10, crate::identify::first_year_needed).unwrap();
    let t = ds.questionnaire.unwrap();
    let get = |ind: &str| {
        let r = t.clone().lazy().filter(col("indicator").eq(lit(ind))).collect().unwrap();
        (i64_of(&r, "respondents"), f64_of(&r, "share"), i64_of(&r, "families"))
    };
    assert_eq!(get("large_family"), (Some(4), Some(0.75), Some(4)));
    let (n, share, _) = get("books_100");
    assert_eq!(n, Some(3));
    assert!((share.unwrap() - 1.0 / 3.0).abs() < 1e-12);
}

/// A large per-student CSV goes through the fast reader (numbers typed where every cell is a
/// plain number); the same rows with one quoted cell go cell by cell, all as text. Both must give
/// the same aggregates, the same accounting and the same listed problems — with every number
/// column plain, with a placeholder in the marks, and with a cell that only looks like a number.
#[test]
fn typed_fast_path_matches_text_path() {
    for variant in ["plain", "placeholder", "not_a_number"] {
        let dir = tempfile::tempdir().unwrap();
        let schools = write(dir.path(), "s.csv", "school_id;name;municipality\ns1;Школа 1;А\ns2;Школа 2;Б\ns3;Школа 3;Б\n");
        let mut plain = String::from("year,school_id,procedure,grade,subject,score,mark,journal_mark,note\n");
        let mut quoted = plain.clone();
        for i in 0..14_000u32 {
            let school = ["s1", "s2", "s3", "s9", "х"][(i % 97 % 5) as usize];
            let subject = ["Русский язык", "МА", "ОМ"][(i % 3) as usize];
            let mark = 2 + i % 4;
            let mut mark_text = mark.to_string();
            let mut score = (i % 30).to_string();
            if i % 1000 == 7 {
                mark_text = "7".to_string();
            }
            if i % 1000 == 8 {
                score = "-3".to_string();
            }
            if variant == "placeholder" && i % 1000 == 9 {
                mark_text = "н/д".to_string();
            }
            if variant == "not_a_number" && i == 5000 {
                score = "1.2.3".to_string();
            }
            let jm = if i % 7 == 0 { String::new() } else { (2 + (i + 1) % 4).to_string() };
            let year = if i % 2 == 0 { 2024 } else { 2025 };
            let line = format!("{year},{school},ВПР,{},{subject},{score},{mark_text},{jm},", 4 + i % 2);
            plain.push_str(&line);
            plain.push_str("x\n");
            quoted.push_str(&line);
            quoted.push_str(if i == 0 { "\"x\"\n" } else { "x\n" });
        }
        assert!(plain.len() > 256 * 1024);
        let load_one = |name: &str, text: &str| {
            let res = write(dir.path(), name, text);
            let args = Sources {
                schools: Some(schools.clone()),
                results: vec![res],
                ..Sources::default()
            };
            load(&Config::load(&args).unwrap(), 10, crate::identify::first_year_needed).unwrap()
        };
        let fast = load_one("fast.csv", &plain);
        let slow = load_one("slow.csv", &quoted);
        let (a, b) = (fast.results.unwrap(), slow.results.unwrap());
        assert!(a.height() > 0);
        assert!(a.equals_missing(&b), "{variant}: aggregates differ\n{a}\n{b}");
        let (ra, rb) = (&fast.reports[1], &slow.reports[1]);
        assert_eq!((ra.rows_read, ra.rows_used), (rb.rows_read, rb.rows_used), "{variant}");
        assert_eq!(ra.excluded_map(), rb.excluded_map(), "{variant}");
        let listed = |r: &super::report::InputReport| r.problems.iter().map(|p| p.render().replace("fast.csv", "slow.csv")).collect::<Vec<_>>();
        assert_eq!(listed(ra), listed(rb), "{variant}");
        assert!(ra.excluded_map().get("bad_mark").is_some_and(|n| *n > 0), "{variant}: {:?}", ra.excluded_map());
        assert!(ra.excluded_map().get("bad_score").is_some_and(|n| *n > 0), "{variant}: {:?}", ra.excluded_map());
    }
    // The plain file's number columns really are read as numbers.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("year,school_id,procedure,grade,subject,score,mark\n");
    for i in 0..20_000u32 {
        text.push_str(&format!("2025,s1,ВПР,4,Русский язык,{},{}\n", i % 30, 2 + i % 4));
    }
    let p = write(dir.path(), "r.csv", &text);
    let matcher = crate::ingest::Matcher::new(crate::model::schema::RESULTS_STUDENT.columns.iter().map(|c| (c.name, c.name)));
    let opts = crate::ingest::ReadOptions {
        encoding: None,
        delimiter: None,
        sheet: None,
        header_row: None,
        keep_unknown: false,
        numeric: super::results::NUMBERS,
        wide: None,
        codes: false,
    };
    let raw = crate::ingest::read_table(&p, &matcher, &opts).unwrap();
    for c in ["year", "grade", "score", "mark"] {
        assert_eq!(raw.df.column(c).unwrap().dtype(), &DataType::Float64, "{c}");
    }
    assert_eq!(raw.df.column("subject").unwrap().dtype(), &DataType::String);
}

/// Results that name their schools instead of giving ids: matched exactly, after
/// normalisation, within the municipality, through the crosswalk (which wins over the register),
/// and never guessed — ambiguous and unknown names are excluded, counted and listed with the
/// nearest register schools.
#[test]
fn schools_known_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let schools = write(
        dir.path(),
        "s.csv",
        "Логин ОО;Наименование ОО;Муниципалитет\n\
         s1;МБОУ «СОШ № 1»;Северный район\n\
         s2;МБОУ «СОШ № 1»;Южный район\n\
         s3;МАОУ «Гимназия № 2»;Северный район\n\
         s4;МКОУ ООШ с. Берёзовка;Южный район\n\
         s5;МБОУ «Лицей № 3»;Северный район\n",
    );
    let results = write(
        dir.path(),
        "r.csv",
        "Год;Наименование ОО;Муниципалитет;Экзамен;Предмет;Кол-во участников;«2»\n\
         2025;МАОУ «Гимназия № 2»;Северный район;ОГЭ;Математика;20;2\n\
         2025;Основная общеобразовательная школа с.Березовка;Южный район;ОГЭ;Математика;10;1\n\
         2025;средняя общеобразовательная школа №1;ЮЖНЫЙ РАЙОН;ОГЭ;Математика;30;3\n\
         2025;СОШ №1;;ОГЭ;Математика;11;1\n\
         2025;Школа № 77;Северный район;ОГЭ;Математика;12;1\n\
         2025;Лицей №3 (филиал);Северный район;ОГЭ;Математика;13;1\n\
         2025;Гимназия №2;Северный район;ОГЭ;Русский язык;20;0\n",
    );
    let crosswalk = write(dir.path(), "cw.csv", "Наименование в источнике;Логин ОО\nЛицей №3 (филиал);s5\nГимназия № 2;s1\n");
    let load_with = |cw: Option<&Path>| {
        let args = Sources {
            schools: Some(schools.clone()),
            results: vec![results.clone()],
            crosswalk: cw.map(Path::to_path_buf),
            ..Sources::default()
        };
        load(&Config::load(&args).unwrap(), 10, crate::identify::first_year_needed).unwrap()
    };
    let participants = |ds: &super::Dataset, school: &str, subject: &str| {
        let t = ds.results.as_ref().unwrap();
        let r = row(t, school, "ОГЭ", subject);
        (r.height() > 0).then(|| i64_of(&r, "participants")).flatten()
    };

    // Without a crosswalk.
    let ds = load_with(None);
    let r = ds.reports.iter().find(|r| r.path.ends_with("r.csv")).unwrap();
    let m = r.name_matching.clone().unwrap();
    assert_eq!((m.exact, m.normalized, m.crosswalk, m.ambiguous, m.unmatched), (1, 3, 0, 1, 2), "{m:?}");
    assert_eq!(participants(&ds, "s3", "Математика"), Some(20), "exact name");
    assert_eq!(participants(&ds, "s3", "Русский язык"), Some(20), "normalised name");
    assert_eq!(participants(&ds, "s4", "Математика"), Some(10), "spelled-out kind and ё");
    assert_eq!(participants(&ds, "s2", "Математика"), Some(30), "the municipality decides between two «СОШ № 1»");
    assert_eq!(participants(&ds, "s1", "Математика"), None, "an ambiguous name is never guessed");
    assert_eq!(r.excluded_map().get("ambiguous_name"), Some(&1));
    assert_eq!(r.excluded_map().get("unmatched_name"), Some(&2));
    let text: Vec<String> = r.problems.iter().map(|p| p.render()).collect();
    let ambiguous = text.iter().find(|t| t.contains("СОШ №1") && t.contains("нескольким")).unwrap();
    assert!(ambiguous.contains("(s1, Северный район)") && ambiguous.contains("(s2, Южный район)"), "{ambiguous}");
    let unknown = text.iter().find(|t| t.contains("Школа № 77") && t.contains("ближайшие")).unwrap();
    assert!(unknown.contains("(s"), "{unknown}");

    // The crosswalk maps the unknown «Лицей №3 (филиал)», and «Гимназия № 2» in any spelling
    // (names are compared normalised) to s1: it wins over the register.
    let ds = load_with(Some(&crosswalk));
    let r = ds.reports.iter().find(|r| r.path.ends_with("r.csv")).unwrap();
    let m = r.name_matching.clone().unwrap();
    assert_eq!((m.exact, m.normalized, m.crosswalk, m.ambiguous, m.unmatched), (0, 2, 3, 1, 1), "{m:?}");
    assert_eq!(participants(&ds, "s5", "Математика"), Some(13));
    assert_eq!(participants(&ds, "s1", "Математика"), Some(20), "the crosswalk wins over the register");
    assert_eq!(participants(&ds, "s1", "Русский язык"), Some(20));
    assert_eq!(participants(&ds, "s3", "Математика"), None);
    let cw = ds.reports.iter().find(|r| r.path.ends_with("cw.csv")).unwrap();
    assert_eq!((cw.rows_read, cw.rows_used), (2, 2));
}

/// A row that fails several checks is counted under the first of them, in the order every
/// results table is checked in, whether the check needs only the row (a mark) or a lookup (the
/// school, the ЕГЭ minimum); and each problem names its row and value.
#[test]
fn per_student_reasons_follow_the_check_order() {
    let dir = tempfile::tempdir().unwrap();
    let schools = write(dir.path(), "s.csv", "school_id;name;municipality\ns1;Школа 1;А\n");
    let students = "year;school_id;procedure;grade;subject;score;mark;journal_mark\n\
        2025;s1;ВПР;4;Русский язык;5;3;3\n\
        2025;zz;ВПР;4;Русский язык;5;9;3\n\
        2025;s1;ВПР;4;Русский язык;5;;9\n\
        2025;s1;ЕГЭ;11;Русский язык;;;\n\
        2025;s1;ЕГЭ;11;Астрономия;50;;\n\
        20x5;s1;ВПР;4;Русский язык;5;9;3\n\
        2025;s1;ВПР;15;Русский язык;-1;3;3\n\
        2025;х;ВПР;4;Русский язык;5;3;3\n\
        2025;zz;ВПР;4;Русский язык;5;3;3\n";
    let res = write(dir.path(), "r.csv", students);
    let args = Sources { schools: Some(schools), results: vec![res], ..Sources::default() };
    let config = Config::load(&args).unwrap();
    let ds = load(&config, 10, crate::identify::first_year_needed).unwrap();
    let r = &ds.reports[1];
    let got = r.excluded_map();
    // Row 3: unknown school and a bad mark → the mark (checked before the register lookup).
    // Row 4: ВПР without a mark and a bad journal mark → the mark. Row 5: ЕГЭ without mark or
    // score → the score. Row 6: no ЕГЭ minimum for the subject. Row 7: a bad year before the bad
    // mark. Row 8: the grade before the score. Row 9: a placeholder id. Row 10: unknown school.
    assert_eq!(got.get("bad_mark"), Some(&2), "{got:?}");
    assert_eq!(got.get("bad_score"), Some(&1), "{got:?}");
    assert_eq!(got.get("no_ege_minimum"), Some(&1), "{got:?}");
    assert_eq!(got.get("bad_year"), Some(&1), "{got:?}");
    assert_eq!(got.get("bad_grade"), Some(&1), "{got:?}");
    assert_eq!(got.get("blank_id"), Some(&1), "{got:?}");
    assert_eq!(got.get("unknown_school"), Some(&1), "{got:?}");
    assert_eq!(r.rows_used, 1);
    let at = |row: u64| r.problems.iter().find(|p| p.row == Some(row)).map(|p| (p.code.clone(), p.value.clone()));
    assert_eq!(at(3), Some(("bad_mark".to_string(), Some("9".to_string()))));
    assert_eq!(at(4), Some(("bad_mark".to_string(), None)));
    assert_eq!(at(6), Some(("no_ege_minimum".to_string(), Some("Астрономия".to_string()))));
    assert_eq!(at(7), Some(("bad_year".to_string(), Some("20x5".to_string()))));
    assert_eq!(at(8), Some(("bad_grade".to_string(), Some("15".to_string()))));
    assert_eq!(at(10), Some(("unknown_school".to_string(), Some("zz".to_string()))));
}

#[test]
fn the_same_procedure_in_two_files_is_summed() {
    let dir = tempfile::tempdir().unwrap();
    let schools = write(dir.path(), "s.csv", "school_id;name;municipality\ns1;Школа 1;А\ns2;Школа 2;Б\n");
    // s1's ВПР 4 Русский язык is split over a per-student file and a per-school file (e.g. a
    // late make-up sitting); s2's is in one file only.
    let students = write(
        dir.path(),
        "r.csv",
        "year;school_id;procedure;grade;subject;score;mark\n\
         2025;s1;ВПР;4;РУ;5;2\n\
         2025;s1;ВПР;4;РУ;15;4\n\
         2025;s2;ВПР;4;РУ;20;5\n\
         2024;s2;ВПР;4;РУ;20;5\n",
    );
    let per_school = write(
        dir.path(),
        "p.csv",
        "Год;Логин ОО;Процедура;Класс;Предмет;Участники;mark2;Средний балл\n2025;s1;ВПР;4;Русский язык;8;2;12,5\n",
    );
    let args = Sources {
        schools: Some(schools),
        results: vec![students, per_school],
        ..Sources::default()
    };
    let config = Config::load(&args).unwrap();
    let ds = load(&config, 10, crate::identify::first_year_needed).unwrap();
    assert!(!ds.fatal(), "{:?}", ds.reports.iter().map(|r| &r.problems).collect::<Vec<_>>());
    let t = ds.results.unwrap();
    let s1 = row(&t, "s1", "ВПР", "Русский язык");
    assert_eq!(s1.height(), 1, "one row per school × year × procedure");
    assert_eq!(i64_of(&s1, "participants"), Some(10));
    assert_eq!(i64_of(&s1, "failed"), Some(3));
    assert_eq!(f64_of(&s1, "fail_share"), Some(0.3));
    // (5 + 15 + 8 × 12.5) / 10
    assert_eq!(f64_of(&s1, "mean_score"), Some(12.0));
    assert_eq!(i64_of(&s1, "mark2"), Some(3));
    // Mark 4 is known only for the per-student part (the per-school file has no such column).
    assert_eq!(i64_of(&s1, "mark4"), Some(1));
    let s2 = row(&t, "s2", "ВПР", "Русский язык");
    assert_eq!(s2.height(), 2, "two years");
    // Sorted by the key: year first.
    let years: Vec<Option<i32>> = t.column("year").unwrap().i32().unwrap().iter().collect();
    assert!(years.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(t.height(), 3);
}
