//! Running SPARQL: predeclared prefixes, the union default graph, parameters bound as RDF terms, and timeouts that
//! really stop evaluation.
//!
//! Query text is never built from user input: every `--param NAME=VALUE` becomes an RDF term substituted for the
//! variable `?NAME` after parsing, so a value such as `"} ; DROP ALL ; {"` is only ever a literal.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple, Variable};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::Kg;
use crate::vocab::{expand, PREFIXES};

pub mod catalog;
pub mod guard;
pub mod project;

/// A query to run.
#[derive(Clone, Debug, Default)]
pub struct QueryRequest {
    /// The SPARQL text.
    pub text: String,
    /// Where it came from, for error messages: `inline query`, a path, or `named query NAME`.
    pub origin: String,
    /// Values for variables, bound after parsing.
    pub params: Vec<(String, Term)>,
    /// Stop evaluation after this long.
    pub timeout: Option<Duration>,
    /// Fail with [`Error::TooManyRows`] rather than return more solutions or triples than this.
    pub max_rows: Option<usize>,
    /// Cancel the evaluation with [`Error::MemoryLimit`] once it holds more heap than this many bytes (counted
    /// where the binary installed [`crate::memory::Tracker`]).
    pub max_memory: Option<usize>,
    /// Let `SERVICE` call remote endpoints over HTTP (off unless the caller asks: a server must not fetch URLs on
    /// behalf of anyone who can send it a query).
    pub remote: bool,
    /// The SPARQL 1.1 Protocol's `default-graph-uri` and `named-graph-uri`: when either is given, the dataset is
    /// exactly these graphs, overriding the query's own `FROM` and `FROM NAMED`.
    pub dataset: Option<Dataset>,
}

/// A dataset given with the request instead of the union default graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dataset {
    pub default_graphs: Vec<NamedNode>,
    pub named_graphs: Vec<NamedNode>,
}

impl QueryRequest {
    pub fn new(text: &str, origin: &str) -> QueryRequest {
        QueryRequest { text: text.to_owned(), origin: origin.to_owned(), ..QueryRequest::default() }
    }

    pub fn param(mut self, name: &str, value: Term) -> QueryRequest {
        self.params.push((name.to_owned(), value));
        self
    }
}

/// Rows of a SELECT: one optional term per variable.
pub type SolutionRows = Vec<Vec<Option<Term>>>;

/// A fully read query result.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Solutions { variables: Vec<String>, rows: SolutionRows },
    Boolean(bool),
    Graph(Vec<Triple>),
}

impl Outcome {
    /// The solutions of a SELECT, or an error naming what the query returned instead.
    pub fn into_solutions(self) -> Result<(Vec<String>, SolutionRows)> {
        match self {
            Outcome::Solutions { variables, rows } => Ok((variables, rows)),
            Outcome::Boolean(_) => Err(Error::Evaluation("expected a SELECT query, got an ASK".into())),
            Outcome::Graph(_) => Err(Error::Evaluation("expected a SELECT query, got a graph".into())),
        }
    }
}

fn evaluator(timeout_token: Option<CancellationToken>, remote: bool) -> SparqlEvaluator {
    let mut ev = SparqlEvaluator::new();
    if !remote {
        ev = ev.without_default_http_service_handler();
    }
    for (p, iri) in PREFIXES {
        ev = ev.with_prefix(*p, *iri).expect("predeclared prefixes are valid IRIs");
    }
    if let Some(t) = timeout_token {
        ev = ev.with_cancellation_token(t);
    }
    ev
}

/// What a query returns: solutions (SELECT, and ASK's boolean) or a graph (CONSTRUCT, DESCRIBE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryForm {
    Solutions,
    Boolean,
    Graph,
}

/// Parses a query and tells its form, so a server can pick the response format before running it.
pub fn query_form(text: &str, origin: &str) -> Result<QueryForm> {
    Ok(match parse(text, origin)? {
        spargebra::Query::Select { .. } => QueryForm::Solutions,
        spargebra::Query::Ask { .. } => QueryForm::Boolean,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => QueryForm::Graph,
    })
}

