//! `mvkg serve`: the protocol, the limits, the permissions and the explorer, in-process through the plain handler
//! function on real RocksDB stores, plus one run of the real binary over a real socket.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mvkg::server::{handle, App, Config, Request, Response};

use crate::common::{bundled, bundled_copy, mvkg, query};

fn app_with(store: &Path, config: Config) -> App {
    App::open(store, config).expect("server opens the store")
}

fn read_only() -> &'static App {
    static APP: std::sync::OnceLock<App> = std::sync::OnceLock::new();
    APP.get_or_init(|| app_with(bundled(), Config::default()))
}

fn get(app: &App, target: &str) -> Response {
    handle(app, &Request::get(target))
}

fn get_accept(app: &App, target: &str, accept: &str) -> Response {
    handle(app, &Request::get(target).header("accept", accept))
}

fn sparql(q: &str) -> String {
    format!("/sparql?query={}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>())
}

const LABEL_OF_NAVER_Z: &str = "SELECT ?l WHERE { mvd:naver-z rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), \"en\")) }";

/// A query that cannot finish: a three-way cross product of the whole store.
const RUNAWAY: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";

#[test]
fn select_by_get_answers_json_by_default_with_cors() {
    let r = get(read_only(), &sparql(LABEL_OF_NAVER_Z));
    assert_eq!(r.status, 200, "{}", r.body_text());
    assert_eq!(r.header_value("content-type"), Some("application/sparql-results+json"));
    assert_eq!(r.header_value("access-control-allow-origin"), Some("*"));
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["head"]["vars"], serde_json::json!(["l"]));
    assert_eq!(v["results"]["bindings"][0]["l"]["value"], "Naver Z");
    assert_eq!(v["results"]["bindings"].as_array().unwrap().len(), 1);
}

#[test]
fn content_negotiation_for_solutions_and_graphs() {
    let app = read_only();
    let csv = get_accept(app, &sparql(LABEL_OF_NAVER_Z), "text/csv");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body_text(), "l\r\nNaver Z\r\n");
    let tsv = get_accept(app, &sparql(LABEL_OF_NAVER_Z), "text/tab-separated-values");
    assert_eq!(tsv.body_text(), "?l\n\"Naver Z\"@en\n");
    let xml = get_accept(app, &sparql(LABEL_OF_NAVER_Z), "application/sparql-results+xml");
    assert_eq!(xml.header_value("content-type"), Some("application/sparql-results+xml"));
    let xml_text = xml.body_text();
    let doc = roxmltree::Document::parse(&xml_text).unwrap();
    let literal = doc.descendants().find(|n| n.has_tag_name("literal")).unwrap();
    assert_eq!(literal.text(), Some("Naver Z"));
    // q-values: CSV at 0.5 loses against XML at 1.
    let pick = get_accept(app, &sparql(LABEL_OF_NAVER_Z), "text/csv;q=0.5, application/sparql-results+xml");
    assert_eq!(pick.header_value("content-type"), Some("application/sparql-results+xml"));

    let construct = "CONSTRUCT { mvd:naver-z rdfs:label ?l } WHERE { mvd:naver-z rdfs:label ?l }";
    let nt = get_accept(app, &sparql(construct), "application/n-triples");
    assert_eq!(nt.status, 200);
    assert_eq!(nt.header_value("content-type"), Some("application/n-triples"));
    let mut lines: Vec<String> = nt.body_text().lines().map(str::to_owned).collect();
    lines.sort();
    assert!(
        lines.contains(
            &"<https://w3id.org/mvkg/id/naver-z> <http://www.w3.org/2000/01/rdf-schema#label> \"Naver Z\"@en ."
                .to_owned()
        ),
        "{lines:?}"
    );
    let ttl = get(app, &sparql(construct));
    assert_eq!(ttl.header_value("content-type"), Some("text/turtle"));
    for (accept, media) in [
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-quads", "application/n-quads"),
        ("application/trig", "application/trig"),
    ] {
        let r = get_accept(app, &sparql(construct), accept);
        assert_eq!(r.status, 200, "{accept}");
        assert_eq!(r.header_value("content-type"), Some(media));
        assert!(r.body_text().contains("Naver Z"), "{accept}: {}", r.body_text());
    }
    // A SELECT cannot be Turtle, a graph cannot be CSV: 406, and nothing is evaluated.
    assert_eq!(get_accept(app, &sparql(LABEL_OF_NAVER_Z), "text/turtle").status, 406);
    assert_eq!(get_accept(app, &sparql(construct), "text/csv").status, 406);
    // `format=` overrides Accept.
    let r = get_accept(app, &format!("{}&format=csv", sparql(LABEL_OF_NAVER_Z)), "application/json");
    assert_eq!(r.body_text(), "l\r\nNaver Z\r\n");
}

