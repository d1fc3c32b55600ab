//! The fuzz corpora and crash reproducers as regression tests on the stable toolchain: every
//! file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` goes through the same
//! harness function the cargo-fuzz target calls (`fuzz/harness.rs`, see `fuzz/README.md`).

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// Runs one target's corpus (which must exist and not be empty) and regressions.
fn run(name: &str) {
    let (_, f) = harness::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not in harness::TARGETS"));
    let corpus = files(&fuzz_dir().join("corpus").join(name));
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{name}/ is missing or empty: every target needs seeds"
    );
    let regressions = files(&fuzz_dir().join("regressions").join(name));
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).expect("readable corpus file");
        let r = std::panic::catch_unwind(|| f(&data));
        assert!(r.is_ok(), "{name}: {} panics", path.display());
    }
}

#[test]
fn every_fuzz_target_has_a_table_entry_and_a_corpus() {
    let mut on_disk: Vec<String> = files(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut table: Vec<String> = harness::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    table.sort();
    assert_eq!(
        on_disk, table,
        "fuzz/fuzz_targets/*.rs and harness::TARGETS differ"
    );
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for name in &table {
        let target =
            std::fs::read_to_string(fuzz_dir().join("fuzz_targets").join(format!("{name}.rs")))
                .unwrap();
        assert!(
            target.contains(&format!("harness::{name}(")),
            "fuzz_targets/{name}.rs does not call harness::{name}"
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] {name}"
        );
        assert!(
            !files(&fuzz_dir().join("corpus").join(name)).is_empty(),
            "fuzz/corpus/{name}/ is missing or empty"
        );
    }
}

#[test]
fn pdu_stream() {
    run("pdu_stream");
}

#[test]
fn tlv() {
    run("tlv");
}

#[test]
fn text() {
    run("text");
}

#[test]
fn reassembly() {
    run("reassembly");
}

#[test]
fn receipt() {
    run("receipt");
}

#[test]
fn pkcs12() {
    run("pkcs12");
}

#[test]
fn config() {
    run("config");
}

#[test]
fn pii() {
    run("pii");
}

#[test]
fn session() {
    run("session");
}

/// The per-target tests above and the table name the same targets.
#[test]
fn one_test_per_target() {
    let src = std::fs::read_to_string(file!())
        .or_else(|_| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file!())))
        .unwrap();
    for (name, _) in harness::TARGETS {
        assert!(
            src.contains(&format!("run(\"{name}\");")),
            "no test runs {name}"
        );
    }
}
