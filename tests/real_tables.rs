//! `mvkg import` on the real tables in ../shared/data (or `$MVKG_SHARED_DATA`): the Crunchbase export of October
//! 2013, the Crunchbase investments of 2013 and the Tech Giants acquisitions. Not part of plain `cargo test`
//! (`test = false`); run with `cargo test --test real_tables`. It fails with a clear message when the tables are
//! absent.
//!
//! The expected totals come from `scripts/import_totals.py`, which reads the same files with Python's csv module
//! and applies the rules of the README's "Importing tables" independently of mvkg's code. Its output on
//! 2026-12-02 (the future-date rule depends on the day; no row of these tables is near it):
//!
//! ```text
//! crunchbase-2013/crunchbase-companies.csv: rows=17727 skipped=0 flags={'excel': 1}
//! crunchbase-2013/crunchbase-rounds.csv: rows=31679 skipped=0 flags={'excel': 1}
//! crunchbase-2013/crunchbase-acquisitions.csv: rows=4651 skipped=0 flags={}
//! crunchbase-investments-2013/investments.csv: rows=80245 skipped=12 flags={'no-date': 97, 'skip': 12} rounds=32836 organisations=37959
//! tech-giants-acquisitions/acquisitions.csv: rows=1643 skipped=0 flags={'bad-date': 1, 'bad-url': 0, 'before-1950': 14, 'undisclosed': 1222, 'year-mismatch': 2}
//! tech-giants-acquisitions/acquired-tech-companies.csv: rows=1610 skipped=0 flags={}
//! tech-giants-acquisitions/acquiring-tech-companies.csv: rows=36 skipped=0 flags={}
//! ```
//!
//! (crunchbase-acquisitions.csv has 6,185 lines after its header, of which 1,534 are empty: every cell blank.)

#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{bundled_copy, empty_store, mvkg, quad_count, query};

fn data_dir() -> PathBuf {
    let dir = std::env::var_os("MVKG_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    assert!(
        dir.join("crunchbase-2013/crunchbase-rounds.csv").is_file(),
        "The real tables are not at {}: set MVKG_SHARED_DATA to the folder holding crunchbase-2013/, \
         crunchbase-investments-2013/ and tech-giants-acquisitions/",
        dir.display()
    );
    dir
}

/// (file, rows, skipped, flags by category) as scripts/import_totals.py prints them.
const EXPECTED: &[(&str, u64, u64, &[(&str, u64)])] = &[
    ("crunchbase-2013/crunchbase-companies.csv", 17_727, 0, &[("excel", 1)]),
    ("crunchbase-2013/crunchbase-rounds.csv", 31_679, 0, &[("excel", 1)]),
    ("crunchbase-2013/crunchbase-acquisitions.csv", 4_651, 0, &[]),
    ("crunchbase-investments-2013/investments.csv", 80_245, 12, &[("no-date", 97), ("skip", 12)]),
    (
        "tech-giants-acquisitions/acquisitions.csv",
        1_643,
        0,
        &[("bad-date", 1), ("before-1950", 14), ("undisclosed", 1_222), ("year-mismatch", 2)],
    ),
    ("tech-giants-acquisitions/acquired-tech-companies.csv", 1_610, 0, &[]),
    ("tech-giants-acquisitions/acquiring-tech-companies.csv", 36, 0, &[]),
];

/// The category scripts/import_totals.py gives a flag.
fn category(reason: &str) -> &'static str {
    match reason {
        r if r.starts_with("Excel error") => "excel",
        "no date" => "no-date",
        r if r.starts_with("not a date") => "bad-date",
        "implausible date: before 1950" => "before-1950",
        "implausible date: in the future" => "future",
        r if r.starts_with("the date's year disagrees") => "year-mismatch",
        "amount undisclosed" => "undisclosed",
        "not an amount" => "bad-amount",
        "negative amount" => "negative",
        r if r.starts_with("zero amount") => "zero",
        r if r.starts_with("no currency") => "no-currency",
        r if r.starts_with("not an ISO 4217") => "bad-currency",
        r if r.starts_with("not an http") => "bad-url",
        r if r.contains("titles for") => "titles",
        r if r.starts_with("no ") && r.ends_with("name or permalink") => "skip",
        _ => "other",
    }
}