#[test]
fn post_forms_direct_queries_and_wrong_content_types() {
    let app = read_only();
    let form = format!("query={}", form_urlencoded::byte_serialize(LABEL_OF_NAVER_Z.as_bytes()).collect::<String>());
    let r =
        handle(app, &Request::post("/sparql", "application/x-www-form-urlencoded", form).header("accept", "text/csv"));
    assert_eq!((r.status, r.body_text().as_str()), (200, "l\r\nNaver Z\r\n"));
    let r = handle(
        app,
        &Request::post("/sparql", "application/sparql-query", LABEL_OF_NAVER_Z).header("accept", "text/csv"),
    );
    assert_eq!((r.status, r.body_text().as_str()), (200, "l\r\nNaver Z\r\n"));
    let r = handle(app, &Request::post("/sparql", "text/plain", LABEL_OF_NAVER_Z));
    assert_eq!(r.status, 415);
    assert!(r.body_text().contains("application/sparql-query"), "{}", r.body_text());
    let r = handle(app, &Request::post("/sparql", "application/x-www-form-urlencoded", "nothing=here"));
    assert_eq!(r.status, 400);
}

#[test]
fn a_bad_query_is_400_with_the_parser_message_and_position() {
    let r = get(read_only(), &sparql("SELECT ?x WHERE { ?x ?y }"));
    assert_eq!(r.status, 400);
    let body = r.body_text();
    assert!(body.starts_with("SPARQL syntax error in the query: "), "{body}");
    assert!(body.contains("1:"), "no position in: {body}");
}

#[test]
fn protocol_dataset_parameters_choose_the_graphs() {
    let app = read_only();
    // The ontology graph alone has no organisations; the union default graph has Naver Z.
    let q = "SELECT (COUNT(*) AS ?n) WHERE { mvd:naver-z ?p ?o }";
    let only_ontology =
        format!("{}&default-graph-uri={}", sparql(q), "https%3A%2F%2Fw3id.org%2Fmvkg%2Fgraph%2Fontology");
    let r = get_accept(app, &only_ontology, "text/csv");
    assert_eq!(r.body_text(), "n\r\n0\r\n");
    let r = get_accept(app, &sparql(q), "text/csv");
    assert_ne!(r.body_text(), "n\r\n0\r\n");
    let r = get(app, &format!("{}&default-graph-uri=not%20an%20iri", sparql(q)));
    assert_eq!(r.status, 400);
}

