//! Writes inside one transaction with the union graph kept in step: SPARQL updates, graph replacement and removal.
//!
//! mvkg's union graph holds each triple of the named (source) graphs once. Every write changes it in the same
//! transaction as the data, and touches only the triples the write changes: an inserted triple is copied into it, a
//! removed one leaves it only when no other named graph still states it. So a one-triple update costs a few
//! look-ups whatever the store's size, and no crash can leave the union graph behind the data.
//!
//! SPARQL updates are evaluated here operation by operation instead of by oxigraph's update engine, for two reasons:
//! the changed quads must be known to maintain the union graph, and the WHERE clause of `DELETE`/`INSERT` must see the
//! same default graph as queries do (the store's default graph plus the union graph). A `DELETE` of a triple in the
//! default graph removes it from the default graph as queries see it: from the store's default graph and from every
//! named graph that states it. An `INSERT` into the default graph writes to the store's own default graph.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use oxigraph::model::{
    BlankNode, GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term,
    TermRef, Variable,
};
use oxigraph::sparql::{QueryResults, QuerySolution, SparqlEvaluator};
use oxigraph::store::{StorageError, Store, Transaction};
use spargebra::algebra::GraphTarget;
use spargebra::term::{GraphNamePattern, GroundTermPattern, NamedNodePattern, TermPattern};
use spargebra::GraphUpdateOperation as Op;

use crate::error::{Error, Result};
use crate::vocab::UNION_GRAPH;

fn union() -> NamedNodeRef<'static> {
    NamedNodeRef::new_unchecked(UNION_GRAPH)
}

fn refuse_union(g: NamedNodeRef<'_>) -> Result<()> {
    if g == union() {
        return Err(Error::Forbidden(format!(
            "The graph <{UNION_GRAPH}> is kept by mvkg (each sourced fact once) and cannot be written directly; \
             write to a source graph instead"
        )));
    }
    Ok(())
}

/// Applies changes to a transaction with the union graph kept in step.
pub(super) struct Writer<'t, 'a> {
    t: &'t mut Transaction<'a>,
    path: &'t Path,
}

impl<'t, 'a> Writer<'t, 'a> {
    pub(super) fn new(t: &'t mut Transaction<'a>, path: &'t Path) -> Self {
        Writer { t, path }
    }

    fn err(&self, e: StorageError) -> Error {
        super::storage_error(self.path, &e)
    }

    /// Inserts a quad; a quad of a named graph also goes into the union graph.
    pub(super) fn insert(&mut self, q: &Quad) -> Result<()> {
        match &q.graph_name {
            GraphName::NamedNode(g) => {
                refuse_union(g.as_ref())?;
                self.t.insert(q);
                self.t.insert(oxigraph::model::QuadRef::new(&q.subject, &q.predicate, &q.object, union()));
            }
            GraphName::BlankNode(_) => {
                self.t.insert(q);
                self.t.insert(oxigraph::model::QuadRef::new(&q.subject, &q.predicate, &q.object, union()));
            }
            GraphName::DefaultGraph => self.t.insert(q),
        }
        Ok(())
    }

    /// Removes quads, then the union copies of their triples that no other named graph states any more.
    pub(super) fn remove_all(&mut self, quads: &[Quad]) -> Result<()> {
        let mut touched: HashSet<(NamedOrBlankNode, NamedNode, Term)> = HashSet::new();
        for q in quads {
            if let GraphName::NamedNode(g) = &q.graph_name {
                refuse_union(g.as_ref())?;
            }
            self.t.remove(q);
            if !q.graph_name.is_default_graph() {
                touched.insert((q.subject.clone(), q.predicate.clone(), q.object.clone()));
            }
        }
        for (s, p, o) in touched {
            if !self.stated_elsewhere(s.as_ref(), p.as_ref(), o.as_ref())? {
                self.t.remove(oxigraph::model::QuadRef::new(&s, &p, &o, union()));
            }
        }
        Ok(())
    }

    /// Whether some named graph other than the union graph states the triple.
    fn stated_elsewhere(&self, s: NamedOrBlankNodeRef<'_>, p: NamedNodeRef<'_>, o: TermRef<'_>) -> Result<bool> {
        for q in self.t.quads_for_pattern(Some(s), Some(p), Some(o), None) {
            let q = q.map_err(|e| self.err(e))?;
            match &q.graph_name {
                GraphName::NamedNode(g) if g.as_ref() == union() => {}
                GraphName::DefaultGraph => {}
                _ => return Ok(true),
            }
        }
        Ok(false)
    }

