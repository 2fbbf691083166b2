//! The web explorer: search, entity pages with their neighbourhood map, the query page and the maps page, all
//! server-rendered from the same library calls as the command line.

use petgraph::stable_graph::NodeIndex;

use super::html::{enc, entity_href, entity_link, esc, outside_link, page, query_string, table};
use super::sparql::error_response;
use super::{App, GraphState, Request, Response};
use crate::analytics::profile::{profile, Link};
use crate::analytics::{paths, rank};
use crate::error::Error;
use crate::graph::{EdgeKind, NodeKind, Projection, LAYERS};
use crate::query::{self, catalog, Outcome, QueryRequest};
use crate::render::map::{self, MapFilter, MapKind, MapOptions};
use crate::render::results::{map_triples, term_cell};
use crate::vocab;

/// Most result rows shown on the query page (downloads carry them all).
const SHOWN_ROWS: usize = 1000;

fn failure(e: &Error) -> Response {
    let r = error_response(e);
    let body = format!("<p class=\"error\">{}</p>", esc(&e.to_string()));
    Response::html(r.status, page("Something went wrong", &body))
}

pub(crate) fn not_found(path: &str) -> Response {
    let body = format!(
        "<p>Nothing is at <code>{}</code>. Try the search box, the <a href=\"/query\">query page</a> or the \
         <a href=\"/maps\">maps</a>.</p>",
        esc(path)
    );
    Response::html(404, page("Not found", &body))
}

fn graph(app: &App) -> Result<std::sync::Arc<GraphState>, Response> {
    app.graph().map_err(|e| failure(&e))
}

/// `/`: what is in the graph, the most connected organisations, the named queries and the maps.
pub(crate) fn home(app: &App) -> Response {
    let g = match graph(app) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let p = &g.projection;
    let mut counts = String::from("<dl class=\"facts\">");
    for kind in NodeKind::ALL {
        let n = p.graph.node_weights().filter(|n| n.kind == kind).count();
        counts.push_str(&format!("<dt>{}</dt><dd>{n}</dd>", esc(kind.name())));
    }
    counts.push_str(&format!(
        "<dt>relations</dt><dd>{}</dd><dt>sources</dt><dd>{}</dd></dl>",
        p.graph.edge_count(),
        p.sources.len()
    ));
    let filter = rank::RankFilter { node_kinds: vec![NodeKind::Organization], top: Some(15), ..Default::default() };
    let top = rank::degree(p, &EdgeKind::relational(), &filter);
    let mut rows = Vec::new();
    for d in &top {
        rows.push(vec![entity_link(&d.iri, &d.label), d.total.to_string()]);
    }
    let mut queries = String::from("<ul>");
    if let Ok(all) = catalog::catalog() {
        for q in all {
            queries.push_str(&format!(
                "<li><a href=\"/query?name={}\">{}</a> <span class=\"muted\">{}</span></li>",
                enc(&q.name),
                esc(&q.title),
                esc(&q.description)
            ));
        }
    }
    queries.push_str("</ul>");
    let body = format!(
        "<form action=\"/search\" method=\"get\"><input type=\"search\" name=\"q\" id=\"home-search\" size=\"40\" \
         placeholder=\"Zepeto, SoftBank, digital twin, 네이버…\" autofocus> <button type=\"submit\">Search</button></form>\
         <h2>In the graph</h2>{counts}\
         <h2>Most connected organisations</h2>{}\
         <h2>Named queries</h2>{queries}\
         <h2>Maps</h2><p><a href=\"/maps?kind=ecosystem\">Ecosystem by value-chain layer</a> · \
         <a href=\"/maps?kind=investments\">Investments</a> · <a href=\"/maps?kind=country\">Countries</a></p>\
         <h2>For programs</h2><p>SPARQL 1.1 endpoint at <code>/sparql</code> (GET or POST; JSON, XML, CSV, TSV, \
         Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML), named queries at <code>/queries/NAME</code>, \
         their list at <a href=\"/queries\"><code>/queries</code></a>, graphs at <code>/store?graph=IRI</code>.</p>",
        table("top", &["organisation", "links"], &rows)
    );
    Response::html(200, page("The metaverse industry, sourced", &body))
}

