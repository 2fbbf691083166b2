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
    assert!(last.starts_with("OK: 0 error(s), ") && last.ends_with(" warning(s) from 18 rules"), "{text}");
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
        ("amount-scope", "mvd:deal", "F:6:3"),
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

const PREFIXES: &str = "@prefix mv: <https://w3id.org/mvkg/ontology#> .\n\
    @prefix mvd: <https://w3id.org/mvkg/id/> .\n\
    @prefix src: <https://w3id.org/mvkg/source/> .\n\
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
    @prefix owl: <http://www.w3.org/2002/07/owl#> .\n\
    @prefix dcterms: <http://purl.org/dc/terms/> .\n\
    @prefix schema: <https://schema.org/> .\n\
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n";

/// A described, dated source graph named `src:{name}` holding `facts`.
fn graph(name: &str, url: &str, facts: &str) -> String {
    format!(
        "src:{name} {{\n  src:{name} a mv:Source ; schema:url <{url}> ; dcterms:title \"T\"@en ;\n\
         \x20   dcterms:publisher \"P\" ; dcterms:issued \"2021-11-23\"^^xsd:date .\n{facts}}}\n"
    )
}

/// Validates one file and returns the (severity, rule, node, message, position) rows of the named rules.
fn violations_of(text: &str, rules: &[&str]) -> (Option<i32>, Vec<[String; 5]>) {
    let dir = TempDir::new().unwrap();
    let p = write(&dir, "f.trig", text);
    let out = mvkg(&dir.path().join("nostore")).args(["validate", "--output-format", "json"]).arg(&p).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| rules.contains(&x["rule"].as_str().unwrap()))
        .map(|x| {
            ["severity", "rule", "node", "message", "position"]
                .map(|k| x[k].as_str().unwrap_or("").replace(&format!("{}", p.display()), "F"))
        })
        .collect();
    (out.status.code(), rows)
}

fn rows(v: &[[&str; 5]]) -> Vec<[String; 5]> {
    v.iter().map(|r| r.map(str::to_owned)).collect()
}

