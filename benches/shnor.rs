//! Benchmark of `shnor run` against the I/O floor (not part of the tests).
//!
//!     cargo bench --bench shnor -- [--runs N] DIR [DIR …]
//!
//! Each DIR holds a `region.toml` (as the generator writes them). For each one, in turn and N
//! times (default 3), the bench measures
//!
//! * the I/O floor: polars reading every input file of the configuration once, whole, all
//!   columns as text (CSV, the delimiter of its first line; a Windows-1251 file transcoded to
//!   UTF-8 first, as polars reads UTF-8 only), or as stored (Parquet); an XLSX file is read by
//!   calamine, as shnor reads it;
//! * `shnor run DIR/region.toml` as a whole process: wall time and peak memory (maximum resident
//!   set size, as GNU time `/usr/bin/time` reports it).
//!
//! and prints a Markdown table: medians over the runs, and the median of the ratios run / floor
//! of each pair (the machine's speed drifts between pairs; within a pair it is the same).

use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::*;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The input files of a configuration.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(dir.join("region.toml")).expect("region.toml");
    let value: toml::Value = toml::from_str(&text).expect("region.toml is TOML");
    value
        .get("input")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|i| i.get("path").and_then(|p| p.as_str()).map(|p| dir.join(p))).collect())
        .unwrap_or_default()
}

/// Reads one file fully, as polars (or, for XLSX, calamine) alone would; returns its rows.
fn read_fully(path: &Path) -> usize {
    let mut head = [0u8; 4];
    let _ = std::io::Read::read_exact(&mut std::fs::File::open(path).expect("input"), &mut head);
    if &head == b"PAR1" {
        return ParquetReader::new(std::fs::File::open(path).expect("input")).finish().expect("parquet").height();
    }
    if head.starts_with(b"PK") {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(path).expect("workbook");
        let first = wb.sheet_names().first().cloned().unwrap_or_default();
        return wb.worksheet_range(&first).map(|r| r.height()).unwrap_or(0);
    }
    let first_line = {
        let mut buf = vec![0u8; 64 * 1024];
        let n = std::io::Read::read(&mut std::fs::File::open(path).expect("input"), &mut buf).unwrap_or(0);
        let text = String::from_utf8_lossy(&buf[..n]).to_string();
        text.lines().next().unwrap_or_default().to_string()
    };
    let sep = [b';', b'\t', b','].into_iter().max_by_key(|d| first_line.bytes().filter(|b| b == d).count()).unwrap_or(b',');
    let opts = CsvReadOptions::default().with_has_header(true).with_infer_schema_length(Some(0)).map_parse_options(|p| p.with_separator(sep));
    let bytes = std::fs::read(path).expect("input");
    // Polars reads UTF-8 only: a Windows-1251 file is transcoded first (part of the floor).
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => encoding_rs::WINDOWS_1251.decode(e.as_bytes()).0.into_owned(),
    };
    opts.into_reader_with_file_handle(std::io::Cursor::new(text.as_bytes())).finish().expect("csv").height()
}

/// Runs `shnor run` and returns (wall seconds, peak resident memory in MiB). The peak is measured
/// by GNU time (`/usr/bin/time -f %M`): the memory of this process, which has just read the
/// floor, would otherwise count towards the child it starts.
fn run_shnor(config: &Path, out: &Path) -> (f64, f64) {
    let bin = env!("CARGO_BIN_EXE_shnor");
    let t0 = Instant::now();
    let output = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin)
        .arg("run")
        .arg(config)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .stdout(std::process::Stdio::null())
        .output()
        .expect("/usr/bin/time (GNU time) runs shnor");
    let wall = t0.elapsed().as_secs_f64();
    assert!(output.status.success(), "shnor run failed on {}: {}", config.display(), String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kb: f64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(f64::NAN);
    (wall, kb / 1024.0)
}

fn main() {
    let mut runs = 3usize;
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(3),
            // cargo bench passes --bench to the harness.
            "--bench" => {}
            other => dirs.push(PathBuf::from(other)),
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: cargo bench --bench shnor -- [--runs N] DIR [DIR …] (each DIR with a region.toml)");
        return;
    }
    println!("| scenario | input files | input size | rows read by the floor | I/O floor, s | shnor run, s | run / floor | peak memory of run, MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for dir in dirs {
        let files = inputs(&dir);
        let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        let out = std::env::temp_dir().join(format!("shnor-bench-{}", std::process::id()));
        let (mut floors, mut walls, mut ratios, mut peaks) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut rows = 0usize;
        // One warm-up of each (the page cache), then the pairs.
        files.iter().for_each(|f| {
            read_fully(f);
        });
        run_shnor(&dir.join("region.toml"), &out);
        for _ in 0..runs {
            let t0 = Instant::now();
            rows = files.iter().map(|f| read_fully(f)).sum();
            let floor = t0.elapsed().as_secs_f64();
            let (wall, peak) = run_shnor(&dir.join("region.toml"), &out);
            floors.push(floor);
            walls.push(wall);
            ratios.push(wall / floor);
            peaks.push(peak);
        }
        let _ = std::fs::remove_dir_all(&out);
        println!(
            "| {} | {} | {:.1} MB | {} | {:.2} | {:.2} | {:.2} | {:.0} |",
            dir.display(),
            files.len(),
            bytes as f64 / 1e6,
            rows,
            median(floors),
            median(walls),
            median(ratios),
            median(peaks)
        );
    }
}