#[test]
fn service_description_on_a_bare_get() {
    let r = handle(read_only(), &Request::get("/sparql").header("host", "example.test:7878"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header_value("content-type"), Some("text/turtle"));
    let nt = handle(
        read_only(),
        &Request::get("/sparql").header("host", "example.test:7878").header("accept", "application/n-triples"),
    )
    .body_text();
    assert!(
        nt.contains("<http://www.w3.org/ns/sparql-service-description#endpoint> <http://example.test:7878/sparql>"),
        "{nt}"
    );
    assert!(nt.contains("#supportedLanguage> <http://www.w3.org/ns/sparql-service-description#SPARQL11Query>"));
    assert!(!nt.contains("SPARQL11Update"), "a read-only server does not announce updates");
    assert!(nt.contains("<http://www.w3.org/ns/formats/SPARQL_Results_CSV>"));
    let browser =
        handle(read_only(), &Request::get("/sparql").header("accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
    assert_eq!((browser.status, browser.header_value("location")), (303, Some("/query")));
}

#[test]
fn named_queries_over_http_match_the_command_line() {
    let app = read_only();
    let r = get_accept(app, "/queries/investors-in?company=Naver%20Z", "text/csv");
    assert_eq!(r.status, 200, "{}", r.body_text());
    let cli = query(bundled(), &["investors-in", "--param", "company=Naver Z", "--format", "csv"]);
    assert_eq!(r.body_text(), cli);
    assert!(r.body_text().lines().count() > 2, "{}", r.body_text());

    let list: serde_json::Value = serde_json::from_slice(&get(app, "/queries").body).unwrap();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"investors-in") && names.len() >= 20, "{names:?}");

    assert_eq!(get(app, "/queries/no-such-query").status, 404);
    let missing = get(app, "/queries/investors-in");
    assert_eq!(missing.status, 400);
    assert!(missing.body_text().contains("company"), "{}", missing.body_text());
    let unknown = get(app, "/queries/investors-in?company=Naver%20Z&colour=red");
    assert_eq!(unknown.status, 400);
    assert!(unknown.body_text().contains("`investors-in` takes no such parameter"), "{}", unknown.body_text());
}

#[test]
fn parameters_are_bound_as_terms_never_spliced() {
    let app = read_only();
    let count = || get_accept(app, &sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), "text/csv").body_text();
    let before = count();
    // An entity parameter full of SPARQL is looked up as a name (and found nowhere); a typed one is checked.
    let r = get(app, "/queries/investors-in?company=%22%7D%20%3B%20DROP%20ALL%20%3B%20%7B%22");
    assert_eq!(r.status, 400);
    assert!(r.body_text().starts_with("Parameter company: "), "{}", r.body_text());
    assert!(r.body_text().contains("\"} ; DROP ALL ; {\""), "{}", r.body_text());
    let r = get(app, "/queries/deals-above?year=2021%20%7D%20UNION%20%7B");
    assert_eq!(r.status, 400);
    assert_eq!(r.body_text(), "Parameter year: `2021 } UNION {` is not an integer\n");
    assert_eq!(count(), before);
}

#[test]
fn row_and_size_limits_answer_an_explicit_error() {
    let (_dir, store) = bundled_copy();
    let app = app_with(&store, Config { max_rows: 3, max_response_bytes: 200, ..Config::default() });
    let many = "SELECT ?s WHERE { ?s a mv:Company } ORDER BY ?s";
    let r = get(&app, &sparql(many));
    assert_eq!(r.status, 422);
    assert_eq!(r.body_text(), "The result has more than 3 rows, the limit here; add a LIMIT or narrow the query\n");
    let r = get_accept(&app, &sparql(&format!("{many} LIMIT 3")), "text/csv");
    assert_eq!(r.status, 200, "{}", r.body_text());
    assert_eq!(r.body_text().lines().count(), 4);
    // Three rows of IRIs and labels in JSON exceed 200 bytes.
    let big = "SELECT ?s ?l WHERE { ?s a mv:Company ; rdfs:label ?l } LIMIT 3";
    let r = get(&app, &sparql(big));
    assert_eq!(r.status, 422, "{}", r.body_text());
    assert_eq!(
        r.body_text(),
        "The result is larger than 200 bytes, the response limit here; add a LIMIT or narrow the query\n"
    );
    let construct = "CONSTRUCT { ?s a mv:Company } WHERE { ?s a mv:Company }";
    assert_eq!(get(&app, &sparql(construct)).status, 422);
}

#[test]
fn request_bodies_over_the_limit_are_413() {
    let (_dir, store) = bundled_copy();
    let app = app_with(&store, Config { max_body_bytes: 100, ..Config::default() });
    let long = format!("{LABEL_OF_NAVER_Z} # {}", "x".repeat(200));
    let r = handle(&app, &Request::post("/sparql", "application/sparql-query", long));
    assert_eq!(r.status, 413);
    let r = handle(&app, &Request::post("/sparql", "application/sparql-query", LABEL_OF_NAVER_Z));
    assert_eq!(r.status, 200);
}