/// Checks the syntax of a query without running it.
pub fn check_query(text: &str, origin: &str) -> Result<()> {
    parse(text, origin).map(|_| ())
}

fn syntax(origin: &str, e: &dyn std::fmt::Display) -> Error {
    Error::SparqlSyntax { origin: origin.to_owned(), message: e.to_string() }
}

/// [`guard::check_nesting`] with the origin in the error.
fn check_nesting(text: &str, origin: &str) -> Result<()> {
    guard::check_nesting(text).map_err(|message| Error::SparqlSyntax { origin: origin.to_owned(), message })
}

/// [`guard::check_depth`] with the origin in the error.
fn check_depth(pattern: &spargebra::algebra::GraphPattern, origin: &str) -> Result<()> {
    guard::check_depth(pattern).map_err(|message| Error::SparqlSyntax { origin: origin.to_owned(), message })
}

/// Runs `f` on a thread with a [`guard::EVAL_STACK_BYTES`] stack and waits for it; a panic in `f` becomes an error
/// instead of unwinding into the caller. (Queries with a time limit use their own detached worker, in [`run`].)
fn on_big_stack<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    thread::scope(|scope| {
        thread::Builder::new()
            .name("mvkg-eval".into())
            .stack_size(guard::EVAL_STACK_BYTES)
            .spawn_scoped(scope, f)
            .map_err(|e| Error::Evaluation(format!("cannot start an evaluation thread: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(Error::Evaluation("the evaluation failed unexpectedly".into())))
    })
}

/// Parses query text with the predeclared prefixes, after [`guard::check_nesting`], on a thread with a stack sized
/// for the nesting limit; the parsed algebra's depth is checked too.
fn parse(text: &str, origin: &str) -> Result<spargebra::Query> {
    check_nesting(text, origin)?;
    on_big_stack(|| {
        let query = parser().parse_query(text).map_err(|e| syntax(origin, &e))?;
        check_depth(query_pattern(&query), origin)?;
        Ok(query)
    })
}

/// Parses update text like [`parse`] does query text.
pub(crate) fn parse_update(text: &str, origin: &str) -> Result<spargebra::Update> {
    check_nesting(text, origin)?;
    on_big_stack(|| {
        let update = parser().parse_update(text).map_err(|e| syntax(origin, &e))?;
        for op in &update.operations {
            if let spargebra::GraphUpdateOperation::DeleteInsert { pattern, .. } = op {
                check_depth(pattern, origin)?;
            }
        }
        Ok(update)
    })
}

fn parser() -> spargebra::SparqlParser {
    let mut parser = spargebra::SparqlParser::new();
    for (p, iri) in PREFIXES {
        parser = parser.with_prefix(*p, *iri).expect("predeclared prefixes are valid IRIs");
    }
    parser
}

fn query_pattern(q: &spargebra::Query) -> &spargebra::algebra::GraphPattern {
    match q {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    }
}

/// Makes sure every parameter variable is in the SELECT projection (oxigraph binds initial values only there).
/// Returns the names it added, which are removed from the results again.
fn project_params(query: &mut spargebra::Query, params: &[(String, Term)]) -> Vec<String> {
    use spargebra::algebra::GraphPattern;
    let spargebra::Query::Select { pattern, .. } = query else {
        return Vec::new();
    };
    let mut node = pattern;
    loop {
        match node {
            GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner }
            | GraphPattern::Slice { inner, .. }
            | GraphPattern::OrderBy { inner, .. } => node = inner,
            GraphPattern::Project { variables, .. } => {
                let mut added = Vec::new();
                for (name, _) in params {
                    if !variables.iter().any(|v| v.as_str() == name) {
                        variables.push(Variable::new_unchecked(name.as_str()));
                        added.push(name.clone());
                    }
                }
                return added;
            }
            _ => return Vec::new(),
        }
    }
}

/// Runs a query on the store with the default graph as the union of all graphs. Parsing and evaluation run on a
/// thread with a large stack ([`guard::EVAL_STACK_BYTES`]), so no query can overflow the caller's.
pub fn run(kg: &Kg, req: &QueryRequest) -> Result<Outcome> {
    check_nesting(&req.text, &req.origin)?;
    let token = CancellationToken::new();
    let seconds = req.timeout.map(|d| d.as_secs_f64()).unwrap_or(0.0);
    // oxigraph checks the token only when it reads from the store, and a join that works in memory may run long
    // without reading: evaluate on a worker and stop waiting when the time or the memory budget is up. The token
    // stops the worker at its next read; a command-line process exits at once either way.
    let store = kg.inner().clone();
    let (req, worker_token) = (req.clone(), token.clone());
    let meter = crate::memory::Meter::new();
    let meter_reader = meter.handle();
    let (tx, rx) = mpsc::channel();
    let (deadline, max_memory) = (req.timeout.map(|t| Instant::now() + t), req.max_memory);
    let worker = thread::Builder::new()
        .name("mvkg-query".into())
        .stack_size(guard::EVAL_STACK_BYTES)
        .spawn(move || {
            let _metered = meter_reader.enter();
            let result = prepare_parsed(&req, Some(worker_token))
                .and_then(|(prepared, added)| evaluate(prepared, &store, &added, seconds, req.max_rows));
            // Let go of the store before answering: a process that exits right after the answer must not find a
            // thread still closing RocksDB handles while its statics are torn down.
            drop(store);
            let _ = tx.send(result);
        })
        .map_err(|e| Error::Evaluation(format!("cannot start an evaluation thread: {e}")))?;
    // Poll often enough to stop a query that allocates a gigabyte a second within a few dozen megabytes.
    let tick = Duration::from_millis(if max_memory.is_some() { 10 } else { 100 });
    loop {
        let wait = deadline.map_or(tick, |d| d.saturating_duration_since(Instant::now()).min(tick));
        match rx.recv_timeout(wait) {
            Ok(result) => {
                let _ = worker.join();
                return result;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::Evaluation("the evaluation failed unexpectedly".into()))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Some(limit) = max_memory.filter(|m| meter_reader.bytes() > *m) {
            token.cancel();
            return Err(Error::MemoryLimit { limit });
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            token.cancel();
            return Err(Error::Timeout { seconds });
        }
    }
}

/// Runs a SELECT like [`run`] (no timeout), handing each row to `each` as it comes until `each` returns false:
/// nothing is kept, and a query stopped early is not evaluated further.
pub fn for_each_solution(
    kg: &Kg,
    req: &QueryRequest,
    mut each: impl FnMut(&[String], Vec<Option<Term>>) -> bool,
) -> Result<()> {
    let (prepared, added) = prepare(req, None)?;
    let eval_err = |e: QueryEvaluationError| Error::Evaluation(e.to_string());
    match prepared.on_store(kg.inner()).execute().map_err(eval_err)? {
        QueryResults::Solutions(solutions) => {
            let all: Vec<String> = solutions.variables().iter().map(|v| v.as_str().to_owned()).collect();
            let keep: Vec<usize> = (0..all.len()).filter(|i| !added.contains(&all[*i])).collect();
            let variables: Vec<String> = keep.iter().map(|i| all[*i].clone()).collect();
            for s in solutions {
                let s = s.map_err(eval_err)?;
                let values = s.values();
                if !each(&variables, keep.iter().map(|i| values.get(*i).cloned().flatten()).collect()) {
                    break;
                }
            }
            Ok(())
        }
        QueryResults::Boolean(_) => {
            Err(Error::Evaluation(format!("{}: expected a SELECT query, got an ASK", req.origin)))
        }
        QueryResults::Graph(_) => {
            Err(Error::Evaluation(format!("{}: expected a SELECT query, got a graph", req.origin)))
        }
    }
}

/// Parses the request and prepares it on the store's dataset with its parameters bound; also returns the variables
/// added to the projection for parameters (left out of the results).
fn prepare(
    req: &QueryRequest,
    token: Option<CancellationToken>,
) -> Result<(oxigraph::sparql::PreparedSparqlQuery, Vec<String>)> {
    prepare_with(parse(&req.text, &req.origin)?, req, token)
}

/// [`prepare`] for a thread that already has a large stack: parses in place.
fn prepare_parsed(
    req: &QueryRequest,
    token: Option<CancellationToken>,
) -> Result<(oxigraph::sparql::PreparedSparqlQuery, Vec<String>)> {
    let parsed = parser().parse_query(&req.text).map_err(|e| syntax(&req.origin, &e))?;
    check_depth(query_pattern(&parsed), &req.origin)?;
    prepare_with(parsed, req, token)
}

fn prepare_with(
    mut parsed: spargebra::Query,
    req: &QueryRequest,
    token: Option<CancellationToken>,
) -> Result<(oxigraph::sparql::PreparedSparqlQuery, Vec<String>)> {
    if !req.remote && uses_service(&parsed) {
        return Err(Error::Forbidden(format!(
            "{} calls a remote endpoint with SERVICE, which is disabled here",
            req.origin
        )));
    }
    let added = project_params(&mut parsed, &req.params);
    let bound: Vec<&str> = req.params.iter().map(|(n, _)| n.as_str()).collect();
    let own_dataset = parsed.dataset().is_some();
    let hide_union = !own_dataset && req.dataset.is_none();
    rewrite(&mut parsed, &bound, hide_union);
    let mut prepared = evaluator(token, req.remote).for_query(parsed);
    if let Some(ds) = &req.dataset {
        let defaults = ds.default_graphs.iter().cloned().map(oxigraph::model::GraphName::from).collect();
        prepared.dataset_mut().set_default_graph(defaults);
        prepared
            .dataset_mut()
            .set_available_named_graphs(ds.named_graphs.iter().cloned().map(NamedOrBlankNode::from).collect());
    } else if !own_dataset {
        // The default graph is the store's own default graph plus the union graph (each sourced fact once);
        // GRAPH ?g ranges over every named graph, and `rewrite` has filtered the union graph out of it. (Listing
        // the source graphs as the available named graphs instead makes oxigraph probe each of them in turn: a
        // named query with GRAPH ?src ran eight times slower that way.)
        let union = oxigraph::model::NamedNode::new_unchecked(crate::vocab::UNION_GRAPH);
        prepared.dataset_mut().set_default_graph(vec![oxigraph::model::GraphName::DefaultGraph, union.into()]);
    }
    for (name, value) in &req.params {
        let var = Variable::new(name.as_str())
            .map_err(|e| Error::Parameter { name: name.clone(), message: e.to_string() })?;
        prepared = prepared.substitute_variable(var, value.clone());
    }
    Ok((prepared, added))
}

fn evaluate(
    prepared: oxigraph::sparql::PreparedSparqlQuery,
    store: &oxigraph::store::Store,
    added: &[String],
    seconds: f64,
    max_rows: Option<usize>,
) -> Result<Outcome> {
    let over = |n: usize| max_rows.is_some_and(|m| n > m);
    let eval_err = |e: QueryEvaluationError| match e {
        QueryEvaluationError::Cancelled => Error::Timeout { seconds },
        other => Error::Evaluation(other.to_string()),
    };
    let results = prepared.on_store(store).execute().map_err(eval_err)?;
    Ok(match results {
        QueryResults::Solutions(solutions) => {
            let all: Vec<String> = solutions.variables().iter().map(|v| v.as_str().to_owned()).collect();
            let keep: Vec<usize> = (0..all.len()).filter(|i| !added.contains(&all[*i])).collect();
            let variables = keep.iter().map(|i| all[*i].clone()).collect();
            let mut rows = Vec::new();
            for s in solutions {
                let s = s.map_err(eval_err)?;
                if over(rows.len() + 1) {
                    return Err(Error::TooManyRows { limit: max_rows.unwrap_or_default() });
                }
                let values = s.values();
                rows.push(keep.iter().map(|i| values.get(*i).cloned().flatten()).collect());
            }
            Outcome::Solutions { variables, rows }
        }
        QueryResults::Boolean(b) => Outcome::Boolean(b),
        QueryResults::Graph(triples) => {
            let mut all = Vec::new();
            for t in triples {
                all.push(t.map_err(eval_err)?);
                if over(all.len()) {
                    return Err(Error::TooManyRows { limit: max_rows.unwrap_or_default() });
                }
            }
            Outcome::Graph(all)
        }
    })
}

/// Runs a SPARQL update atomically. `LOAD` and `SERVICE` may fetch URLs only when `remote` is true.
pub fn update(kg: &Kg, text: &str, origin: &str) -> Result<()> {
    update_with(kg, text, origin, true)
}

/// [`update`], saying whether `LOAD` and `SERVICE` may reach remote URLs. The update runs in one transaction with
/// the union graph kept in step and sees the same default graph as queries (see `store::update`); it is parsed
/// and evaluated on a thread with a large stack, like queries.
pub fn update_with(kg: &Kg, text: &str, origin: &str, remote: bool) -> Result<()> {
    let parsed = parse_update(text, origin)?;
    if !remote {
        for op in &parsed.operations {
            use spargebra::GraphUpdateOperation as Op;
            let refused = match op {
                Op::Load { .. } => Some("LOAD fetches a URL"),
                Op::DeleteInsert { pattern, .. } if pattern_uses_service(pattern) => {
                    Some("SERVICE calls a remote endpoint")
                }
                _ => None,
            };
            if let Some(what) = refused {
                return Err(Error::Forbidden(format!("{origin}: {what}, which is disabled here")));
            }
        }
    }
    on_big_stack(|| kg.apply_update(&parsed, remote))
}

/// Hides mvkg's union graph from `GRAPH ?g` in a query over the default dataset (see [`rewrite`]).
pub(crate) fn hide_union(query: &mut spargebra::Query) {
    rewrite(query, &[], true);
}

/// Two rewrites of the parsed query before evaluation:
///
/// - oxigraph substitutes a parameter's value wherever its variable is read, except inside `BOUND(?v)`, which then
///   stays false: an optional parameter written as `FILTER(!BOUND(?year) || ?y = ?year)` would filter nothing. So
///   `BOUND` of a given parameter becomes `true`.
/// - With `hide_union`, every `GRAPH ?g { … }` gets `FILTER(!sameTerm(?g, <union>))`, so that mvkg's union graph
///   never shows up as a source.
fn rewrite(query: &mut spargebra::Query, bound: &[&str], hide_union: bool) {
    let pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    Rewrite { bound, hide_union, saw_service: std::cell::Cell::new(false) }.pattern(pattern);
}

/// One walk over the algebra, rewriting `BOUND` of given parameters and `GRAPH ?g`, and noting `SERVICE`.
struct Rewrite<'a> {
    bound: &'a [&'a str],
    hide_union: bool,
    saw_service: std::cell::Cell<bool>,
}