/// `/search?q=TEXT`: entities by name, alias or label in any language.
pub(crate) fn search(app: &App, req: &Request) -> Response {
    let q = req.param("q").unwrap_or_default();
    let g = match graph(app) {
        Ok(g) => g,
        Err(r) => return r,
    };
    if q.trim().is_empty() {
        return Response::html(200, page("Search", "<p>Type a name, an alias or a label in any language.</p>"));
    }
    let hits = g.index.search(&g.projection, &q, 50);
    let mut body = format!(
        "<p id=\"summary\">{} result{} for <q>{}</q></p><ul class=\"hits\" id=\"hits\">",
        hits.len(),
        if hits.len() == 1 { "" } else { "s" },
        esc(&q)
    );
    for h in &hits {
        let matched = if h.matched != h.label {
            format!(" <span class=\"muted\">({})</span>", esc(&h.matched))
        } else {
            String::new()
        };
        body.push_str(&format!(
            "<li>{}{matched} <span class=\"muted\">{}</span></li>",
            entity_link(&h.iri, &h.label),
            esc(h.kind.name())
        ));
    }
    body.push_str("</ul>");
    if hits.is_empty() {
        body.push_str("<p>Nothing matches. Names are matched ignoring case and accents; try a shorter part.</p>");
    }
    Response::html(200, page(&format!("Search: {q}"), &body))
}

/// Resolves an IRI, `prefix:local` or a name to a node, by the same rule as the command line.
fn resolve(g: &GraphState, text: &str) -> Result<NodeIndex, Error> {
    g.index.resolve(&g.projection, text).map_err(|e| Error::Entity(e.to_string()))
}

fn money(v: Option<f64>) -> String {
    v.map(map::style::format_usd).unwrap_or_default()
}

