//! `mvkg query` and `mvkg queries`: formats, parameters, named queries, timeouts and errors.

use std::path::PathBuf;

use crate::common::*;
use predicates::prelude::*;
use tempfile::TempDir;

fn mini() -> (TempDir, PathBuf) {
    let (dir, store) = empty_store();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.trig");
    mvkg(&store).arg("--quiet").arg("load").arg(fixture).assert().success();
    (dir, store)
}

const LABELS: &str = "SELECT ?e ?l WHERE { ?e a mv:Investor ; rdfs:label ?l } ORDER BY ?l";

#[test]
fn solution_formats() {
    let (_d, s) = mini();
    let check = |format: &str, expected: &str| {
        assert_eq!(query(&s, &[LABELS, "--format", format]), expected, "{format}");
    };
    check(
        "csv",
        "e,l\r\nhttps://w3id.org/mvkg/id/fx-bolt-fund,Bolt Fund I\r\nhttps://w3id.org/mvkg/id/fx-bolt,Bolt Ventures\r\nhttps://w3id.org/mvkg/id/fx-cora,Cora Capital\r\n",
    );
    check(
        "tsv",
        "?e\t?l\n<https://w3id.org/mvkg/id/fx-bolt-fund>\t\"Bolt Fund I\"@en\n<https://w3id.org/mvkg/id/fx-bolt>\t\"Bolt Ventures\"@en\n<https://w3id.org/mvkg/id/fx-cora>\t\"Cora Capital\"@en\n",
    );
    let json: serde_json::Value = serde_json::from_str(&query(&s, &[LABELS, "--format", "json"])).unwrap();
    assert_eq!(json["head"]["vars"], serde_json::json!(["e", "l"]));
    assert_eq!(
        json["results"]["bindings"][2]["l"],
        serde_json::json!({"type": "literal", "value": "Cora Capital", "xml:lang": "en"})
    );
    let xml = query(&s, &[LABELS, "--format", "xml"]);
    assert!(xml.starts_with("<?xml") && xml.contains("<literal xml:lang=\"en\">Bolt Fund I</literal>"), "{xml}");
    let table = query(&s, &[LABELS, "--format", "table"]);
    assert!(
        table.contains("mvd:fx-bolt-fund") && table.contains("Bolt Fund I") && table.ends_with("3 rows\n"),
        "{table}"
    );
}

#[test]
fn output_file_extension_picks_the_format() {
    let (d, s) = mini();
    let out = d.path().join("r.json");
    mvkg(&s).args(["query", LABELS, "-o"]).arg(&out).assert().success();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["results"]["bindings"].as_array().unwrap().len(), 3);
    let out = d.path().join("g.nt");
    mvkg(&s)
        .args(["query", "CONSTRUCT { ?e a mv:Investor } WHERE { ?e a mv:Investor . FILTER(?e = mvd:fx-cora) }", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "<https://w3id.org/mvkg/id/fx-cora> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/mvkg/ontology#Investor> .\n"
    );
}

#[test]
fn graph_and_boolean_results() {
    let (_d, s) = mini();
    let ttl = query(&s, &["DESCRIBE mvd:fx-bolt", "--format", "turtle"]);
    assert!(ttl.contains("mvd:fx-bolt") && ttl.contains("\"Bolt Ventures\"@en"), "{ttl}");
    assert_eq!(query(&s, &["ASK { mvd:fx-acme a mv:Company }", "--format", "csv"]).trim(), "true");
    assert_eq!(
        query(&s, &["ASK { mvd:fx-acme a mv:Investor }", "--format", "json"]).trim(),
        "{\"head\":{},\"boolean\":false}"
    );
}

#[test]
fn params_are_bound_as_terms_never_pasted() {
    let (_d, s) = mini();
    let before = quad_count(&s);
    let q = "SELECT ?e WHERE { ?e rdfs:label ?name }";
    // The hostile value is only a literal: it matches the one entity labelled with exactly that text...
    let hostile = "\"} ; DROP ALL ; {\"";
    assert_eq!(
        query(&s, &[q, "--param", &format!("name=\"{}\"@en", hostile.replace('"', "\\\"")), "--format", "csv"]),
        "e\r\nhttps://w3id.org/mvkg/id/fx-odd\r\n"
    );
    // ...and as a plain string it matches nothing (the label is @en), and nothing is dropped.
    assert_eq!(query(&s, &[q, "--param", &format!("name={hostile}"), "--format", "csv"]), "e\r\n");
    assert_eq!(query(&s, &[q, "-p", "name=} } ; DELETE WHERE { ?s ?p ?o } #", "--format", "csv"]), "e\r\n");
    assert_eq!(quad_count(&s), before);
    // Typed values.
    let q = "SELECT ?e WHERE { ?e mv:amountUSD ?v . FILTER(?v >= ?min) } ORDER BY ?e";
    assert_eq!(query(&s, &[q, "-p", "min=1000000000", "--format", "csv"]), "e\r\nhttps://w3id.org/mvkg/id/fx-deal\r\n");
    assert_eq!(
        query(
            &s,
            &[
                "SELECT ?l WHERE { ?e rdfs:label ?l FILTER(LANG(?l) = \"en\") }",
                "-p",
                "e=mvd:fx-cora",
                "--format",
                "csv"
            ]
        ),
        "l\r\nCora Capital\r\n"
    );
}