#[test]
fn a_runaway_query_is_stopped_by_the_timeout() {
    let (_dir, store) = bundled_copy();
    let app = app_with(&store, Config { timeout: Duration::from_millis(500), ..Config::default() });
    let r = get(&app, &sparql(RUNAWAY));
    assert_eq!(r.status, 503);
    assert_eq!(r.body_text(), "Query cancelled: it ran longer than the 0.5 s timeout\n");
}

#[test]
fn saturation_answers_503_and_a_runaway_query_does_not_block_the_others() {
    let (_dir, store) = bundled_copy();
    let app =
        Arc::new(app_with(&store, Config { timeout: Duration::from_secs(4), max_concurrent: 2, ..Config::default() }));
    let a = Arc::clone(&app);
    let first = std::thread::spawn(move || get(&a, &sparql(RUNAWAY)).status);
    let b = Arc::clone(&app);
    let second = std::thread::spawn(move || get(&b, &sparql(RUNAWAY)).status);
    std::thread::sleep(Duration::from_millis(600));
    // Both places are taken by runaway queries: the next query is turned away at once.
    let busy = get(&app, &sparql(LABEL_OF_NAVER_Z));
    assert_eq!(busy.status, 503);
    assert_eq!(busy.header_value("retry-after"), Some("1"));
    // The analyst API counts among them too, and says so in JSON.
    let api = get(&app, "/api/rank?by=capital");
    assert_eq!((api.status, api.header_value("retry-after")), (503, Some("1")));
    let body: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert!(body["error"].as_str().is_some_and(|e| e.contains("its limit")), "{body}");
    assert!(!first.is_finished() && !second.is_finished());
    // Pages that evaluate nothing still answer.
    assert_eq!(get(&app, "/style.css").status, 200);
    assert_eq!((first.join().unwrap(), second.join().unwrap()), (503, 503));

    // With one runaway query in flight and a free place, other queries are answered while it runs.
    let c = Arc::clone(&app);
    let runaway = std::thread::spawn(move || get(&c, &sparql(RUNAWAY)).status);
    std::thread::sleep(Duration::from_millis(300));
    let quick = get_accept(&app, &sparql(LABEL_OF_NAVER_Z), "text/csv");
    assert_eq!(quick.status, 200);
    assert!(!runaway.is_finished(), "the quick answer came while the runaway query still ran");
    assert_eq!(runaway.join().unwrap(), 503);
}

#[test]
fn remote_calls_are_refused_unless_enabled() {
    let q = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }";
    let r = get(read_only(), &sparql(q));
    assert_eq!(r.status, 403);
    assert_eq!(r.body_text(), "the query calls a remote endpoint with SERVICE, which is disabled here\n");
    let hidden =
        "SELECT * WHERE { ?s a mv:Company FILTER EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }";
    assert_eq!(get(read_only(), &sparql(hidden)).status, 403);
}

const TOKEN: &str = "s3cret-token";

fn writable() -> (tempfile::TempDir, App) {
    let (dir, store) = bundled_copy();
    let app = app_with(&store, Config { allow_update: true, token: Some(TOKEN.into()), ..Config::default() });
    (dir, app)
}

fn update(body: &str) -> Request {
    Request::post("/update", "application/sparql-update", body)
}

