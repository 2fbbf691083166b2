//! `mvkg import`: decoding, profiles, rounds, provenance, resolution and the report, on small fixtures written for
//! these tests (tests/fixtures/import/make.py writes them; names with "Example" are fictional).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{bundled_copy, fails, mvkg, quad_count, query, write};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

const ROUNDS: &str = "rounds-cr-macroman.csv";
const INVESTMENTS: &str = "investments-bom-crlf.csv";
const ACQUISITIONS: &str = "tech-giants-acquisitions.csv";

/// Runs `mvkg import … --format json` and returns the report, asserting success.
fn import(store: &Path, files: &[PathBuf], extra: &[&str]) -> Value {
    let out =
        mvkg(store).arg("--quiet").arg("import").args(files).args(extra).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "import failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn all_three() -> Vec<PathBuf> {
    vec![fixture(ROUNDS), fixture(INVESTMENTS), fixture(ACQUISITIONS)]
}

/// (file name, line, column, reason, action) of every flag.
fn flags(report: &Value) -> Vec<(String, u64, String, String, String)> {
    report["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = Path::new(f["file"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
            let s = |k: &str| f[k].as_str().unwrap().to_owned();
            (file, f["line"].as_u64().unwrap(), s("column"), s("reason"), s("action"))
        })
        .collect()
}

fn rows(csv: &str) -> Vec<String> {
    csv.lines().skip(1).map(|l| l.trim_end().to_owned()).collect()
}

