//! The machine routes: the SPARQL 1.1 Protocol at `/sparql` (queries) and `/update`, named queries at
//! `/queries/NAME`, and the Graph Store Protocol at `/store`.

use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::results::QueryResultsFormat;

use super::{App, Request, Response};
use crate::error::Error;
use crate::load::{self, LoadInput};
use crate::query::{self, catalog, Dataset, Outcome, QueryForm, QueryRequest};
use crate::render::results::write_outcome;
use crate::render::OutputFormat;

const QUERY_TYPE: &str = "application/sparql-query";
const UPDATE_TYPE: &str = "application/sparql-update";
const FORM_TYPE: &str = "application/x-www-form-urlencoded";

/// The status and message for a library error.
pub(crate) fn error_response(e: &Error) -> Response {
    let status = match e {
        Error::SparqlSyntax { .. }
        | Error::Parameter { .. }
        | Error::Entity(_)
        | Error::Syntax { .. }
        | Error::Format(_) => 400,
        Error::UnknownQuery { .. } => 404,
        Error::Forbidden(_) => 403,
        Error::TooManyRows { .. } | Error::MemoryLimit { .. } => 422,
        Error::Timeout { .. } | Error::StoreLocked { .. } => 503,
        _ => 500,
    };
    Response::text(status, &e.to_string())
}

/// Adds the CORS header that lets any web page read the answer (read routes only).
fn cors(r: Response) -> Response {
    r.with_header("access-control-allow-origin", "*")
}

/// Answers a CORS preflight: read routes allow any origin; write routes give no CORS headers, so browsers refuse
/// cross-origin writes.
pub(crate) fn preflight(path: &str) -> Response {
    let read = path == "/sparql" || path == "/queries" || path.starts_with("/queries/") || path.starts_with("/api/");
    let r = Response::new(204, "text/plain", Vec::new()).with_header("allow", "GET, HEAD, POST, OPTIONS");
    if read {
        r.with_header("access-control-allow-origin", "*")
            .with_header("access-control-allow-methods", "GET, HEAD, POST, OPTIONS")
            .with_header("access-control-allow-headers", "Accept, Content-Type")
            .with_header("access-control-max-age", "86400")
    } else {
        r
    }
}

/// Media types offered for solutions and booleans, in order of preference.
const SOLUTION_TYPES: &[(&str, OutputFormat)] = &[
    ("application/sparql-results+json", OutputFormat::Results(QueryResultsFormat::Json)),
    ("application/json", OutputFormat::Results(QueryResultsFormat::Json)),
    ("application/sparql-results+xml", OutputFormat::Results(QueryResultsFormat::Xml)),
    ("application/xml", OutputFormat::Results(QueryResultsFormat::Xml)),
    ("text/xml", OutputFormat::Results(QueryResultsFormat::Xml)),
    ("text/csv", OutputFormat::Results(QueryResultsFormat::Csv)),
    ("text/tab-separated-values", OutputFormat::Results(QueryResultsFormat::Tsv)),
];

/// Media types offered for graphs, in order of preference.
const GRAPH_TYPES: &[(&str, OutputFormat)] = &[
    ("text/turtle", OutputFormat::Rdf(RdfFormat::Turtle)),
    ("application/x-turtle", OutputFormat::Rdf(RdfFormat::Turtle)),
    ("application/n-triples", OutputFormat::Rdf(RdfFormat::NTriples)),
    ("text/plain", OutputFormat::Rdf(RdfFormat::NTriples)),
    ("application/n-quads", OutputFormat::Rdf(RdfFormat::NQuads)),
    ("application/trig", OutputFormat::Rdf(RdfFormat::TriG)),
    ("application/ld+json", OutputFormat::Rdf(RdfFormat::JsonLd { profile: oxigraph::io::JsonLdProfileSet::empty() })),
    ("application/rdf+xml", OutputFormat::Rdf(RdfFormat::RdfXml)),
];

/// One range of an Accept header with its weight.
fn accept_ranges(accept: &str) -> Vec<(String, f32)> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let range = pieces.next()?.trim().to_ascii_lowercase();
            if range.is_empty() {
                return None;
            }
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.trim().parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            Some((range, q))
        })
        .collect()
}