impl Rewrite<'_> {
    fn pattern(&self, p: &mut spargebra::algebra::GraphPattern) {
        use spargebra::algebra::{Expression as E, GraphPattern as G};
        match p {
            G::Bgp { .. } | G::Path { .. } | G::Values { .. } => {}
            G::Service { inner, .. } => {
                self.saw_service.set(true);
                self.pattern(inner);
            }
            G::Join { left, right }
            | G::Union { left, right }
            | G::Minus { left, right }
            | G::Lateral { left, right } => {
                self.pattern(left);
                self.pattern(right);
            }
            G::LeftJoin { left, right, expression } => {
                self.pattern(left);
                self.pattern(right);
                if let Some(e) = expression {
                    self.expr(e);
                }
            }
            G::Filter { expr, inner } => {
                self.expr(expr);
                self.pattern(inner);
            }
            G::Extend { inner, expression, .. } => {
                self.pattern(inner);
                self.expr(expression);
            }
            G::OrderBy { inner, expression } => {
                self.pattern(inner);
                for e in expression {
                    match e {
                        spargebra::algebra::OrderExpression::Asc(e) | spargebra::algebra::OrderExpression::Desc(e) => {
                            self.expr(e)
                        }
                    }
                }
            }
            G::Graph { inner, .. } => self.pattern(inner),
            G::Project { inner, .. }
            | G::Distinct { inner }
            | G::Reduced { inner }
            | G::Slice { inner, .. }
            | G::Group { inner, .. } => self.pattern(inner),
        }
        if !self.hide_union {
            return;
        }
        let G::Graph { name: spargebra::term::NamedNodePattern::Variable(v), .. } = p else {
            return;
        };
        let not_union = E::Not(Box::new(E::SameTerm(
            Box::new(E::Variable(v.clone())),
            Box::new(E::NamedNode(NamedNode::new_unchecked(crate::vocab::UNION_GRAPH))),
        )));
        let graph = std::mem::replace(p, G::Bgp { patterns: Vec::new() });
        *p = G::Filter { expr: not_union, inner: Box::new(graph) };
    }

    fn expr(&self, e: &mut spargebra::algebra::Expression) {
        use spargebra::algebra::Expression as E;
        match e {
            E::Bound(v) if self.bound.contains(&v.as_str()) => *e = E::Literal(Literal::from(true)),
            E::Exists(p) => self.pattern(p),
            E::Or(a, b)
            | E::And(a, b)
            | E::Equal(a, b)
            | E::SameTerm(a, b)
            | E::Greater(a, b)
            | E::GreaterOrEqual(a, b)
            | E::Less(a, b)
            | E::LessOrEqual(a, b)
            | E::Add(a, b)
            | E::Subtract(a, b)
            | E::Multiply(a, b)
            | E::Divide(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            E::In(a, list) => {
                self.expr(a);
                list.iter_mut().for_each(|x| self.expr(x));
            }
            E::UnaryPlus(a) | E::UnaryMinus(a) | E::Not(a) => self.expr(a),
            E::If(a, b, c) => {
                self.expr(a);
                self.expr(b);
                self.expr(c);
            }
            E::Coalesce(list) | E::FunctionCall(_, list) => list.iter_mut().for_each(|x| self.expr(x)),
            _ => {}
        }
    }
}

