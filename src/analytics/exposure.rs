//! What an investor is exposed to: its holdings, direct and looked through, and their technologies, value-chain
//! layers and countries.
//!
//! Direct holdings are the targets of the investor's own `InvestsIn`, `HoldsStakeIn` and `Acquires` edges.
//! Look-through holdings are those of the entities the investor controls: its subsidiaries and funds (nodes with a
//! `SubsidiaryOf` edge pointing to it, recursively) and the companies it acquired or holds a majority stake in
//! (at least [`ExposureConfig::control_threshold`] percent), recursively. The walk is breadth-first, visits each
//! entity once (so ownership cycles are harmless) and stops at [`ExposureConfig::max_depth`] hops. Every holding
//! carries the chains of hops that produce it, so each line of the answer can be traced back to its edges and their
//! sources. Acquisitions whose status says they did not happen (cancelled, terminated, withdrawn, abandoned,
//! blocked) are ignored.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use super::paths::Hop;
use super::{country_of, node_ref, NodeRef};
use crate::graph::{Edge, EdgeKind, Projection};

/// Names of the value-chain layers, by rank (1 Experience … 7 Infrastructure).
pub use crate::graph::LAYERS;

/// The name of a layer rank, or "Layer N" outside 1..=7.
pub fn layer_name(rank: u8) -> String {
    match LAYERS.get(usize::from(rank).wrapping_sub(1)) {
        Some(name) => (*name).to_owned(),
        None => format!("Layer {rank}"),
    }
}

/// How deep and on what terms to look through.
#[derive(Clone, Debug, PartialEq)]
pub struct ExposureConfig {
    /// Longest chain from the investor to a holding, in hops.
    pub max_depth: usize,
    /// Stake (percent) from which a held company counts as controlled and is looked through.
    pub control_threshold: f64,
}

impl Default for ExposureConfig {
    fn default() -> ExposureConfig {
        ExposureConfig { max_depth: 4, control_threshold: 50.0 }
    }
}

/// An entity the investor controls, and the shortest chain of control to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vehicle {
    pub entity: NodeRef,
    pub chain: Vec<Hop>,
}

/// A company the investor holds, directly or through a vehicle.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Holding {
    pub company: NodeRef,
    pub country: Option<String>,
    /// Held through an edge out of the investor itself.
    pub direct: bool,
    /// Controlled too (acquired, or a majority stake), hence looked through.
    pub controlled: bool,
    /// Every chain producing the holding (one per holding edge), shortest first.
    pub chains: Vec<Vec<Hop>>,
    /// Technologies the company uses, itself or through the products it develops, by label.
    pub technologies: Vec<NodeRef>,
}

/// A company in a bucket, with the shortest chain that holds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BucketMember {
    pub company: NodeRef,
    pub chain: Vec<Hop>,
}

/// Holdings grouped by a technology, a layer or a country.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bucket {
    /// Technology IRI, layer rank or country code.
    pub key: String,
    /// Technology label, layer name or country code.
    pub label: String,
    /// Number of distinct companies.
    pub companies: usize,
    /// The companies, by label.
    pub members: Vec<BucketMember>,
}

/// The exposure of one investor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exposure {
    pub investor: NodeRef,
    /// Controlled entities, by chain length then label.
    pub vehicles: Vec<Vehicle>,
    /// Held companies: direct ones first, then by shortest chain, then label.
    pub holdings: Vec<Holding>,
    /// Buckets by companies descending, then label.
    pub by_technology: Vec<Bucket>,
    pub by_layer: Vec<Bucket>,
    pub by_country: Vec<Bucket>,
}

/// True when an acquisition's status says it did not complete.
fn void_acquisition(edge: &Edge) -> bool {
    let status = edge.detail.as_deref().unwrap_or_default().to_lowercase();
    ["cancel", "terminat", "withdr", "abandon", "block"].iter().any(|w| status.contains(w))
}

