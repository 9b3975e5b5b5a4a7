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
//!
//! With `--peers`, each round also times what an analyst would script instead (bench/peers.py):
//! a Python polars lazy script and a DuckDB query reading the same files and aggregating the
//! results to school × year × procedure and the questionnaires to school shares — and
//! `shnor run` without the posterior draws (`--set method.uncertainty.draws=0`), the part of the
//! work the peers do not do. The peers run in a virtual environment of their own,
//! `target/bench-venv` (made on first use: `python3 -m venv`, `pip install polars duckdb
//! fastexcel pyarrow`); never part of `cargo test` or CI.

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
fn run_shnor(config: &Path, out: &Path, extra: &[&str]) -> (f64, f64) {
    let bin = env!("CARGO_BIN_EXE_shnor");
    let mut args: Vec<String> = vec!["run".into(), config.display().to_string(), "--out".into(), out.display().to_string(), "-q".into(), "--force".into()];
    args.extend(extra.iter().map(|a| a.to_string()));
    timed(bin, &args)
}

/// Runs a command under GNU time (`/usr/bin/time -f %M`) and returns (wall seconds, peak resident
/// memory in MiB): the memory of this process, which has just read the floor, would otherwise
/// count towards the child it starts.
fn timed(program: &str, args: &[String]) -> (f64, f64) {
    let t0 = Instant::now();
    let output = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .output()
        .expect("/usr/bin/time (GNU time) runs the command");
    let wall = t0.elapsed().as_secs_f64();
    assert!(output.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kb: f64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(f64::NAN);
    (wall, kb / 1024.0)
}

/// The peers' Python: `target/bench-venv`, made on first use.
fn peer_python() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target").join("bench-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        let ok = std::process::Command::new("python3").arg("-m").arg("venv").arg(&venv).status().map(|s| s.success()).unwrap_or(false);
        let pip = venv.join("bin").join("pip");
        let ok = ok && std::process::Command::new(&pip).args(["install", "-q", "polars", "duckdb", "fastexcel", "pyarrow"]).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "could not make {} (python3 -m venv; pip install polars duckdb fastexcel pyarrow)", venv.display());
    }
    python.display().to_string()
}

/// One peer (`polars` or `duckdb`) on a directory: (wall seconds, peak MiB).
fn run_peer(python: &str, engine: &str, dir: &Path, out: &Path) -> (f64, f64) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench").join("peers.py");
    let _ = std::fs::remove_dir_all(out);
    timed(python, &[script.display().to_string(), engine.into(), dir.display().to_string(), out.display().to_string()])
}

/// Times and peaks of one measured command over the rounds.
#[derive(Default)]
struct Series {
    walls: Vec<f64>,
    peaks: Vec<f64>,
}

impl Series {
    fn push(&mut self, (wall, peak): (f64, f64)) {
        self.walls.push(wall);
        self.peaks.push(peak);
    }

    /// The median of the pairwise ratios of `self` to `other`.
    fn ratio(&self, other: &Series) -> f64 {
        median(self.walls.iter().zip(&other.walls).map(|(a, b)| a / b).collect())
    }
}

fn main() {
    let mut runs = 3usize;
    let mut peers = false;
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(3),
            "--peers" => peers = true,
            // cargo bench passes --bench to the harness.
            "--bench" => {}
            other => dirs.push(PathBuf::from(other)),
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: cargo bench --bench shnor -- [--runs N] [--peers] DIR [DIR …] (each DIR with a region.toml)");
        return;
    }
    let python = if peers { Some(peer_python()) } else { None };
    if peers {
        println!("| scenario | input size | rows | floor, s | Python polars, s (MiB) | DuckDB, s (MiB) | shnor without draws, s (MiB) | shnor run, s (MiB) | run / floor | run / polars | run / DuckDB | without draws / floor | without draws / polars | without draws / DuckDB |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    } else {
        println!("| scenario | input files | input size | rows read by the floor | I/O floor, s | shnor run, s | run / floor | peak memory of run, MiB |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    }
    for dir in dirs {
        measure(&dir, runs, python.as_deref());
    }
}

/// The rounds on one directory and its table row.
fn measure(dir: &Path, runs: usize, python: Option<&str>) {
    let files = inputs(dir);
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let tmp = std::env::temp_dir();
    let out = tmp.join(format!("shnor-bench-{}", std::process::id()));
    let peer_out = tmp.join(format!("shnor-bench-peer-{}", std::process::id()));
    let config = dir.join("region.toml");
    let no_draws = ["--set", "method.uncertainty.draws=0"];
    let (mut floor, mut run, mut bare, mut polars, mut duck) = (Series::default(), Series::default(), Series::default(), Series::default(), Series::default());
    let mut rows = 0usize;
    // One warm-up of each (the page cache), then the rounds.
    files.iter().for_each(|f| {
        read_fully(f);
    });
    run_shnor(&config, &out, &[]);
    if let Some(py) = python {
        run_peer(py, "polars", dir, &peer_out);
        run_peer(py, "duckdb", dir, &peer_out);
    }
    for _ in 0..runs {
        let t0 = Instant::now();
        rows = files.iter().map(|f| read_fully(f)).sum();
        floor.push((t0.elapsed().as_secs_f64(), f64::NAN));
        run.push(run_shnor(&config, &out, &[]));
        if let Some(py) = python {
            polars.push(run_peer(py, "polars", dir, &peer_out));
            bare.push(run_shnor(&config, &out, &no_draws));
            duck.push(run_peer(py, "duckdb", dir, &peer_out));
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&peer_out);
    let m = |s: &Series| format!("{:.2} ({:.0})", median(s.walls.clone()), median(s.peaks.clone()));
    if python.is_some() {
        println!(
            "| {} | {:.1} MB | {} | {:.2} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            dir.display(),
            bytes as f64 / 1e6,
            rows,
            median(floor.walls.clone()),
            m(&polars),
            m(&duck),
            m(&bare),
            m(&run),
            run.ratio(&floor),
            run.ratio(&polars),
            run.ratio(&duck),
            bare.ratio(&floor),
            bare.ratio(&polars),
            bare.ratio(&duck)
        );
    } else {
        println!(
            "| {} | {} | {:.1} MB | {} | {:.2} | {:.2} | {:.2} | {:.0} |",
            dir.display(),
            files.len(),
            bytes as f64 / 1e6,
            rows,
            median(floor.walls.clone()),
            median(run.walls.clone()),
            run.ratio(&floor),
            median(run.peaks.clone())
        );
    }
}
