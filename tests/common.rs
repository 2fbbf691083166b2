//! Shared helpers: temporary stores, running the binary, counting quads.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use tempfile::TempDir;

/// The `mvkg` binary with a given store and no inherited store variable.
pub fn mvkg(store: &Path) -> Command {
    let mut c = Command::cargo_bin("mvkg").expect("binary");
    c.env_remove("MVKG_STORE").arg("--store").arg(store);
    c
}

/// A store built once from the bundled data, shared read-only by tests.
pub fn bundled() -> &'static Path {
    static STORE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = STORE.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let p = dir.path().join("store");
        mvkg(&p).args(["--quiet", "init"]).assert().success();
        (dir, p)
    });
    p
}

/// A private writable copy of the bundled store.
pub fn bundled_copy() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let p = dir.path().join("store");
    copy_dir(bundled(), &p);
    (dir, p)
}

/// A fresh empty store.
pub fn empty_store() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let p = dir.path().join("store");
    mvkg(&p).args(["--quiet", "init", "--empty"]).assert().success();
    (dir, p)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "LOCK" {
            continue;
        }
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Runs a query and returns standard output (CSV unless a format is given).
pub fn query(store: &Path, args: &[&str]) -> String {
    let out = mvkg(store).arg("query").args(args).output().unwrap();
    assert!(out.status.success(), "query {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Number of quads in the store, from `mvkg stats`.
pub fn quad_count(store: &Path) -> u64 {
    let out = mvkg(store).args(["stats", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["quads"].as_u64().unwrap()
}

/// Writes a file into a temporary directory and returns its path.
pub fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Standard error of a failed run, asserting the failure.
pub fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "expected failure, got success: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}
