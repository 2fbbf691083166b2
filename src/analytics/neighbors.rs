//! What surrounds an entity: every node within N hops, with its distance, and how many edges of each kind join the
//! nodes of that neighbourhood.
//!
//! By default edges are followed in both directions (an investor's neighbourhood includes the funds that invest in
//! it as well as the companies it invests in). The edge counts cover every edge of an allowed kind whose two ends
//! are both in the neighbourhood, including edges between two nodes at the outer distance.

use std::collections::{BTreeMap, HashMap};

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::graph::{EdgeKind, NodeKind, Projection};

/// How far and along what a neighbourhood extends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeighborConfig {
    /// Largest distance from the centre, in hops.
    pub hops: usize,
    /// Edge kinds followed (and counted); empty means every kind.
    pub kinds: Vec<EdgeKind>,
    /// Follow edges only the way they point (out of the centre). Default: both ways.
    pub directed: bool,
}

impl Default for NeighborConfig {
    fn default() -> NeighborConfig {
        NeighborConfig { hops: 1, kinds: Vec::new(), directed: false }
    }
}

/// A node of the neighbourhood and its distance from the centre.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Neighbor {
    pub node: NodeIndex,
    pub iri: String,
    pub label: String,
    pub kind: NodeKind,
    pub distance: usize,
}

/// How many edges of one kind lie inside the neighbourhood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: EdgeKind,
    pub count: usize,
}

/// The neighbourhood of a node.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Neighborhood {
    /// The centre first (distance 0), then by distance, label and IRI. Empty when the centre is unknown.
    pub nodes: Vec<Neighbor>,
    /// Every edge of an allowed kind between two nodes of the neighbourhood, by index.
    pub edges: Vec<EdgeIndex>,
    /// The same edges counted per kind, in kind order; kinds with no edge are left out.
    pub edge_counts: Vec<KindCount>,
}