    /// Every quad of a graph.
    fn quads_of(&self, g: GraphNameRef<'_>) -> Result<Vec<Quad>> {
        self.t.quads_for_pattern(None, None, None, Some(g)).map(|q| q.map_err(|e| self.err(e))).collect()
    }

    /// Empties a graph (the store's default graph, or a named graph and its union copies).
    pub(super) fn clear(&mut self, g: GraphNameRef<'_>) -> Result<()> {
        match g {
            GraphNameRef::DefaultGraph => self.t.clear_graph(g).map_err(|e| self.err(e)),
            _ => {
                let quads = self.quads_of(g)?;
                self.remove_all(&quads)
            }
        }
    }

    /// Removes a named graph with its data.
    pub(super) fn drop_graph(&mut self, g: NamedNodeRef<'_>) -> Result<()> {
        refuse_union(g)?;
        self.clear(g.into())?;
        self.t.remove_named_graph(g).map_err(|e| self.err(e))
    }

    /// Creates an empty named graph (kept when it holds nothing).
    pub(super) fn declare(&mut self, g: NamedNodeRef<'_>) -> Result<()> {
        refuse_union(g)?;
        self.t.insert_named_graph(g);
        Ok(())
    }

    fn has_graph(&self, g: NamedNodeRef<'_>) -> Result<bool> {
        self.t.contains_named_graph(g).map_err(|e| self.err(e))
    }

    /// Every named graph but the union graph.
    fn named_graphs(&self) -> Result<Vec<NamedOrBlankNode>> {
        let mut out = Vec::new();
        for g in self.t.named_graphs() {
            let g = g.map_err(|e| self.err(e))?;
            if !matches!(&g, NamedOrBlankNode::NamedNode(n) if n.as_ref() == union()) {
                out.push(g);
            }
        }
        Ok(out)
    }
}

/// Runs every operation of a parsed update in the transaction, in order, each seeing the effects of the ones
/// before. `LOAD` and `SERVICE` reach remote URLs only when `remote`.
pub(super) fn run(t: &mut Transaction<'_>, path: &Path, update: &spargebra::Update, remote: bool) -> Result<()> {
    for op in &update.operations {
        match op {
            Op::InsertData { data } => {
                let mut w = Writer::new(t, path);
                for q in data {
                    w.insert(&Quad::new(
                        q.subject.clone(),
                        q.predicate.clone(),
                        q.object.clone(),
                        graph(&q.graph_name),
                    ))?;
                }
            }
            Op::DeleteData { data } => {
                let mut quads = Vec::new();
                for q in data {
                    let object = ground(&q.object)?;
                    expand_default(
                        t,
                        path,
                        q.subject.clone().into(),
                        q.predicate.clone(),
                        object,
                        graph(&q.graph_name),
                        &mut quads,
                    )?;
                }
                Writer::new(t, path).remove_all(&quads)?;
            }
            Op::DeleteInsert { delete, insert, using, pattern } => {
                let query = spargebra::Query::Select {
                    dataset: using.clone(),
                    pattern: (**pattern).clone(),
                    base_iri: update.base_iri.clone(),
                };
                let solutions = solutions(t, query, remote)?;
                let mut removed = Vec::new();
                for s in &solutions {
                    for d in delete {
                        let (Some(subject), Some(predicate), Some(object)) = (
                            ground_pattern(&d.subject, s),
                            named_pattern(&d.predicate, s),
                            ground_pattern(&d.object, s),
                        ) else {
                            continue;
                        };
                        let Ok(subject) = NamedOrBlankNode::try_from(subject) else { continue };
                        let Some(g) = graph_pattern(&d.graph_name, s) else { continue };
                        expand_default(t, path, subject, predicate, object, g, &mut removed)?;
                    }
                }
                let mut added = Vec::new();
                for s in &solutions {
                    let mut bnodes: HashMap<BlankNode, BlankNode> = HashMap::new();
                    for i in insert {
                        let (Some(subject), Some(predicate), Some(object)) = (
                            term_pattern(&i.subject, s, &mut bnodes),
                            named_pattern(&i.predicate, s),
                            term_pattern(&i.object, s, &mut bnodes),
                        ) else {
                            continue;
                        };
                        let Ok(subject) = NamedOrBlankNode::try_from(subject) else { continue };
                        let Some(g) = graph_pattern(&i.graph_name, s) else { continue };
                        added.push(Quad::new(subject, predicate, object, g));
                    }
                }
                let mut w = Writer::new(t, path);
                w.remove_all(&removed)?;
                for q in &added {
                    w.insert(q)?;
                }
            }
            Op::Load { silent, source, destination } => {
                if !remote {
                    return Err(Error::Forbidden("LOAD fetches a URL, which is disabled here".into()));
                }
                let dest = graph(destination);
                if let GraphName::NamedNode(g) = &dest {
                    refuse_union(g.as_ref())?;
                }
                let one = spargebra::Update {
                    base_iri: update.base_iri.clone(),
                    operations: vec![Op::Load {
                        silent: *silent,
                        source: source.clone(),
                        destination: destination.clone(),
                    }],
                };
                SparqlEvaluator::new()
                    .for_update(one)
                    .on_transaction(t)
                    .execute()
                    .map_err(|e| Error::Evaluation(e.to_string()))?;
                if !dest.is_default_graph() {
                    let quads = Writer::new(t, path).quads_of(dest.as_ref())?;
                    for q in &quads {
                        t.insert(oxigraph::model::QuadRef::new(&q.subject, &q.predicate, &q.object, union()));
                    }
                }
            }
            Op::Clear { silent, graph } => target(t, path, graph, *silent, false)?,
            Op::Drop { silent, graph } => target(t, path, graph, *silent, true)?,
            Op::Create { silent, graph } => {
                let mut w = Writer::new(t, path);
                if w.has_graph(graph.as_ref())? {
                    if !silent {
                        return Err(Error::Evaluation(format!("The graph <{}> already exists", graph.as_str())));
                    }
                } else {
                    w.declare(graph.as_ref())?;
                }
            }
        }
    }
    Ok(())
}

