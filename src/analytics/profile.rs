//! The profile of one entity: what it is, where, in which technologies and layers, what it makes, who funds it and
//! whom it funds, who owns it and what it owns, what it belongs to, and every source behind those facts.

use std::collections::BTreeSet;

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use crate::analytics::{country_of, node_ref, NodeRef};
use crate::graph::{AmountScope, EdgeKind, Projection, SourceRef};

/// One relation of the entity, seen from the entity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    /// The relation's name (`invests-in`, `acquires`, ...).
    pub relation: String,
    /// `out` when the entity is the subject (it invests), `in` when it is the object (it is invested in).
    pub direction: String,
    pub other: NodeRef,
    pub date: Option<String>,
    pub amount_usd: Option<f64>,
    /// What `amount_usd` measures: the round, this investor's own share, or several rounds together.
    pub amount_scope: AmountScope,
    pub stake: Option<f64>,
    pub detail: Option<String>,
    pub lead: bool,
    pub event: Option<String>,
    pub sources: Vec<String>,
}

impl Link {
    /// What a reader needs next to the amount when it is not the round's size: "own share" or "several rounds";
    /// empty for a round total or when there is no amount.
    pub fn amount_note(&self) -> &'static str {
        match (self.amount_usd, self.amount_scope) {
            (Some(_), AmountScope::ParticipantShare) => "own share",
            (Some(_), AmountScope::CumulativeTotal) => "several rounds",
            _ => "",
        }
    }

    /// The amount written by `money`, followed by its [`Link::amount_note`] in parentheses when it has one:
    /// "$12.5M (own share)".
    pub fn amount_text(&self, money: impl Fn(Option<f64>) -> String) -> String {
        match self.amount_note() {
            "" => money(self.amount_usd),
            note => format!("{} ({note})", money(self.amount_usd)),
        }
    }
}

/// Everything the graph knows about one entity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Profile {
    pub entity: NodeRef,
    pub types: Vec<String>,
    pub aliases: Vec<String>,
    pub country: Option<String>,
    /// Technologies with their value-chain layer rank, of the entity and of the products it makes.
    pub technologies: Vec<(NodeRef, Option<u8>)>,
    pub products: Vec<NodeRef>,
    pub investments_in: Vec<Link>,
    pub investments_out: Vec<Link>,
    pub owners: Vec<Link>,
    pub holdings: Vec<Link>,
    pub memberships: Vec<Link>,
    pub partners: Vec<Link>,
    pub other: Vec<Link>,
    /// The sources cited by any of the links above.
    pub sources: Vec<SourceRef>,
}

fn link(p: &Projection, e: petgraph::stable_graph::EdgeIndex, me: NodeIndex) -> Link {
    let (a, b) = p.graph.edge_endpoints(e).expect("edge from the graph");
    let w = &p.graph[e];
    let (direction, other) = if a == me { ("out", b) } else { ("in", a) };
    Link {
        relation: w.kind.name().to_owned(),
        direction: direction.to_owned(),
        other: node_ref(p, other),
        date: w.date.clone(),
        amount_usd: w.amount_usd,
        amount_scope: w.amount_scope,
        stake: w.stake,
        detail: w.detail.clone(),
        lead: w.lead,
        event: w.event.clone(),
        sources: w.sources.clone(),
    }
}