#[test]
fn updates_need_the_flag_and_the_token() {
    let insert = "INSERT DATA { GRAPH <https://example.org/src/t> { mvd:naver-z rdfs:comment \"from the test\" } }";
    // Read-only server: forbidden whatever the token.
    let r = handle(read_only(), &update(insert).header("authorization", &format!("Bearer {TOKEN}")));
    assert_eq!(r.status, 403);
    assert!(r.body_text().contains("--allow-update"), "{}", r.body_text());
    // Updates without a token cannot even be configured.
    let (_dir, store) = bundled_copy();
    let err = App::open(&store, Config { allow_update: true, ..Config::default() }).err().unwrap();
    assert!(err.to_string().contains("--allow-update needs a bearer token"), "{err}");

    let (_dir, app) = writable();
    let r = handle(&app, &update(insert));
    assert_eq!(r.status, 401);
    assert_eq!(r.header_value("www-authenticate"), Some("Bearer realm=\"mvkg\""));
    assert_eq!(handle(&app, &update(insert).header("authorization", "Bearer wrong")).status, 403);
    let ok = handle(&app, &update(insert).header("authorization", &format!("Bearer {TOKEN}")));
    assert_eq!(ok.status, 204, "{}", ok.body_text());
    assert_eq!(ok.header_value("access-control-allow-origin"), None, "no CORS on writes");
    let q = "SELECT ?c ?g WHERE { GRAPH ?g { mvd:naver-z rdfs:comment ?c } }";
    let r = get_accept(&app, &sparql(q), "text/csv");
    assert_eq!(r.body_text(), "c,g\r\nfrom the test,https://example.org/src/t\r\n");
    // The update also reached the union default graph and the projection's generation.
    let r = get_accept(&app, &sparql("SELECT ?c WHERE { mvd:naver-z rdfs:comment ?c }"), "text/csv");
    assert_eq!(r.body_text(), "c\r\nfrom the test\r\n");
    // Updates by form on /sparql, and never by GET.
    let form = format!(
        "update={}",
        form_urlencoded::byte_serialize(b"DROP GRAPH <https://example.org/src/t>").collect::<String>()
    );
    let r = handle(
        &app,
        &Request::post("/sparql", "application/x-www-form-urlencoded", form)
            .header("authorization", &format!("Bearer {TOKEN}")),
    );
    assert_eq!(r.status, 204, "{}", r.body_text());
    assert_eq!(get_accept(&app, &sparql(q), "text/csv").body_text(), "c,g\r\n");
    assert_eq!(get(&app, "/sparql?update=CLEAR%20ALL").status, 405);
    // LOAD of an outside URL is refused even with the token.
    let r =
        handle(&app, &update("LOAD <http://example.org/data.ttl>").header("authorization", &format!("Bearer {TOKEN}")));
    assert_eq!(r.status, 403);
    assert!(r.body_text().contains("LOAD fetches a URL"), "{}", r.body_text());
}

#[test]
fn graph_store_protocol_reads_openly_and_writes_with_the_token() {
    let (_dir, app) = writable();
    let auth = format!("Bearer {TOKEN}");
    let target = "/store?graph=https%3A%2F%2Fexample.org%2Fsrc%2Fgsp";
    let ttl = "<https://example.org/a> <https://example.org/p> \"one\" .\n";
    assert_eq!(get(&app, target).status, 404);
    let put = |body: &str, auth: Option<&str>| {
        let mut r = Request::post(target, "text/turtle", body);
        r.method = "PUT".into();
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        handle(&app, &r)
    };
    assert_eq!(put(ttl, None).status, 401);
    assert_eq!(put(ttl, Some(&auth)).status, 201);
    let r = get_accept(&app, target, "application/n-triples");
    assert_eq!(r.status, 200);
    assert_eq!(r.body_text(), "<https://example.org/a> <https://example.org/p> \"one\" .\n");
    // PUT replaces, POST adds.
    assert_eq!(put("<https://example.org/a> <https://example.org/p> \"two\" .", Some(&auth)).status, 204);
    let post =
        Request::post(target, "application/n-triples", "<https://example.org/a> <https://example.org/p> \"three\" .\n")
            .header("authorization", &auth);
    assert_eq!(handle(&app, &post).status, 204);
    let mut lines: Vec<String> =
        get_accept(&app, target, "application/n-triples").body_text().lines().map(str::to_owned).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "<https://example.org/a> <https://example.org/p> \"three\" .",
            "<https://example.org/a> <https://example.org/p> \"two\" ."
        ]
    );
    // A syntax error in the body changes nothing and says where.
    let bad = put("<https://example.org/a> <https://example.org/p> .", Some(&auth));
    assert_eq!(bad.status, 400);
    assert!(bad.body_text().starts_with("the request body:1:"), "{}", bad.body_text());
    assert_eq!(get_accept(&app, target, "application/n-triples").body_text().lines().count(), 2);
    let mut del = Request::get(target).header("authorization", &auth);
    del.method = "DELETE".into();
    assert_eq!(handle(&app, &del).status, 204);
    assert_eq!(get(&app, target).status, 404);
    assert_eq!(handle(&app, &del).status, 404);
}