#[test]
fn one_page_curated_as_two_source_graphs_is_a_warning_at_both_naming_the_other() {
    let text = format!(
        "{PREFIXES}{}{}{}",
        graph("a", "https://example.org/page", ""),
        graph("b", "https://example.org/page", ""),
        graph("c", "https://example.org/other", ""),
    );
    let (code, got) = violations_of(&text, &["duplicate-source-url"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        got,
        rows(&[
            ["warning", "duplicate-source-url", "src:a", "Same schema:url as src:b: https://example.org/page", "F:9:1"],
            [
                "warning",
                "duplicate-source-url",
                "src:b",
                "Same schema:url as src:a: https://example.org/page",
                "F:13:1"
            ],
        ])
    );
}

#[test]
fn one_event_under_two_iris_is_a_warning_at_both_unless_marked_distinct_or_a_month_apart() {
    let stake = |iri: &str, date: &str| {
        format!(
            "  mvd:{iri} a mv:Stake ; rdfs:label \"S\"@en ; mv:holder mvd:h ; mv:heldIn mvd:c ;\n\
             \x20     mv:date \"{date}\"^^xsd:date .\n"
        )
    };
    let facts = format!(
        "  mvd:h a mv:Company ; rdfs:label \"H\"@en .\n  mvd:c a mv:Company ; rdfs:label \"C\"@en .\n{}{}{}{}{}\
         \x20 mvd:t1 owl:differentFrom mvd:t2 .\n",
        stake("s1", "2021-10-01"),
        stake("s2", "2021-10-31"),
        stake("far", "2022-03-01"),
        stake("t1", "2022-06-01"),
        stake("t2", "2022-06-02"),
    );
    let text = format!("{PREFIXES}{}", graph("g", "https://example.org/g", &facts));
    // (The fixture's companies have no country: an error of another rule, not looked at here.)
    let (_, got) = violations_of(&text, &["duplicate-event"]);
    // s1 and s2 are 30 days apart; `far` is five months from both; t1 and t2 are marked distinct.
    let msg = |other: &str| {
        format!("Same kind (mv:Stake), same parties (mvd:h, mvd:c) and dates within 31 days as {other}: one event under two IRIs?")
    };
    let want = vec![
        ["warning".to_owned(), "duplicate-event".into(), "mvd:s1".into(), msg("mvd:s2"), "F:14:3".into()],
        ["warning".to_owned(), "duplicate-event".into(), "mvd:s2".into(), msg("mvd:s1"), "F:16:3".into()],
    ];
    assert_eq!(got, want);
}

#[test]
fn one_product_under_two_iris_is_a_warning_when_names_match_once_normalised() {
    let facts = "  mvd:baidu a mv:Company ; rdfs:label \"Baidu\"@en .\n\
                 \x20 mvd:xirang a mv:Product ; rdfs:label \"XiRang\"@en ; mv:developer mvd:baidu .\n\
                 \x20 mvd:baidu-xirang a mv:Product ; rdfs:label \"Baidu Xi-Rang\"@en ; mv:developer mvd:baidu .\n\
                 \x20 mvd:other a mv:Product ; rdfs:label \"Xirang 2\"@en ; mv:developer mvd:baidu .\n";
    let text = format!("{PREFIXES}{}", graph("g", "https://example.org/g", facts));
    let (_, got) = violations_of(&text, &["duplicate-product"]);
    assert_eq!(
        got,
        rows(&[
            [
                "warning",
                "duplicate-product",
                "mvd:baidu-xirang",
                "Same developer (mvd:baidu) and a matching name (\"Baidu Xi-Rang\", \"XiRang\") as mvd:xirang: one product under two IRIs?",
                "F:14:3",
            ],
            [
                "warning",
                "duplicate-product",
                "mvd:xirang",
                "Same developer (mvd:baidu) and a matching name (\"XiRang\", \"Baidu Xi-Rang\") as mvd:baidu-xirang: one product under two IRIs?",
                "F:13:3",
            ],
        ])
    );
}

#[test]
fn an_amount_without_its_scope_in_the_same_graph_is_an_error() {
    let round = |iri: &str, extra: &str| {
        format!(
            "  mvd:{iri} a mv:Investment ; rdfs:label \"R\"@en ; mv:investee mvd:c ; mv:investor mvd:i ;\n\
             \x20     mv:amount 10.0 ; mv:currency \"USD\" ;{extra} mv:date \"2021-01-01\"^^xsd:date .\n"
        )
    };
    let facts = format!(
        "  mvd:c a mv:Company ; rdfs:label \"C\"@en .\n  mvd:i a mv:Investor ; rdfs:label \"I\"@en .\n{}{}{}{}{}",
        round("ok", " mv:amountScope mv:RoundTotal ;"),
        round("bare", ""),
        round("whose", " mv:amountScope mv:ParticipantShare ; mv:investor mvd:c ;"),
        round("alone", " mv:amountScope mv:ParticipantShare ;"),
        round("mine", " mv:amountScope mv:ParticipantShare ; mv:shareOf mvd:i ;"),
    );
    // The scope of `late` is stated only by another graph than the one stating its amount.
    let late = "  mvd:late a mv:Investment ; rdfs:label \"L\"@en ; mv:investee mvd:c ; mv:amount 5.0 ; mv:currency \"USD\" ;\n\
                \x20     mv:date \"2021-01-01\"^^xsd:date .\n";
    let text = format!(
        "{PREFIXES}{}{}",
        graph("g", "https://example.org/g", &format!("{facts}{late}")),
        graph(
            "h",
            "https://example.org/h",
            "  mvd:late mv:amountScope mv:RoundTotal ; mv:amountScope mv:CumulativeTotal .\n"
        ),
    );
    let (code, got) = violations_of(&text, &["amount-scope"]);
    assert_eq!(code, Some(1));
    let got: Vec<(String, String, String)> = got.into_iter().map(|[s, _, n, m, _]| (s, n, m)).collect();
    let want: Vec<(String, String, String)> = [
        ("error", "mvd:bare", "mv:amount without mv:amountScope in the same source graph"),
        ("error", "mvd:late", "Two scopes for one event's amounts: mv:CumulativeTotal and mv:RoundTotal"),
        ("error", "mvd:late", "mv:amount without mv:amountScope in the same source graph"),
        (
            "error",
            "mvd:whose",
            "mv:ParticipantShare without mv:shareOf, and the event does not name exactly one investor: whose share is it?",
        ),
    ]
    .iter()
    .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn the_bundled_data_has_no_duplicate_source_event_or_product_and_every_amount_has_its_scope() {
    let out = mvkg(bundled()).args(["validate", "--output-format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dup: Vec<&serde_json::Value> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| {
            ["duplicate-source-url", "duplicate-event", "duplicate-product", "amount-scope"]
                .contains(&x["rule"].as_str().unwrap())
        })
        .collect();
    assert!(dup.is_empty(), "{dup:#?}");
    assert_eq!(v["truncated"], serde_json::json!([]));
}
