//! The petgraph projection of the knowledge graph.
//!
//! The RDF store answers "what is stated, by whom"; graph-shaped questions (paths, rankings, exposure, communities)
//! run here, on a `StableDiGraph` whose nodes are the entities and whose edges are the relations between them, each
//! edge carrying its date, amount and sources. This module knows nothing of oxigraph: the projection is filled
//! through [`Projection::add_node`] and [`Projection::add_edge`] by the query layer, or by hand in tests.

use std::collections::{BTreeMap, HashMap};

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use serde::{Deserialize, Serialize};

pub mod persist;

/// Names of the seven value-chain layers by rank (index 0 is rank 1, Experience; index 6 is Infrastructure), as
/// in `data/ontology.ttl`.
pub const LAYERS: [&str; 7] = [
    "Experience",
    "Discovery",
    "Creator Economy",
    "Spatial Computing",
    "Decentralization",
    "Human Interface",
    "Infrastructure",
];

/// The graph itself: entities as nodes, relations as edges.
pub type EcoGraph = StableDiGraph<Node, Edge>;

/// What an entity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NodeKind {
    Organization,
    Person,
    Product,
    Technology,
    Country,
    Programme,
}

impl NodeKind {
    pub const ALL: [NodeKind; 6] = [
        NodeKind::Organization,
        NodeKind::Person,
        NodeKind::Product,
        NodeKind::Technology,
        NodeKind::Country,
        NodeKind::Programme,
    ];

    /// The lower-case name used on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Organization => "organization",
            NodeKind::Person => "person",
            NodeKind::Product => "product",
            NodeKind::Technology => "technology",
            NodeKind::Country => "country",
            NodeKind::Programme => "programme",
        }
    }

    pub fn from_name(name: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// How two entities are related. Edges point the way the relation reads: investor → investee, acquirer → target,
/// holder → company, subsidiary → parent, member → alliance, organisation → product (develops), organisation or
/// product → technology, partner → partner (one edge each way), entity → country, funder → programme → beneficiary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EdgeKind {
    InvestsIn,
    Acquires,
    HoldsStakeIn,
    SubsidiaryOf,
    MemberOf,
    Develops,
    UsesTechnology,
    PartnersWith,
    LocatedIn,
    Funds,
}

impl EdgeKind {
    /// Every kind except the structural ones (`located-in`, `uses-technology`) that would put nearly everything one
    /// or two hops apart: the default for paths, communities and the explorer's maps.
    pub fn relational() -> Vec<EdgeKind> {
        EdgeKind::ALL.into_iter().filter(|k| !matches!(k, EdgeKind::LocatedIn | EdgeKind::UsesTechnology)).collect()
    }

    pub const ALL: [EdgeKind; 10] = [
        EdgeKind::InvestsIn,
        EdgeKind::Acquires,
        EdgeKind::HoldsStakeIn,
        EdgeKind::SubsidiaryOf,
        EdgeKind::MemberOf,
        EdgeKind::Develops,
        EdgeKind::UsesTechnology,
        EdgeKind::PartnersWith,
        EdgeKind::LocatedIn,
        EdgeKind::Funds,
    ];

    /// The kebab-case name used by `--via` and in output.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::InvestsIn => "invests-in",
            EdgeKind::Acquires => "acquires",
            EdgeKind::HoldsStakeIn => "holds-stake-in",
            EdgeKind::SubsidiaryOf => "subsidiary-of",
            EdgeKind::MemberOf => "member-of",
            EdgeKind::Develops => "develops",
            EdgeKind::UsesTechnology => "uses-technology",
            EdgeKind::PartnersWith => "partners-with",
            EdgeKind::LocatedIn => "located-in",
            EdgeKind::Funds => "funds",
        }
    }

    pub fn from_name(name: &str) -> Option<EdgeKind> {
        EdgeKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kinds that move money or control: the default for investment questions.
    pub const CAPITAL: [EdgeKind; 4] =
        [EdgeKind::InvestsIn, EdgeKind::Acquires, EdgeKind::HoldsStakeIn, EdgeKind::SubsidiaryOf];
}

/// An entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub iri: String,
    pub kind: NodeKind,
    /// English label (or the first label found).
    pub label: String,
    /// Every other name: native labels, aliases. Used by search.
    pub aliases: Vec<String>,
    /// Class local names from the ontology, e.g. `Company`, `Investor`, `GovernmentBody`.
    pub types: Vec<String>,
    /// ISO 3166-1 alpha-2 code of the entity's country, when known.
    pub country: Option<String>,
    /// Value-chain layer rank (1 Experience … 7 Infrastructure) for technology nodes.
    pub layer: Option<u8>,
}

impl Node {
    pub fn new(iri: &str, kind: NodeKind, label: &str) -> Node {
        Node {
            iri: iri.to_owned(),
            kind,
            label: label.to_owned(),
            aliases: Vec::new(),
            types: Vec::new(),
            country: None,
            layer: None,
        }
    }
}

/// What an edge's amount measures: `mv:amountScope` of its event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AmountScope {
    /// The whole round, deal price, budget or fund (also the reading of an amount without a scope).
    #[default]
    RoundTotal,
    /// This edge's participant's own part of the round (`mv:shareOf`): never spread over the round's investors.
    ParticipantShare,
    /// Several rounds together: shown, never counted as a round's capital.
    CumulativeTotal,
}

