//! `mvkg serve`: the SPARQL 1.1 Protocol endpoint, the named queries over HTTP, the Graph Store Protocol and the
//! web explorer.
//!
//! The whole server is one plain function, [`handle`], from a [`Request`] to a [`Response`]: tests call it
//! in-process, and [`http::serve`] only moves bytes between it and the socket. Every route calls the same library
//! functions as the command line (`query::run`, `catalog::bind`, `analytics::*`, `render::map`), so the two cannot
//! drift apart.
//!
//! Safe by default: the store is opened read-only; SPARQL Update and Graph Store writes exist only with
//! `--allow-update` and then need the bearer token; `SERVICE` and `LOAD` never fetch URLs unless `--allow-remote`.
//! Every query runs under a timeout, a row cap and a response-size cap that answer with an explicit error instead of
//! a silently cut result, and a concurrency cap answers 503 when the server is saturated.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::analytics::deals::{Deals, View};
use crate::analytics::paths::Adjacency;
use crate::analytics::search::SearchIndex;
use crate::analytics::{coinvest, rank};
use crate::error::{Error, Result};
use crate::graph::Projection;
use crate::query::project;
use crate::store::{self, Access, Initial, Kg};

mod api;
mod explorer;
mod html;
pub mod http;
mod sparql;
pub mod wire;

pub use wire::Request;

/// Limits and permissions of a server.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Stop a query after this long (answered with 503).
    pub timeout: Duration,
    /// Most rows of a SELECT or triples of a CONSTRUCT/DESCRIBE in one response.
    pub max_rows: usize,
    /// Most bytes of one response body.
    pub max_response_bytes: usize,
    /// Most bytes of one request body.
    pub max_body_bytes: usize,
    /// Most requests evaluated at the same time; more are answered 503 at once.
    pub max_concurrent: usize,
    /// Most heap one query's evaluation may hold (bytes); past it the query is cancelled and answered 422.
    pub max_query_memory: usize,
    /// Accept SPARQL Update and Graph Store writes (with the token).
    pub allow_update: bool,
    /// The bearer token that writes must carry.
    pub token: Option<String>,
    /// Let `SERVICE` and `LOAD` fetch remote URLs.
    pub remote: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            timeout: Duration::from_secs(30),
            max_rows: 100_000,
            max_response_bytes: 64 << 20,
            max_body_bytes: 16 << 20,
            max_concurrent: 8,
            max_query_memory: 1 << 30,
            allow_update: false,
            token: None,
            remote: false,
        }
    }
}

