//! The store, loading, dumping and updating (issue: the core).

use std::io::Write as _;
use std::process::Stdio;

use crate::common::*;
use predicates::prelude::*;
use tempfile::TempDir;

const EX: &str = "@prefix ex: <http://example.org/> .\n";

#[test]
fn first_use_creates_the_store_from_the_bundled_data() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("fresh");
    mvkg(&store)
        .args(["stats"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Creating the store at"))
        .stdout(predicate::str::contains("mv:Company"));
    // Exactly the quads of the bundled files (duplicates across files counted once).
    let expected = mvkg::load::parse_all(mvkg::load::bundled::inputs().unwrap())
        .unwrap()
        .into_iter()
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    assert_eq!(quad_count(&store), expected);
    // The second run does not create it again.
    mvkg(&store).arg("stats").assert().success().stderr(predicate::str::contains("Creating").not());
}

#[test]
fn init_empty_and_force() {
    let (_d, store) = empty_store();
    assert_eq!(quad_count(&store), 0);
    let err = fails(mvkg(&store).arg("init"));
    assert!(err.contains("a store already exists here; pass --force to rebuild it"), "{err}");
    mvkg(&store).args(["--quiet", "init", "--force"]).assert().success();
    assert_eq!(quad_count(&store), quad_count(bundled()));
}

#[test]
fn load_each_format_by_extension() {
    let (dir, store) = empty_store();
    let files = [
        ("a.ttl", format!("{EX}ex:a ex:p ex:b .")),
        ("b.nt", "<http://example.org/c> <http://example.org/p> \"c\" .\n".to_owned()),
        ("c.nq", "<http://example.org/d> <http://example.org/p> \"d\" <http://example.org/g1> .\n".to_owned()),
        ("d.trig", format!("{EX}ex:g2 {{ ex:e ex:p ex:f . }}")),
        (
            "e.rdf",
            r#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x"><ex:p>x</ex:p></rdf:Description></rdf:RDF>"#
                .to_owned(),
        ),
        ("f.jsonld", r#"{"@id": "http://example.org/y", "http://example.org/p": "y"}"#.to_owned()),
    ];
    for (name, text) in &files {
        let p = write(&dir, name, text);
        mvkg(&store).arg("load").arg(&p).assert().success();
    }
    assert_eq!(quad_count(&store), 6);
    let csv = query(&store, &["SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", "--format", "csv"]);
    assert_eq!(csv, "g\r\nhttp://example.org/g1\r\nhttp://example.org/g2\r\n");
}

#[test]
fn load_with_explicit_format_and_graph_reports_per_graph() {
    let (dir, store) = empty_store();
    let p = write(&dir, "data.txt", "<http://example.org/a> <http://example.org/p> \"1\" .\n<http://example.org/a> <http://example.org/p> \"2\" .\n");
    mvkg(&store)
        .args(["load", "--format", "ntriples", "--graph", "http://example.org/src"])
        .arg(&p)
        .assert()
        .success()
        .stderr(predicate::str::contains("Loaded 2 quads from 1 file"))
        .stderr(predicate::str::contains("2  <http://example.org/src>"));
    let csv = query(
        &store,
        &["SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/src> { ?s ?p ?o } }", "--format", "csv"],
    );
    assert_eq!(csv, "n\r\n2\r\n");
}

#[test]
fn unknown_extension_asks_for_a_format() {
    let (dir, store) = empty_store();
    let p = write(&dir, "data.xyz", "");
    let err = fails(mvkg(&store).arg("load").arg(&p));
    assert!(err.contains("Cannot tell the RDF format of") && err.contains("pass --format"), "{err}");
}

#[test]
fn a_syntax_error_on_line_9000_leaves_the_store_exactly_as_it_was() {
    let (dir, store) = bundled_copy();
    let before = quad_count(&store);
    let mut text = String::new();
    for i in 1..=10_000 {
        if i == 9_000 {
            text.push_str("<http://example.org/s9000> <http://example.org/p> oops .\n");
        } else {
            text.push_str(&format!("<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n"));
        }
    }
    let good = write(&dir, "good.ttl", &format!("{EX}ex:fine ex:p ex:q ."));
    let bad = write(&dir, "big.nt", &text);
    let err = fails(mvkg(&store).arg("load").arg(&good).arg(&bad));
    let expected = format!("{}:9000:", bad.display());
    assert!(err.contains(&expected), "{err}");
    assert_eq!(quad_count(&store), before, "nothing of either file may land");
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let (dir, store) = empty_store();
    let p = write(&dir, "bad.ttl", &format!("{EX}ex:a ex:p ex:b .\nex:c ex:p \"unterminated .\n"));
    let err = fails(mvkg(&store).arg("load").arg(&p));
    assert!(err.contains(&format!("{}:3:", p.display())), "{err}");
    let p = write(&dir, "bad.trig", &format!("{EX}ex:g {{\n  ex:a ex:p ex:b\n"));
    let err = fails(mvkg(&store).arg("load").arg(&p));
    assert!(err.contains(&format!("{}:", p.display())) && err.contains("Error:"), "{err}");
    assert_eq!(quad_count(&store), 0);
}

#[test]
fn a_second_writer_gets_a_plain_message_and_readers_still_work() {
    let (dir, store) = bundled_copy();
    // Hold the write lock from this process.
    let kg = mvkg::Kg::open_existing(&store, mvkg::Access::Write).unwrap();
    let p = write(&dir, "x.ttl", &format!("{EX}ex:a ex:p ex:b ."));
    let err = fails(mvkg(&store).arg("load").arg(&p));
    assert!(
        err.contains(&format!("The store at {} is in use by another process that is writing to it", store.display())),
        "{err}"
    );
    assert!(!err.contains("Resource temporarily unavailable") && !err.contains("While lock"), "{err}");
    // Readers run beside the writer, and beside each other.
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("mvkg"))
                .arg("--store")
                .arg(&store)
                .args(["query", "ASK { ?s a mv:Company }", "--format", "csv"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "true");
    }
    drop(kg);
    mvkg(&store).arg("--quiet").arg("load").arg(&p).assert().success();
}

#[test]
fn dump_then_load_gives_an_isomorphic_dataset() {
    let dir = TempDir::new().unwrap();
    for format in ["nquads", "trig"] {
        let dump = dir.path().join(format!("all.{}", if format == "nquads" { "nq" } else { "trig" }));
        mvkg(bundled()).args(["dump", "-o"]).arg(&dump).assert().success();
        let other = dir.path().join(format!("copy-{format}"));
        mvkg(&other).args(["--quiet", "init", "--empty"]).assert().success();
        mvkg(&other).arg("--quiet").arg("load").arg(&dump).assert().success();
        let canon = |store: &std::path::Path| {
            let out = mvkg(store).args(["dump", "--format", "nquads"]).output().unwrap();
            let mut lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
            lines.sort();
            lines
        };
        let (a, b) = (canon(bundled()), canon(&other));
        assert!(!a.is_empty());
        assert!(a.iter().all(|l| !l.contains("_:")), "the bundled data has no blank nodes, so equality is isomorphism");
        assert_eq!(a, b, "{format}");
    }
}

#[test]
fn dump_refuses_triple_only_formats() {
    let err = fails(mvkg(bundled()).args(["dump", "--format", "turtle"]));
    assert!(err.contains("written as nquads or trig, not Turtle"), "{err}");
}

#[test]
fn update_is_atomic() {
    let (_d, store) = empty_store();
    mvkg(&store)
        .args(["update", "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> rdfs:label \"A\"@en } }"])
        .assert()
        .success();
    assert_eq!(quad_count(&store), 1);
    // The second operation fails, so the first one must not stay.
    let err = fails(mvkg(&store).args([
        "update",
        "INSERT DATA { <http://example.org/b> rdfs:label \"B\" } ; LOAD <http://127.0.0.1:9/nothing.ttl>",
    ]));
    assert!(err.contains("Error:"), "{err}");
    assert_eq!(quad_count(&store), 1);
    let err = fails(mvkg(&store).args(["update", "INSERT DATA { <a> <b> }"]));
    assert!(err.contains("SPARQL syntax error in inline update") && err.contains("1:"), "{err}");
}

#[test]
fn stats_counts_classes_and_dates() {
    let out = mvkg(bundled()).args(["stats", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["quads"].as_u64().unwrap() > 100);
    assert!(v["sources"].as_u64().unwrap() >= 1);
    assert_eq!(
        v["graphs"].as_u64().unwrap(),
        v["sources"].as_u64().unwrap() + 1,
        "one graph per source plus the ontology"
    );
    let classes: Vec<&str> = v["classes"].as_array().unwrap().iter().map(|c| c[0].as_str().unwrap()).collect();
    assert!(classes.contains(&"mv:Company") && classes.contains(&"mv:Source"), "{classes:?}");
}

#[test]
fn prefixes_completions_and_man_page() {
    mvkg(bundled())
        .arg("prefixes")
        .assert()
        .success()
        .stdout(predicate::str::contains("PREFIX mvd: <https://w3id.org/mvkg/id/>"))
        .stdout(predicate::str::contains("PREFIX foaf: <http://xmlns.com/foaf/0.1/>"));
    for shell in ["bash", "zsh", "fish"] {
        mvkg(bundled()).args(["completions", shell]).assert().success().stdout(predicate::str::contains("mvkg"));
    }
    mvkg(bundled()).arg("man").assert().success().stdout(predicate::str::contains(".TH mvkg"));
}

#[test]
fn every_command_has_help_with_an_example() {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("mvkg")).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 10, "{commands:?}");
    for c in commands {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("mvkg"))
            .args([c.as_str(), "--help"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Example"), "`mvkg {c} --help` has no example:\n{text}");
    }
}

#[test]
fn load_from_standard_input() {
    let (_d, store) = empty_store();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mvkg"))
        .arg("--store")
        .arg(&store)
        .args(["--quiet", "load", "-", "--format", "turtle", "--graph", "http://example.org/g"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{EX}ex:a ex:p ex:b .").as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(quad_count(&store), 1);
}
