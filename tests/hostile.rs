//! Hostile files: each is refused with a clear message and exit 65, within bounded time (the
//! command's timeout) and memory (an address-space limit of 3 GiB: beyond it an allocation
//! fails and the process aborts, which these tests would see as a different exit code).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;
use common::write;

const REGISTER: &str = "Логин ОО;Наименование ОО;Муниципалитет;Тип ОО\ns1;Школа 1;Район А;СОШ\ns2;Школа 2;Район А;ООШ\n";
const RESULTS_HEAD: &str = "Год;Логин ОО;Процедура;Класс;Предмет;Отметка\n";

/// `n` valid results rows (ВПР 4 Математика, marks 2–5, schools s1 and s2).
fn good_rows(n: usize) -> String {
    (0..n).map(|i| format!("2025;s{};ВПР;4;Математика;{}\n", 1 + i % 2, 2 + i % 4)).collect()
}

/// `shnor check` (or `run`) of the register and one results file, in 3 GiB of address space,
/// at most two minutes.
fn shnor_bounded(dir: &Path, cmd: &str, results: &Path) -> assert_cmd::assert::Assert {
    let register = write(dir, "schools.csv", REGISTER.as_bytes());
    let bin = assert_cmd::cargo::cargo_bin("shnor");
    let mut c = assert_cmd::Command::new("sh");
    c.env("NO_COLOR", "1")
        .arg("-c")
        .arg("ulimit -v 3145728; exec \"$@\"")
        .arg("sh")
        .arg(bin)
        .arg(cmd)
        .arg("--schools")
        .arg(register)
        .arg("--results")
        .arg(results)
        .timeout(Duration::from_secs(120));
    if cmd == "run" {
        c.arg("--out").arg(dir.join("out"));
    }
    c.assert()
}

fn refused(dir: &Path, results: &Path, says: &str) {
    for cmd in ["check", "run"] {
        let out = shnor_bounded(dir, cmd, results).code(65);
        let o = out.get_output();
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(text.contains(says), "{cmd}: expected «{says}» in:\n{}", text.chars().take(3000).collect::<String>());
        assert!(text.contains("results"), "{cmd}: the file is named:\n{text}");
    }
    assert!(!dir.join("out").exists(), "nothing written");
}

/// A valid small workbook of results (header and one row) with an extra part appended.
fn xlsx_with(extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in RESULTS_HEAD.trim_end().split(';').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in ["2025", "s1", "ВПР", "4", "Математика", "3"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    extra(ws);
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_zip_bomb_is_refused_before_it_unpacks() {
    let d = tempfile::tempdir().unwrap();
    // A real workbook plus one part of 512 MiB of zeros: a 0.5 MB file unpacking to 0.5 GiB.
    let base = xlsx_with(|_| {});
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let path = d.path().join("results.xlsx");
    let mut zout = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..zin.len() {
        let f = zin.by_index_raw(i).unwrap();
        zout.raw_copy_file(f).unwrap();
    }
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zout.start_file("xl/media/image1.bin", opts).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..512 {
        zout.write_all(&zeros).unwrap();
    }
    zout.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20);
    refused(d.path(), &path, "zip-бомб");
}

#[test]
fn xlsx_cell_far_from_the_table_is_refused() {
    let d = tempfile::tempdir().unwrap();
    // One stray cell in the last row and column of a sheet: 17 billion cells laid out.
    let bytes = xlsx_with(|ws| {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    });
    let path = write(d.path(), "results.xlsx", &bytes);
    refused(d.path(), &path, "1048576 строк × 16384 столбцов");
}

#[test]
fn csv_single_line_of_200_mb_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("results.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let chunk = "Логин ОО;".repeat(1 << 10);
    while f.get_ref().metadata().unwrap().len() < 200 << 20 {
        for _ in 0..1024 {
            f.write_all(chunk.as_bytes()).unwrap();
        }
        f.flush().unwrap();
    }
    drop(f);
    refused(d.path(), &path, "строк");
}

#[test]
fn csv_with_a_million_columns_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from("Год;Логин ОО;Процедура;Класс;Предмет;Отметка");
    // Short names (2 MB of header): the field count, not the line's length, refuses it.
    for _ in 0..1_000_000 {
        text.push_str(";c");
    }
    text.push_str("\n2025;s1;ВПР;4;Математика;3\n");
    let path = write(d.path(), "results.csv", text.as_bytes());
    refused(d.path(), &path, "столбц");
}

#[test]
fn csv_with_deeply_nested_quotes_is_refused() {
    let d = tempfile::tempdir().unwrap();
    // A field opened with a quote and never closed, holding ten million doubled quotes.
    let mut text = String::from(RESULTS_HEAD);
    text.push_str("2025;s1;\"");
    text.push_str(&"\"\"".repeat(5_000_000));
    text.push_str(";4;Математика;3\n");
    let path = write(d.path(), "results.csv", text.as_bytes());
    refused(d.path(), &path, "кавыч");
    // The same over many lines (each line short): the rows after the quote would vanish as one.
    let mut text = String::from(RESULTS_HEAD);
    text.push_str(&good_rows(100));
    text.push_str("2025;s1;\"ВПР;4;Математика;3\n");
    text.push_str(&good_rows(300));
    let path = write(d.path(), "results_2.csv", text.as_bytes());
    refused(d.path(), &path, "кавычка (\") открывает поле");
}

#[test]
fn the_register_given_as_results_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let path = write(d.path(), "results.csv", REGISTER.as_bytes());
    refused(d.path(), &path, "реестр");
}

#[test]
fn csv_truncated_mid_row_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from(RESULTS_HEAD);
    text.push_str(&good_rows(200));
    text.push_str("2025;s2;ВП");
    let path = write(d.path(), "results.csv", text.as_bytes());
    refused(d.path(), &path, "обрывается");
}

/// Appends to `path` while shnor reads it (the read paused by `SHNOR_READ_PAUSE_MS`).
#[test]
fn csv_changing_while_read_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from(RESULTS_HEAD);
    text.push_str(&good_rows(200));
    let path: PathBuf = write(d.path(), "results.csv", text.as_bytes());
    let register = write(d.path(), "schools.csv", REGISTER.as_bytes());
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("shnor"))
        .env("SHNOR_READ_PAUSE_MS", "1500")
        .args(["check", "--schools"])
        .arg(&register)
        .arg("--results")
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all("2025;s1;ВПР;4;Математика;5\n".as_bytes()).unwrap();
    drop(f);
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(65), "{text}");
    assert!(text.contains("изменился во время чтения"), "{text}");
}
