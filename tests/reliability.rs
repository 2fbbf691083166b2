//! Reliability under hostile input and faults (issue 13): nesting that used to overflow the stack, crashes between a
//! commit and the step after it, the union graph kept in step incrementally, one default graph for queries and
//! updates, leftovers of killed runs, slow clients, and the explorer's security headers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use mvkg::server::{handle, App, Config, Request};

use crate::common::{bundled, bundled_copy, empty_store, fails, mvkg, query, write};
use crate::server::{raw, start};

fn nested_braces(n: usize) -> String {
    format!("SELECT * WHERE {}?s ?p ?o {} LIMIT 1", "{ ".repeat(n), "} ".repeat(n))
}

/// The exit of a run: its status code (None when a signal ended it) and standard error.
fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn deep_nesting_is_refused_with_the_limit_not_a_crash() {
    for text in [
        nested_braces(5000),
        format!("SELECT * WHERE {{ {}?s ?p ?o{} }}", "OPTIONAL { ".repeat(4000), " }".repeat(4000)),
        format!("SELECT * WHERE {{ FILTER({}1{}) }}", "(".repeat(5000), ")".repeat(5000)),
    ] {
        let (code, err) = run(mvkg(bundled()).args(["query", &text]));
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("nested more than 128 levels deep, the limit here"), "{err}");
    }
    let update = format!("INSERT {{ <urn:a> <urn:b> <urn:c> }} WHERE {}{}", "{ ".repeat(5000), "} ".repeat(5000));
    let (_dir, store) = bundled_copy();
    let (code, err) = run(mvkg(&store).args(["update", &update]));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("nested more than 128 levels deep"), "{err}");
    // Within the limit, the same shape still runs.
    assert_eq!(query(bundled(), &["--format", "csv", &nested_braces(100)]).lines().count(), 2);
}

#[test]
fn long_operator_chains_do_not_crash_the_process() {
    // 100,000 additions nest the parsed expression 100,000 deep without a single bracket.
    let dir = tempfile::TempDir::new().unwrap();
    let file = write(&dir, "chain.rq", &format!("SELECT ?x WHERE {{ BIND({}1 AS ?x) }}", "1 + ".repeat(100_000)));
    let (code, err) = run(mvkg(bundled()).arg("query").arg("--file").arg(&file));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("nests more than 2000 operations"), "{err}");
}

#[test]
fn the_server_answers_400_to_deep_nesting_and_keeps_serving() {
    let app = App::open(bundled(), Config::default()).unwrap();
    let r = handle(&app, &Request::post("/sparql", "application/sparql-query", nested_braces(4000)));
    assert_eq!(r.status, 400, "{}", r.body_text());
    assert!(r.body_text().contains("nested more than 128 levels deep"));
    let r = handle(&app, &Request::post("/sparql", "application/sparql-query", "ASK { ?s ?p ?o }"));
    assert_eq!(r.status, 200);
}