#[test]
fn import_decodes_flags_joins_and_resolves() {
    let (_dir, store) = bundled_copy();
    let before = quad_count(&store);
    let r = import(&store, &all_three(), &[]);
    assert_eq!(r["committed"], true);
    let files: Vec<(String, String, String, u64)> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["profile"].as_str().unwrap().to_owned(),
                format!("{} ({})", f["encoding"].as_str().unwrap(), f["encoding_because"].as_str().unwrap()),
                f["line_endings"].as_str().unwrap().to_owned(),
                f["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str, n: u64| (a.to_owned(), b.to_owned(), c.to_owned(), n);
    assert_eq!(
        files,
        vec![
            s("crunchbase-rounds", "mac-roman (not UTF-8, CR line endings)", "CR", 8),
            s("crunchbase-investments", "utf-8 with BOM (byte-order mark)", "CRLF", 10),
            s("tech-giants-acquisitions", "utf-8 (valid UTF-8)", "LF", 5),
        ]
    );
    let f = |file: &str, line: u64, col: &str, reason: &str, action: &str| {
        (file.to_owned(), line, col.to_owned(), reason.to_owned(), action.to_owned())
    };
    assert_eq!(
        flags(&r),
        vec![
            f(ROUNDS, 3, "company_name", "Excel error value instead of the text", "value left out"),
            f(ROUNDS, 4, "funded_at", "the date's year disagrees with column funded_year (2012)", "value left out"),
            f(ROUNDS, 5, "funded_at", "implausible date: before 1950", "value left out"),
            f(INVESTMENTS, 8, "funded_when", "implausible date: in the future", "value left out"),
            f(INVESTMENTS, 9, "amount_usd", "negative amount", "value left out"),
            f(INVESTMENTS, 10, "amount_usd", "not an amount", "value left out"),
            f(ACQUISITIONS, 3, "Price", "amount undisclosed", "no amount recorded"),
            f(ACQUISITIONS, 4, "Deal announced on", "implausible date: before 1950", "value left out"),
            f(ACQUISITIONS, 4, "Price", "amount undisclosed", "no amount recorded"),
            f(ACQUISITIONS, 5, "Deal announced on", "not a date in the format %d/%m/%Y", "value left out"),
            f(
                ACQUISITIONS,
                6,
                "Deal announced on",
                "the date's year disagrees with column Year of acquisition announcement (2010)",
                "value left out"
            ),
        ]
    );
    // 8 rounds + 6 new investor-table rounds (the Oculus and Blue Lantern rounds join their rounds-table rows) + 5
    // acquisitions, of which Facebook-Oculus is the bundled event.
    assert_eq!(
        (r["rows"].as_u64(), r["events"].as_u64(), r["events_created"].as_u64()),
        (Some(23), Some(19), Some(18))
    );
    assert_eq!(r["rounds_joined"], 2);
    assert_eq!(r["events_linked"][0]["event"], "https://w3id.org/mvkg/id/ev-2014-facebook-oculus");
    assert_eq!(r["events_linked"].as_array().unwrap().len(), 1);
    assert_eq!((r["organizations"].as_u64(), r["organizations_created"].as_u64()), (Some(21), Some(19)));
    let merged: Vec<(String, String, String, f64)> = r["organizations_merged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap().to_owned();
            (s("name"), s("iri"), s("rule"), m["confidence"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(
        merged,
        vec![
            ("Facebook".into(), "https://w3id.org/mvkg/id/meta-platforms".into(), "alias".into(), 0.8),
            ("Oculus VR".into(), "https://w3id.org/mvkg/id/oculus".into(), "label+country".into(), 0.95),
        ]
    );
    let amb = &r["ambiguous"];
    assert_eq!(amb.as_array().unwrap().len(), 1);
    assert_eq!(amb[0]["name"], "Twin Example");
    assert_eq!(amb[0]["line"], 11);
    assert_eq!(amb[0]["created"], "https://w3id.org/mvkg/id/imp-twin-example");
    assert_eq!(
        amb[0]["candidates"],
        serde_json::json!([
            ["https://w3id.org/mvkg/id/cb-twin-example-a", "Twin Example"],
            ["https://w3id.org/mvkg/id/cb-twin-example-b", "Twin Example"]
        ])
    );
    assert_eq!(r["countries_left_out"], serde_json::json!({"AR": 1, "ZZZ": 1}));
    assert!(quad_count(&store) > before);

    // Mac Roman decoded: the label has its é.
    assert_eq!(
        rows(&query(&store, &["SELECT ?l WHERE { mvd:cb-blue-lantern-example rdfs:label ?l }"])),
        vec!["Blue Lantern Condé Example"]
    );
    // One round, its amount once, four rows: three investors from the investor table, the round type from the
    // rounds table, on the bundled Oculus VR.
    let round = "SELECT ?e (COUNT(DISTINCT ?i) AS ?investors) (COUNT(DISTINCT ?a) AS ?amounts) (SAMPLE(?t) AS ?type) \
                 WHERE { ?e mv:investee mvd:oculus ; mv:investor ?i ; mv:amountUSD ?a ; mv:roundType ?t } GROUP BY ?e";
    let got = rows(&query(&store, &[round]));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].ends_with(",3,1,series-a"), "{got:?}");
    // Its sources: the two tables.
    let sources = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?e mv:investee mvd:oculus } } ORDER BY ?g";
    assert_eq!(
        rows(&query(&store, &[sources])),
        vec![
            "https://w3id.org/mvkg/source/import/crunchbase-investments",
            "https://w3id.org/mvkg/source/import/crunchbase-rounds"
        ]
    );
    // The month-precise and year-precise dates keep their precision.
    let precision = "SELECT ?d ?p WHERE { ?e mv:investee mvd:imp-zephyr-example-labs ; mv:date ?d ; mv:datePrecision ?p } ORDER BY ?d";
    assert_eq!(rows(&query(&store, &[precision])), vec!["2010-01-01,year", "2010-05-01,month", "2011-01-01,day"]);
    // The acquisition the news links report is the bundled event; its facts are in the two news sources' graphs,
    // and the date they give (25 March) stands beside the bundled one (26 March) as a disputed fact.
    let graphs = "SELECT ?url ?title WHERE { GRAPH ?g { mvd:ev-2014-facebook-oculus mv:date ?d } \
                  GRAPH ?g { ?g schema:url ?url ; dcterms:title ?title ; mv:importedVia ?t } } ORDER BY ?url";
    assert_eq!(
        rows(&query(&store, &[graphs])),
        vec!["http://news.example.com/a,Example Title A", "http://news.example.com/b,Example Title B"]
    );
    let disputed = rows(&query(&store, &["disputed-facts"]));
    let oculus: Vec<&String> = disputed.iter().filter(|l| l.contains("ev-2014-facebook-oculus")).collect();
    assert!(oculus.iter().any(|l| l.contains("#date,2014-03-25,")), "{oculus:?}");
    assert!(oculus.iter().any(|l| l.contains("#status,completed,") || l.contains("#status,announced,")), "{oculus:?}");
    // The table's name for Meta is an alias of the one organisation; no second Facebook exists.
    let facebook = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o rdfs:label|skos:altLabel \"Facebook\"@en }";
    assert_eq!(rows(&query(&store, &[facebook])), vec!["1"]);
    // The table is a described source with its SHA-256.
    let table = "SELECT ?p ?l WHERE { GRAPH <https://w3id.org/mvkg/source/import/crunchbase-rounds> { \
                 <https://w3id.org/mvkg/source/import/crunchbase-rounds> dcterms:publisher ?p ; dcterms:license ?l ; mv:sha256 ?h } }";
    assert_eq!(rows(&query(&store, &[table])).len(), 1);

    // What the tables lack (countries, the dates flagged and left out, the #NAME? label) are warnings of
    // imported-gaps, not errors of the rules for curated data.
    let out = mvkg(&store).arg("validate").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("imported-gaps") && text.contains("mvd:cb-n-plusn"), "{text}");

    // Re-importing the same bytes changes nothing.
    let n = quad_count(&store);
    let again = import(&store, &all_three(), &[]);
    assert_eq!(again["committed"], false);
    assert!(again["files"].as_array().unwrap().iter().all(|f| f["status"] == "unchanged"), "{again}");
    assert_eq!(quad_count(&store), n);
}

