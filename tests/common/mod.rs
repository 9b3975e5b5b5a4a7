//! Helpers shared by the CLI test files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn shnor() -> Command {
    let mut c = Command::cargo_bin("shnor").unwrap();
    c.env("NO_COLOR", "1");
    c
}

pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples")
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A school name made to break markup, tables and spreadsheets.
pub const HOSTILE_NAME: &str = "=HYPERLINK(\"x\") <script>alert('x')</script> & \"Школа\" | *1* [a](b)";

/// A hand-built region of 12 schools whose flags, categories and ranks are worked out by hand.
///
/// Results per school (10 participants in each procedure, no mean scores, so each procedure's
/// term is its fail-share percentile). Fails out of 10, ВПР 4 Русский язык / ВПР 4 Математика:
///
/// | school | 2024 | 2025 |
/// |---|---|---|
/// | s01 | 5 / 5 | 6 / 6 |
/// | s02 | 3 / 0 | 3 / 3 |
/// | s03 | 2 / 2 | 2 / 2 |
/// | s04 | 0 / 0 | 3 / 3 |
/// | s05 | 1 / 1 | 1 / 1 |
/// | s06–s12 | 0 / 0 | 0 / 0 |
///
/// Percentiles (n = 12, average ranks for ties): 2024 yearly ИНР s01 100, s03 86.4, s05 77.3,
/// s02 63.6, others 34.1 → worst ⌈0.1·12⌉ = 2: s01, s03. 2025: s01 100, s02 = s04 = 86.4 (tie
/// at rank 2, both in), s03 72.7 → worst: s01, s02, s04. BOTTOM (every year): s01 only.
/// R30: s01 (0.6 and 0.6, repeated from 0.5); s02 (exactly 0.30 twice, P1 repeated from 0.30);
/// s04 has two procedures over 30 % in 2025 but none in 2024 → no R30.
/// Social passport: every indicator moves with one score k (s02 = 1, s06 = 2, s07 = 3, …,
/// s01 = 12), so the ИСБШ order is k. ШНСУ = worst 2: s02, s06. Worst 25 % ИСБШ (3): s02, s06,
/// s07; best 25 % ИНР: the seven tied at 30.7 (s06–s12). Resilient: s06, s07.
/// Categories: s02 ШНОР+ШНСУ (rank 1), s01 ШНОР (rank 2), s06 ШНСУ (resilient flag), s07
/// resilient, the rest none.
pub fn hand_region(dir: &Path) -> PathBuf {
    let mut reg = String::from("school_id;name;municipality;school_type\n");
    for i in 1..=12 {
        // s01 (on the ШНОР list) and s12 carry hostile names: they must never become a formula
        // in CSV or XLSX nor markup in the report.
        let name = match i {
            1 => HOSTILE_NAME.to_string(),
            12 => "=1+2 <b>&\"".to_string(),
            _ => format!("Школа {i}"),
        };
        reg.push_str(&format!("s{i:02};\"{}\";{};СОШ\n", name.replace('"', "\"\""), if i <= 6 { "Район А" } else { "Район Б" }));
    }
    let fails: [(u32, u32, u32, u32); 12] = [
        (5, 5, 6, 6),
        (3, 0, 3, 3),
        (2, 2, 2, 2),
        (0, 0, 3, 3),
        (1, 1, 1, 1),
        (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0),
    ];
    let mut res = String::from("year;school_id;procedure;grade;subject;participants;mark2\n");
    for (i, (a, b, c, d)) in fails.iter().enumerate() {
        let id = format!("s{:02}", i + 1);
        for (year, subj, f) in [(2024, "Русский язык", a), (2024, "Математика", b), (2025, "Русский язык", c), (2025, "Математика", d)] {
            res.push_str(&format!("{year};{id};ВПР;4;{subj};10;{f}\n"));
        }
    }
    let k = [12, 1, 5, 6, 7, 2, 3, 4, 8, 9, 10, 11];
    let mut q = String::from("school_id;respondents;higher_ed;books_100;low_income;unemployed;on_register\n");
    for (i, k) in k.iter().enumerate() {
        let k = f64::from(*k);
        q.push_str(&format!(
            "s{:02};50;{:.2};{:.2};{:.2};{:.2};{:.2}\n",
            i + 1,
            0.05 * k,
            0.04 * k,
            0.6 - 0.04 * k,
            0.3 - 0.02 * k,
            0.13 - 0.01 * k
        ));
    }
    write(dir, "schools.csv", reg.as_bytes());
    write(dir, "results.csv", res.as_bytes());
    write(dir, "passport.csv", q.as_bytes());
    let cfg = "[[input]]\nkind = \"schools\"\npath = \"schools.csv\"\n\n[[input]]\nkind = \"results\"\npath = \"results.csv\"\n\n[[input]]\nkind = \"questionnaire\"\npath = \"passport.csv\"\n";
    write(dir, "region.toml", cfg.as_bytes())
}

pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