/// True for edges that make their target a holding.
fn holds(edge: &Edge) -> bool {
    match edge.kind {
        EdgeKind::InvestsIn | EdgeKind::HoldsStakeIn => true,
        EdgeKind::Acquires => !void_acquisition(edge),
        _ => false,
    }
}

/// The exposure of `investor`, or `None` when the node is unknown.
pub fn exposure(p: &Projection, investor: NodeIndex, cfg: &ExposureConfig) -> Option<Exposure> {
    let investor_ref = NodeRef::of(p, investor)?;
    // Controlled entities, breadth-first, each with its shortest chain of control (steps tried in edge order).
    let mut control: HashMap<NodeIndex, Vec<Hop>> = HashMap::from([(investor, Vec::new())]);
    let mut order = vec![investor];
    let mut frontier = vec![investor];
    for _ in 0..cfg.max_depth {
        let mut next = Vec::new();
        for &x in &frontier {
            let mut steps: Vec<Hop> = Vec::new();
            for e in p.graph.edges_directed(x, Direction::Incoming) {
                if e.weight().kind == EdgeKind::SubsidiaryOf {
                    steps.push(Hop { edge: e.id(), from: x, to: e.source(), forward: false });
                }
            }
            for e in p.graph.edges_directed(x, Direction::Outgoing) {
                let w = e.weight();
                let controls = match w.kind {
                    EdgeKind::Acquires => !void_acquisition(w),
                    EdgeKind::HoldsStakeIn => w.stake.is_some_and(|s| s >= cfg.control_threshold),
                    _ => false,
                };
                if controls {
                    steps.push(Hop { edge: e.id(), from: x, to: e.target(), forward: true });
                }
            }
            steps.sort_by_key(|h| h.edge);
            for h in steps {
                if !control.contains_key(&h.to) {
                    let mut chain = control[&x].clone();
                    chain.push(h);
                    control.insert(h.to, chain);
                    next.push(h.to);
                    order.push(h.to);
                }
            }
        }
        frontier = next;
    }
    // Holdings: edges out of every controlled entity whose chain leaves room for one more hop.
    let mut chains: BTreeMap<NodeIndex, Vec<Vec<Hop>>> = BTreeMap::new();
    for &x in &order {
        let base = &control[&x];
        if base.len() >= cfg.max_depth {
            continue;
        }
        for e in p.graph.edges_directed(x, Direction::Outgoing) {
            if holds(e.weight()) && e.target() != investor {
                let mut chain = base.clone();
                chain.push(Hop { edge: e.id(), from: x, to: e.target(), forward: true });
                chains.entry(e.target()).or_default().push(chain);
            }
        }
    }
    let mut holdings: Vec<Holding> = chains
        .into_iter()
        .map(|(c, mut chains)| {
            chains.sort_by(|a, b| {
                a.len().cmp(&b.len()).then_with(|| a.iter().map(|h| h.edge).cmp(b.iter().map(|h| h.edge)))
            });
            Holding {
                company: node_ref(p, c),
                country: country_of(p, c),
                direct: chains.iter().any(|ch| ch.len() == 1),
                controlled: control.contains_key(&c),
                chains,
                technologies: technologies(p, c).into_iter().map(|t| node_ref(p, t)).collect(),
            }
        })
        .collect();
    holdings.sort_by(|a, b| {
        (!a.direct, a.chains[0].len(), &a.company.label, &a.company.iri).cmp(&(
            !b.direct,
            b.chains[0].len(),
            &b.company.label,
            &b.company.iri,
        ))
    });
    let mut vehicles: Vec<Vehicle> = control
        .into_iter()
        .filter(|(n, _)| *n != investor)
        .map(|(n, chain)| Vehicle { entity: node_ref(p, n), chain })
        .collect();
    vehicles.sort_by(|a, b| {
        (a.chain.len(), &a.entity.label, &a.entity.iri).cmp(&(b.chain.len(), &b.entity.label, &b.entity.iri))
    });
    let by_technology =
        buckets(&holdings, |h| h.technologies.iter().map(|t| (t.iri.clone(), t.label.clone())).collect());
    let by_layer = buckets(&holdings, |h| {
        h.technologies.iter().filter_map(|t| p.graph[t.node].layer).map(|l| (l.to_string(), layer_name(l))).collect()
    });
    let by_country = buckets(&holdings, |h| h.country.iter().map(|c| (c.clone(), c.clone())).collect());
    Some(Exposure { investor: investor_ref, vehicles, holdings, by_technology, by_layer, by_country })
}