#[test]
fn dry_run_changes_nothing_and_reports_the_same() {
    let (_dir, store) = bundled_copy();
    let before = quad_count(&store);
    let r = import(&store, &all_three(), &["--dry-run"]);
    assert_eq!((r["dry_run"].as_bool(), r["committed"].as_bool()), (Some(true), Some(false)));
    assert_eq!((r["events"].as_u64(), r["organizations_created"].as_u64()), (Some(19), Some(19)));
    assert_eq!(quad_count(&store), before);
    // The table report names the matches.
    let out = mvkg(&store).args(["import", "--dry-run"]).arg(fixture(INVESTMENTS)).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Dry run: nothing was written"), "{text}");
    assert!(text.contains("Meta Platforms (mvd:meta-platforms)") && text.contains("alias"), "{text}");
}

#[test]
fn a_newer_version_replaces_the_tables_graph() {
    let (dir, store) = bundled_copy();
    let v1 = std::fs::read_to_string(fixture(INVESTMENTS)).unwrap();
    import(&store, &[fixture(INVESTMENTS)], &[]);
    let v2 = v1.replace("Oculus VR,Matrix Partners,2013-06-17,16000000\r\n", "");
    let v2_path = write(&dir, "investments-v2.csv", &v2);
    let r = import(&store, &[v2_path], &[]);
    assert_eq!(r["files"][0]["status"], "replaced");
    assert_eq!(r["graphs_replaced"], serde_json::json!(["https://w3id.org/mvkg/source/import/crunchbase-investments"]));
    let investors = "SELECT ?l WHERE { ?e mv:investee mvd:oculus ; mv:investor/rdfs:label ?l } ORDER BY ?l";
    assert_eq!(rows(&query(&store, &[investors])), vec!["Formation 8", "Spark Capital"]);
}