/// Whether a query calls `SERVICE` anywhere, also inside `EXISTS` filters.
fn uses_service(q: &spargebra::Query) -> bool {
    let pattern = match q {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    pattern_uses_service(pattern)
}

/// Walks a copy of the pattern with the rewriter, which notes every `SERVICE` it passes.
fn pattern_uses_service(p: &spargebra::algebra::GraphPattern) -> bool {
    let walker = Rewrite { bound: &[], hide_union: false, saw_service: std::cell::Cell::new(false) };
    walker.pattern(&mut p.clone());
    walker.saw_service.get()
}

/// The type a parameter's value is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    /// An IRI: `<http://…>` or `prefix:local`.
    Iri,
    /// An entity by IRI, name or alias, resolved against the store's labels.
    Entity,
    /// A plain string literal.
    String,
    Integer,
    Decimal,
    /// An `xsd:date`, `YYYY-MM-DD`.
    Date,
    /// Guess from the text: `<iri>`, `prefix:local`, a number, `"literal"@lang`, else a string.
    Auto,
}

impl ParamKind {
    pub fn parse(s: &str) -> Option<ParamKind> {
        Some(match s {
            "iri" => ParamKind::Iri,
            "entity" => ParamKind::Entity,
            "string" => ParamKind::String,
            "integer" => ParamKind::Integer,
            "decimal" => ParamKind::Decimal,
            "date" => ParamKind::Date,
            "auto" | "any" => ParamKind::Auto,
            _ => return None,
        })
    }
}

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Reads a parameter value as an RDF term of the given kind. `Entity` values are resolved by [`resolve_entity`].
pub fn param_term(kg: Option<&Kg>, name: &str, raw: &str, kind: ParamKind) -> Result<Term> {
    let bad = |message: String| Error::Parameter { name: name.to_owned(), message };
    let typed = |value: &str, dt: &str| -> Term {
        Literal::new_typed_literal(value, NamedNode::new_unchecked(format!("{XSD}{dt}"))).into()
    };
    match kind {
        ParamKind::Iri => {
            iri_term(raw).ok_or_else(|| bad(format!("`{raw}` is not an IRI (<http://…> or prefix:local)")))
        }
        ParamKind::String => Ok(Literal::new_simple_literal(raw).into()),
        ParamKind::Integer => {
            raw.parse::<i64>().map(|_| typed(raw, "integer")).map_err(|_| bad(format!("`{raw}` is not an integer")))
        }
        ParamKind::Decimal => {
            let ok = !raw.is_empty()
                && raw.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit() || c == '.')
                && raw.chars().filter(|c| *c == '.').count() <= 1
                && raw.chars().any(|c| c.is_ascii_digit());
            if ok {
                Ok(typed(raw, "decimal"))
            } else {
                Err(bad(format!("`{raw}` is not a decimal number")))
            }
        }
        ParamKind::Date => {
            if crate::validate::is_valid_date(raw) {
                Ok(typed(raw, "date"))
            } else {
                Err(bad(format!("`{raw}` is not a date (YYYY-MM-DD)")))
            }
        }
        ParamKind::Entity => {
            if let Some(t) = iri_term(raw) {
                return Ok(t);
            }
            let kg = kg.ok_or_else(|| bad("an entity name needs a store to resolve it".into()))?;
            resolve_entity(kg, raw).map(Term::from).map_err(|e| bad(e.to_string()))
        }
        ParamKind::Auto => {
            if let Some(t) = iri_term(raw) {
                return Ok(t);
            }
            if raw.parse::<i64>().is_ok() {
                return Ok(typed(raw, "integer"));
            }
            if raw.contains('.') && raw.parse::<f64>().is_ok() && !raw.contains(['e', 'E']) {
                return Ok(typed(raw, "decimal"));
            }
            if raw.starts_with('"') {
                if let Ok(t) = raw.parse::<Term>() {
                    return Ok(t);
                }
                // A `"…"^^prefix:type` literal: expand the datatype.
                if let Some((lex, dt)) = raw.rsplit_once("^^") {
                    if let (Some(dt), Some(lex)) = (expand(dt), lex.strip_prefix('"').and_then(|l| l.strip_suffix('"')))
                    {
                        return Ok(Literal::new_typed_literal(lex, NamedNode::new_unchecked(dt)).into());
                    }
                }
            }
            Ok(Literal::new_simple_literal(raw).into())
        }
    }
}