/// A relation, with the evidence behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub kind: EdgeKind,
    /// The event (investment, acquisition, ...) this edge comes from, when it comes from one.
    pub event: Option<String>,
    /// Amount in US dollars, measuring what [`Edge::amount_scope`] says: the whole round (or price, or budget),
    /// this edge's investor's own share, or several rounds together. A share sits only on its participant's edge.
    pub amount_usd: Option<f64>,
    /// What [`Edge::amount_usd`] measures.
    pub amount_scope: AmountScope,
    /// Percentage held, for stakes.
    pub stake: Option<f64>,
    /// `YYYY-MM-DD` date of the fact.
    pub date: Option<String>,
    /// Whether this investor led the round.
    pub lead: bool,
    /// Round type of an investment ("Series B"), or status of an acquisition.
    pub detail: Option<String>,
    /// IRIs of the sources that state the fact.
    pub sources: Vec<String>,
}

impl Edge {
    pub fn new(kind: EdgeKind) -> Edge {
        Edge {
            kind,
            event: None,
            amount_usd: None,
            amount_scope: AmountScope::RoundTotal,
            stake: None,
            date: None,
            lead: false,
            detail: None,
            sources: Vec::new(),
        }
    }

    /// The year of the edge's date, if any.
    pub fn year(&self) -> Option<i32> {
        self.date.as_deref()?.get(0..4)?.parse().ok()
    }
}

/// Bibliographic record of a source, for printing "says who".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceRef {
    pub iri: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub issued: Option<String>,
}

/// The graph with its IRI index and the sources its edges cite.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Projection {
    pub graph: EcoGraph,
    index: HashMap<String, NodeIndex>,
    pub sources: BTreeMap<String, SourceRef>,
}

impl Projection {
    pub fn new() -> Projection {
        Projection::default()
    }

    /// Adds a node, or returns the existing one with that IRI (keeping its data).
    pub fn add_node(&mut self, node: Node) -> NodeIndex {
        if let Some(&ix) = self.index.get(&node.iri) {
            return ix;
        }
        let iri = node.iri.clone();
        let ix = self.graph.add_node(node);
        self.index.insert(iri, ix);
        ix
    }

    /// Makes a retired IRI (`owl:sameAs` the kept one) find the kept IRI's node, so that an IRI once published
    /// still resolves. Does nothing when `kept` is unknown or `retired` names a node of its own.
    pub fn add_retired_iri(&mut self, retired: &str, kept: &str) {
        if let (None, Some(&ix)) = (self.index.get(retired), self.index.get(kept)) {
            self.index.insert(retired.to_owned(), ix);
        }
    }

    /// Adds an edge between two nodes known by IRI. Returns `None` when either end is unknown.
    pub fn add_edge(&mut self, from: &str, to: &str, edge: Edge) -> Option<EdgeIndex> {
        let a = *self.index.get(from)?;
        let b = *self.index.get(to)?;
        Some(self.graph.add_edge(a, b, edge))
    }

    pub fn node(&self, iri: &str) -> Option<NodeIndex> {
        self.index.get(iri).copied()
    }

    pub fn node_mut(&mut self, iri: &str) -> Option<&mut Node> {
        let ix = *self.index.get(iri)?;
        self.graph.node_weight_mut(ix)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// A copy keeping only edges of the given kinds (all kinds when `kinds` is empty) dated on or before `as_of`
    /// (`YYYY-MM-DD`; undated edges are structural and kept). Nodes are all kept, so indices stay valid.
    pub fn filtered(&self, kinds: &[EdgeKind], as_of: Option<&str>) -> Projection {
        let mut out = self.clone();
        let drop: Vec<EdgeIndex> = out
            .graph
            .edge_references()
            .filter(|e| {
                let w = e.weight();
                let kind_ok = kinds.is_empty() || kinds.contains(&w.kind);
                let date_ok = match (as_of, w.date.as_deref()) {
                    (Some(limit), Some(d)) => d <= limit,
                    _ => true,
                };
                !(kind_ok && date_ok)
            })
            .map(|e| e.id())
            .collect();
        for e in drop {
            out.graph.remove_edge(e);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Projection {
        let mut p = Projection::new();
        p.add_node(Node::new("a", NodeKind::Organization, "A"));
        p.add_node(Node::new("b", NodeKind::Organization, "B"));
        let mut e = Edge::new(EdgeKind::InvestsIn);
        e.date = Some("2021-05-01".into());
        p.add_edge("a", "b", e).unwrap();
        p.add_edge("b", "a", Edge::new(EdgeKind::PartnersWith)).unwrap();
        p
    }

    #[test]
    fn add_node_is_idempotent_by_iri() {
        let mut p = tiny();
        let again = p.add_node(Node::new("a", NodeKind::Person, "other"));
        assert_eq!(p.node("a"), Some(again));
        assert_eq!(p.graph[again].label, "A");
        assert_eq!(p.node_count(), 2);
    }

    #[test]
    fn edge_to_unknown_node_is_refused() {
        let mut p = tiny();
        assert!(p.add_edge("a", "zzz", Edge::new(EdgeKind::Funds)).is_none());
    }

    #[test]
    fn filtered_by_kind_and_date() {
        let p = tiny();
        assert_eq!(p.filtered(&[EdgeKind::InvestsIn], None).edge_count(), 1);
        assert_eq!(p.filtered(&[], Some("2020-12-31")).edge_count(), 1);
        assert_eq!(p.filtered(&[], Some("2021-05-01")).edge_count(), 2);
        assert_eq!(p.filtered(&[EdgeKind::Funds], None).edge_count(), 0);
    }

    #[test]
    fn names_round_trip() {
        for k in EdgeKind::ALL {
            assert_eq!(EdgeKind::from_name(k.name()), Some(k));
        }
        for k in NodeKind::ALL {
            assert_eq!(NodeKind::from_name(k.name()), Some(k));
        }
    }
}