/// The profile of `node`, or `None` when the projection has no such node.
pub fn profile(p: &Projection, node: NodeIndex) -> Option<Profile> {
    let n = p.graph.node_weight(node)?;
    let mut out = Profile {
        entity: node_ref(p, node),
        types: n.types.clone(),
        aliases: n.aliases.clone(),
        country: country_of(p, node),
        technologies: Vec::new(),
        products: Vec::new(),
        investments_in: Vec::new(),
        investments_out: Vec::new(),
        owners: Vec::new(),
        holdings: Vec::new(),
        memberships: Vec::new(),
        partners: Vec::new(),
        other: Vec::new(),
        sources: Vec::new(),
    };
    let mut techs: BTreeSet<NodeIndex> = BTreeSet::new();
    let mut seen_partners: BTreeSet<(NodeIndex, Option<String>)> = BTreeSet::new();
    // Sources of the facts shown without a link row: the country, technologies and products.
    let mut plain_sources: BTreeSet<&String> = BTreeSet::new();
    let mut edges: Vec<_> = p
        .graph
        .edges_directed(node, Direction::Outgoing)
        .chain(p.graph.edges_directed(node, Direction::Incoming))
        .map(|e| e.id())
        .collect();
    edges.sort();
    for e in edges {
        let (a, b) = p.graph.edge_endpoints(e).expect("edge");
        let out_edge = a == node;
        let kind = p.graph[e].kind;
        if out_edge && matches!(kind, EdgeKind::UsesTechnology | EdgeKind::Develops | EdgeKind::LocatedIn) {
            plain_sources.extend(p.graph[e].sources.iter());
        }
        match (kind, out_edge) {
            (EdgeKind::UsesTechnology, true) => {
                techs.insert(b);
            }
            (EdgeKind::Develops, true) => {
                out.products.push(node_ref(p, b));
                for t in p.graph.edges_directed(b, Direction::Outgoing) {
                    if t.weight().kind == EdgeKind::UsesTechnology {
                        techs.insert(t.target());
                    }
                }
            }
            (EdgeKind::LocatedIn, true) => {}
            (EdgeKind::InvestsIn, false) | (EdgeKind::Acquires, false) => out.investments_in.push(link(p, e, node)),
            (EdgeKind::InvestsIn, true) | (EdgeKind::Acquires, true) => out.investments_out.push(link(p, e, node)),
            (EdgeKind::HoldsStakeIn, false) | (EdgeKind::SubsidiaryOf, true) => out.owners.push(link(p, e, node)),
            (EdgeKind::HoldsStakeIn, true) | (EdgeKind::SubsidiaryOf, false) => out.holdings.push(link(p, e, node)),
            (EdgeKind::MemberOf, _) => out.memberships.push(link(p, e, node)),
            (EdgeKind::PartnersWith, _) => {
                let other = if out_edge { b } else { a };
                if seen_partners.insert((other, p.graph[e].event.clone())) {
                    out.partners.push(link(p, e, node));
                }
            }
            _ => out.other.push(link(p, e, node)),
        }
    }
    let by_date = |l: &Link| (l.date.clone().unwrap_or_default(), l.other.label.clone());
    for list in [
        &mut out.investments_in,
        &mut out.investments_out,
        &mut out.owners,
        &mut out.holdings,
        &mut out.memberships,
        &mut out.partners,
        &mut out.other,
    ] {
        list.sort_by_key(by_date);
    }
    out.products.sort_by(|x, y| x.label.cmp(&y.label));
    out.technologies = techs.into_iter().map(|t| (node_ref(p, t), p.graph[t].layer)).collect();
    out.technologies.sort_by(|x, y| (x.1, &x.0.label).cmp(&(y.1, &y.0.label)));
    let cited: BTreeSet<&String> = [
        &out.investments_in,
        &out.investments_out,
        &out.owners,
        &out.holdings,
        &out.memberships,
        &out.partners,
        &out.other,
    ]
    .into_iter()
    .flat_map(|l| l.iter().flat_map(|x| x.sources.iter()))
    .chain(plain_sources)
    .collect();
    out.sources = cited
        .into_iter()
        .map(|s| p.sources.get(s).cloned().unwrap_or_else(|| SourceRef { iri: s.clone(), ..SourceRef::default() }))
        .collect();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Edge, Node, NodeKind};

    fn fixture() -> Projection {
        let mut p = Projection::new();
        for (iri, kind) in [
            ("z", NodeKind::Organization),
            ("sb", NodeKind::Organization),
            ("fund", NodeKind::Organization),
            ("app", NodeKind::Product),
            ("t", NodeKind::Technology),
            ("kr", NodeKind::Country),
        ] {
            p.add_node(Node::new(iri, kind, &iri.to_uppercase()));
        }
        p.node_mut("t").unwrap().layer = Some(1);
        p.node_mut("kr").unwrap().country = Some("KR".into());
        let mut inv = Edge::new(EdgeKind::InvestsIn);
        inv.amount_usd = Some(150e6);
        inv.date = Some("2021-11-01".into());
        inv.sources = vec!["s1".into()];
        p.add_edge("fund", "z", inv);
        p.add_edge("fund", "sb", Edge::new(EdgeKind::SubsidiaryOf));
        p.add_edge("z", "app", Edge::new(EdgeKind::Develops));
        p.add_edge("app", "t", Edge::new(EdgeKind::UsesTechnology));
        let mut located = Edge::new(EdgeKind::LocatedIn);
        located.sources = vec!["s2".into()];
        p.add_edge("z", "kr", located);
        p.sources.insert("s1".into(), SourceRef { iri: "s1".into(), title: Some("T".into()), ..SourceRef::default() });
        p
    }

    #[test]
    fn an_amount_that_is_not_the_round_s_size_says_so() {
        let mut p = fixture();
        let mut share = Edge::new(EdgeKind::InvestsIn);
        share.amount_usd = Some(12.5e6);
        share.amount_scope = AmountScope::ParticipantShare;
        p.add_edge("sb", "z", share);
        let pr = profile(&p, p.node("z").unwrap()).unwrap();
        let text = |l: &Link| l.amount_text(|v| v.map(|x| format!("{x}")).unwrap_or_default());
        let got: Vec<(String, String)> = pr.investments_in.iter().map(|l| (l.other.iri.clone(), text(l))).collect();
        assert_eq!(
            got,
            [("sb".to_owned(), "12500000 (own share)".to_owned()), ("fund".to_owned(), "150000000".to_owned())]
        );
        let several = Link { amount_scope: AmountScope::CumulativeTotal, ..pr.investments_in[1].clone() };
        assert_eq!(text(&several), "150000000 (several rounds)");
        let none = Link { amount_usd: None, ..several };
        assert_eq!(text(&none), "");
    }

    #[test]
    fn profile_of_an_investee() {
        let p = fixture();
        let pr = profile(&p, p.node("z").unwrap()).unwrap();
        assert_eq!(pr.country.as_deref(), Some("KR"));
        assert_eq!(pr.products.iter().map(|n| n.iri.as_str()).collect::<Vec<_>>(), ["app"]);
        assert_eq!(pr.technologies.len(), 1);
        assert_eq!((pr.technologies[0].0.iri.as_str(), pr.technologies[0].1), ("t", Some(1)));
        assert_eq!(pr.investments_in.len(), 1);
        let l = &pr.investments_in[0];
        assert_eq!((l.relation.as_str(), l.direction.as_str(), l.other.iri.as_str()), ("invests-in", "in", "fund"));
        assert_eq!(l.amount_usd, Some(150e6));
        // The sources of the round and of the country (a source the projection has no record of keeps its IRI).
        assert_eq!(
            pr.sources,
            vec![
                SourceRef { iri: "s1".into(), title: Some("T".into()), ..SourceRef::default() },
                SourceRef { iri: "s2".into(), ..SourceRef::default() }
            ]
        );
        assert!(pr.investments_out.is_empty() && pr.owners.is_empty());
    }

    #[test]
    fn profile_of_a_fund() {
        let p = fixture();
        let pr = profile(&p, p.node("fund").unwrap()).unwrap();
        assert_eq!(pr.investments_out.len(), 1);
        assert_eq!(pr.owners.len(), 1, "the parent of a fund is its owner");
        assert_eq!(pr.owners[0].other.iri, "sb");
        let sb = profile(&p, p.node("sb").unwrap()).unwrap();
        assert_eq!(sb.holdings.iter().map(|l| l.other.iri.as_str()).collect::<Vec<_>>(), ["fund"]);
        assert!(profile(&p, petgraph::stable_graph::NodeIndex::new(99)).is_none());
    }
}
