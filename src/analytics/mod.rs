//! Graph analytics: pure functions over the petgraph [`Projection`].
//!
//! Each file owns one question: [`search`] finds entities by name, [`paths`] connects two of them, [`neighbors`]
//! describes what surrounds one, [`rank`] orders them (PageRank, betweenness, degree, capital deployed),
//! [`exposure`] looks through an investor's holdings, [`coinvest`] lists who invests alongside whom,
//! [`communities`] finds clusters (Louvain) and [`timeline`] counts deals and capital per period. [`synthetic`]
//! generates large random graphs for benchmarks. Nothing here does I/O or knows the RDF store: every function takes
//! the projection and plain parameters and returns serialisable values; an unknown node gives an empty result or an
//! error, never a panic.
//!
//! This file holds the small vocabulary the analyses share: [`NodeRef`], the country of a node and the key of the
//! event an edge belongs to.

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::graph::{EdgeKind, NodeKind, Projection};

pub mod coinvest;
pub mod communities;
pub mod deals;
pub mod exposure;
pub mod neighbors;
pub mod paths;
pub mod profile;
pub mod rank;
pub mod search;
pub mod synthetic;
pub mod timeline;

#[cfg(test)]
mod fixtures;

/// A node named for output: its index in the projection plus what a reader needs to recognise it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeRef {
    pub node: NodeIndex,
    pub iri: String,
    pub label: String,
    pub kind: NodeKind,
}

impl NodeRef {
    /// The reference to `node`, or `None` when the projection has no such node.
    pub fn of(p: &Projection, node: NodeIndex) -> Option<NodeRef> {
        let n = p.graph.node_weight(node)?;
        Some(NodeRef { node, iri: n.iri.clone(), label: n.label.clone(), kind: n.kind })
    }
}

/// Reference to a node known to exist (taken from the graph's own iterators or edges).
pub(crate) fn node_ref(p: &Projection, node: NodeIndex) -> NodeRef {
    let n = &p.graph[node];
    NodeRef { node, iri: n.iri.clone(), label: n.label.clone(), kind: n.kind }
}

/// Orders two nodes by label, then IRI: the tie-break every result list uses.
pub(crate) fn by_label(p: &Projection, a: NodeIndex, b: NodeIndex) -> std::cmp::Ordering {
    let (x, y) = (&p.graph[a], &p.graph[b]);
    x.label.cmp(&y.label).then_with(|| x.iri.cmp(&y.iri))
}

/// The ISO code of a node's country: its own `country` field, else the country of the first (lowest-indexed)
/// `LocatedIn` target, taken from that target's `country` field or, failing that, its label.
pub fn country_of(p: &Projection, node: NodeIndex) -> Option<String> {
    let n = p.graph.node_weight(node)?;
    if let Some(c) = &n.country {
        return Some(c.clone());
    }
    let target = p
        .graph
        .edges_directed(node, Direction::Outgoing)
        .filter(|e| e.weight().kind == EdgeKind::LocatedIn)
        .min_by_key(|e| e.id())?
        .target();
    let t = &p.graph[target];
    Some(t.country.clone().unwrap_or_else(|| t.label.clone()))
}

/// What identifies the event an edge belongs to: its event IRI, or the edge itself when it has none (so an
/// investment recorded without an event still counts as one deal).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum EventKey<'a> {
    Iri(&'a str),
    Edge(EdgeIndex),
}

impl<'a> EventKey<'a> {
    pub(crate) fn of(p: &'a Projection, edge: EdgeIndex) -> EventKey<'a> {
        match p.graph[edge].event.as_deref() {
            Some(iri) => EventKey::Iri(iri),
            None => EventKey::Edge(edge),
        }
    }
}

/// A fast, deterministic hasher for the maps keyed by event IRIs (the multiply-rotate hash of rustc's `FxHasher`).
/// Hashing millions of IRIs with the standard SipHash dominated the investment analyses; these maps never hold
/// untrusted keys chosen to collide, so hash-flooding resistance is not needed.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// The edge kinds a traversal follows: `kinds`, or every kind when `kinds` is empty.
pub(crate) fn kind_allowed(kinds: &[EdgeKind], kind: EdgeKind) -> bool {
    kinds.is_empty() || kinds.contains(&kind)
}

#[cfg(test)]
mod tests {
    use super::fixtures::{ix, Fx};
    use super::*;

    fn check_country(p: &Projection, iri: &str, expected: Option<&str>) {
        assert_eq!(country_of(p, ix(p, iri)).as_deref(), expected, "country of {iri}");
    }

    #[test]
    fn country_from_field_then_located_in() {
        // a has its own code; b is located in the country node kr (code KR); c in a country node without a code,
        // so its label is used; d has nothing.
        let p = Fx::new()
            .orgs(&["a", "b", "c", "d"])
            .country("a", "US")
            .node("kr", NodeKind::Country, "South Korea")
            .country("kr", "KR")
            .node("xx", NodeKind::Country, "Atlantis")
            .edge("a", "kr", EdgeKind::LocatedIn)
            .edge("b", "kr", EdgeKind::LocatedIn)
            .edge("c", "xx", EdgeKind::LocatedIn)
            .done();
        check_country(&p, "a", Some("US"));
        check_country(&p, "b", Some("KR"));
        check_country(&p, "c", Some("Atlantis"));
        check_country(&p, "d", None);
        assert_eq!(country_of(&p, NodeIndex::new(99)), None);
    }

    #[test]
    fn results_serialize_to_json() {
        // The CLI and the server print these types as JSON: node indices become plain numbers.
        let p = Fx::new().org("a").done();
        let r = NodeRef::of(&p, ix(&p, "a")).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"node":0,"iri":"a","label":"A","kind":"Organization"}"#);
        let hop = paths::Hop {
            edge: petgraph::stable_graph::EdgeIndex::new(3),
            from: NodeIndex::new(0),
            to: NodeIndex::new(1),
            forward: false,
        };
        assert_eq!(serde_json::to_string(&hop).unwrap(), r#"{"edge":3,"from":0,"to":1,"forward":false}"#);
    }

    #[test]
    fn node_ref_of_unknown_is_none() {
        let p = Fx::new().org("a").done();
        assert_eq!(NodeRef::of(&p, NodeIndex::new(5)), None);
        assert_eq!(NodeRef::of(&p, ix(&p, "a")).map(|r| r.label), Some("A".to_owned()));
    }
}
