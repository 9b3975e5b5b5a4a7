//! The fuzz targets on stable (fuzzing itself needs nightly, docs/reliability.md): every seed of
//! `fuzz/seeds/TARGET/` and every input that once failed, `fuzz/regressions/TARGET/`, goes
//! through the same function the target calls (`shnor::fuzzing`), which must not panic and
//! asserts row accounting and idempotence where they apply.

use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn every_seed_and_regression_goes_through_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let targets: Vec<String> = files(&root.join("fuzz_targets")).iter().filter_map(|p| p.file_stem()).map(|s| s.to_string_lossy().into_owned()).collect();
    let known: Vec<&str> = shnor::fuzzing::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(targets, { let mut k = known.clone(); k.sort(); k }, "fuzz/fuzz_targets and shnor::fuzzing::TARGETS differ");
    for (name, target) in shnor::fuzzing::TARGETS {
        let seeds = files(&root.join("seeds").join(name));
        assert!(!seeds.is_empty(), "no seeds for {name}");
        for path in seeds.iter().chain(files(&root.join("regressions").join(name)).iter()) {
            let bytes = std::fs::read(path).unwrap();
            if std::panic::catch_unwind(|| target(&bytes)).is_err() {
                panic!("{name}: {} panics", path.display());
            }
        }
    }
}
