//! Ecosystem maps: Graphviz drawings of the projection.
//!
//! [`build_map`] picks what a map shows from a [`Projection`] ([`MapKind`] says which map, [`MapFilter`] narrows it,
//! [`MapOptions`] caps its size) and returns a [`MapDoc`]: the DOT text, built with graphviz-rust's DOT model and
//! printed by its printer, with what was drawn, what was left out and why. [`render()`] turns the DOT into SVG, PNG or
//! PDF by running the Graphviz `dot` program. Every id and attribute value is a quoted string escaped by
//! [`escape_dot_string`]; every node and edge carries a tooltip and a link, so the SVG can be explored in a browser.
//!
//! The look of entities and relations is fixed in [`style`]: shape per type, fill per country, line per relation.

mod dot;
pub mod escape;
pub mod render;
mod select;
pub mod style;
#[cfg(test)]
mod tests;

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::graph::Projection;

pub use escape::escape_dot_string;
pub use render::{render, Layout, MapError, OutputFormat};

/// Which map to draw.
#[derive(Clone, Debug, PartialEq)]
pub enum MapKind {
    /// Organisations in the seven value-chain layers, Experience on top, Infrastructure at the bottom, coloured by
    /// country, with the investment, acquisition, stake and subsidiary links between them (parallel events merged
    /// into one line). An organisation sits in the layer most of its technologies fall in (those it uses and those
    /// of the products it develops; ties go to the upper layer). Organisations with no technology but a drawn link
    /// (investors, public bodies) sit in a band above Experience; those with neither are not drawn.
    Ecosystem,
    /// Investments and acquisitions from investor to investee, width by amount, colour by year.
    Investments,
    /// One cluster per country with its government bodies, programmes and organisations, and the links between them.
    Country,
    /// Everything within `hops` links of `center`, in either direction.
    Ego { center: NodeIndex, hops: usize },
    /// Paths found by the caller, highlighted among the neighbours of their nodes.
    Path { paths: Vec<Vec<EdgeIndex>> },
    /// Any list of statements, e.g. the result of a SPARQL `CONSTRUCT` or of `SELECT ?s ?p ?o`.
    Triples { triples: Vec<MapTriple> },
}

impl MapKind {
    /// The lower-case name used on the command line and in output.
    pub fn name(&self) -> &'static str {
        match self {
            MapKind::Ecosystem => "ecosystem",
            MapKind::Investments => "investments",
            MapKind::Country => "country",
            MapKind::Ego { .. } => "ego",
            MapKind::Path { .. } => "path",
            MapKind::Triples { .. } => "triples",
        }
    }

    /// The layout engine that draws this kind of map of a few hundred nodes in a few seconds at most.
    ///
    /// The banded ecosystem and the clustered country map need `dot` (they are drawn with straight lines, which keeps
    /// `dot` fast); paths read left to right with `dot`; the other maps are force-directed (`sfdp`, `neato`), since
    /// `dot` with spline routing takes minutes on a few hundred nodes and a thousand edges.
    pub fn default_layout(&self) -> Layout {
        match self {
            MapKind::Ecosystem | MapKind::Country | MapKind::Path { .. } => Layout::Dot,
            MapKind::Investments | MapKind::Triples { .. } => Layout::Sfdp,
            MapKind::Ego { .. } => Layout::Neato,
        }
    }
}

/// One end of a statement in a [`MapKind::Triples`] map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapTerm {
    /// IRI, blank node label or literal value.
    pub id: String,
    /// Text to show; when empty, the projection's label for the IRI, else the IRI's last segment.
    pub label: String,
    /// A literal: drawn as plain text, one node per occurrence.
    pub literal: bool,
}

impl MapTerm {
    pub fn iri(iri: &str, label: &str) -> MapTerm {
        MapTerm { id: iri.to_owned(), label: label.to_owned(), literal: false }
    }

    pub fn literal(value: &str) -> MapTerm {
        MapTerm { id: value.to_owned(), label: value.to_owned(), literal: true }
    }
}

/// A statement to draw: subject → object, labelled with the predicate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapTriple {
    pub subject: MapTerm,
    pub predicate: MapTerm,
    pub object: MapTerm,
}

/// What to keep. Empty fields keep everything.
///
/// Node filters (`country`, `tech`, `layer`) choose the entities a map is about; an edge is drawn when it passes the
/// edge filters (dates, amount) and at least one of its ends is chosen, and its other end is then drawn too. Dates
/// are `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; undated edges are structural and pass the date filters. Triples maps are
/// drawn as given, unfiltered; the centre of an ego map and the nodes of a path are always drawn.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MapFilter {
    /// ISO 3166-1 alpha-2 code, any case.
    pub country: Option<String>,
    /// IRI of a technology: entities using it, directly or through a product they develop.
    pub tech: Option<String>,
    /// Layer rank, 1 (Experience) … 7 (Infrastructure): entities whose technologies mostly fall in that layer.
    pub layer: Option<u8>,
    /// Only edges dated on or before this date.
    pub as_of: Option<String>,
    /// Only edges dated on or after this date.
    pub since: Option<String>,
    /// Only edges dated on or before this date.
    pub until: Option<String>,
    /// Only investments, acquisitions and fundings of at least this many USD (unknown amounts are left out).
    pub min_amount: Option<f64>,
}

/// Size and presentation of a map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapOptions {
    /// Most entities drawn (0: no limit). Above it, the ones with the highest degree are kept.
    pub max_nodes: usize,
    /// Draw the legend cluster.
    pub legend: bool,
    /// Title on top of the map, instead of the one derived from the kind and filter.
    pub title: Option<String>,
    /// Link entities to `PREFIX` + the percent-encoded IRI (the web explorer's entity pages) instead of the IRI.
    pub entity_link: Option<String>,
}

impl Default for MapOptions {
    fn default() -> MapOptions {
        MapOptions { max_nodes: 400, legend: true, title: None, entity_link: None }
    }
}

/// A drawn line: relation name and the DOT ids of its ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapEdge {
    pub from: String,
    pub to: String,
    pub relation: String,
}

/// A built map: its DOT text and an account of what it shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapDoc {
    /// The `digraph`, ready for [`render()`].
    pub dot: String,
    /// [`MapKind::name`].
    pub kind: String,
    /// Suggested layout engine ([`MapKind::default_layout`]).
    pub layout: Layout,
    /// DOT ids of the entities drawn (IRIs; `_:literal:N` for literals), in drawing order.
    pub nodes: Vec<String>,
    /// Lines drawn between entities (parallel edges of one relation are merged in the ecosystem map).
    pub edges: Vec<MapEdge>,
    /// Entities that would have been drawn but for `max_nodes`.
    pub omitted_nodes: usize,
    /// Lines left out with them.
    pub omitted_edges: usize,
    /// How the map was cut down, in one sentence: "kept the 400 organisations with the highest degree (ties by
    /// label); 37 left out", or "all 12 organisations drawn".
    pub reduction: String,
    /// Visible nodes and edges of the legend (invisible layout helpers are not counted).
    pub legend_nodes: usize,
    pub legend_edges: usize,
}

/// Builds the map of `kind` over `p`. Never fails: a map with nothing to show is an empty (but valid) drawing.
pub fn build_map(p: &Projection, kind: &MapKind, filter: &MapFilter, opts: &MapOptions) -> MapDoc {
    let scene = select::scene(p, kind, filter, opts);
    dot::assemble(scene, kind, opts)
}
