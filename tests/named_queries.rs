//! Every named query run on the bundled data, compared with its expected rows in `tests/expected/NAME.csv`.
//! After a deliberate data change, regenerate with `MVKG_BLESS=1 cargo test named_queries` and review the diff.

use crate::common::*;

/// (query, parameters): the parameters of each query's header example.
const CASES: &[(&str, &[&str])] = &[
    ("acquisitions-over-1b", &[]),
    ("alliance-members", &[]),
    ("bigtech-bets", &[]),
    ("capital-by-country", &[]),
    ("claims-status", &[]),
    ("coinvestors", &["investor=SoftBank Vision Fund 2"]),
    ("companies-by-layer-country", &[]),
    ("coverage-by-class", &[]),
    ("coverage-by-country", &[]),
    ("coverage-by-layer", &[]),
    ("coverage-by-year", &[]),
    ("country-organisations", &["country=country:KR"]),
    ("country-programmes", &["country=country:KR"]),
    ("currency-conversions", &[]),
    ("deals-above", &["min=1000000000"]),
    ("deals-by-year", &[]),
    ("disputed-facts", &[]),
    ("entity-profile", &["entity=Zepeto"]),
    ("investment-network", &["entity=SoftBank Vision Fund 2"]),
    ("investors-in", &["company=Naver Z"]),
    ("portfolio", &["investor=Tencent"]),
    ("products-by-technology", &["technology=tech:game-engine"]),
    ("sources-of", &["entity=Zepeto"]),
    ("subsidiaries", &["group=SoftBank Group"]),
    ("technology-tree", &[]),
    ("top-investors", &[]),
    ("undated-facts", &["entity=HIKKY"]),
    ("unconfirmed-claims", &[]),
];

#[test]
fn every_named_query_has_a_case() {
    let out = mvkg(bundled()).args(["queries", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<&str> = v.as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    names.sort();
    let mut cased: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    cased.sort();
    assert_eq!(names, cased);
}

#[test]
fn named_queries_return_their_expected_rows() {
    let bless = std::env::var_os("MVKG_BLESS").is_some();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected");
    let mut failures = Vec::new();
    for (name, params) in CASES {
        let mut args = vec![*name, "--format", "csv"];
        for p in *params {
            args.push("--param");
            args.push(p);
        }
        let got = query(bundled(), &args);
        let rows = got.lines().count() - 1;
        assert!(rows > 0, "{name} returns no rows on the bundled data");
        let file = dir.join(format!("{name}.csv"));
        if bless {
            std::fs::write(&file, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("missing {}", file.display()));
        if got != want {
            failures.push(format!("{name}: expected {} rows, got {rows}", want.lines().count() - 1));
        }
    }
    assert!(failures.is_empty(), "named queries differ from tests/expected:\n{}", failures.join("\n"));
}