fn iri_term(raw: &str) -> Option<Term> {
    if let Some(inner) = raw.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        return NamedNode::new(inner).ok().map(Term::from);
    }
    if raw.contains("://") {
        return NamedNode::new(raw).ok().map(Term::from);
    }
    expand(raw).and_then(|iri| NamedNode::new(iri).ok()).map(Term::from)
}

/// Finds the one entity whose label or alias equals `name` (case-insensitive). Several matches are an error that
/// lists them.
pub fn resolve_entity(kg: &Kg, name: &str) -> Result<NamedNode> {
    let q = "SELECT DISTINCT ?e (SAMPLE(?l) AS ?label) WHERE {
        ?e rdfs:label|skos:altLabel|skos:prefLabel ?n .
        FILTER(LCASE(STR(?n)) = LCASE(STR(?name)))
        FILTER(isIRI(?e))
        OPTIONAL { ?e rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), \"en\")) }
        FILTER NOT EXISTS { ?e a mv:Source }
      } GROUP BY ?e ORDER BY ?e";
    let req = QueryRequest::new(q, "entity lookup").param("name", Literal::new_simple_literal(name).into());
    let (_, rows) = run(kg, &req)?.into_solutions()?;
    let found: Vec<(NamedNode, String)> = rows
        .into_iter()
        .filter_map(|r| match r.first().cloned().flatten() {
            Some(Term::NamedNode(n)) => {
                let label = match r.get(1).cloned().flatten() {
                    Some(Term::Literal(l)) => l.value().to_owned(),
                    _ => String::new(),
                };
                Some((n, label))
            }
            _ => None,
        })
        .collect();
    match found.len() {
        0 => Err(Error::Entity(format!("No entity is named `{name}`; try `mvkg search {name}`"))),
        1 => Ok(found.into_iter().next().map(|(n, _)| n).expect("one")),
        _ => {
            let list: Vec<String> =
                found.iter().map(|(n, l)| format!("  {} {}", crate::vocab::compact(n.as_str()), l)).collect();
            Err(Error::Entity(format!("`{name}` names several entities; use one of these IRIs:\n{}", list.join("\n"))))
        }
    }
}