#[test]
fn the_binary_survives_the_published_crash_request() {
    let (_dir, store) = bundled_copy();
    let mut server = start(&store, &[]);
    let body = nested_braces(4000);
    let answer = raw(
        server.port,
        &format!(
            "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{answer}");
    let health = raw(server.port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    assert!(server.child.try_wait().unwrap().is_none(), "the server exited");
}

/// Counts the solutions of a query on a store (CSV without its header).
fn count(store: &std::path::Path, q: &str) -> usize {
    query(store, &["--format", "csv", q]).lines().count() - 1
}

#[test]
fn a_crash_after_an_update_commits_leaves_a_consistent_store() {
    let (_dir, store) = bundled_copy();
    let update = "INSERT DATA { GRAPH <urn:src:crash> { mvd:naver-z skos:altLabel \"Crashproof Z\"@en } }";
    let (code, _) = run(mvkg(&store).env("MVKG_FAULT", "before-settle").args(["update", update]));
    assert_eq!(code, None, "the fault point aborts the process");
    // The union graph changed in the same commit: the default graph sees the triple.
    assert_eq!(count(&store, "SELECT ?e WHERE { ?e skos:altLabel \"Crashproof Z\"@en }"), 1);
    mvkg(&store).arg("check").assert().success();
    // search answers from the projection, which must not be the one cached before the update.
    let out = mvkg(&store).args(["search", "Crashproof Z", "--format", "csv"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("naver-z"), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_crash_after_a_load_commits_never_serves_the_old_projection() {
    let (dir, store) = bundled_copy();
    let before =
        String::from_utf8(mvkg(&store).args(["rank", "--by", "degree", "--format", "csv"]).output().unwrap().stdout)
            .unwrap();
    let file = write(
        &dir,
        "crash.trig",
        "@prefix mv: <https://w3id.org/mvkg/ontology#> . @prefix mvd: <https://w3id.org/mvkg/id/> .
         @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
         <urn:src:crash-load> { mvd:crash-fund a mv:Investor ; rdfs:label \"Crash Fund\"@en .
           mvd:ev-crash a mv:Investment ; mv:investor mvd:crash-fund ; mv:investee mvd:naver-z , mvd:zepeto ,
             mvd:hybe , mvd:tencent , mvd:sony-group . }",
    );
    let (code, _) = run(mvkg(&store).env("MVKG_FAULT", "before-settle").arg("load").arg(&file));
    assert_eq!(code, None, "the fault point aborts the process");
    let after =
        String::from_utf8(mvkg(&store).args(["rank", "--by", "degree", "--format", "csv"]).output().unwrap().stdout)
            .unwrap();
    assert_ne!(before, after);
    let found = mvkg(&store).args(["search", "Crash Fund", "--format", "csv"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&found.stdout).contains("mvd:crash-fund"),
        "{}",
        String::from_utf8_lossy(&found.stdout)
    );
    mvkg(&store).arg("check").assert().success();
}

#[test]
fn updates_see_the_default_graph_queries_see() {
    let (dir, store) = empty_store();
    let data = write(
        &dir,
        "y.trig",
        "<urn:g1> { <urn:a> <urn:y> \"1\" . <urn:b> <urn:y> \"2\" . <urn:a> <urn:z> \"k\" }
         <urn:g2> { <urn:a> <urn:y> \"1\" }",
    );
    mvkg(&store).arg("load").arg(&data).assert().success();
    assert_eq!(count(&store, "SELECT * WHERE { ?s <urn:y> ?o }"), 2);
    // INSERT … WHERE reads the union default graph: each fact once, not once per source graph.
    mvkg(&store)
        .args(["update", "INSERT { GRAPH <urn:g3> { ?s <urn:w> ?o } } WHERE { ?s <urn:y> ?o }"])
        .assert()
        .success();
    assert_eq!(count(&store, "SELECT * WHERE { GRAPH <urn:g3> { ?s <urn:w> ?o } }"), 2);
    // DELETE WHERE over the default graph deletes what a query over it finds, from every source graph.
    mvkg(&store).args(["update", "DELETE WHERE { ?s <urn:y> ?o }"]).assert().success();
    assert_eq!(count(&store, "SELECT * WHERE { ?s <urn:y> ?o }"), 0);
    assert_eq!(count(&store, "SELECT * WHERE { GRAPH ?g { ?s <urn:y> ?o } }"), 0);
    assert_eq!(count(&store, "SELECT * WHERE { ?s ?p ?o }"), 3);
    mvkg(&store).arg("check").assert().success();
}

#[test]
fn the_union_graph_follows_each_write_incrementally() {
    let (dir, store) = empty_store();
    let data = write(&dir, "d.trig", "<urn:g1> { <urn:a> <urn:p> \"1\" } <urn:g2> { <urn:a> <urn:p> \"1\" }");
    mvkg(&store).arg("load").arg(&data).assert().success();
    let one = "SELECT * WHERE { <urn:a> <urn:p> \"1\" }";
    assert_eq!(count(&store, one), 1, "stated twice, seen once");
    // Deleting one statement keeps the fact: another source still states it.
    mvkg(&store).args(["update", "DELETE DATA { GRAPH <urn:g1> { <urn:a> <urn:p> \"1\" } }"]).assert().success();
    assert_eq!(count(&store, one), 1);
    mvkg(&store).args(["update", "DROP GRAPH <urn:g2>"]).assert().success();
    assert_eq!(count(&store, one), 0);
    mvkg(&store).args(["update", "CLEAR SILENT GRAPH <urn:nothing>"]).assert().success();
    let err = fails(mvkg(&store).args(["update", "CLEAR GRAPH <urn:nothing>"]));
    assert!(err.contains("The graph <urn:nothing> does not exist"), "{err}");
    mvkg(&store).args(["update", "INSERT DATA { GRAPH <urn:g4> { <urn:b> <urn:p> _:x } }"]).assert().success();
    assert_eq!(count(&store, "SELECT * WHERE { <urn:b> <urn:p> ?x }"), 1);
    mvkg(&store).arg("check").assert().success();
    // The union graph itself is not writable, nor loadable.
    let err = fails(
        mvkg(&store)
            .args(["update", "INSERT DATA { GRAPH <https://w3id.org/mvkg/graph/union> { <urn:x> <urn:y> <urn:z> } }"]),
    );
    assert!(err.contains("is kept by mvkg"), "{err}");
    let sneaky = write(&dir, "u.trig", "<https://w3id.org/mvkg/graph/union> { <urn:x> <urn:y> <urn:z> }");
    let err = fails(mvkg(&store).arg("load").arg(&sneaky));
    assert!(err.contains("is kept by mvkg"), "{err}");
    mvkg(&store).arg("check").assert().success();
}

#[test]
fn check_reports_a_union_graph_out_of_step() {
    let (dir, store) = empty_store();
    // A store written by something other than mvkg: the quad is in a source graph but not in the union graph.
    {
        let raw = oxigraph::store::Store::open(&store).unwrap();
        raw.insert(oxigraph::model::QuadRef::new(
            oxigraph::model::NamedNodeRef::new_unchecked("urn:a"),
            oxigraph::model::NamedNodeRef::new_unchecked("urn:p"),
            oxigraph::model::NamedNodeRef::new_unchecked("urn:o"),
            oxigraph::model::NamedNodeRef::new_unchecked("urn:g"),
        ))
        .unwrap();
    }
    let err = fails(mvkg(&store).arg("check"));
    assert!(err.contains("1 triples of source graphs are missing from the union graph"), "{err}");
    drop(dir);
}

#[test]
fn a_write_open_removes_what_killed_runs_left() {
    let (_dir, store) = bundled_copy();
    std::fs::write(store.join("bulk-1234.sst"), b"staged by a killed load").unwrap();
    for i in 0..5 {
        std::fs::write(store.join(format!("LOG.old.170000000000000{i}")), b"old log").unwrap();
    }
    mvkg(&store).args(["update", "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> \"c\" } }"]).assert().success();
    assert!(!store.join("bulk-1234.sst").exists());
    let logs = std::fs::read_dir(&store)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("LOG.old."))
        .count();
    assert!(logs <= 3, "{logs} old logs left");
}

#[test]
fn loading_a_directory_says_so() {
    let (dir, store) = empty_store();
    let err = fails(mvkg(&store).arg("load").arg(dir.path()));
    assert!(err.contains("is a directory, not an RDF file"), "{err}");
}

#[test]
fn explorer_pages_carry_security_headers_and_health_answers() {
    let app = App::open(bundled(), Config::default()).unwrap();
    let page = handle(&app, &Request::get("/"));
    assert_eq!(page.status, 200);
    let csp = page.header_value("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(page.header_value("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header_value("x-frame-options"), Some("DENY"));
    let health = handle(&app, &Request::get("/health"));
    let v: serde_json::Value = serde_json::from_slice(&health.body).unwrap();
    assert_eq!(
        (v["status"].as_str(), v["evaluating"].as_u64(), v["saturated"].as_bool()),
        (Some("ok"), Some(0), Some(false))
    );
}

/// A connection to the server on 127.0.0.1 from the loopback address `source` (Linux routes all of 127.0.0.0/8
/// to the loopback interface), so one test can be several clients.
fn connect_from(source: &str, port: u16) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let local: SocketAddr = format!("{source}:0").parse().unwrap();
    socket.bind(&local.into()).unwrap();
    let server: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    socket.connect(&server.into()).unwrap();
    socket.into()
}

#[test]
fn slow_clients_are_capped_per_address_timed_out_and_never_lock_others_out() {
    let (_dir, store) = bundled_copy();
    let server = start(&store, &["--request-timeout", "2"]);
    // 300 clients from 127.0.0.2 each send the start of a request and then nothing.
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut s = connect_from("127.0.0.2", server.port);
        let _ = s.write_all(b"GET /sparql?query=ASK HTTP/1.1\r\nHost: x");
        slow.push(s);
    }
    // Another address gets answers at once.
    let started = Instant::now();
    for request in [
        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\nConnection: close\r\n\r\n",
    ] {
        let mut s = connect_from("127.0.0.3", server.port);
        s.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    }
    assert!(started.elapsed() < Duration::from_secs(2), "the good client waited {:?}", started.elapsed());
    // Over the per-address cap (32) the slow connections were refused at once with 503; the others are dropped with
    // 408 when their two seconds are up.
    let (mut refused, mut timed_out) = (0, 0);
    for s in &mut slow {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        if answer.starts_with(b"HTTP/1.1 503") {
            refused += 1;
        } else if answer.starts_with(b"HTTP/1.1 408") {
            timed_out += 1;
        }
    }
    assert_eq!((refused, timed_out), (268, 32));
}

/// A query whose evaluation materialises the square of the store before it can answer.
const MEMORY_HOG: &str = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1";

#[test]
fn a_query_over_its_memory_budget_is_cancelled_with_an_explicit_error() {
    let started = Instant::now();
    let (code, err) = run(mvkg(bundled()).args(["query", "--max-memory", "64", MEMORY_HOG]));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("it held more than 64 MiB of memory, the limit here"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
    // An ordinary query fits the same budget.
    let out = mvkg(bundled())
        .args([
            "query",
            "--max-memory",
            "64",
            "--format",
            "csv",
            "SELECT ?l WHERE { mvd:naver-z rdfs:label ?l } LIMIT 1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The resident memory of a process, from /proc.
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

#[test]
fn the_server_stays_within_its_memory_budget_under_memory_hogs() {
    let (_dir, store) = bundled_copy();
    let server = start(&store, &["--max-query-memory", "64"]);
    let mut hogs = Vec::new();
    for _ in 0..2 {
        let port = server.port;
        hogs.push(std::thread::spawn(move || {
            let body = MEMORY_HOG;
            raw(
                port,
                &format!(
                    "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                ),
            )
        }));
    }
    for h in hogs {
        let answer = h.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 422 "), "{answer}");
        assert!(answer.contains("held more than 64 MiB of memory"), "{answer}");
    }
    let rss = rss_bytes(server.child.id());
    assert!(rss < 600 << 20, "the server holds {} MiB after two refused memory hogs", rss >> 20);
    let health = raw(server.port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
}

#[test]
fn rdf_xml_errors_are_placed_at_the_offending_value() {
    let (dir, store) = empty_store();
    let bad = write(
        &dir,
        "bad.rdf",
        "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:e=\"http://e/\">\n  \
         <rdf:Description rdf:about=\"http://a\">\n    <e:p rdf:resource=\"bad iri\"/>\n  </rdf:Description>\n</rdf:RDF>\n",
    );
    let err = fails(mvkg(&store).arg("load").arg(&bad));
    assert!(err.contains(&format!("{}:4:24: error while parsing IRI 'bad iri'", bad.display())), "{err}");
}