/// The nodes within `cfg.hops` of `center` and the edges among them.
pub fn neighborhood(p: &Projection, center: NodeIndex, cfg: &NeighborConfig) -> Neighborhood {
    if !p.graph.contains_node(center) {
        return Neighborhood::default();
    }
    let allowed = |k: EdgeKind| super::kind_allowed(&cfg.kinds, k);
    let mut distance: HashMap<NodeIndex, usize> = HashMap::from([(center, 0)]);
    let mut frontier = vec![center];
    for d in 1..=cfg.hops {
        let mut next = Vec::new();
        for &u in &frontier {
            let out = p.graph.edges_directed(u, Direction::Outgoing).map(|e| (e.weight().kind, e.target()));
            let back: Box<dyn Iterator<Item = (EdgeKind, NodeIndex)>> = if cfg.directed {
                Box::new(std::iter::empty())
            } else {
                Box::new(p.graph.edges_directed(u, Direction::Incoming).map(|e| (e.weight().kind, e.source())))
            };
            for (kind, v) in out.chain(back) {
                if allowed(kind) && !distance.contains_key(&v) {
                    distance.insert(v, d);
                    next.push(v);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    let mut edges: Vec<EdgeIndex> = Vec::new();
    let mut counts: BTreeMap<EdgeKind, usize> = BTreeMap::new();
    for &u in distance.keys() {
        for e in p.graph.edges_directed(u, Direction::Outgoing) {
            if allowed(e.weight().kind) && distance.contains_key(&e.target()) {
                edges.push(e.id());
                *counts.entry(e.weight().kind).or_default() += 1;
            }
        }
    }
    edges.sort();
    let mut nodes: Vec<Neighbor> = distance
        .into_iter()
        .map(|(node, distance)| {
            let n = &p.graph[node];
            Neighbor { node, iri: n.iri.clone(), label: n.label.clone(), kind: n.kind, distance }
        })
        .collect();
    nodes.sort_by(|a, b| (a.distance, &a.label, &a.iri).cmp(&(b.distance, &b.label, &b.iri)));
    Neighborhood {
        nodes,
        edges,
        edge_counts: counts.into_iter().map(|(kind, count)| KindCount { kind, count }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{ix, Fx};
    use EdgeKind::*;

    /// ```text
    ///   f ──invests──▶ a ──invests──▶ b ──uses──▶ t
    ///                  a ──uses──────────────────▶ t
    ///                  a ──partners──▶ c, c ──partners──▶ a
    ///   b ──partners──▶ d, d ──invests──▶ e ;   x alone
    /// ```
    fn star() -> Projection {
        Fx::new()
            .orgs(&["a", "b", "c", "d", "e", "f", "x"])
            .tech("t", 4)
            .edge("f", "a", InvestsIn)
            .edge("a", "b", InvestsIn)
            .edge("b", "t", UsesTechnology)
            .edge("a", "t", UsesTechnology)
            .edge("a", "c", PartnersWith)
            .edge("c", "a", PartnersWith)
            .edge("b", "d", PartnersWith)
            .edge("d", "e", InvestsIn)
            .done()
    }

    fn check(center: &str, cfg: NeighborConfig, nodes: &[(&str, usize)], counts: &[(EdgeKind, usize)]) {
        let p = star();
        let n = neighborhood(&p, ix(&p, center), &cfg);
        let got: Vec<(&str, usize)> = n.nodes.iter().map(|x| (x.iri.as_str(), x.distance)).collect();
        assert_eq!(got, nodes, "nodes around {center}, {cfg:?}");
        let got: Vec<(EdgeKind, usize)> = n.edge_counts.iter().map(|c| (c.kind, c.count)).collect();
        assert_eq!(got, counts, "edge counts around {center}, {cfg:?}");
        assert_eq!(n.edges.len(), counts.iter().map(|c| c.1).sum::<usize>());
    }

    fn cfg(hops: usize, kinds: &[EdgeKind], directed: bool) -> NeighborConfig {
        NeighborConfig { hops, kinds: kinds.to_vec(), directed }
    }

    #[test]
    fn neighbourhoods() {
        // One hop around a, both ways: b, c, f, t (by label). Edges inside: f→a, a→b (invests: 2), a↔c (2),
        // a→t and b→t (uses: 2).
        check(
            "a",
            NeighborConfig::default(),
            &[("a", 0), ("b", 1), ("c", 1), ("f", 1), ("t", 1)],
            &[(InvestsIn, 2), (UsesTechnology, 2), (PartnersWith, 2)],
        );
        // Two hops adds d (via b); b→d is inside too.
        check(
            "a",
            cfg(2, &[], false),
            &[("a", 0), ("b", 1), ("c", 1), ("f", 1), ("t", 1), ("d", 2)],
            &[(InvestsIn, 2), (UsesTechnology, 2), (PartnersWith, 3)],
        );
        // Directed: only what a points to.
        check(
            "a",
            cfg(1, &[], true),
            &[("a", 0), ("b", 1), ("c", 1), ("t", 1)],
            &[(InvestsIn, 1), (UsesTechnology, 2), (PartnersWith, 2)],
        );
        // Only investments, three hops: f, b and nothing past b (b's other edges are not investments).
        check("a", cfg(3, &[InvestsIn], false), &[("a", 0), ("b", 1), ("f", 1)], &[(InvestsIn, 2)]);
        check("a", cfg(0, &[], false), &[("a", 0)], &[]);
        check("x", cfg(3, &[], false), &[("x", 0)], &[]);
        // From the technology, backwards: its users a and b, then a's and b's neighbours.
        check(
            "t",
            cfg(2, &[], false),
            &[("t", 0), ("a", 1), ("b", 1), ("c", 2), ("d", 2), ("f", 2)],
            &[(InvestsIn, 2), (UsesTechnology, 2), (PartnersWith, 3)],
        );
    }

    #[test]
    fn unknown_centre_is_empty() {
        let p = star();
        assert_eq!(neighborhood(&p, NodeIndex::new(100), &NeighborConfig::default()), Neighborhood::default());
    }
}