#[test]
fn cors_preflight_only_for_read_routes() {
    let mut pre = Request::get("/sparql");
    pre.method = "OPTIONS".into();
    let r = handle(read_only(), &pre);
    assert_eq!(r.status, 204);
    assert_eq!(r.header_value("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header_value("access-control-allow-methods"), Some("GET, HEAD, POST, OPTIONS"));
    pre.path = "/update".into();
    assert_eq!(handle(read_only(), &pre).header_value("access-control-allow-origin"), None);
    pre.path = "/store".into();
    assert_eq!(handle(read_only(), &pre).header_value("access-control-allow-origin"), None);
}

#[test]
fn explorer_pages_render_search_entity_query_and_maps() {
    let app = read_only();
    let home = get(app, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header_value("content-type"), Some("text/html; charset=utf-8"));
    assert!(home.body_text().contains("Most connected organisations"));

    let search = get(app, "/search?q=zepeto").body_text();
    assert!(search.contains("href=\"/entity?iri=https%3A%2F%2Fw3id.org%2Fmvkg%2Fid%2Fzepeto\""), "{search}");
    // Accent- and case-insensitive, like the command line.
    let cli = mvkg(bundled()).args(["search", "ZEPETO", "--format", "json"]).output().unwrap();
    let hits: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    let first = hits[0]["iri"].as_str().unwrap();
    assert!(search.contains(&form_urlencoded::byte_serialize(first.as_bytes()).collect::<String>()));

    let entity = get(app, "/entity?iri=https%3A%2F%2Fw3id.org%2Fmvkg%2Fid%2Fnaver-z");
    assert_eq!(entity.status, 200);
    let html = entity.body_text();
    assert!(html.contains("<h1>Naver Z</h1>"), "{html}");
    assert!(html.contains("<svg"), "an inline neighbourhood map");
    assert!(html.contains("id=\"investments-in\""));
    assert!(html.contains("rel=\"noopener noreferrer\""), "sources are links");
    assert!(
        html.contains("/entity?iri=https%3A%2F%2Fw3id.org%2Fmvkg%2Fid%2Fsoftbank"),
        "map and tables link to entities"
    );
    assert_eq!(get(app, "/entity?iri=Naver%20Z").status, 200, "names resolve too");
    assert_eq!(get(app, "/entity?iri=nobody-at-all-xyz").status, 404);

    let page = get(app, "/query?name=investors-in&company=Naver%20Z&run=1").body_text();
    assert!(page.contains("id=\"results\""), "{page}");
    assert!(page.contains("/queries/investors-in?company=Naver+Z&amp;format=csv"), "CSV download link");
    assert!(!page.contains("id=\"show-map\""), "investors-in is not a list of statements");
    let network = get(app, "/query?name=investment-network&entity=Naver%20Z&run=1").body_text();
    assert!(
        network.contains("href=\"/maps?kind=query&amp;name=investment-network&amp;entity=Naver+Z\" id=\"show-map\""),
        "{network}"
    );
    let bad = get(app, "/query?query=SELECT%20nonsense&run=1").body_text();
    assert!(bad.contains("id=\"query-error\""), "{bad}");

    let maps = get(app, "/maps?kind=ecosystem").body_text();
    assert!(maps.contains("<svg") && maps.contains("id=\"map-summary\""), "{maps}");
    let svg = get(app, "/map?kind=ego&center=Naver%20Z&format=svg");
    assert_eq!(svg.status, 200, "{}", svg.body_text());
    assert_eq!(svg.header_value("content-type"), Some("image/svg+xml"));
    assert!(svg.body_text().contains("Naver Z"));
    let query_map = get(app, "/maps?kind=query&name=investment-network&entity=Naver%20Z").body_text();
    assert!(query_map.contains("<svg") && query_map.contains("id=\"map-summary\""), "{query_map}");
    let not_statements = get(app, "/maps?kind=query&name=investors-in&company=Naver%20Z").body_text();
    assert!(not_statements.contains("A map is drawn from a CONSTRUCT, or from a SELECT of ?s ?p ?o"));
    assert_eq!(get(app, "/nowhere").status, 404);
}

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub(crate) fn start(store: &Path, extra: &[&str]) -> Server {
    let port = free_port();
    let bin = assert_cmd::cargo::cargo_bin("mvkg");
    let child = std::process::Command::new(bin)
        .env_remove("MVKG_STORE")
        .env_remove("MVKG_TOKEN")
        .args(["--store"])
        .arg(store)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(120);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "mvkg serve did not start listening");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

pub(crate) fn raw(port: u16, request: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_binary_serves_over_a_real_socket_and_logs_each_request() {
    let (_dir, store) = bundled_copy();
    let mut server = start(&store, &[]);
    let q = form_urlencoded::byte_serialize(LABEL_OF_NAVER_Z.as_bytes()).collect::<String>();
    let answer = raw(
        server.port,
        &format!("GET /sparql?query={q} HTTP/1.1\r\nHost: localhost\r\nAccept: text/csv\r\nConnection: close\r\n\r\n"),
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nl\r\nNaver Z\r\n"), "{answer}");
    let body = "x".repeat(64);
    let post = raw(
        server.port,
        &format!(
            "POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(post.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{post}");
    let _ = server.child.kill();
    let mut log = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(log.contains("read-only"), "{log}");
    assert!(log.contains(&format!("GET /sparql?query={q} 200 12 ")), "{log}");
    assert!(log.contains("POST /sparql 400 "), "{log}");
}

#[test]
fn serve_refuses_updates_without_a_token_and_bad_addresses() {
    let (_dir, store) = bundled_copy();
    let out = mvkg(&store).env_remove("MVKG_TOKEN").args(["serve", "--allow-update"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-update needs a bearer token"));
    let out = mvkg(&store).args(["serve", "--bind", "localhost"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind takes ADDRESS:PORT"));
}

#[test]
fn a_read_only_server_sees_what_another_process_loads() {
    let (dir, store) = bundled_copy();
    let app = app_with(&store, Config::default());
    let q = sparql("SELECT ?c WHERE { mvd:naver-z rdfs:comment ?c }");
    assert_eq!(get_accept(&app, &q, "text/csv").body_text(), "c\r\n");
    let file = dir.path().join("extra.ttl");
    std::fs::write(
        &file,
        "<https://w3id.org/mvkg/id/naver-z> <http://www.w3.org/2000/01/rdf-schema#comment> \"loaded elsewhere\" .\n",
    )
    .unwrap();
    // The server holds no write lock: `mvkg load` runs beside it, and the next request reopens the store.
    mvkg(&store).args(["--quiet", "load", "--graph", "https://example.org/src/extra"]).arg(&file).assert().success();
    assert_eq!(get_accept(&app, &q, "text/csv").body_text(), "c\r\nloaded elsewhere\r\n");
    // The projection follows too: the explorer's search finds the new name of a new entity.
    std::fs::write(
        &file,
        "<https://example.org/id/newco> a <https://w3id.org/mvkg/ontology#Company> ; \
         <http://www.w3.org/2000/01/rdf-schema#label> \"Brand-new Metaverse Co\"@en .\n",
    )
    .unwrap();
    mvkg(&store).args(["--quiet", "load", "--graph", "https://example.org/src/extra2"]).arg(&file).assert().success();
    assert!(get(&app, "/search?q=brand-new").body_text().contains("Brand-new Metaverse Co"));
}

#[test]
fn the_api_answers_the_analyst_questions_like_the_command_line() {
    let app = read_only();
    let cli = |args: &[&str]| -> serde_json::Value {
        let out = mvkg(bundled()).args(args).args(["--format", "json"]).output().expect("mvkg runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON from the command line")
    };
    let api = |target: &str| -> serde_json::Value {
        let r = get(app, target);
        assert_eq!(r.status, 200, "{target}: {}", r.body_text());
        assert_eq!(r.header_value("content-type"), Some("application/json"), "{target}");
        assert_eq!(r.header_value("access-control-allow-origin"), Some("*"), "{target}");
        serde_json::from_slice(&r.body).expect("JSON from the API")
    };
    let cases: [(&str, &[&str]); 10] = [
        ("/api/rank?by=capital&top=10", &["rank", "--by", "capital", "--top", "10"]),
        ("/api/rank?top=5&type=investor", &["rank", "--by", "capital", "--top", "5", "--type", "investor"]),
        ("/api/rank?by=degree&top=5&type=Company", &["rank", "--by", "degree", "--top", "5", "--type", "Company"]),
        ("/api/rank?by=pagerank&top=5", &["rank", "--by", "pagerank", "--top", "5"]),
        ("/api/coinvest?entity=SoftBank%20Vision%20Fund%202", &["coinvest", "SoftBank Vision Fund 2"]),
        ("/api/search?q=naver&limit=5", &["search", "naver", "--limit", "5"]),
        ("/api/coinvest?entity=Tencent&by=company", &["coinvest", "Tencent", "--by", "company"]),
        ("/api/coinvest?entity=Tencent&by=company&top=3", &["coinvest", "Tencent", "--by", "company", "--top", "3"]),
        ("/api/path?from=SoftBank%20Group&to=Zepeto", &["path", "SoftBank Group", "Zepeto"]),
        (
            "/api/path?from=SoftBank%20Group&to=Zepeto&k=3&via=invests-in,develops",
            &["path", "SoftBank Group", "Zepeto", "--k", "3", "--via", "invests-in,develops"],
        ),
    ];
    for (target, args) in cases {
        assert_eq!(api(target), cli(args), "{target}");
    }
    // Exact values on the bundled data: the largest attributed capital, and a co-investor with its shared deals.
    let top = api("/api/rank?by=capital&top=1");
    // Tencent: 18 investment rounds, 5 of them led (counted independently with SPARQL over the bundled data).
    assert_eq!(top[0]["label"], "Tencent");
    assert_eq!((top[0]["rounds"].as_u64(), top[0]["deals_led"].as_u64()), (Some(18), Some(5)));
    let path = api("/api/path?from=SoftBank%20Group&to=Zepeto");
    let hops: Vec<(&str, &str)> = path[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["relation"].as_str().unwrap(), h["to"].as_str().unwrap()))
        .collect();
    assert!(hops.len() >= 2 && hops.last().map(|h| h.1) == Some("Zepeto"), "{path}");
    assert_eq!(api("/api/path?from=SoftBank%20Group&to=Zepeto&max_hops=1"), serde_json::json!([]));
    let co = api("/api/coinvest?entity=mvd:softbank-vision-fund-2");
    assert!(co.as_array().is_some_and(|a| !a.is_empty()), "{co}");
    assert!(co[0]["deals"].as_array().is_some_and(|d| d.len() == co[0]["shared"].as_u64().unwrap() as usize));

    for (target, status, says) in [
        ("/api/coinvest", 400, "`entity` is required"),
        ("/api/coinvest?entity=Nobody%20At%20All", 404, "No entity is named"),
        ("/api/rank?by=fame", 400, "`by` is capital, degree or pagerank"),
        ("/api/coinvest?entity=Tencent&by=fame", 400, "`by` is round or company"),
        ("/api/rank?type=planet", 400, "Unknown type `planet`"),
        ("/api/rank?top=-1", 400, "`top` takes a whole number"),
        ("/api/search", 400, "`q` is required"),
        ("/api/nothing", 404, "No API route `/api/nothing`"),
        ("/api/path?from=Tencent", 400, "`to` is required"),
        ("/api/path?from=Tencent&to=Zepeto&via=bribes", 400, "Unknown link kind `bribes`"),
        ("/api/path?from=Tencent&to=Zepeto&directed=maybe", 400, "`directed` is true or false"),
    ] {
        let r = get(app, target);
        assert_eq!(r.status, status, "{target}: {}", r.body_text());
        let body: serde_json::Value = serde_json::from_slice(&r.body).expect("errors are JSON");
        assert!(body["error"].as_str().is_some_and(|e| e.contains(says)), "{target}: {body}");
    }
    let post = handle(app, &Request::post("/api/rank", "application/x-www-form-urlencoded", b"by=capital".to_vec()));
    assert_eq!(post.status, 405);
}
