//! `mvkg validate` over the bundled store and over files.

use crate::common::*;
use tempfile::TempDir;

#[test]
fn the_bundled_data_passes_every_rule() {
    let out = mvkg(bundled()).arg("validate").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // Errors fail; undated sources stay visible as warnings.
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("OK: 0 error(s), ") && last.ends_with(" warning(s) from 14 rules"), "{text}");
    assert!(
        text.lines().filter(|l| l.contains("┆")).all(|l| l.contains("warning") || l.contains("severity")),
        "{text}"
    );
}

#[test]
fn a_bad_file_is_reported_with_rule_node_and_position() {
    let dir = TempDir::new().unwrap();
    let p = write(
        &dir,
        "bad.trig",
        "@prefix mv: <https://w3id.org/mvkg/ontology#> .\n\
         @prefix mvd: <https://w3id.org/mvkg/id/> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
         @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
         <https://example.org/s> {\n\
         \x20 mvd:deal a mv:Investment ; rdfs:label \"Deal\"@en ; mv:investee mvd:ghost ;\n\
         \x20     mv:amount -5.0 ; mv:currency \"XYZ\" ; mv:date \"2021-02-30\"^^xsd:date .\n\
         }\n",
    );
    let out = mvkg(&dir.path().join("nostore")).args(["validate", "--output-format", "json"]).arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, String, String)> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["rule"].as_str().unwrap().to_owned(),
                x["node"].as_str().unwrap().to_owned(),
                x["position"].as_str().unwrap_or("").replace(&format!("{}", p.display()), "F"),
            )
        })
        .collect();
    got.sort();
    got.dedup();
    let expected: Vec<(String, String, String)> = [
        ("amounts-valid", "mvd:deal", "F:6:3"),
        ("dangling-reference", "mvd:deal", "F:6:3"),
        ("dates-valid", "mvd:deal", "F:6:3"),
        ("event-dated", "mvd:deal", "F:6:3"),
        ("source-described", "<https://example.org/s>", "F:5:1"),
    ]
    .iter()
    .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
    .collect();
    assert_eq!(got, expected);
    let messages: Vec<&str> =
        v["violations"].as_array().unwrap().iter().map(|x| x["message"].as_str().unwrap()).collect();
    assert!(messages.contains(&"mv:currency is not an ISO 4217 code: XYZ"), "{messages:?}");
    assert!(
        messages.contains(&"https://w3id.org/mvkg/ontology#amount is not a non-negative xsd:decimal: -5"),
        "{messages:?}"
    );
    assert!(messages.contains(&"Source graph has no schema:url"), "{messages:?}");
}

#[test]
fn a_syntax_error_in_a_file_to_validate_names_its_position() {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "broken.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b .\n");
    let err = fails(mvkg(&dir.path().join("nostore")).arg("validate").arg(&p));
    assert!(err.contains(&format!("{}:2:", p.display())), "{err}");
}

#[test]
fn a_source_dated_only_to_the_month_or_year_is_dated_but_a_bad_month_is_not() {
    let dir = TempDir::new().unwrap();
    let source = |name: &str, issued: &str| {
        format!(
            "src:{name} {{ src:{name} a mv:Source ; schema:url <https://example.org/{name}> ; dcterms:title \"T\"@en ;\n\
             \x20 dcterms:publisher \"P\" ; dcterms:issued {issued} ; mv:sourceKind mv:SecondarySource . }}\n"
        )
    };
    let text = format!(
        "@prefix mv: <https://w3id.org/mvkg/ontology#> .\n\
         @prefix src: <https://w3id.org/mvkg/source/> .\n\
         @prefix dcterms: <http://purl.org/dc/terms/> .\n\
         @prefix schema: <https://schema.org/> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n{}{}{}{}",
        source("month", "\"2021-11\"^^xsd:gYearMonth"),
        source("year", "\"2019\"^^xsd:gYear"),
        source("badmonth", "\"2021-13\"^^xsd:gYearMonth"),
        source("plain", "\"2021-11\""),
    );
    let p = write(&dir, "sources.trig", &text);
    let out = mvkg(&dir.path().join("nostore")).args(["validate", "--output-format", "json"]).arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, String)> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["rule"].as_str().unwrap().to_owned(), x["node"].as_str().unwrap().to_owned()))
        .collect();
    got.sort();
    got.dedup();
    // The month and the year are accepted (and count as dates); a thirteenth month and an untyped string are not.
    assert_eq!(
        got,
        [("dates-valid".to_owned(), "src:badmonth".to_owned()), ("dates-valid".to_owned(), "src:plain".to_owned())]
    );
}