#[test]
fn named_queries_take_entity_names() {
    let (_d, s) = mini();
    let csv = query(&s, &["investors-in", "--param", "company=acme", "--format", "csv"]);
    // Source B reports a larger amount for the same round but names no investor: the lower amount is shown, and the
    // rows cite only the source that names each investor.
    assert_eq!(
        csv,
        "investor,investorLabel,round,amountUSD,date,lead,sources\r\n\
         https://w3id.org/mvkg/id/fx-bolt-fund,Bolt Fund I,Series A,10000000,2021-05-20,true,https://w3id.org/mvkg/source/fixture-a\r\n\
         https://w3id.org/mvkg/id/fx-cora,Cora Capital,Series A,10000000,2021-05-20,false,https://w3id.org/mvkg/source/fixture-a\r\n"
    );
    // An ambiguous name lists the candidates.
    let err = fails(mvkg(&s).args(["query", "entity-profile", "--param", "entity=Twin Co"]));
    assert!(
        err.contains("`Twin Co` names several entities") && err.contains("mvd:fx-twin") && err.contains("mvd:fx-twin2"),
        "{err}"
    );
    let err = fails(mvkg(&s).args(["query", "investors-in", "--param", "company=Nobody"]));
    assert!(err.contains("No entity is named `Nobody`"), "{err}");
    let err = fails(mvkg(&s).args(["query", "investors-in"]));
    assert!(err.contains("Parameter company: `investors-in` needs --param company=…"), "{err}");
    let err = fails(mvkg(&s).args(["query", "investors-in", "-p", "company=Acme", "-p", "bogus=1"]));
    assert!(err.contains("`investors-in` takes no such parameter; it takes: company"), "{err}");
}

#[test]
fn disputed_amounts_stay_side_by_side() {
    let (_d, s) = mini();
    let csv = query(&s, &["disputed-facts", "--format", "csv"]);
    assert_eq!(
        csv,
        "subject,property,value,source,otherValue,otherSource\r\n\
         https://w3id.org/mvkg/id/fx-round-a,https://w3id.org/mvkg/ontology#amount,10000000,https://w3id.org/mvkg/source/fixture-a,12000000,https://w3id.org/mvkg/source/fixture-b\r\n\
         https://w3id.org/mvkg/id/fx-round-a,https://w3id.org/mvkg/ontology#amountUSD,10000000,https://w3id.org/mvkg/source/fixture-a,12000000,https://w3id.org/mvkg/source/fixture-b\r\n"
    );
}

#[test]
fn a_runaway_query_is_cancelled() {
    let err = fails(mvkg(bundled()).args([
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        "--timeout",
        "1",
    ]));
    assert!(err.contains("Query cancelled: it ran longer than the 1 s timeout"), "{err}");
}

#[test]
fn syntax_errors_show_line_and_column() {
    let err = fails(mvkg(bundled()).args(["query", "SELECT ?x WHERE {\n  ?x a mv:Company\n  FILTER(\n}"]));
    assert!(err.contains("SPARQL syntax error in inline query: error at 4:2"), "{err}");
    let err = fails(mvkg(bundled()).args(["query", "not-a-query"]));
    assert!(err.contains("No named query `not-a-query`"), "{err}");
}

#[test]
fn queries_lists_the_catalog() {
    let out = mvkg(bundled()).args(["queries", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert!(names.len() >= 20, "{names:?}");
    assert!(names.contains(&"investors-in") && names.contains(&"claims-status"));
    let inv = v.as_array().unwrap().iter().find(|q| q["name"] == "investors-in").unwrap();
    assert_eq!(inv["params"][0]["name"], "company");
    assert_eq!(inv["params"][0]["kind"], "entity");
    mvkg(bundled()).arg("queries").assert().success().stdout(predicate::str::contains("Investors in a company"));
}

#[test]
fn an_optional_parameter_given_filters_and_one_left_out_does_not() {
    // deals-above reads `FILTER(!BOUND(?year) || ?dealYear = ?year)`.
    let all = query(bundled(), &["deals-above", "--param", "min=1000000000", "--format", "csv"]);
    let years: std::collections::BTreeSet<&str> = all.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert!(years.len() > 3 && years.contains("2022"), "{years:?}");
    let only =
        query(bundled(), &["deals-above", "--param", "min=1000000000", "--param", "year=2022", "--format", "csv"]);
    let rows: Vec<&str> = only.lines().skip(1).collect();
    assert_eq!(rows.len(), all.lines().filter(|l| l.starts_with("2022,")).count());
    assert!(rows.iter().all(|l| l.starts_with("2022,")), "{only}");
}

#[test]
fn graph_variables_range_over_sources_never_the_union_graph() {
    let out = query(bundled(), &["SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv"]);
    let graphs: Vec<&str> = out.lines().skip(1).collect();
    assert!(graphs.len() > 250, "{}", graphs.len());
    assert!(!graphs.contains(&"https://w3id.org/mvkg/graph/union"));
    // Also inside EXISTS, and the union graph stays the default graph.
    let q = "SELECT (COUNT(*) AS ?n) WHERE { mvd:naver-z rdfs:label ?l \
             FILTER EXISTS { GRAPH ?g { mvd:naver-z rdfs:label ?l } FILTER(?g = <https://w3id.org/mvkg/graph/union>) } }";
    assert_eq!(query(bundled(), &[q, "--format", "csv"]), "n\r\n0\r\n");
    let q = "SELECT (COUNT(*) AS ?n) WHERE { mvd:naver-z rdfs:label \"Naver Z\"@en }";
    assert_eq!(query(bundled(), &[q, "--format", "csv"]), "n\r\n1\r\n");
}