/// CLEAR or DROP of a target.
fn target(t: &mut Transaction<'_>, path: &Path, target: &GraphTarget, silent: bool, drop: bool) -> Result<()> {
    let mut w = Writer::new(t, path);
    match target {
        GraphTarget::NamedNode(g) => {
            refuse_union(g.as_ref())?;
            if !w.has_graph(g.as_ref())? {
                if silent {
                    return Ok(());
                }
                return Err(Error::Evaluation(format!("The graph <{}> does not exist", g.as_str())));
            }
            if drop {
                w.drop_graph(g.as_ref())
            } else {
                w.clear(g.as_ref().into())
            }
        }
        GraphTarget::DefaultGraph => w.clear(GraphNameRef::DefaultGraph),
        GraphTarget::NamedGraphs | GraphTarget::AllGraphs => {
            if matches!(target, GraphTarget::AllGraphs) {
                w.clear(GraphNameRef::DefaultGraph)?;
            }
            // Every named graph goes, so the union graph empties with them.
            for g in w.named_graphs()? {
                if drop {
                    w.t.remove_named_graph(g.as_ref()).map_err(|e| w.err(e))?;
                } else {
                    w.t.clear_graph(GraphNameRef::from(g.as_ref())).map_err(|e| w.err(e))?;
                }
            }
            w.t.clear_graph(GraphNameRef::NamedNode(union())).map_err(|e| w.err(e))
        }
    }
}

/// The quads a deletion of (s, p, o) in `g` removes: in a named graph, that quad; in the default graph, the quad of
/// the store's default graph and the triple in every named graph that states it (the default graph as queries see
/// it is their union).
fn expand_default(
    t: &Transaction<'_>,
    path: &Path,
    s: NamedOrBlankNode,
    p: NamedNode,
    o: Term,
    g: GraphName,
    out: &mut Vec<Quad>,
) -> Result<()> {
    if !g.is_default_graph() {
        out.push(Quad::new(s, p, o, g));
        return Ok(());
    }
    for q in t.quads_for_pattern(Some(s.as_ref()), Some(p.as_ref()), Some(o.as_ref()), None) {
        let q = q.map_err(|e| super::storage_error(path, &e))?;
        if !matches!(&q.graph_name, GraphName::NamedNode(n) if n.as_ref() == union()) {
            out.push(q);
        }
    }
    Ok(())
}

/// The solutions of a DELETE/INSERT's WHERE clause, on the transaction, over the dataset queries use.
fn solutions(t: &Transaction<'_>, mut query: spargebra::Query, remote: bool) -> Result<Vec<QuerySolution>> {
    let own_dataset = query.dataset().is_some();
    if !own_dataset {
        crate::query::hide_union(&mut query);
    }
    let mut ev = SparqlEvaluator::new();
    if !remote {
        ev = ev.without_default_http_service_handler();
    }
    let mut prepared = ev.for_query(query);
    if !own_dataset {
        prepared.dataset_mut().set_default_graph(vec![GraphName::DefaultGraph, NamedNode::from(union()).into()]);
    }
    let eval = |e: oxigraph::sparql::QueryEvaluationError| Error::Evaluation(e.to_string());
    match prepared.on_transaction(t).execute().map_err(eval)? {
        QueryResults::Solutions(s) => s.map(|s| s.map_err(eval)).collect(),
        _ => Ok(Vec::new()),
    }
}