/// The technologies a company uses: its own `UsesTechnology` targets and those of the products it `Develops`.
/// Sorted by label, distinct.
pub fn technologies(p: &Projection, company: NodeIndex) -> Vec<NodeIndex> {
    let uses = |n: NodeIndex| {
        p.graph
            .edges_directed(n, Direction::Outgoing)
            .filter(|e| e.weight().kind == EdgeKind::UsesTechnology)
            .map(|e| e.target())
    };
    let products = p
        .graph
        .edges_directed(company, Direction::Outgoing)
        .filter(|e| e.weight().kind == EdgeKind::Develops)
        .map(|e| e.target());
    let all: BTreeSet<NodeIndex> = uses(company).chain(products.flat_map(uses)).collect();
    let mut v: Vec<NodeIndex> = all.into_iter().collect();
    v.sort_by(|a, b| super::by_label(p, *a, *b));
    v
}

/// Groups holdings by the (key, label) pairs `keys` gives each one.
fn buckets(holdings: &[Holding], keys: impl Fn(&Holding) -> BTreeSet<(String, String)>) -> Vec<Bucket> {
    let mut groups: BTreeMap<(String, String), Vec<BucketMember>> = BTreeMap::new();
    for h in holdings {
        for key in keys(h) {
            groups
                .entry(key)
                .or_default()
                .push(BucketMember { company: h.company.clone(), chain: h.chains[0].clone() });
        }
    }
    let mut out: Vec<Bucket> = groups
        .into_iter()
        .map(|((key, label), mut members)| {
            members.sort_by(|a, b| (&a.company.label, &a.company.iri).cmp(&(&b.company.label, &b.company.iri)));
            Bucket { key, label, companies: members.len(), members }
        })
        .collect();
    out.sort_by(|a, b| b.companies.cmp(&a.companies).then_with(|| (&a.label, &a.key).cmp(&(&b.label, &b.key))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{ix, Fx};
    use crate::graph::NodeKind;
    use EdgeKind::*;

    /// ```text
    ///   fund ─subsidiary-of─▶ inv ;  sub2 ─subsidiary-of─▶ fund
    ///   inv ─invests─▶ c1 (two rounds)        c1: uses t1 (layer 7), KR
    ///   fund ─invests─▶ c2                    c2: develops p2, p2 uses t2 (layer 1); located in us (US)
    ///   sub2 ─30% stake─▶ c3                  c3: uses t1, KR
    ///   inv ─acquires─▶ acq ─invests─▶ c4     acq: uses t2, US;  c4: nothing known
    ///   acq ─100% stake─▶ inv                 (a cycle back to the investor: ignored)
    ///   inv ─60% stake─▶ maj ─10% stake─▶ c5  maj: JP
    ///   inv ─20% stake─▶ minor ─invests─▶ c6  (minority: minor is held, c6 is not looked through)
    ///   inv ─acquires (cancelled)─▶ dead      (ignored)
    ///   c1 ─invests─▶ inv                     (the investor is never its own holding)
    /// ```
    fn group() -> Projection {
        let mut cancelled = Edge::new(Acquires);
        cancelled.detail = Some("Cancelled".into());
        Fx::new()
            .orgs(&["inv", "fund", "sub2", "c1", "c2", "c3", "c4", "c5", "c6", "acq", "maj", "minor", "dead"])
            .node("p2", NodeKind::Product, "P2")
            .tech("t1", 7)
            .tech("t2", 1)
            .node("us", NodeKind::Country, "United States")
            .country("us", "US")
            .country("c1", "KR")
            .country("c3", "KR")
            .country("acq", "US")
            .country("maj", "JP")
            .edge("fund", "inv", SubsidiaryOf)
            .edge("sub2", "fund", SubsidiaryOf)
            .edge("inv", "c1", InvestsIn)
            .edge("inv", "c1", InvestsIn)
            .edge("fund", "c2", InvestsIn)
            .stake("sub2", "c3", 30.0)
            .edge("inv", "acq", Acquires)
            .edge("acq", "c4", InvestsIn)
            .stake("acq", "inv", 100.0)
            .stake("inv", "maj", 60.0)
            .stake("maj", "c5", 10.0)
            .stake("inv", "minor", 20.0)
            .edge("minor", "c6", InvestsIn)
            .full("inv", "dead", cancelled)
            .edge("c1", "inv", InvestsIn)
            .edge("c1", "t1", UsesTechnology)
            .edge("c2", "p2", Develops)
            .edge("p2", "t2", UsesTechnology)
            .edge("c2", "us", LocatedIn)
            .edge("c3", "t1", UsesTechnology)
            .edge("acq", "t2", UsesTechnology)
            .done()
    }

    /// A chain as "inv>acq>c4", `<` marking a hop walked against its edge (up a subsidiary link).
    fn show(p: &Projection, chain: &[Hop]) -> String {
        let mut s = p.graph[chain[0].from].iri.clone();
        for h in chain {
            s.push(if h.forward { '>' } else { '<' });
            s.push_str(&p.graph[h.to].iri);
        }
        s
    }

    fn check_holdings(p: &Projection, investor: &str, cfg: &ExposureConfig, expected: &[(&str, bool, bool, &[&str])]) {
        let x = exposure(p, ix(p, investor), cfg).unwrap();
        let got: Vec<(String, bool, bool, Vec<String>)> = x
            .holdings
            .iter()
            .map(|h| (h.company.iri.clone(), h.direct, h.controlled, h.chains.iter().map(|c| show(p, c)).collect()))
            .collect();
        let want: Vec<(String, bool, bool, Vec<String>)> = expected
            .iter()
            .map(|(c, d, k, ch)| (c.to_string(), *d, *k, ch.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(got, want, "holdings of {investor}, {cfg:?}");
    }

    #[test]
    fn holdings_and_chains() {
        let p = group();
        // Direct first (acq, c1 with its two rounds, maj, minor, by label), then through one vehicle (c2 via the
        // fund, c4 via acq, c5 via maj), then two (c3 via fund and sub2). c6 (behind a minority stake), dead
        // (cancelled) and inv itself are absent.
        check_holdings(
            &p,
            "inv",
            &ExposureConfig::default(),
            &[
                ("acq", true, true, &["inv>acq"]),
                ("c1", true, false, &["inv>c1", "inv>c1"]),
                ("maj", true, true, &["inv>maj"]),
                ("minor", true, false, &["inv>minor"]),
                ("c2", false, false, &["inv<fund>c2"]),
                ("c4", false, false, &["inv>acq>c4"]),
                ("c5", false, false, &["inv>maj>c5"]),
                ("c3", false, false, &["inv<fund<sub2>c3"]),
            ],
        );
        // Depth 2 cuts c3 (three hops).
        let shallow = ExposureConfig { max_depth: 2, ..ExposureConfig::default() };
        let x = exposure(&p, ix(&p, "inv"), &shallow).unwrap();
        assert!(x.holdings.iter().all(|h| h.company.iri != "c3"));
        assert_eq!(x.holdings.len(), 7);
        // A lower control threshold looks through the 20% stake and reaches c6.
        let loose = ExposureConfig { control_threshold: 20.0, ..ExposureConfig::default() };
        let x = exposure(&p, ix(&p, "inv"), &loose).unwrap();
        assert!(x.holdings.iter().any(|h| h.company.iri == "c6" && show(&p, &h.chains[0]) == "inv>minor>c6"));
        // From the fund: only what the fund and sub2 hold.
        check_holdings(
            &p,
            "fund",
            &ExposureConfig::default(),
            &[("c2", true, false, &["fund>c2"]), ("c3", false, false, &["fund<sub2>c3"])],
        );
        check_holdings(&p, "c6", &ExposureConfig::default(), &[]);
    }

    #[test]
    fn vehicles() {
        let p = group();
        let x = exposure(&p, ix(&p, "inv"), &ExposureConfig::default()).unwrap();
        let got: Vec<String> = x.vehicles.iter().map(|v| show(&p, &v.chain)).collect();
        assert_eq!(got, ["inv>acq", "inv<fund", "inv>maj", "inv<fund<sub2"]);
    }

    fn summary(buckets: &[Bucket]) -> Vec<(String, String, usize, Vec<String>)> {
        buckets
            .iter()
            .map(|b| {
                (b.key.clone(), b.label.clone(), b.companies, b.members.iter().map(|m| m.company.iri.clone()).collect())
            })
            .collect()
    }

    fn rows(v: &[(&str, &str, usize, &[&str])]) -> Vec<(String, String, usize, Vec<String>)> {
        v.iter()
            .map(|(k, l, n, m)| (k.to_string(), l.to_string(), *n, m.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn aggregates() {
        let p = group();
        let x = exposure(&p, ix(&p, "inv"), &ExposureConfig::default()).unwrap();
        // t1: c1, c3; t2: acq (itself) and c2 (through its product p2). Ties by label.
        assert_eq!(summary(&x.by_technology), rows(&[("t1", "T1", 2, &["c1", "c3"]), ("t2", "T2", 2, &["acq", "c2"])]));
        // Layer 1 (t2) and layer 7 (t1), two companies each; Experience before Infrastructure.
        assert_eq!(
            summary(&x.by_layer),
            rows(&[("1", "Experience", 2, &["acq", "c2"]), ("7", "Infrastructure", 2, &["c1", "c3"])])
        );
        // KR: c1, c3; US: acq (own field), c2 (located in us); JP: maj. c4, c5, minor have no country.
        assert_eq!(
            summary(&x.by_country),
            rows(&[("KR", "KR", 2, &["c1", "c3"]), ("US", "US", 2, &["acq", "c2"]), ("JP", "JP", 1, &["maj"])])
        );
        // The bucket carries the shortest chain of each member.
        let c3 = &x.by_technology[0].members[1];
        assert_eq!(show(&p, &c3.chain), "inv<fund<sub2>c3");
    }

    /// inv acquires d1, d1 acquires d2, … d5 acquires d6, and d3 acquires d1 (a cycle).
    #[test]
    fn depth_limit_and_cycles() {
        let p = Fx::new()
            .orgs(&["inv", "d1", "d2", "d3", "d4", "d5", "d6"])
            .chain(&["inv", "d1", "d2", "d3", "d4", "d5", "d6"], Acquires)
            .edge("d3", "d1", Acquires)
            .done();
        let depth = |max_depth| {
            let x = exposure(&p, ix(&p, "inv"), &ExposureConfig { max_depth, ..ExposureConfig::default() }).unwrap();
            x.holdings.iter().map(|h| (h.company.iri.clone(), h.chains.len())).collect::<Vec<_>>()
        };
        // d1 is held twice: by inv (1 hop) and by d3 (4 hops: inv>d1>d2>d3>d1 is not loopless but it is a real
        // chain of control ending in a holding edge; it is reported, and d1 is not walked again).
        assert_eq!(depth(4), [("d1".to_owned(), 2), ("d2".to_owned(), 1), ("d3".to_owned(), 1), ("d4".to_owned(), 1)]);
        assert_eq!(depth(1), [("d1".to_owned(), 1)]);
        assert_eq!(depth(0), []);
    }

    #[test]
    fn unknown_investor_and_layer_names() {
        let p = group();
        assert_eq!(exposure(&p, NodeIndex::new(999), &ExposureConfig::default()), None);
        assert_eq!(layer_name(1), "Experience");
        assert_eq!(layer_name(7), "Infrastructure");
        assert_eq!(layer_name(0), "Layer 0");
        assert_eq!(layer_name(9), "Layer 9");
    }
}
