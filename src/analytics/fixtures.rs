//! Small graphs built in code for the analytics tests.
//!
//! Every fixture is small enough to check by hand; the tests that use one explain the expected values next to the
//! assertion. [`Fx`] is a terse builder so that a fixture reads like the drawing it comes from.

use crate::graph::{Edge, EdgeKind, Node, NodeKind, Projection};
use petgraph::stable_graph::NodeIndex;

/// A projection under construction. Nodes are named by IRI; the label defaults to the IRI in upper case.
#[derive(Default)]
pub struct Fx {
    pub p: Projection,
}

impl Fx {
    pub fn new() -> Fx {
        Fx::default()
    }

    /// Adds an organisation labelled with the upper-cased IRI.
    pub fn org(mut self, iri: &str) -> Fx {
        self.p.add_node(Node::new(iri, NodeKind::Organization, &iri.to_uppercase()));
        self
    }

    /// Adds several organisations.
    pub fn orgs(mut self, iris: &[&str]) -> Fx {
        for iri in iris {
            self = self.org(iri);
        }
        self
    }

    /// Adds a node of any kind with an explicit label.
    pub fn node(mut self, iri: &str, kind: NodeKind, label: &str) -> Fx {
        self.p.add_node(Node::new(iri, kind, label));
        self
    }

    /// Adds a technology node on a value-chain layer.
    pub fn tech(mut self, iri: &str, layer: u8) -> Fx {
        let mut n = Node::new(iri, NodeKind::Technology, &iri.to_uppercase());
        n.layer = Some(layer);
        self.p.add_node(n);
        self
    }

    /// Sets the country code of an existing node.
    pub fn country(mut self, iri: &str, code: &str) -> Fx {
        self.p.node_mut(iri).expect("fixture node").country = Some(code.to_owned());
        self
    }

    /// Adds aliases to an existing node.
    pub fn aliases(mut self, iri: &str, aliases: &[&str]) -> Fx {
        let n = self.p.node_mut(iri).expect("fixture node");
        n.aliases.extend(aliases.iter().map(|a| a.to_string()));
        self
    }

    /// Adds a bare edge.
    pub fn edge(mut self, from: &str, to: &str, kind: EdgeKind) -> Fx {
        self.p.add_edge(from, to, Edge::new(kind)).expect("fixture edge");
        self
    }

    /// Adds a bare edge of one kind along a chain `a, b, c` (a→b, b→c).
    pub fn chain(mut self, iris: &[&str], kind: EdgeKind) -> Fx {
        for w in iris.windows(2) {
            self = self.edge(w[0], w[1], kind);
        }
        self
    }

    /// Adds an edge with all its data.
    pub fn full(mut self, from: &str, to: &str, edge: Edge) -> Fx {
        self.p.add_edge(from, to, edge).expect("fixture edge");
        self
    }

    /// Adds an `InvestsIn` edge belonging to `event`, with the whole round size and date.
    pub fn invest(self, from: &str, to: &str, event: &str, amount: Option<f64>, date: &str) -> Fx {
        self.full(from, to, invest_edge(event, amount, date, false))
    }

    /// Same as [`Fx::invest`] for the lead investor.
    pub fn lead(self, from: &str, to: &str, event: &str, amount: Option<f64>, date: &str) -> Fx {
        self.full(from, to, invest_edge(event, amount, date, true))
    }

    /// Adds a `HoldsStakeIn` edge with a percentage.
    pub fn stake(self, from: &str, to: &str, pct: f64) -> Fx {
        let mut e = Edge::new(EdgeKind::HoldsStakeIn);
        e.stake = Some(pct);
        self.full(from, to, e)
    }

    pub fn done(self) -> Projection {
        self.p
    }
}

/// An investment edge.
pub fn invest_edge(event: &str, amount: Option<f64>, date: &str, lead: bool) -> Edge {
    let mut e = Edge::new(EdgeKind::InvestsIn);
    e.event = Some(event.to_owned());
    e.amount_usd = amount;
    if !date.is_empty() {
        e.date = Some(date.to_owned());
    }
    e.lead = lead;
    e
}

/// The index of a node known to exist.
pub fn ix(p: &Projection, iri: &str) -> NodeIndex {
    p.node(iri).unwrap_or_else(|| panic!("no fixture node {iri}"))
}
