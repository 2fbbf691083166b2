//! Random but reproducible ecosystem graphs, for benchmarks and scale tests.
//!
//! [`synthetic`] builds a projection of a requested size shaped like the real one: about 1% of the nodes are
//! technologies (spread over the seven value-chain layers), the rest organisations, a tenth of which act as
//! investors and are picked with a strong skew (a few very active funds, many occasional ones). About 80% of the
//! edges are `InvestsIn`, grouped into rounds of one to four investors sharing an event IRI, a date and (nine times
//! in ten) an amount; the rest are `UsesTechnology` edges from organisations. The generator is a xorshift64* so the
//! same seed always gives the same graph, on every platform.

use crate::graph::{Edge, EdgeKind, Node, NodeKind, Projection};

const BASE: &str = "https://mvkg.example/synthetic/";
const COUNTRIES: [&str; 10] = ["US", "KR", "CN", "JP", "GB", "DE", "FR", "IN", "CA", "SG"];

/// xorshift64*: small, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let s = seed ^ 0x9E37_79B9_7F4A_7C15;
        Rng(if s == 0 { 1 } else { s })
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A graph of exactly `nodes` nodes and `edges` edges (no edges when there are fewer than two organisations or
/// no technology to point at), the same for the same seed.
pub fn synthetic(nodes: usize, edges: usize, seed: u64) -> Projection {
    let mut rng = Rng::new(seed);
    let mut p = Projection::new();
    let techs = if nodes >= 2 { (nodes / 100).max(1) } else { 0 };
    let orgs = nodes - techs;
    let investors = (orgs / 10).max(1);
    let mut org_ix = Vec::with_capacity(orgs);
    for i in 0..orgs {
        let mut n = Node::new(&format!("{BASE}org/{i}"), NodeKind::Organization, &format!("Org {i}"));
        n.types = vec![if i < investors { "Investor" } else { "Company" }.to_owned()];
        n.country = Some(COUNTRIES[rng.below(COUNTRIES.len())].to_owned());
        org_ix.push(p.add_node(n));
    }
    let mut tech_ix = Vec::with_capacity(techs);
    for i in 0..techs {
        let mut n = Node::new(&format!("{BASE}tech/{i}"), NodeKind::Technology, &format!("Technology {i}"));
        n.layer = Some(1 + (i % 7) as u8);
        tech_ix.push(p.add_node(n));
    }
    if orgs < 2 || techs == 0 {
        return p;
    }
    let mut added = 0;
    let mut round = 0usize;
    while added < edges {
        if rng.below(5) == 0 {
            let from = org_ix[rng.below(orgs)];
            let to = tech_ix[rng.below(techs)];
            p.graph.add_edge(from, to, Edge::new(EdgeKind::UsesTechnology));
            added += 1;
            continue;
        }
        let investee = org_ix[rng.below(orgs)];
        let size = (1 + rng.below(4)).min(edges - added);
        let event = format!("{BASE}event/{round}");
        let amount = (rng.below(10) != 0).then(|| 1e5 * (1 + rng.below(10_000)) as f64);
        let date = format!("{}-{:02}-{:02}", 2010 + rng.below(15), 1 + rng.below(12), 1 + rng.below(28));
        for k in 0..size {
            let u = rng.unit();
            let investor = org_ix[(u * u * investors as f64) as usize];
            let mut e = Edge::new(EdgeKind::InvestsIn);
            e.event = Some(event.clone());
            e.amount_usd = amount;
            e.date = Some(date.clone());
            e.lead = k == 0;
            e.detail = Some("Series A".to_owned());
            p.graph.add_edge(investor, investee, e);
            added += 1;
        }
        round += 1;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::visit::{EdgeRef, IntoEdgeReferences};
    use std::collections::HashMap;

    fn check_size(nodes: usize, edges: usize, want_nodes: usize, want_edges: usize) {
        let p = synthetic(nodes, edges, 7);
        assert_eq!((p.node_count(), p.edge_count()), (want_nodes, want_edges), "synthetic({nodes}, {edges})");
    }

    #[test]
    fn sizes() {
        check_size(1000, 5000, 1000, 5000);
        check_size(3, 3, 3, 3);
        check_size(2, 3, 2, 0);
        check_size(1, 10, 1, 0);
        check_size(0, 10, 0, 0);
        check_size(500, 0, 500, 0);
    }

    #[test]
    fn same_seed_same_graph() {
        let edges = |seed| {
            let p = synthetic(300, 900, seed);
            p.graph.edge_references().map(|e| (e.source(), e.target(), e.weight().clone())).collect::<Vec<_>>()
        };
        assert_eq!(edges(1), edges(1));
        assert_ne!(edges(1), edges(2));
    }

    #[test]
    fn rounds_share_event_date_amount_and_have_one_lead() {
        let p = synthetic(1000, 4000, 3);
        let mut rounds: HashMap<&str, Vec<&Edge>> = HashMap::new();
        for e in p.graph.edge_references() {
            if e.weight().kind == EdgeKind::InvestsIn {
                rounds.entry(e.weight().event.as_deref().unwrap()).or_default().push(e.weight());
            } else {
                assert_eq!(p.graph[e.target()].kind, NodeKind::Technology);
            }
        }
        assert!(rounds.len() > 100);
        for edges in rounds.values() {
            assert!((1..=4).contains(&edges.len()));
            assert_eq!(edges.iter().filter(|e| e.lead).count(), 1);
            assert!(edges.iter().all(|e| e.date == edges[0].date && e.amount_usd == edges[0].amount_usd));
        }
    }
}