#[test]
fn a_mapping_file_imports_any_table() {
    let (dir, store) = bundled_copy();
    let table = write(
        &dir,
        "my-deals.tsv",
        "Startup\tBacker\tWhen\tUSD m\tLead?\tCountry\tLink\n\
         Example Robotics\tExample Capital\t03.2021\t12,5\tyes\tDE\thttps://example.org/robotics\n\
         Example Robotics\tExample Angels\t03.2021\t12,5\t\tDE\thttps://example.org/robotics\n",
    );
    let mapping = write(
        &dir,
        "m.toml",
        "kind = \"investments\"\ndate_format = \"%m.%Y\"\ndefault_currency = \"EUR\"\n\
         [source]\ntitle = \"My deals\"\npublisher = \"Me\"\n\
         [columns]\ninvestee = \"Startup\"\ninvestor = \"Backer\"\ndate = \"When\"\nlead = \"Lead?\"\n\
         investee_country = \"Country\"\nsource_url = \"Link\"\n",
    );
    let r = import(&store, &[table], &["--mapping", mapping.to_str().unwrap()]);
    assert_eq!((r["rows"].as_u64(), r["events"].as_u64(), r["rounds_joined"].as_u64()), (Some(2), Some(1), Some(1)));
    let q =
        "SELECT ?d ?p ?lead ?c WHERE { ?o rdfs:label \"Example Robotics\"@en ; mv:country ?c . ?e mv:investee ?o ; \
             mv:date ?d ; mv:datePrecision ?p ; mv:leadInvestor/rdfs:label ?lead }";
    assert_eq!(rows(&query(&store, &[q])), vec!["2021-03-01,month,Example Capital,https://w3id.org/mvkg/country/DE"]);
    let g = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?e mv:investee ?o } ?o rdfs:label \"Example Robotics\"@en }";
    let graphs = rows(&query(&store, &[g]));
    assert_eq!(graphs.len(), 1);
    assert!(graphs[0].starts_with("https://w3id.org/mvkg/source/import/news-"), "{graphs:?}");
}

#[test]
fn a_bad_mapping_names_file_line_and_key_and_changes_nothing() {
    let (dir, store) = bundled_copy();
    let before = quad_count(&store);
    let mapping =
        write(&dir, "m.toml", "kind = \"investments\"\n[columns]\ninvestee = \"Company\"\ninvestr = \"Investor\"\n");
    let err = fails(mvkg(&store).arg("import").arg(fixture(INVESTMENTS)).arg("--mapping").arg(&mapping));
    assert!(err.contains("m.toml:4:1: unknown field `investr`"), "{err}");
    let mapping = write(&dir, "n.toml", "kind = \"investments\"\n[columns]\ninvestee = \"Startup\"\n");
    let err = fails(mvkg(&store).arg("import").arg(fixture(INVESTMENTS)).arg("--mapping").arg(&mapping));
    assert!(
        err.contains("investments-bom-crlf.csv:1: the mapping names column `Startup`, which the header lacks"),
        "{err}"
    );
    let unknown = write(&dir, "x.csv", "a,b\n1,2\n");
    let err = fails(mvkg(&store).arg("import").arg(&unknown));
    assert!(err.contains("x.csv:1: no built-in profile has this header (a, b)"), "{err}");
    assert_eq!(quad_count(&store), before);
}

#[test]
fn the_readme_example_restates_bundled_deals_without_duplicating_them() {
    let (_dir, store) = bundled_copy();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples");
    let mapping = root.join("deals.toml");
    let r = import(&store, &[root.join("deals.csv")], &["--mapping", mapping.to_str().unwrap()]);
    assert_eq!((r["rows"].as_u64(), r["events"].as_u64(), r["events_created"].as_u64()), (Some(6), Some(2), Some(0)));
    let linked: Vec<&str> =
        r["events_linked"].as_array().unwrap().iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(
        linked,
        ["https://w3id.org/mvkg/id/ev-2021-epic-games-1b-round", "https://w3id.org/mvkg/id/ev-2020-sony-epic-250m"]
    );
    assert_eq!(
        (r["organizations_merged"].as_array().unwrap().len(), r["organizations_created"].as_u64()),
        (6, Some(0))
    );
    assert_eq!(r["flags"], serde_json::json!([]));
    // Still five investors and one amount on the $1 billion round.
    let q = "SELECT (COUNT(DISTINCT ?i) AS ?n) (COUNT(DISTINCT ?a) AS ?m) WHERE { mvd:ev-2021-epic-games-1b-round mv:investor ?i ; mv:amountUSD ?a }";
    assert_eq!(rows(&query(&store, &[q])), vec!["5,1"]);
}
