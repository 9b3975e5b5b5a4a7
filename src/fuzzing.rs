//! Entry points of the fuzz targets (`fuzz/fuzz_targets/`) and of the stable test that replays
//! their seed corpora and every input that once failed (`tests/fuzz_seeds.rs`). Each takes
//! arbitrary bytes and must return without panicking — an error is the expected answer to most
//! of them — and asserts what holds whatever the bytes are.

use std::path::{Path, PathBuf};

use crate::config::{Config, InputKind, InputSpec, Sources};

/// The targets by name (the names of `fuzz/fuzz_targets/*.rs` and of the corpus folders).
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("table", table),
    ("region_results", region_results),
    ("config_toml", config_toml),
    ("set_value", set_value),
    ("names", names),
    ("scales", scales),
];

const REGISTER: &str = "Логин ОО;Наименование ОО;Муниципалитет;Тип ОО\ns1;Школа 1;Район А;СОШ\ns2;Школа № 2;Район Б;ООШ\n";

/// `data` written to a file `name` in a fresh temporary folder (kept while the guard lives).
fn file_of(data: &[u8], name: &str) -> Option<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join(name);
    std::fs::write(&path, data).ok()?;
    Some((dir, path))
}

/// Bytes as a table file (CSV in any encoding, XLSX/XLS/ODS, Parquet — told by content), read
/// as each kind of input: encoding → delimiter → header → rows → mapped columns, whole and as a
/// wide form of results.
pub fn table(data: &[u8]) {
    let (Some((_dir, path)), Ok(config)) = (file_of(data, "input"), Config::defaults()) else { return };
    for kind in [InputKind::Schools, InputKind::Results, InputKind::Questionnaire, InputKind::Context] {
        let spec = InputSpec::new(kind, path.clone());
        let matcher = crate::model::matcher_for(kind, &config, &spec);
        if let Ok(raw) = crate::ingest::read_table(&path, &matcher, &crate::ingest::ReadOptions::detect()) {
            assert!(raw.rows_read >= raw.df.height() as u64, "more rows kept than read");
        }
    }
    let wide = crate::ingest::wide::WideOptions::default();
    let spec = InputSpec::new(InputKind::Results, path.clone());
    let matcher = crate::model::matcher_for(InputKind::Results, &config, &spec);
    let _ = crate::ingest::read_table(&path, &matcher, &crate::ingest::ReadOptions { wide: Some(&wide), ..crate::ingest::ReadOptions::detect() });
}

/// Loads a region (the two-school register and `results`) as `check` and `run` do; every input
/// read accounts for each row: read = used + excluded, excluded = the sum over reasons.
fn load_region(results: &Path, kind: InputKind, dir: &Path) {
    let schools = dir.join("schools.csv");
    if std::fs::write(&schools, REGISTER).is_err() {
        return;
    }
    let mut sources = Sources { schools: Some(schools), ..Sources::default() };
    match kind {
        InputKind::Scales => sources.scales.push(results.to_path_buf()),
        _ => sources.results.push(results.to_path_buf()),
    }
    let Ok(config) = Config::load(&sources) else { return };
    let Ok(ds) = crate::model::load(&config, 10, crate::identify::first_year_needed) else { return };
    for r in ds.reports.iter().filter(|r| !r.fatal) {
        assert_eq!(r.rows_read, r.rows_used + r.rows_excluded, "{}: rows read ≠ used + excluded", r.path);
        assert_eq!(r.rows_excluded, r.excluded.iter().map(|e| e.count).sum::<u64>(), "{}: exclusions ≠ their reasons", r.path);
    }
}

/// Bytes as the results file of a region, through the whole loading of inputs.
pub fn region_results(data: &[u8]) {
    let Some((dir, path)) = file_of(data, "results.csv") else { return };
    load_region(&path, InputKind::Results, dir.path());
}

/// Bytes as a ВПР scale table (score ranges to marks) next to the two-school register.
pub fn scales(data: &[u8]) {
    let Some((dir, path)) = file_of(data, "scales.csv") else { return };
    load_region(&path, InputKind::Scales, dir.path());
}

/// Bytes as the configuration file (`region.toml`): parsed, coerced, validated.
pub fn config_toml(data: &[u8]) {
    let Some((_dir, path)) = file_of(data, "region.toml") else { return };
    let _ = Config::load(&Sources { config: Some(path), ..Sources::default() });
}

/// Bytes as `--set` assignments, one a line, laid over the defaults.
pub fn set_value(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let sets: Vec<String> = text.lines().map(str::to_string).collect();
    if let Ok(defaults) = Config::defaults() {
        let _ = defaults.with_changes(None, &sets);
    }
}

/// Bytes as school and place names: normalised (idempotent) and looked up in a register.
pub fn names(data: &[u8]) {
    use crate::model::names;
    let text = String::from_utf8_lossy(data);
    let (name, place) = text.split_once('\n').unwrap_or((&text, ""));
    let once = names::normalize(name);
    assert_eq!(names::normalize(&once), once, "normalize is not idempotent");
    let _ = names::normalize_place(place);
    let register = names::Register::new(vec![
        names::Candidate { school_id: "s1".into(), name: "МБОУ СОШ № 1 г. Берёзовский".into(), municipality: Some("Берёзовский".into()) },
        names::Candidate { school_id: "s2".into(), name: name.into(), municipality: Some(place.into()) },
    ]);
    let _ = register.find(name, Some(place));
    let _ = register.find(&once, None);
}