/// What the handler answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response { status, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    /// A plain-text message, for errors and short answers.
    pub fn text(status: u16, message: &str) -> Response {
        let mut body = message.trim_end().to_owned();
        body.push('\n');
        Response::new(status, "text/plain; charset=utf-8", body)
    }

    pub fn html(status: u16, page: String) -> Response {
        Response::new(status, "text/html; charset=utf-8", page)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// The first value of a header (name in any case).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), for tests and logs.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The graph side of the store at one generation: the projection, its search index, the flat adjacency the path
/// searches use and the deal tables of the investment questions (the co-investor one indexed).
pub struct GraphState {
    pub generation: String,
    pub projection: Projection,
    pub index: SearchIndex,
    pub adjacency: Adjacency,
    /// [`rank::CAPITAL_KINDS`] edges, for the capital ranking.
    pub capital: Deals,
    /// [`coinvest::DEAL_KINDS`] edges, indexed, for co-investors and co-backers.
    pub deals: Deals,
}

/// A running server's state: the store, its projection, the limits, and the count of requests in flight.
pub struct App {
    path: PathBuf,
    access: Access,
    config: Config,
    /// The open store and the generation it was opened at. A read-only RocksDB handle sees the store as it was
    /// when opened, so a read-only server reopens it when another process (`mvkg load`) has changed the store.
    kg: RwLock<(String, Arc<Kg>)>,
    graph: Mutex<Option<Arc<GraphState>>>,
    busy: AtomicUsize,
}

/// A place among the requests being evaluated; given back when dropped.
pub(crate) struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl App {
    /// Opens the store at `path` (creating it from the bundled data on first use): read-only, or for writing when
    /// updates are allowed. Updates without a token are refused here, before anything listens.
    pub fn open(path: &Path, config: Config) -> Result<App> {
        if config.allow_update && config.token.as_deref().is_none_or(str::is_empty) {
            return Err(Error::Forbidden(
                "--allow-update needs a bearer token: pass --token TOKEN or set MVKG_TOKEN".into(),
            ));
        }
        if !store::exists(path) {
            drop(Kg::init(path, Initial::Bundled, false)?);
        }
        let access = if config.allow_update { Access::Write } else { Access::Read };
        let kg = Kg::open_existing(path, access)?;
        Ok(App::with_kg(kg, config))
    }

    /// Serves an already open store (for tests: an in-memory or temporary store).
    pub fn with_kg(kg: Kg, config: Config) -> App {
        let generation = kg.generation();
        App {
            path: kg.path().to_owned(),
            access: kg.access(),
            config,
            kg: RwLock::new((generation, Arc::new(kg))),
            graph: Mutex::new(None),
            busy: AtomicUsize::new(0),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store, reopened first when it is read-only and another process has written to it since.
    pub fn kg(&self) -> Result<Arc<Kg>> {
        let (opened, kg) = {
            let guard = self.kg.read().unwrap_or_else(|e| e.into_inner());
            (guard.0.clone(), Arc::clone(&guard.1))
        };
        if self.access == Access::Write || !self.path.is_dir() {
            return Ok(kg);
        }
        // While a write is under way (no settled stamp) the open handle keeps serving the data as it was.
        let now = store::generation_at(&self.path);
        if now == opened || now.is_empty() {
            return Ok(kg);
        }
        let mut guard = self.kg.write().unwrap_or_else(|e| e.into_inner());
        if guard.0 != now {
            *guard = (now, Arc::new(Kg::open_existing(&self.path, Access::Read)?));
        }
        Ok(Arc::clone(&guard.1))
    }

    /// The graph state of the store as it is now, built once per generation.
    pub fn graph(&self) -> Result<Arc<GraphState>> {
        let kg = self.kg()?;
        let generation = kg.generation();
        let mut cached = self.graph.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(g) = cached.as_ref().filter(|g| g.generation == generation && !generation.is_empty()) {
            return Ok(Arc::clone(g));
        }
        let (projection, _) = project::projection(&kg)?;
        let index = SearchIndex::new(&projection);
        let adjacency = Adjacency::new(&projection);
        let capital = Deals::of(&projection, |k| rank::CAPITAL_KINDS.contains(&k));
        let deals =
            Deals::of(&projection, |k| coinvest::DEAL_KINDS.contains(&k)).indexed(View::node_bound(&projection));
        let state = Arc::new(GraphState { generation, projection, index, adjacency, capital, deals });
        *cached = Some(Arc::clone(&state));
        Ok(state)
    }

    /// What a request turned away by [`App::admit`] is told (with 503 and `Retry-After: 1`).
    pub(crate) fn busy_message(&self) -> String {
        format!("The server is answering {} requests already, its limit; try again shortly", self.config.max_concurrent)
    }

    /// Takes a place among the requests being evaluated, or `None` when all `max_concurrent` are taken.
    pub(crate) fn admit(&self) -> Option<Slot<'_>> {
        let before = self.busy.fetch_add(1, Ordering::SeqCst);
        let slot = Slot(&self.busy);
        (before < self.config.max_concurrent).then_some(slot)
    }
}

/// Answers one request. Never panics on bad input; every failure is a response with a status and a message.
pub fn handle(app: &App, req: &Request) -> Response {
    if req.body.len() > app.config.max_body_bytes {
        return Response::text(
            413,
            &format!("The request body is larger than {} bytes, the limit of this server", app.config.max_body_bytes),
        );
    }
    let path = req.path.trim_end_matches('/');
    let response = match (req.method.as_str(), if path.is_empty() { "/" } else { path }) {
        ("OPTIONS", p) => sparql::preflight(p),
        (_, "/sparql") => sparql::endpoint(app, req),
        (_, "/update") => sparql::update_endpoint(app, req),
        (_, "/store") => sparql::graph_store(app, req),
        ("GET" | "HEAD", "/queries") => sparql::list_queries(req),
        ("GET" | "HEAD" | "POST", p) if p.starts_with("/queries/") => {
            sparql::named_query(app, req, &p["/queries/".len()..])
        }
        ("GET" | "HEAD", "/") => explorer::home(app),
        ("GET" | "HEAD", "/search") => explorer::search(app, req),
        ("GET" | "HEAD", "/entity") => explorer::entity(app, req),
        ("GET" | "HEAD", "/query") => explorer::query_page(app, req),
        ("GET" | "HEAD", "/maps") => explorer::maps_page(app, req),
        ("GET" | "HEAD", "/map") => explorer::map_image(app, req),
        ("GET" | "HEAD", "/style.css") => Response::new(200, "text/css; charset=utf-8", html::CSS),
        ("GET" | "HEAD", "/health") => health(app),
        ("GET" | "HEAD", p) if p.starts_with("/api/") => api::route(app, req, &p["/api/".len()..]),
        (_, p) if p.starts_with("/api/") => {
            Response::text(405, "Method not allowed here; use GET").with_header("allow", "GET, HEAD")
        }
        (_, "/" | "/search" | "/entity" | "/query" | "/maps" | "/map" | "/queries" | "/style.css") => {
            Response::text(405, "Method not allowed here; use GET").with_header("allow", "GET, HEAD")
        }
        _ => explorer::not_found(&req.path),
    };
    let response = secure(response);
    if req.method == "HEAD" {
        return Response { body: Vec::new(), ..response };
    }
    response
}

/// The Content-Security-Policy of pages and images: nothing from elsewhere, no scripts but the one inline handler
/// the query page uses (`onchange="this.form.submit()"`, allowed by its hash; the page works without it), no
/// framing.
pub const CSP: &str =
    "default-src 'none'; script-src 'unsafe-hashes' 'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='; \
                       style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; \
                       frame-ancestors 'none'";

/// Security headers on every response: no content sniffing, no framing, no referrer leaking a query; pages and
/// images (SVG can carry markup) also get [`CSP`].
fn secure(mut r: Response) -> Response {
    let markup =
        r.header_value("content-type").is_some_and(|t| t.starts_with("text/html") || t.starts_with("image/svg+xml"));
    r = r.with_header("x-content-type-options", "nosniff").with_header("referrer-policy", "no-referrer");
    if markup {
        r = r.with_header("content-security-policy", CSP).with_header("x-frame-options", "DENY");
    }
    r
}

/// `/health`: whether the server answers and how busy it is, without taking a place among the requests being
/// evaluated, so it answers also when they are all taken.
fn health(app: &App) -> Response {
    let busy = app.busy.load(Ordering::SeqCst).min(app.config.max_concurrent);
    let body = serde_json::json!({
        "status": "ok",
        "evaluating": busy,
        "max_concurrent": app.config.max_concurrent,
        "saturated": busy >= app.config.max_concurrent,
        "generation": store::generation_at(&app.path),
    });
    Response::new(200, "application/json", body.to_string()).with_header("cache-control", "no-store")
}
