//! `/api/…`: the analyst questions as JSON over HTTP, answered from the graph state the server keeps per store
//! generation (the projection, its search index, the deal tables), with the values the command line prints with
//! `--format json`:
//!
//! - `/api/search?q=TEXT[&limit=N]` — entities by name, alias or label (as `mvkg search`);
//! - `/api/rank?by=capital|degree|pagerank[&top=N][&type=T,…]` — rankings (as `mvkg rank`);
//! - `/api/coinvest?entity=NAME|IRI[&by=round|company][&top=N]` — co-investors and the deals (or companies) they
//!   share (as `mvkg coinvest`);
//! - `/api/path?from=A&to=B[&k=N][&via=KIND,…][&directed=true][&max_hops=N]` — the shortest paths, each hop with its
//!   relation, date, amount and sources (as `mvkg path`), searched on the server's path adjacency; `[]` when none.
//!
//! Errors are JSON too: `{"error": "…"}` with 400 for a bad parameter, 404 for an entity that is not found or
//! ambiguous (the message lists the candidates) and 503 when `--max-concurrent` requests are already being answered.

use petgraph::stable_graph::NodeIndex;
use serde::Serialize;

use super::{App, GraphState, Request, Response};
use crate::analytics::{coinvest, paths, rank};
use crate::graph::EdgeKind;

/// Answers `/api/NAME`, counted among the requests being evaluated (`--max-concurrent`; 503 when all places are
/// taken).
pub(crate) fn route(app: &App, req: &Request, name: &str) -> Response {
    let Some(_slot) = app.admit() else {
        return error(503, &app.busy_message()).with_header("retry-after", "1");
    };
    let g = match app.graph() {
        Ok(g) => g,
        Err(e) => return error(500, &e.to_string()),
    };
    let answer = match name {
        "search" => search(&g, req),
        "rank" => rank(&g, req),
        "coinvest" => coinvest(&g, req),
        "path" => path(&g, req),
        _ => Err((
            404,
            format!("No API route `/api/{name}`; there are /api/search, /api/rank, /api/coinvest and /api/path"),
        )),
    };
    match answer {
        Ok(r) => r,
        Err((status, message)) => error(status, &message),
    }
}

type Answer = Result<Response, (u16, String)>;

fn json(value: &impl Serialize) -> Answer {
    let body = serde_json::to_vec(value).map_err(|e| (500, e.to_string()))?;
    Ok(Response::new(200, "application/json", body).with_header("access-control-allow-origin", "*"))
}

fn error(status: u16, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    Response::new(status, "application/json", body).with_header("access-control-allow-origin", "*")
}

fn required(req: &Request, name: &str) -> Result<String, (u16, String)> {
    req.param(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| (400, format!("The parameter `{name}` is required")))
}

/// A whole number parameter, `default` when absent, at most `max`.
fn number(req: &Request, name: &str, default: usize, max: usize) -> Result<usize, (u16, String)> {
    match req.param(name) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err((400, format!("`{name}` takes a whole number from 0 to {max}, not `{v}`"))),
        },
    }
}

fn entity(g: &GraphState, req: &Request, name: &str) -> Result<usize, (u16, String)> {
    let text = required(req, name)?;
    g.index.resolve(&g.projection, &text).map(|n| n.index()).map_err(|e| (404, e.to_string()))
}

fn path(g: &GraphState, req: &Request) -> Answer {
    let from = NodeIndex::new(entity(g, req, "from")?);
    let to = NodeIndex::new(entity(g, req, "to")?);
    let k = number(req, "k", 1, 20)?.max(1);
    let kinds = match req.param("via") {
        None => EdgeKind::relational(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                EdgeKind::from_name(k).ok_or_else(|| {
                    let names: Vec<&str> = EdgeKind::ALL.iter().map(|k| k.name()).collect();
                    (400, format!("Unknown link kind `{k}` in `via`; use {}", names.join(", ")))
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let directed = match req.param("directed").as_deref() {
        None | Some("false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => return Err((400, format!("`directed` is true or false, not `{other}`"))),
    };
    let max_hops = match req.param("max_hops") {
        Some(_) => Some(number(req, "max_hops", 0, 1000)?),
        None => None,
    };
    let cfg = paths::PathConfig { kinds, directed, max_hops };
    let found = g.adjacency.k_shortest_paths(from, to, k, &cfg);
    let described: Vec<Vec<paths::HopDetail>> = found.iter().map(|x| paths::describe(&g.projection, x)).collect();
    json(&described)
}

fn search(g: &GraphState, req: &Request) -> Answer {
    let q = required(req, "q")?;
    let limit = number(req, "limit", 20, 1000)?;
    json(&g.index.search(&g.projection, &q, limit))
}

fn rank(g: &GraphState, req: &Request) -> Answer {
    let top = number(req, "top", 20, 100_000)?;
    let types: Vec<String> = req
        .params()
        .into_iter()
        .filter(|(k, _)| k == "type")
        .flat_map(|(_, v)| v.split(',').map(|t| t.trim().to_owned()).collect::<Vec<_>>())
        .filter(|t| !t.is_empty())
        .collect();
    let filter = rank::RankFilter::from_names(&types, top).map_err(|e| (400, e))?;
    let p = &g.projection;
    let kinds: Vec<EdgeKind> = EdgeKind::ALL.into_iter().filter(|k| *k != EdgeKind::LocatedIn).collect();
    match req.param("by").as_deref().unwrap_or("capital") {
        "capital" => json(&rank::capital_of(&g.capital, p, &filter)),
        "degree" => json(&rank::degree(p, &kinds, &filter)),
        "pagerank" => {
            let scores = rank::pagerank(p, &rank::PageRankConfig { kinds, ..Default::default() });
            json(&rank::ranking(p, &scores.scores, &filter))
        }
        other => Err((400, format!("`by` is capital, degree or pagerank, not `{other}`"))),
    }
}

fn coinvest(g: &GraphState, req: &Request) -> Answer {
    let n = entity(g, req, "entity")?;
    let top = match req.param("top") {
        Some(_) => Some(number(req, "top", 0, 100_000)?),
        None => None,
    };
    match req.param("by").as_deref().unwrap_or("round") {
        "round" => json(&coinvest::coinvestors_of(&g.deals, &g.projection, n, top)),
        "company" => json(&coinvest::cobackers_of(&g.deals, &g.projection, n, top)),
        other => Err((400, format!("`by` is round or company, not `{other}`"))),
    }
}