#[test]
fn a_fact_that_only_undated_sources_state_is_a_warning_placed_in_the_undated_graph() {
    let dir = TempDir::new().unwrap();
    let source = |name: &str, extra: &str, facts: &str| {
        format!(
            "src:{name} {{\n  src:{name} a mv:Source ; schema:url <https://example.org/{name}> ; dcterms:title \"T\"@en ;\n\
             \x20   dcterms:publisher \"P\"{extra} .\n{facts}}}\n"
        )
    };
    let text = format!(
        "@prefix mv: <https://w3id.org/mvkg/ontology#> .\n\
         @prefix mvd: <https://w3id.org/mvkg/id/> .\n\
         @prefix src: <https://w3id.org/mvkg/source/> .\n\
         @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
         @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix dcterms: <http://purl.org/dc/terms/> .\n\
         @prefix schema: <https://schema.org/> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n{}{}{}",
        source("dated", " ; dcterms:issued \"2021-11-23\"^^xsd:date", "  mvd:a rdfs:label \"A\"@en .\n"),
        source("encyclopedia", " ; mv:sourceKind mv:ReferenceWork", "  mvd:b rdfs:label \"B\"@en .\n"),
        source(
            "undated",
            "",
            "  mvd:a rdfs:label \"A\"@en ; skos:altLabel \"Alias\" ; dcterms:description \"Only here.\"@en .\n\
             \x20 mvd:b rdfs:label \"B\"@en .\n",
        ),
    );
    let p = write(&dir, "facts.trig", &text);
    let out = mvkg(&dir.path().join("nostore")).args(["validate", "--output-format", "json"]).arg(&p).output().unwrap();
    // Warnings only: the exit is a success.
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<[String; 5]> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            ["severity", "rule", "node", "message", "position"]
                .map(|k| x[k].as_str().unwrap_or("").replace(&format!("{}", p.display()), "F"))
        })
        .collect();
    // mvd:a's label is also stated by a dated source and mvd:b's by a reference work; mvd:a's alias and description
    // rest on the undated source alone, and are placed in its block (line 22), not at mvd:a's first mention.
    let expected = [
        [
            "warning",
            "fact-dated",
            "mvd:a",
            "2 facts stated only by this undated source (first: dcterms:description)",
            "F:22:3",
        ],
        ["warning", "source-dated", "src:undated", "Source graph has no dcterms:issued date", "F:19:1"],
    ]
    .map(|row| row.map(str::to_owned));
    assert_eq!(got, expected);
}

#[test]
fn a_rule_broken_more_often_than_the_cap_lists_its_first_violations_and_says_so() {
    let dir = TempDir::new().unwrap();
    let events: String = (1..=3)
        .map(|i| format!("  mvd:deal{i} a mv:Investment ; rdfs:label \"Deal {i}\"@en ; mv:status \"completed\" .\n"))
        .collect();
    let p = write(
        &dir,
        "undated.trig",
        &format!(
            "@prefix mv: <https://w3id.org/mvkg/ontology#> .\n\
             @prefix mvd: <https://w3id.org/mvkg/id/> .\n\
             @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
             @prefix dcterms: <http://purl.org/dc/terms/> .\n\
             @prefix schema: <https://schema.org/> .\n\
             @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
             <https://w3id.org/mvkg/source/s> {{\n\
             \x20 <https://w3id.org/mvkg/source/s> a mv:Source ; schema:url <https://example.org/s> ;\n\
             \x20   dcterms:title \"T\"@en ; dcterms:publisher \"P\" ; dcterms:issued \"2021-01-01\"^^xsd:date .\n{events}}}\n"
        ),
    );
    let run = |cap: Option<&str>| {
        let mut cmd = mvkg(&dir.path().join("nostore"));
        cmd.args(["validate", "--output-format", "json"]).arg(&p);
        if let Some(c) = cap {
            cmd.args(["--max-per-rule", c]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let dated = |v: &serde_json::Value| -> Vec<String> {
        let rows = v["violations"].as_array().unwrap().iter().filter(|x| x["rule"] == "event-dated");
        rows.map(|x| x["node"].as_str().unwrap().to_owned()).collect()
    };
    // By default (1,000 a rule) all three are listed and nothing is cut.
    let all = run(None);
    assert_eq!(dated(&all), ["mvd:deal1", "mvd:deal2", "mvd:deal3"]);
    assert_eq!(all["truncated"], serde_json::json!([]));
    // Capped at two: two listed, the rule reported as cut, still a failure.
    let capped = run(Some("2"));
    assert_eq!(dated(&capped).len(), 2);
    assert_eq!(capped["truncated"], serde_json::json!([{"rule": "event-dated", "severity": "error", "shown": 2}]));
    // 0 lists all.
    assert_eq!(dated(&run(Some("0"))).len(), 3);
}