/// The weight an Accept header gives a media type: the most specific matching range decides.
fn weight(ranges: &[(String, f32)], media: &str) -> f32 {
    let (kind, _) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for (range, q) in ranges {
        let specificity = if range == media {
            3
        } else if range.strip_suffix("/*") == Some(kind) {
            2
        } else if range == "*/*" || range == "*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, *q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Picks the response format: an explicit `format` (or `output`) parameter first, then the Accept header, then the
/// first offer. `None` when nothing offered is acceptable (406).
fn negotiate(req: &Request, offers: &[(&str, OutputFormat)]) -> Result<OutputFormat, Response> {
    let explicit = req.param("format").or_else(|| req.param("output"));
    if let Some(name) = explicit {
        let f = OutputFormat::from_media_type(&name).or_else(|| OutputFormat::from_name(&name).ok());
        return match f {
            Some(f) if offers.iter().any(|(_, o)| *o == f) => Ok(f),
            _ => Err(Response::text(
                406,
                &format!("This result cannot be given as `{name}`; it can be: {}", offered(offers)),
            )),
        };
    }
    let Some(accept) = req.header_value("accept").filter(|a| !a.trim().is_empty()) else {
        return Ok(offers[0].1);
    };
    let ranges = accept_ranges(accept);
    let mut best: Option<(f32, OutputFormat)> = None;
    for (media, f) in offers {
        let w = weight(&ranges, media);
        if w > 0.0 && best.is_none_or(|(b, _)| w > b) {
            best = Some((w, *f));
        }
    }
    best.map(|(_, f)| f).ok_or_else(|| {
        Response::text(
            406,
            &format!("None of the accepted types ({accept}) can carry this result; use one of: {}", offered(offers)),
        )
    })
}

fn offered(offers: &[(&str, OutputFormat)]) -> String {
    offers.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
}

/// A writer that refuses to grow past `cap` bytes.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
    over: bool,
}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > self.cap {
            self.over = true;
            return Err(std::io::Error::other("response too large"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Serialises an outcome within the response-size limit.
fn serialise(app: &App, outcome: &Outcome, format: OutputFormat) -> Response {
    let cap = app.config().max_response_bytes;
    let mut out = Capped { buf: Vec::new(), cap, over: false };
    match write_outcome(outcome, format, None, &mut out) {
        Ok(()) => Response::new(200, format.media_type(), out.buf),
        Err(_) if out.over => Response::text(
            422,
            &format!("The result is larger than {cap} bytes, the response limit here; add a LIMIT or narrow the query"),
        ),
        Err(e) => error_response(&e),
    }
}

/// Runs a query under the server's limits and answers in the negotiated format.
fn answer(app: &App, req: &Request, mut q: QueryRequest) -> Response {
    let form = match query::query_form(&q.text, &q.origin) {
        Ok(f) => f,
        Err(e) => return cors(error_response(&e)),
    };
    let offers = if form == QueryForm::Graph { GRAPH_TYPES } else { SOLUTION_TYPES };
    let format = match negotiate(req, offers) {
        Ok(f) => f,
        Err(r) => return cors(r),
    };
    let Some(_slot) = app.admit() else {
        return cors(busy(app));
    };
    let kg = match app.kg() {
        Ok(kg) => kg,
        Err(e) => return cors(error_response(&e)),
    };
    let cfg = app.config();
    q.timeout = Some(cfg.timeout);
    q.max_rows = Some(cfg.max_rows);
    q.max_memory = Some(cfg.max_query_memory);
    q.remote = cfg.remote;
    let response = match query::run(&kg, &q) {
        Ok(outcome) => serialise(app, &outcome, format),
        Err(e) => error_response(&e),
    };
    cors(response)
}

fn busy(app: &App) -> Response {
    Response::text(503, &app.busy_message()).with_header("retry-after", "1")
}

/// The form fields of an `application/x-www-form-urlencoded` body.
fn form_fields(req: &Request) -> Vec<(String, String)> {
    form_urlencoded::parse(&req.body).into_owned().collect()
}

fn iri_list(fields: &[(String, String)], name: &str) -> Result<Vec<NamedNode>, Response> {
    fields
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| NamedNode::new(v).map_err(|e| Response::text(400, &format!("{name}: `{v}` is not an IRI: {e}"))))
        .collect()
}

/// `/sparql`: queries by GET or POST, updates by POST (when allowed); the service description on a bare GET.
pub(crate) fn endpoint(app: &App, req: &Request) -> Response {
    let (text, fields) = match req.method.as_str() {
        "GET" | "HEAD" => {
            let fields = req.params();
            if fields.iter().any(|(n, _)| n == "update") {
                return Response::text(405, "SPARQL Update is sent with POST, never GET").with_header("allow", "POST");
            }
            match fields.iter().find(|(n, _)| n == "query") {
                Some((_, q)) => (q.clone(), fields.clone()),
                None => return service_description(app, req),
            }
        }
        "POST" => match req.content_type().as_deref() {
            Some(FORM_TYPE) => {
                let mut fields = form_fields(req);
                fields.extend(req.params());
                if fields.iter().any(|(n, _)| n == "update") {
                    return update_endpoint(app, req);
                }
                match fields.iter().find(|(n, _)| n == "query") {
                    Some((_, q)) => (q.clone(), fields.clone()),
                    None => return Response::text(400, "The form has no `query` field"),
                }
            }
            Some(QUERY_TYPE) => match String::from_utf8(req.body.clone()) {
                Ok(q) => (q, req.params()),
                Err(_) => return Response::text(400, "The query is not UTF-8"),
            },
            Some(UPDATE_TYPE) => return update_endpoint(app, req),
            other => {
                return Response::text(
                    415,
                    &format!(
                        "POST /sparql takes {QUERY_TYPE}, {UPDATE_TYPE} or {FORM_TYPE}, not {}",
                        other.unwrap_or("a body without Content-Type")
                    ),
                )
            }
        },
        _ => return Response::text(405, "Use GET or POST").with_header("allow", "GET, HEAD, POST, OPTIONS"),
    };
    let mut q = QueryRequest::new(&text, "the query");
    let defaults = match iri_list(&fields, "default-graph-uri") {
        Ok(v) => v,
        Err(r) => return cors(r),
    };
    let named = match iri_list(&fields, "named-graph-uri") {
        Ok(v) => v,
        Err(r) => return cors(r),
    };
    if !defaults.is_empty() || !named.is_empty() {
        q.dataset = Some(Dataset { default_graphs: defaults, named_graphs: named });
    }
    answer(app, req, q)
}

/// Checks the bearer token of a write. `Err` is the response to send.
fn authorize(app: &App, req: &Request) -> Result<(), Response> {
    let cfg = app.config();
    if !cfg.allow_update {
        return Err(Response::text(
            403,
            "This server is read-only; start it with `mvkg serve --allow-update --token TOKEN` to accept writes",
        ));
    }
    let expected = cfg.token.as_deref().unwrap_or_default();
    let given = req.header_value("authorization").and_then(|h| {
        let (scheme, value) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| value.trim())
    });
    match given {
        None => Err(Response::text(401, "Writes need the header `Authorization: Bearer TOKEN`")
            .with_header("www-authenticate", "Bearer realm=\"mvkg\"")),
        Some(t) if constant_time_eq(t.as_bytes(), expected.as_bytes()) && !expected.is_empty() => Ok(()),
        Some(_) => Err(Response::text(403, "The bearer token is not the one this server was started with")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `/update` (and updates posted to `/sparql`): SPARQL 1.1 Update, with the token.
pub(crate) fn update_endpoint(app: &App, req: &Request) -> Response {
    if req.method != "POST" {
        return Response::text(405, "SPARQL Update is sent with POST").with_header("allow", "POST");
    }
    if let Err(r) = authorize(app, req) {
        return r;
    }
    let text = match req.content_type().as_deref() {
        Some(UPDATE_TYPE) => String::from_utf8_lossy(&req.body).into_owned(),
        Some(FORM_TYPE) => match form_fields(req).into_iter().find(|(n, _)| n == "update") {
            Some((_, u)) => u,
            None => return Response::text(400, "The form has no `update` field"),
        },
        other => {
            return Response::text(
                415,
                &format!(
                    "Updates are sent as {UPDATE_TYPE} or {FORM_TYPE}, not {}",
                    other.unwrap_or("no Content-Type")
                ),
            )
        }
    };
    let Some(_slot) = app.admit() else {
        return busy(app);
    };
    let kg = match app.kg() {
        Ok(kg) => kg,
        Err(e) => return error_response(&e),
    };
    match query::update_with(&kg, &text, "the update", app.config().remote) {
        Ok(()) => Response::new(204, "text/plain", Vec::new()),
        Err(e) => error_response(&e),
    }
}

/// `/queries`: the catalog of named queries as JSON.
pub(crate) fn list_queries(_req: &Request) -> Response {
    match catalog::catalog() {
        Ok(all) => {
            let body = serde_json::to_vec_pretty(&all).unwrap_or_default();
            cors(Response::new(200, "application/json", body))
        }
        Err(e) => error_response(&e),
    }
}

/// Names of request parameters that are not query parameters.
const RESERVED: &[&str] = &["format", "output"];

/// `/queries/NAME?param=value`: a named query with its parameters bound as RDF terms after parsing.
pub(crate) fn named_query(app: &App, req: &Request, name: &str) -> Response {
    let named = match catalog::find(name) {
        Ok(q) => q,
        Err(e) => return cors(error_response(&e)),
    };
    let mut raw: Vec<(String, String)> = req.params();
    if req.method == "POST" {
        if req.content_type().as_deref() != Some(FORM_TYPE) {
            return cors(Response::text(415, &format!("POST /queries/{name} takes {FORM_TYPE} parameters")));
        }
        raw.extend(form_fields(req));
    }
    raw.retain(|(n, v)| !RESERVED.contains(&n.as_str()) && !v.is_empty());
    let kg = match app.kg() {
        Ok(kg) => kg,
        Err(e) => return cors(error_response(&e)),
    };
    match catalog::bind(Some(&kg), &named, &raw) {
        Ok(q) => answer(app, req, q),
        Err(e) => cors(error_response(&e)),
    }
}

/// The target graph of a Graph Store request: `?default` or `?graph=IRI`.
enum Target {
    Default,
    Named(NamedNode),
}

fn target(req: &Request) -> Result<Target, Response> {
    let params = req.params();
    let graph = params.iter().find(|(n, _)| n == "graph").map(|(_, v)| v.clone());
    let default = params.iter().any(|(n, _)| n == "default");
    match (graph, default) {
        (Some(_), true) => Err(Response::text(400, "Give either ?default or ?graph=IRI, not both")),
        (None, true) => Ok(Target::Default),
        (Some(g), false) => NamedNode::new(&g)
            .map(Target::Named)
            .map_err(|e| Response::text(400, &format!("graph: `{g}` is not an IRI: {e}"))),
        (None, false) => Err(Response::text(400, "Name the graph: /store?graph=IRI, or /store?default")),
    }
}

/// `/store`: the SPARQL 1.1 Graph Store HTTP Protocol. Reads are open; PUT, POST and DELETE need the token.
pub(crate) fn graph_store(app: &App, req: &Request) -> Response {
    let target = match target(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    match req.method.as_str() {
        "GET" | "HEAD" => {
            let q = match &target {
                Target::Default => QueryRequest::new("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "the default graph"),
                Target::Named(g) => {
                    match app.kg().and_then(|kg| kg.has_graph(g)) {
                        Ok(true) => {}
                        Ok(false) => {
                            return cors(Response::text(404, &format!("No graph <{}> in the store", g.as_str())))
                        }
                        Err(e) => return cors(error_response(&e)),
                    }
                    QueryRequest::new("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", "the graph")
                        .param("g", g.clone().into())
                }
            };
            answer(app, req, q)
        }
        "PUT" | "POST" => {
            if let Err(r) = authorize(app, req) {
                return r;
            }
            let Some(media) = req.content_type() else {
                return Response::text(415, "Say the RDF format of the body with Content-Type");
            };
            let format = match RdfFormat::from_media_type(&media) {
                Some(f) if !f.supports_datasets() => f,
                Some(_) => {
                    return Response::text(415, "A graph takes triples: send Turtle, N-Triples, RDF/XML or JSON-LD")
                }
                None => return Response::text(415, &format!("`{media}` is not an RDF format this server reads")),
            };
            let graph = match &target {
                Target::Default => None,
                Target::Named(g) => Some(g.as_str()),
            };
            let input = LoadInput::bytes("the request body", req.body.clone(), format, graph);
            let quads = match load::parse_all(vec![input]) {
                Ok(q) => q,
                Err(e) => return error_response(&e),
            };
            let Some(_slot) = app.admit() else {
                return busy(app);
            };
            let name = match &target {
                Target::Default => GraphName::DefaultGraph,
                Target::Named(g) => GraphName::NamedNode(g.clone()),
            };
            let result = app.kg().and_then(|kg| kg.write_graph(&name, &quads, req.method == "PUT"));
            match result {
                Ok(true) => Response::new(204, "text/plain", Vec::new()),
                Ok(false) => Response::text(201, &format!("Created with {} triples", quads.len())),
                Err(e) => error_response(&e),
            }
        }
        "DELETE" => {
            if let Err(r) = authorize(app, req) {
                return r;
            }
            let Target::Named(g) = target else {
                return Response::text(405, "The default graph is the union of all sources; delete named graphs");
            };
            match app.kg().and_then(|kg| kg.drop_graph(&g)) {
                Ok(true) => Response::new(204, "text/plain", Vec::new()),
                Ok(false) => Response::text(404, &format!("No graph <{}> in the store", g.as_str())),
                Err(e) => error_response(&e),
            }
        }
        _ => Response::text(405, "Use GET, PUT, POST or DELETE").with_header("allow", "GET, HEAD, PUT, POST, DELETE"),
    }
}

/// The service description (SPARQL 1.1 Service Description), in the negotiated RDF format.
fn service_description(app: &App, req: &Request) -> Response {
    // A browser opening the endpoint gets the query page instead of Turtle.
    if req.param("format").is_none() && req.header_value("accept").is_some_and(|a| a.contains("text/html")) {
        return Response::text(303, "See /query").with_header("location", "/query");
    }
    let format = match negotiate(req, GRAPH_TYPES) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let host = req.header_value("host").unwrap_or("127.0.0.1:7878");
    let sd = |l: &str| NamedNode::new_unchecked(format!("http://www.w3.org/ns/sparql-service-description#{l}"));
    let fmt = |l: &str| NamedNode::new_unchecked(format!("http://www.w3.org/ns/formats/{l}"));
    let rdf_type = NamedNode::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
    let service = BlankNode::default();
    let dataset = BlankNode::default();
    let default_graph = BlankNode::default();
    let mut triples = Vec::new();
    let mut add = |s: NamedOrBlankNode, p: NamedNode, o: Term| triples.push(Triple::new(s, p, o));
    let me: NamedOrBlankNode = service.clone().into();
    add(me.clone(), rdf_type.clone(), sd("Service").into());
    add(me.clone(), sd("endpoint"), NamedNode::new_unchecked(format!("http://{host}/sparql")).into());
    add(me.clone(), sd("supportedLanguage"), sd("SPARQL11Query").into());
    if app.config().allow_update {
        add(me.clone(), sd("supportedLanguage"), sd("SPARQL11Update").into());
    }
    add(me.clone(), sd("feature"), sd("UnionDefaultGraph").into());
    if app.config().remote {
        add(me.clone(), sd("feature"), sd("BasicFederatedQuery").into());
    }
    for f in ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle"] {
        add(me.clone(), sd("resultFormat"), fmt(f).into());
    }
    for f in ["N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"] {
        add(me.clone(), sd("resultFormat"), fmt(f).into());
    }
    add(me.clone(), sd("defaultDataset"), dataset.clone().into());
    add(dataset.clone().into(), rdf_type.clone(), sd("Dataset").into());
    add(dataset.clone().into(), sd("defaultGraph"), default_graph.clone().into());
    add(default_graph.into(), rdf_type, sd("Graph").into());
    add(
        me,
        NamedNode::new_unchecked("http://purl.org/dc/terms/description"),
        Literal::new_simple_literal(
            "mvkg: a sourced knowledge graph of the metaverse industry. The default graph is the union of the \
             source graphs; GRAPH ?source tells which source states a fact. Named queries: /queries.",
        )
        .into(),
    );
    cors(serialise(app, &Outcome::Graph(triples), format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_weights_pick_the_most_specific_range() {
        let r = accept_ranges("text/*;q=0.3, text/csv;q=0.9, */*;q=0.1");
        assert_eq!(weight(&r, "text/csv"), 0.9);
        assert_eq!(weight(&r, "text/turtle"), 0.3);
        assert_eq!(weight(&r, "application/json"), 0.1);
        assert_eq!(weight(&accept_ranges("application/json"), "text/csv"), 0.0);
    }

    #[test]
    fn negotiation_prefers_weight_then_offer_order() {
        let req = Request::get("/sparql").header("accept", "text/csv;q=0.5, application/sparql-results+xml");
        assert_eq!(negotiate(&req, SOLUTION_TYPES).unwrap(), OutputFormat::Results(QueryResultsFormat::Xml));
        let req = Request::get("/sparql").header("accept", "*/*");
        assert_eq!(negotiate(&req, SOLUTION_TYPES).unwrap(), OutputFormat::Results(QueryResultsFormat::Json));
        let req = Request::get("/sparql?format=tsv").header("accept", "application/json");
        assert_eq!(negotiate(&req, SOLUTION_TYPES).unwrap(), OutputFormat::Results(QueryResultsFormat::Tsv));
        let req = Request::get("/sparql").header("accept", "text/turtle");
        assert_eq!(negotiate(&req, SOLUTION_TYPES).unwrap_err().status, 406);
        assert_eq!(negotiate(&req, GRAPH_TYPES).unwrap(), OutputFormat::Rdf(RdfFormat::Turtle));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }
}