fn graph(g: &spargebra::term::GraphName) -> GraphName {
    match g {
        spargebra::term::GraphName::NamedNode(n) => n.clone().into(),
        spargebra::term::GraphName::DefaultGraph => GraphName::DefaultGraph,
    }
}

fn ground(t: &spargebra::term::GroundTerm) -> Result<Term> {
    match t {
        spargebra::term::GroundTerm::NamedNode(n) => Ok(n.clone().into()),
        spargebra::term::GroundTerm::Literal(l) => Ok(l.clone().into()),
        #[allow(unreachable_patterns)]
        _ => Err(Error::Forbidden("RDF 1.2 triple terms are not supported in updates".into())),
    }
}

fn value(v: &Variable, s: &QuerySolution) -> Option<Term> {
    s.get(v).cloned()
}

fn named_pattern(p: &NamedNodePattern, s: &QuerySolution) -> Option<NamedNode> {
    match p {
        NamedNodePattern::NamedNode(n) => Some(n.clone()),
        NamedNodePattern::Variable(v) => match value(v, s)? {
            Term::NamedNode(n) => Some(n),
            _ => None,
        },
    }
}

fn ground_pattern(p: &GroundTermPattern, s: &QuerySolution) -> Option<Term> {
    match p {
        GroundTermPattern::NamedNode(n) => Some(n.clone().into()),
        GroundTermPattern::Literal(l) => Some(l.clone().into()),
        GroundTermPattern::Variable(v) => value(v, s),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn term_pattern(p: &TermPattern, s: &QuerySolution, bnodes: &mut HashMap<BlankNode, BlankNode>) -> Option<Term> {
    match p {
        TermPattern::NamedNode(n) => Some(n.clone().into()),
        TermPattern::Literal(l) => Some(l.clone().into()),
        TermPattern::BlankNode(b) => Some(bnodes.entry(b.clone()).or_default().clone().into()),
        TermPattern::Variable(v) => value(v, s),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn graph_pattern(p: &GraphNamePattern, s: &QuerySolution) -> Option<GraphName> {
    match p {
        GraphNamePattern::NamedNode(n) => Some(n.clone().into()),
        GraphNamePattern::DefaultGraph => Some(GraphName::DefaultGraph),
        GraphNamePattern::Variable(v) => match value(v, s)? {
            Term::NamedNode(n) => Some(n.into()),
            _ => None,
        },
    }
}

/// The differences between the union graph and the distinct triples of the other named graphs, as sentences
/// (at most ten of each kind listed, with the counts).
pub(super) fn check_union(store: &Store, path: &Path) -> Result<Vec<String>> {
    let err = |e: StorageError| super::storage_error(path, &e);
    let mut missing = (0usize, Vec::new());
    let mut extra = (0usize, Vec::new());
    for q in store.iter() {
        let q = q.map_err(err)?;
        match &q.graph_name {
            GraphName::DefaultGraph => {}
            GraphName::NamedNode(g) if g.as_ref() == union() => {
                let mut stated = false;
                for o in store.quads_for_pattern(
                    Some(q.subject.as_ref()),
                    Some(q.predicate.as_ref()),
                    Some(q.object.as_ref()),
                    None,
                ) {
                    let o = o.map_err(err)?;
                    if !o.graph_name.is_default_graph()
                        && !matches!(&o.graph_name, GraphName::NamedNode(n) if n.as_ref() == union())
                    {
                        stated = true;
                        break;
                    }
                }
                if !stated {
                    extra.0 += 1;
                    if extra.1.len() < 10 {
                        extra.1.push(format!("{} {} {}", q.subject, q.predicate, q.object));
                    }
                }
            }
            _ => {
                let copy = oxigraph::model::QuadRef::new(&q.subject, &q.predicate, &q.object, union());
                if !store.contains(copy).map_err(err)? {
                    missing.0 += 1;
                    if missing.1.len() < 10 {
                        missing.1.push(format!("{} {} {} (in {})", q.subject, q.predicate, q.object, q.graph_name));
                    }
                }
            }
        }
    }
    let mut problems = Vec::new();
    if missing.0 > 0 {
        problems.push(format!(
            "{} triples of source graphs are missing from the union graph, e.g.:\n  {}",
            missing.0,
            missing.1.join("\n  ")
        ));
    }
    if extra.0 > 0 {
        problems.push(format!(
            "{} triples of the union graph are stated by no source graph, e.g.:\n  {}",
            extra.0,
            extra.1.join("\n  ")
        ));
    }
    Ok(problems)
}