fn import(store: &Path, files: &[PathBuf], extra: &[&str]) -> Value {
    let out =
        mvkg(store).arg("--quiet").arg("import").args(files).args(extra).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "import failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check_files(report: &Value, dir: &Path, only: &[&str]) {
    for (rel, rows, skipped, flags) in EXPECTED.iter().filter(|e| only.is_empty() || only.contains(&e.0)) {
        let name = dir.join(rel).display().to_string();
        let f = report["files"].as_array().unwrap().iter().find(|f| f["file"] == name.as_str()).expect(rel);
        assert_eq!((f["rows"].as_u64(), f["skipped"].as_u64()), (Some(*rows), Some(*skipped)), "{rel}");
        let mut got: BTreeMap<&str, u64> = BTreeMap::new();
        for fl in report["flags"].as_array().unwrap().iter().filter(|fl| fl["file"] == name.as_str()) {
            *got.entry(category(fl["reason"].as_str().unwrap())).or_default() += 1;
        }
        let want: BTreeMap<&str, u64> = flags.iter().copied().collect();
        assert_eq!(got, want, "{rel}");
    }
}

// The three tables in full are read, mapped and resolved as a dry run: the report is computed exactly as for a
// committed import, and a debug build (CI's) wrote about 1,400 quads a second (404,645 quads of investments.csv in 4 min 54 s) through the current
// `Kg::write_graphs`, too slow for a million quads in CI's time budget. The write itself, its idempotence and the
// link to the curated data are tested on the acquisition tables, which are written.

#[test]
fn investments_alone_give_the_rounds_and_organisations_counted_independently() {
    let dir = data_dir();
    let (_tmp, store) = empty_store();
    let rel = "crunchbase-investments-2013/investments.csv";
    let r = import(&store, &[dir.join(rel)], &["--dry-run"]);
    check_files(&r, &dir, &[rel]);
    // One event per (company, date, amount) round, not one per investor row.
    assert_eq!(r["events"], 32_836);
    assert_eq!(r["organizations"], 37_959);
    assert_eq!(r["organizations_created"], 37_959);
}

#[test]
fn all_tables_read_mapped_and_resolved_against_the_bundled_store() {
    let dir = data_dir();
    let (_tmp, store) = bundled_copy();
    let files: Vec<PathBuf> = EXPECTED.iter().map(|e| dir.join(e.0)).collect();
    let r = import(&store, &files, &["--dry-run"]);
    assert_eq!(r["committed"], false);
    check_files(&r, &dir, &[]);
    let enc: Vec<&str> = r["files"].as_array().unwrap().iter().map(|f| f["encoding"].as_str().unwrap()).collect();
    assert_eq!(enc, ["mac-roman", "mac-roman", "mac-roman", "utf-8", "utf-8", "utf-8", "utf-8"]);
    let linked: Vec<&str> =
        r["events_linked"].as_array().unwrap().iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert!(linked.contains(&"https://w3id.org/mvkg/id/ev-2014-facebook-oculus"), "{linked:?}");
}

#[test]
fn acquisitions_written_once_and_linked_to_the_curated_deal() {
    let dir = data_dir();
    let (_tmp, store) = bundled_copy();
    let files: Vec<PathBuf> =
        ["tech-giants-acquisitions/acquisitions.csv", "tech-giants-acquisitions/acquiring-tech-companies.csv"]
            .iter()
            .map(|f| dir.join(f))
            .collect();
    let r = import(&store, &files, &[]);
    assert_eq!(r["committed"], true);
    check_files(
        &r,
        &dir,
        &["tech-giants-acquisitions/acquisitions.csv", "tech-giants-acquisitions/acquiring-tech-companies.csv"],
    );
    // The deal the Tech Giants table reports and the bundled data holds is one event, linked, not duplicated.
    let linked: Vec<&str> =
        r["events_linked"].as_array().unwrap().iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert!(linked.contains(&"https://w3id.org/mvkg/id/ev-2014-facebook-oculus"), "{linked:?}");
    let oculus = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a mv:Acquisition ; mv:target mvd:oculus ; mv:acquirer mvd:meta-platforms }";
    assert_eq!(query(&store, &[oculus]).lines().nth(1), Some("1"));
    let disputed = query(&store, &["disputed-facts"]);
    assert!(disputed.lines().any(|l| l.contains("ev-2014-facebook-oculus") && l.contains("2014-03-25")), "{disputed}");

    // A re-import of the same bytes changes nothing.
    let n = quad_count(&store);
    let again = import(&store, &files, &[]);
    assert_eq!(again["committed"], false);
    assert_eq!(quad_count(&store), n);
}