fn source_links(p: &Projection, sources: &[String]) -> String {
    sources
        .iter()
        .map(|s| match p.sources.get(s) {
            Some(r) => {
                let title = r.title.clone().unwrap_or_else(|| vocab::compact(s));
                match &r.url {
                    Some(u) => outside_link(u, &title),
                    None => esc(&title),
                }
            }
            None => esc(&vocab::compact(s)),
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn links_table(p: &Projection, id: &str, links: &[Link]) -> String {
    if links.is_empty() {
        return "<p class=\"muted\">None recorded.</p>".into();
    }
    let rows: Vec<Vec<String>> = links
        .iter()
        .map(|l| {
            vec![
                esc(&l.relation.replace('-', " ")) + if l.direction == "in" { " (from)" } else { "" },
                entity_link(&l.other.iri, &l.other.label),
                esc(l.date.as_deref().unwrap_or_default()),
                esc(&l.amount_text(money)),
                l.stake.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_default(),
                esc(l.detail.as_deref().unwrap_or_default()) + if l.lead { " (lead)" } else { "" },
                source_links(p, &l.sources),
            ]
        })
        .collect();
    table(id, &["relation", "with", "date", "amount (USD)", "stake", "detail", "sources"], &rows)
}

/// Renders a map to inline SVG, or explains why it could not.
fn inline_svg(doc: &map::MapDoc, layout: map::Layout) -> String {
    let mut buf = Vec::new();
    match map::render(&doc.dot, map::OutputFormat::Svg, layout, &mut buf) {
        Ok(()) => {
            let svg = String::from_utf8_lossy(&buf);
            let start = svg.find("<svg").unwrap_or(0);
            format!("<div class=\"map\">{}</div>", &svg[start..])
        }
        Err(e) => format!("<p class=\"error\">The map could not be drawn: {}</p>", esc(&e.to_string())),
    }
}

fn explorer_options(max_nodes: usize, legend: bool) -> MapOptions {
    MapOptions { max_nodes, legend, title: None, entity_link: Some("/entity?iri=".into()) }
}

/// `/entity?iri=IRI`: the profile, its neighbourhood map, investments in and out, and the sources.
pub(crate) fn entity(app: &App, req: &Request) -> Response {
    let g = match graph(app) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Some(text) = req.param("iri").or_else(|| req.param("name")) else {
        return Response::html(400, page("Which entity?", "<p class=\"error\">Give ?iri=IRI or ?name=NAME.</p>"));
    };
    let node = match resolve(&g, &text) {
        Ok(n) => n,
        Err(e) => {
            return Response::html(
                404,
                page("No such entity", &format!("<p class=\"error\">{}</p>", esc(&e.to_string()))),
            )
        }
    };
    let p = &g.projection;
    let Some(prof) = profile(p, node) else {
        return not_found(&req.path);
    };
    let mut facts = format!(
        "<dl class=\"facts\"><dt>IRI</dt><dd><code>{}</code></dd><dt>kind</dt><dd>{}</dd>",
        esc(&prof.entity.iri),
        esc(prof.entity.kind.name())
    );
    if !prof.types.is_empty() {
        facts.push_str(&format!("<dt>types</dt><dd>{}</dd>", esc(&prof.types.join(", "))));
    }
    if let Some(c) = &prof.country {
        facts.push_str(&format!("<dt>country</dt><dd>{}</dd>", esc(c)));
    }
    if !prof.aliases.is_empty() {
        facts.push_str(&format!("<dt>also called</dt><dd>{}</dd>", esc(&prof.aliases.join(" · "))));
    }
    if !prof.technologies.is_empty() {
        let techs: Vec<String> = prof
            .technologies
            .iter()
            .map(|(t, layer)| {
                let l = layer.and_then(|l| LAYERS.get(usize::from(l).saturating_sub(1))).copied().unwrap_or_default();
                format!("{} <span class=\"muted\">{}</span>", entity_link(&t.iri, &t.label), esc(l))
            })
            .collect();
        facts.push_str(&format!("<dt>technologies</dt><dd>{}</dd>", techs.join(", ")));
    }
    if !prof.products.is_empty() {
        let products: Vec<String> = prof.products.iter().map(|n| entity_link(&n.iri, &n.label)).collect();
        facts.push_str(&format!("<dt>products</dt><dd>{}</dd>", products.join(", ")));
    }
    facts.push_str("</dl>");
    let doc =
        map::build_map(p, &MapKind::Ego { center: node, hops: 1 }, &MapFilter::default(), &explorer_options(60, false));
    let svg = inline_svg(&doc, doc.layout);
    let sources: Vec<Vec<String>> = prof
        .sources
        .iter()
        .map(|s| {
            let title = s.title.clone().unwrap_or_else(|| vocab::compact(&s.iri));
            vec![
                match &s.url {
                    Some(u) => outside_link(u, &title),
                    None => esc(&title),
                },
                esc(s.publisher.as_deref().unwrap_or_default()),
                esc(s.issued.as_deref().unwrap_or_default()),
            ]
        })
        .collect();
    let iri_q = enc(&prof.entity.iri);
    let body = format!(
        "{facts}<h2>Neighbourhood</h2><p class=\"muted\">{} · <a href=\"/maps?kind=ego&amp;center={iri_q}&amp;hops=2\">two \
         hops</a> · <a href=\"/map?kind=ego&amp;center={iri_q}&amp;format=svg\">SVG</a></p>{svg}\
         <h2>Investments in</h2>{}<h2>Investments out</h2>{}<h2>Owners</h2>{}<h2>Holdings</h2>{}\
         <h2>Memberships</h2>{}<h2>Partners</h2>{}<h2>Other relations</h2>{}<h2>Sources</h2>{}",
        esc(&doc.reduction),
        links_table(p, "investments-in", &prof.investments_in),
        links_table(p, "investments-out", &prof.investments_out),
        links_table(p, "owners", &prof.owners),
        links_table(p, "holdings", &prof.holdings),
        links_table(p, "memberships", &prof.memberships),
        links_table(p, "partners", &prof.partners),
        links_table(p, "other", &prof.other),
        table("sources", &["source", "publisher", "published"], &sources),
    );
    Response::html(200, page(&prof.entity.label, &body))
}

/// The query a page request asks for: a named query with its parameters, or SPARQL text.
struct PageQuery {
    /// The named query, when one was chosen.
    named: Option<catalog::NamedQuery>,
    /// Its parameters as given.
    values: Vec<(String, String)>,
    /// SPARQL text to show in the editor.
    text: String,
}

const PAGE_RESERVED: &[&str] = &["name", "query", "format", "run", "kind", "layout", "max_nodes"];

fn page_query(req: &Request) -> Result<PageQuery, Error> {
    let named = req.param("name").filter(|n| !n.is_empty()).map(|n| catalog::find(&n)).transpose()?;
    let values: Vec<(String, String)> = req
        .params()
        .into_iter()
        .filter(|(k, v)| !PAGE_RESERVED.contains(&k.as_str()) && !v.is_empty())
        .filter(|(k, _)| named.as_ref().is_some_and(|q| q.params.iter().any(|p| &p.name == k)))
        .collect();
    let text = match (req.param("query"), &named) {
        (Some(t), _) if !t.trim().is_empty() => t,
        (_, Some(q)) => q.text.clone(),
        _ => String::from(
            "SELECT ?company ?label WHERE {\n  ?company a mv:Company ; rdfs:label ?label .\n} ORDER BY ?label LIMIT 20",
        ),
    };
    Ok(PageQuery { named, values, text })
}

/// Runs the page's query under the server's limits.
fn run_page_query(app: &App, pq: &PageQuery) -> Result<Outcome, Error> {
    let kg = app.kg()?;
    let mut req = match &pq.named {
        Some(q) if q.text == pq.text => catalog::bind(Some(&kg), q, &pq.values)?,
        _ => QueryRequest::new(&pq.text, "the query"),
    };
    let cfg = app.config();
    req.timeout = Some(cfg.timeout);
    req.max_rows = Some(cfg.max_rows);
    req.max_memory = Some(cfg.max_query_memory);
    req.remote = cfg.remote;
    let _slot = app.admit().ok_or_else(|| Error::Forbidden("The server is busy; try again shortly".into()))?;
    query::run(&kg, &req)
}

/// Query-string pairs that reproduce the page's query elsewhere (downloads, the map).
fn query_pairs(pq: &PageQuery) -> Vec<(String, String)> {
    match &pq.named {
        Some(q) if q.text == pq.text => {
            let mut v = vec![("name".to_owned(), q.name.clone())];
            v.extend(pq.values.iter().cloned());
            v
        }
        _ => vec![("query".to_owned(), pq.text.clone())],
    }
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    query_string(&refs)
}

/// `/query`: the editor with the named queries, a form for their parameters, the results, downloads and the map.
pub(crate) fn query_page(app: &App, req: &Request) -> Response {
    let pq = match page_query(req) {
        Ok(pq) => pq,
        Err(e) => return failure(&e),
    };
    let mut list = String::from("<select name=\"name\" id=\"named\" onchange=\"this.form.submit()\"><option value=\"\">— a named query —</option>");
    if let Ok(all) = catalog::catalog() {
        for q in all {
            let selected = if pq.named.as_ref().is_some_and(|n| n.name == q.name) { " selected" } else { "" };
            list.push_str(&format!("<option value=\"{}\"{selected}>{}</option>", esc(&q.name), esc(&q.title)));
        }
    }
    list.push_str("</select>");
    let mut form = format!("<form action=\"/query\" method=\"get\" id=\"query-form\"><p>{list} <noscript><button>Choose</button></noscript></p>");
    if let Some(q) = &pq.named {
        form.push_str(&format!("<p>{}</p>", esc(&q.description)));
        if !q.params.is_empty() {
            form.push_str("<fieldset><legend>Parameters</legend>");
            for p in &q.params {
                let value = pq.values.iter().find(|(k, _)| k == &p.name).map(|(_, v)| v.as_str()).unwrap_or_default();
                form.push_str(&format!(
                    "<label>{n}{opt} <input name=\"{n}\" id=\"param-{n}\" value=\"{v}\" title=\"{d}\" placeholder=\"{d}\"{req}></label>",
                    n = esc(&p.name),
                    opt = if p.optional { " (optional)" } else { "" },
                    v = esc(value),
                    d = esc(&p.description),
                    req = if p.optional { "" } else { " required" },
                ));
            }
            form.push_str("</fieldset>");
            if let Some(ex) = &q.example {
                form.push_str(&format!("<p class=\"muted\">Example: <code>{}</code></p>", esc(ex)));
            }
        }
        form.push_str("<p><button type=\"submit\" name=\"run\" value=\"1\" id=\"run-named\">Run</button></p></form>");
        form.push_str("<form action=\"/query\" method=\"get\"><h2>SPARQL</h2>");
    }
    form.push_str(&format!(
        "<textarea name=\"query\" id=\"editor\" rows=\"14\" spellcheck=\"false\">{}</textarea>\
         <p><button type=\"submit\" name=\"run\" value=\"1\" id=\"run\">Run</button> <span class=\"muted\">Prefixes \
         mv:, mvd:, tech:, country:, src:, rdfs:, skos:, … are predeclared. The default graph is the union of all \
         sources; <code>GRAPH ?source {{ … }}</code> tells which source states a fact.</span></p></form>",
        esc(&pq.text)
    ));
    let mut results = String::new();
    if req.param("run").is_some() {
        results = match run_page_query(app, &pq) {
            Ok(outcome) => results_html(&outcome, &query_pairs(&pq)),
            Err(e) => format!("<p class=\"error\" id=\"query-error\">{}</p>", esc(&e.to_string())),
        };
    }
    let title = pq.named.as_ref().map(|q| q.title.clone()).unwrap_or_else(|| "Query".into());
    Response::html(200, page(&title, &(form + &results)))
}

/// Whether a result can be drawn: a graph, or solutions with `?s ?p ?o`.
fn mappable(outcome: &Outcome) -> bool {
    match outcome {
        Outcome::Graph(_) => true,
        Outcome::Solutions { variables, .. } => ["s", "p", "o"].iter().all(|v| variables.iter().any(|x| x == v)),
        Outcome::Boolean(_) => false,
    }
}

fn results_html(outcome: &Outcome, pairs: &[(String, String)]) -> String {
    let is_named = pairs.first().is_some_and(|(k, _)| k == "name");
    let base = if is_named {
        let name = &pairs[0].1;
        format!("/queries/{}?{}", enc(name), encode_pairs(&pairs[1..]))
    } else {
        format!("/sparql?{}", encode_pairs(pairs))
    };
    let sep = if base.ends_with('?') { "" } else { "&" };
    let map_link = if mappable(outcome) {
        format!(
            " · <a href=\"{}\" id=\"show-map\">show as map</a>",
            esc(&format!("/maps?kind=query&{}", encode_pairs(pairs)))
        )
    } else {
        String::from(" · <span class=\"muted\">to draw a map, CONSTRUCT or SELECT ?s ?p ?o</span>")
    };
    let downloads = |formats: &[(&str, &str)]| {
        formats
            .iter()
            .map(|(f, label)| format!("<a href=\"{}\" download>{label}</a>", esc(&format!("{base}{sep}format={f}"))))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    match outcome {
        Outcome::Solutions { variables, rows } => {
            let shown: Vec<Vec<String>> = rows
                .iter()
                .take(SHOWN_ROWS)
                .map(|r| {
                    r.iter()
                        .map(|t| match t {
                            Some(oxigraph::model::Term::NamedNode(n)) => {
                                format!(
                                    "<a href=\"{}\">{}</a>",
                                    esc(&entity_href(n.as_str())),
                                    esc(&vocab::compact(n.as_str()))
                                )
                            }
                            Some(t) => esc(&term_cell(t)),
                            None => String::new(),
                        })
                        .collect()
                })
                .collect();
            let header: Vec<&str> = variables.iter().map(String::as_str).collect();
            let note = if rows.len() > SHOWN_ROWS {
                format!("showing the first {SHOWN_ROWS} of {} rows; the downloads have them all", rows.len())
            } else {
                format!("{} row{}", rows.len(), if rows.len() == 1 { "" } else { "s" })
            };
            format!(
                "<h2>Results</h2><p id=\"result-summary\">{note} · download {}{}</p>{}",
                downloads(&[("csv", "CSV"), ("json", "JSON"), ("tsv", "TSV"), ("xml", "XML")]),
                map_link,
                table("results", &header, &shown)
            )
        }
        Outcome::Boolean(b) => {
            format!("<h2>Results</h2><p id=\"result-summary\">{}</p>", if *b { "yes" } else { "no" })
        }
        Outcome::Graph(triples) => {
            let shown: Vec<Vec<String>> = triples
                .iter()
                .take(SHOWN_ROWS)
                .map(|t| {
                    vec![
                        esc(&term_cell(&t.subject.clone().into())),
                        esc(&vocab::compact(t.predicate.as_str())),
                        esc(&term_cell(&t.object)),
                    ]
                })
                .collect();
            format!(
                "<h2>Results</h2><p id=\"result-summary\">{} triples · download {}{}</p>{}",
                triples.len(),
                downloads(&[("turtle", "Turtle"), ("ntriples", "N-Triples"), ("jsonld", "JSON-LD")]),
                map_link,
                table("results", &["subject", "predicate", "object"], &shown)
            )
        }
    }
}

/// The map a request asks for.
/// The map a request asks for; `legend` is the default when the request does not say (`legend=1` or `legend=0`).
fn requested_map(app: &App, g: &GraphState, req: &Request, legend: bool) -> Result<(map::MapDoc, map::Layout), Error> {
    let p = &g.projection;
    let kind_name = req.param("kind").unwrap_or_else(|| "ecosystem".into());
    let filter_err = |m: String| Error::Parameter { name: "map".into(), message: m };
    let entity = |name: &str| -> Result<NodeIndex, Error> {
        let v = req
            .param(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| filter_err(format!("a {kind_name} map needs `{name}`")))?;
        resolve(g, &v)
    };
    let kind = match kind_name.as_str() {
        "ecosystem" => MapKind::Ecosystem,
        "investments" => MapKind::Investments,
        "country" => MapKind::Country,
        "ego" => {
            let hops = req.param("hops").and_then(|h| h.parse().ok()).unwrap_or(1usize).clamp(1, 4);
            MapKind::Ego { center: entity("center")?, hops }
        }
        "path" => {
            let (from, to) = (entity("from")?, entity("to")?);
            let cfg = paths::PathConfig { kinds: EdgeKind::relational(), ..Default::default() };
            let found = g.adjacency.k_shortest_paths(from, to, 3, &cfg);
            if found.is_empty() {
                return Err(Error::Entity(format!("No path links {} and {}", p.graph[from].label, p.graph[to].label)));
            }
            MapKind::Path { paths: found.iter().map(|path| path.iter().map(|h| h.edge).collect()).collect() }
        }
        "query" => {
            let pq = page_query(req)?;
            let outcome = run_page_query(app, &pq)?;
            MapKind::Triples { triples: map_triples(&outcome, p)? }
        }
        other => {
            return Err(filter_err(format!(
                "unknown map kind `{other}`: ecosystem, investments, country, ego, path or query"
            )))
        }
    };
    let text = |k: &str| req.param(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut filter = MapFilter {
        country: text("country"),
        tech: None,
        layer: text("layer")
            .map(|l| l.parse().map_err(|_| filter_err(format!("layer is 1 to 7, not `{l}`"))))
            .transpose()?,
        as_of: None,
        since: text("since"),
        until: text("until"),
        min_amount: text("min_amount")
            .map(|a| a.parse().map_err(|_| filter_err(format!("min_amount is a number of USD, not `{a}`"))))
            .transpose()?,
    };
    if let Some(t) = text("tech") {
        filter.tech = Some(p.graph[resolve(g, &t)?].iri.clone());
    }
    let max_nodes = text("max_nodes").and_then(|m| m.parse().ok()).unwrap_or(200usize).min(1000);
    let legend = req.param("legend").map_or(legend, |l| l != "0");
    let doc = map::build_map(p, &kind, &filter, &explorer_options(max_nodes, legend));
    let layout = text("layout").and_then(|l| map::Layout::from_name(&l)).unwrap_or(doc.layout);
    Ok((doc, layout))
}

/// `/maps`: a form for every map kind and its filters, and the chosen map inline.
pub(crate) fn maps_page(app: &App, req: &Request) -> Response {
    let g = match graph(app) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let v = |k: &str| esc(&req.param(k).unwrap_or_default());
    let kind = req.param("kind").unwrap_or_else(|| "ecosystem".into());
    let mut kinds = String::new();
    for k in ["ecosystem", "investments", "country", "ego", "path", "query"] {
        let sel = if k == kind { " selected" } else { "" };
        kinds.push_str(&format!("<option{sel}>{k}</option>"));
    }
    let mut layers = String::from("<option value=\"\">any</option>");
    for (i, l) in LAYERS.iter().enumerate() {
        let sel = if req.param("layer").as_deref() == Some(&(i + 1).to_string()) { " selected" } else { "" };
        layers.push_str(&format!("<option value=\"{}\"{sel}>{}</option>", i + 1, esc(l)));
    }
    let hidden: String = req
        .params()
        .into_iter()
        .filter(|(k, _)| {
            k == "name" || k == "query" || (!PAGE_RESERVED.contains(&k.as_str()) && !MAP_FIELDS.contains(&k.as_str()))
        })
        .map(|(k, val)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(&k), esc(&val)))
        .collect();
    let form = format!(
        "<form action=\"/maps\" method=\"get\" id=\"map-form\"><fieldset><legend>Map</legend>\
         <label>kind <select name=\"kind\">{kinds}</select></label>\
         <label>country <input name=\"country\" size=\"3\" value=\"{}\" placeholder=\"KR\"></label>\
         <label>technology <input name=\"tech\" value=\"{}\" placeholder=\"digital twin\"></label>\
         <label>layer <select name=\"layer\">{layers}</select></label>\
         <label>since <input name=\"since\" size=\"10\" value=\"{}\" placeholder=\"2021\"></label>\
         <label>until <input name=\"until\" size=\"10\" value=\"{}\"></label>\
         <label>min amount (USD) <input name=\"min_amount\" size=\"10\" value=\"{}\"></label>\
         <label>most nodes <input name=\"max_nodes\" size=\"4\" value=\"{}\" placeholder=\"200\"></label>\
         <label><input type=\"checkbox\" name=\"legend\" value=\"1\"{}> legend</label></fieldset>\
         <fieldset><legend>Ego and path maps</legend>\
         <label>centre <input name=\"center\" value=\"{}\" placeholder=\"Zepeto\"></label>\
         <label>hops <input name=\"hops\" size=\"2\" value=\"{}\" placeholder=\"1\"></label>\
         <label>from <input name=\"from\" value=\"{}\" placeholder=\"SoftBank\"></label>\
         <label>to <input name=\"to\" value=\"{}\" placeholder=\"Zepeto\"></label></fieldset>{hidden}\
         <p><button type=\"submit\" id=\"draw\">Draw</button></p></form>",
        v("country"),
        v("tech"),
        v("since"),
        v("until"),
        v("min_amount"),
        v("max_nodes"),
        if req.param("legend").as_deref() == Some("1") { " checked" } else { "" },
        v("center"),
        v("hops"),
        v("from"),
        v("to"),
    );
    let drawn = match requested_map(app, &g, req, false) {
        Ok((doc, layout)) => {
            let here = req.query.clone();
            let link =
                |f: &str| format!("<a href=\"/map?{}&amp;format={f}\" download>{}</a>", esc(&here), f.to_uppercase());
            format!(
                "<p id=\"map-summary\">{} map, {} layout: {} nodes, {} links; {} · download {} · {} · {} · {}</p>{}",
                esc(&doc.kind),
                layout.name(),
                doc.nodes.len(),
                doc.edges.len(),
                esc(&doc.reduction),
                link("svg"),
                link("png"),
                link("pdf"),
                link("dot"),
                inline_svg(&doc, layout)
            )
        }
        Err(e) => format!("<p class=\"error\">{}</p>", esc(&e.to_string())),
    };
    Response::html(200, page("Maps", &(form + &drawn)))
}

const MAP_FIELDS: &[&str] = &[
    "country",
    "tech",
    "layer",
    "since",
    "until",
    "min_amount",
    "max_nodes",
    "center",
    "hops",
    "from",
    "to",
    "run",
    "legend",
];

/// `/map?kind=…&format=svg|png|pdf|dot`: the map as a file.
pub(crate) fn map_image(app: &App, req: &Request) -> Response {
    let g = match app.graph() {
        Ok(g) => g,
        Err(e) => return error_response(&e),
    };
    let (doc, layout) = match requested_map(app, &g, req, true) {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let name = req.param("format").unwrap_or_else(|| "svg".into());
    let Some(format) = map::OutputFormat::from_extension(&name) else {
        return Response::text(400, &format!("Unknown map format `{name}`: dot, svg, png or pdf"));
    };
    let mut buf = Vec::new();
    match map::render(&doc.dot, format, layout, &mut buf) {
        Ok(()) => Response::new(200, format.media_type(), buf)
            .with_header("content-disposition", &format!("inline; filename=\"mvkg-{}.{}\"", doc.kind, format.name())),
        Err(e) => Response::text(500, &format!("The map could not be drawn: {e}")),
    }
}
