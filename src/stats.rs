//! Store statistics: quads, graphs, instances per class, sources, and the date range of events.

use oxigraph::model::Term;
use serde::Serialize;

use crate::error::Result;
use crate::query::{self, QueryRequest};
use crate::store::Kg;
use crate::vocab::compact;

/// What `mvkg stats` reports.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Stats {
    pub quads: usize,
    pub graphs: usize,
    pub sources: usize,
    /// (class, instances), most instances first.
    pub classes: Vec<(String, u64)>,
    pub first_event: Option<String>,
    pub last_event: Option<String>,
}

fn rows(kg: &Kg, q: &str) -> Result<Vec<Vec<Option<Term>>>> {
    Ok(query::run(kg, &QueryRequest::new(q, "stats"))?.into_solutions()?.1)
}

fn text(t: &Option<Term>) -> Option<String> {
    match t {
        Some(Term::NamedNode(n)) => Some(compact(n.as_str())),
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        Some(other) => Some(other.to_string()),
        None => None,
    }
}

/// Computes the statistics of a store.
pub fn stats(kg: &Kg) -> Result<Stats> {
    let quads = kg.len()?;
    let graphs = rows(kg, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")?;
    let sources = rows(kg, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a mv:Source }")?;
    let classes = rows(
        kg,
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class",
    )?;
    let range = rows(
        kg,
        "SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?e mv:date ?d FILTER(DATATYPE(?d) = xsd:date) }",
    )?;
    let count = |r: &[Vec<Option<Term>>]| -> usize {
        r.first().and_then(|row| text(&row[0])).and_then(|t| t.parse().ok()).unwrap_or(0)
    };
    Ok(Stats {
        quads,
        graphs: count(&graphs),
        sources: count(&sources),
        classes: classes.iter().filter_map(|r| Some((text(&r[0])?, text(&r[1])?.parse().ok()?))).collect(),
        first_event: range.first().and_then(|r| text(&r[0])),
        last_event: range.first().and_then(|r| text(&r[1])),
    })
}
