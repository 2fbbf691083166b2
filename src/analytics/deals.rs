//! The deal edges of a projection as one flat table, and what the investment questions read of the rest.
//!
//! The capital ranking and the co-investor list read a handful of fields of a few kinds of edges: who invested,
//! in which round, how much, whether they led. [`Deals`] is that table, numbered by round, and [`View`] is the
//! little else they need (node names, kind and types; the event IRI and date of an edge). Both can be taken from a
//! [`Projection`] in memory or straight from the columns of a persisted one ([`Columns`]) without building the
//! graph, which is what makes these questions cheap from a cold process; the answers are the same either way
//! (tested). A long-lived process (the server) keeps a [`Deals::indexed`] table, which finds an investor's deals,
//! a company's investors and a round's investors without scanning.

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use super::FastMap;
use crate::graph::persist::Columns;
use crate::graph::{AmountScope, EdgeKind, NodeKind, Projection};

/// One deal edge: an investor's part in a round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deal {
    pub kind: EdgeKind,
    /// Node index of the investor (the edge's source).
    pub investor: u32,
    /// Node index of the investee (the edge's target).
    pub target: u32,
    /// The round, numbered from 0 in order of first appearance: the edges of one event share it, an edge without
    /// an event is a round of its own.
    pub round: u32,
    /// The edge, for [`View::event`] and [`View::date`].
    pub edge: u32,
    /// Whether the edge belongs to an event (only such rounds can be shared).
    pub has_event: bool,
    pub amount_usd: Option<f64>,
    /// What `amount_usd` measures: a participant's share is this investor's own, a cumulative total no round's.
    pub scope: AmountScope,
    pub lead: bool,
}

/// The deal edges of chosen kinds, in edge index order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deals {
    pub deals: Vec<Deal>,
    /// Number of rounds: every [`Deal::round`] is below it.
    pub rounds: usize,
    index: Option<Index>,
}

/// Positions in [`Deals::deals`] grouped by investor, by investee and by round (each group in deal order).
#[derive(Clone, Debug, Default, PartialEq)]
struct Index {
    investor_start: Vec<usize>,
    by_investor: Vec<u32>,
    target_start: Vec<usize>,
    by_target: Vec<u32>,
    round_start: Vec<usize>,
    by_round: Vec<u32>,
}

/// Groups `0..n` by `key` (below `groups`): (start of each group, members in order).
fn group(n: usize, groups: usize, key: impl Fn(usize) -> usize) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; groups + 1];
    for i in 0..n {
        start[key(i) + 1] += 1;
    }
    for g in 0..groups {
        start[g + 1] += start[g];
    }
    let mut fill = start.clone();
    let mut members = vec![0u32; n];
    for i in 0..n {
        let k = key(i);
        members[fill[k]] = i as u32;
        fill[k] += 1;
    }
    (start, members)
}

impl Deals {
    /// The edges of `p` whose kind `keep` accepts.
    pub fn of(p: &Projection, keep: impl Fn(EdgeKind) -> bool) -> Deals {
        let mut ids: FastMap<&str, u32> = FastMap::default();
        let mut rounds = 0u32;
        let mut deals = Vec::new();
        for e in p.graph.edge_references() {
            let w = e.weight();
            if !keep(w.kind) {
                continue;
            }
            let round = match w.event.as_deref() {
                Some(event) => *ids.entry(event).or_insert_with(|| {
                    rounds += 1;
                    rounds - 1
                }),
                None => {
                    rounds += 1;
                    rounds - 1
                }
            };
            deals.push(Deal {
                kind: w.kind,
                investor: e.source().index() as u32,
                target: e.target().index() as u32,
                round,
                edge: e.id().index() as u32,
                has_event: w.event.is_some(),
                amount_usd: w.amount_usd,
                scope: w.amount_scope,
                lead: w.lead,
            });
        }
        Deals { deals, rounds: rounds as usize, index: None }
    }

    /// The same table read from a persisted projection's columns: rounds are numbered by the event's id in the
    /// file's string table (ids are unique per string), so no IRI is hashed or copied.
    pub fn from_columns(c: &Columns<'_>, keep: impl Fn(EdgeKind) -> bool + 'static) -> Deals {
        let mut ids = vec![u32::MAX; c.string_count()];
        let mut rounds = 0u32;
        let mut deals = Vec::new();
        for (edge, e) in c.edges(keep) {
            let round = match e.event_id {
                Some(id) => {
                    let slot = &mut ids[id as usize];
                    if *slot == u32::MAX {
                        *slot = rounds;
                        rounds += 1;
                    }
                    *slot
                }
                None => {
                    rounds += 1;
                    rounds - 1
                }
            };
            deals.push(Deal {
                kind: e.kind,
                investor: e.source,
                target: e.target,
                round,
                edge: edge as u32,
                has_event: e.event_id.is_some(),
                amount_usd: e.amount_usd,
                scope: e.amount_scope,
                lead: e.lead,
            });
        }
        Deals { deals, rounds: rounds as usize, index: None }
    }

    /// The table with its deals grouped by investor and by round, for a process that asks many questions of it.
    pub fn indexed(mut self, node_bound: usize) -> Deals {
        let d = &self.deals;
        let investors = d.iter().map(|x| x.investor as usize + 1).max().unwrap_or(0).max(node_bound);
        let targets = d.iter().map(|x| x.target as usize + 1).max().unwrap_or(0).max(node_bound);
        let (investor_start, by_investor) = group(d.len(), investors, |i| d[i].investor as usize);
        let (target_start, by_target) = group(d.len(), targets, |i| d[i].target as usize);
        let (round_start, by_round) = group(d.len(), self.rounds, |i| d[i].round as usize);
        self.index = Some(Index { investor_start, by_investor, target_start, by_target, round_start, by_round });
        self
    }

    /// The deals of `investor`, in deal order.
    pub fn of_investor(&self, investor: usize) -> impl Iterator<Item = &Deal> + '_ {
        let (positions, scan): (&[u32], bool) = match &self.index {
            Some(ix) if investor + 1 < ix.investor_start.len() => {
                (&ix.by_investor[ix.investor_start[investor]..ix.investor_start[investor + 1]], false)
            }
            Some(_) => (&[], false),
            None => (&[], true),
        };
        let scanned = self.deals.iter().filter(move |d| scan && d.investor as usize == investor);
        positions.iter().map(|&i| &self.deals[i as usize]).chain(scanned)
    }

    /// The deals whose investee is one of `targets` (sorted, distinct), target by target, each in deal order.
    pub fn of_targets(&self, targets: &[u32]) -> Vec<&Deal> {
        match &self.index {
            Some(ix) => targets
                .iter()
                .filter(|&&t| (t as usize) + 1 < ix.target_start.len())
                .flat_map(|&t| {
                    let t = t as usize;
                    ix.by_target[ix.target_start[t]..ix.target_start[t + 1]].iter().map(|&i| &self.deals[i as usize])
                })
                .collect(),
            None => {
                let mut found: Vec<&Deal> =
                    self.deals.iter().filter(|d| targets.binary_search(&d.target).is_ok()).collect();
                found.sort_by_key(|d| d.target);
                found
            }
        }
    }

    /// The deals of each of `rounds` (sorted, distinct), round by round, each in deal order.
    pub fn of_rounds(&self, rounds: &[u32]) -> Vec<&Deal> {
        match &self.index {
            Some(ix) => rounds
                .iter()
                .filter(|&&r| (r as usize) < self.rounds)
                .flat_map(|&r| {
                    let r = r as usize;
                    ix.by_round[ix.round_start[r]..ix.round_start[r + 1]].iter().map(|&i| &self.deals[i as usize])
                })
                .collect(),
            None => {
                // One pass in deal order, then grouped by round (a stable sort keeps deal order within a round).
                let mut member = vec![false; self.rounds];
                for &r in rounds {
                    if let Some(m) = member.get_mut(r as usize) {
                        *m = true;
                    }
                }
                let mut found: Vec<&Deal> = self.deals.iter().filter(|d| member[d.round as usize]).collect();
                found.sort_by_key(|d| d.round);
                found
            }
        }
    }
}

/// What the investment questions read besides the deal table, by node and edge index.
pub trait View {
    /// One past the largest node index.
    fn node_bound(&self) -> usize;
    /// Whether a node has this index.
    fn has(&self, node: usize) -> bool;
    fn iri(&self, node: usize) -> &str;
    fn label(&self, node: usize) -> &str;
    fn kind(&self, node: usize) -> NodeKind;
    /// Whether one of the node's ontology types is one of `wanted` (compared case-insensitively).
    fn has_type(&self, node: usize, wanted: &[String]) -> bool;
    /// The event IRI of an edge ([`Deal::edge`]).
    fn event(&self, edge: u32) -> Option<&str>;
    /// The date of an edge.
    fn date(&self, edge: u32) -> Option<&str>;

    /// The node for output.
    fn node_ref(&self, node: usize) -> super::NodeRef {
        super::NodeRef {
            node: NodeIndex::new(node),
            iri: self.iri(node).to_owned(),
            label: self.label(node).to_owned(),
            kind: self.kind(node),
        }
    }

    /// By label, then IRI: the tie-break every result list uses.
    fn by_label(&self, a: usize, b: usize) -> std::cmp::Ordering {
        self.label(a).cmp(self.label(b)).then_with(|| self.iri(a).cmp(self.iri(b)))
    }
}

fn wanted_type(types: impl IntoIterator<Item = impl AsRef<str>>, wanted: &[String]) -> bool {
    types.into_iter().any(|t| wanted.iter().any(|w| w.eq_ignore_ascii_case(t.as_ref())))
}

impl View for Projection {
    fn node_bound(&self) -> usize {
        self.graph.node_bound()
    }

    fn has(&self, node: usize) -> bool {
        self.graph.contains_node(NodeIndex::new(node))
    }

    fn iri(&self, node: usize) -> &str {
        self.graph.node_weight(NodeIndex::new(node)).map_or("", |n| n.iri.as_str())
    }

    fn label(&self, node: usize) -> &str {
        self.graph.node_weight(NodeIndex::new(node)).map_or("", |n| n.label.as_str())
    }

    fn kind(&self, node: usize) -> NodeKind {
        self.graph.node_weight(NodeIndex::new(node)).map_or(NodeKind::Organization, |n| n.kind)
    }

    fn has_type(&self, node: usize, wanted: &[String]) -> bool {
        self.graph.node_weight(NodeIndex::new(node)).is_some_and(|n| wanted_type(&n.types, wanted))
    }

    fn event(&self, edge: u32) -> Option<&str> {
        self.graph.edge_weight(EdgeIndex::new(edge as usize))?.event.as_deref()
    }

    fn date(&self, edge: u32) -> Option<&str> {
        self.graph.edge_weight(EdgeIndex::new(edge as usize))?.date.as_deref()
    }
}

impl View for Columns<'_> {
    fn node_bound(&self) -> usize {
        self.node_count()
    }

    fn has(&self, node: usize) -> bool {
        node < self.node_count()
    }

    fn iri(&self, node: usize) -> &str {
        Columns::iri(self, node)
    }

    fn label(&self, node: usize) -> &str {
        Columns::label(self, node)
    }

    fn kind(&self, node: usize) -> NodeKind {
        Columns::kind(self, node)
    }

    fn has_type(&self, node: usize, wanted: &[String]) -> bool {
        wanted_type(self.types(node), wanted)
    }

    fn event(&self, edge: u32) -> Option<&str> {
        self.edge_event(edge as usize)
    }

    fn date(&self, edge: u32) -> Option<&str> {
        self.edge_date(edge as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::coinvest::{cobackers, cobackers_of, coinvestors, coinvestors_of, DEAL_KINDS};
    use crate::analytics::fixtures::{invest_edge, ix, Fx};
    use crate::analytics::rank::{capital, capital_of, RankFilter, CAPITAL_KINDS};
    use crate::analytics::search::{resolve, resolve_in};
    use crate::graph::persist;
    use proptest::prelude::*;

    /// Two rounds shared by x and y (one led by x, one with two edges for y), a lone edge without an event, an
    /// acquisition by a consortium and a stake that is not a deal.
    fn market() -> Projection {
        Fx::new()
            .orgs(&["x", "y", "z", "c1", "c2", "c3"])
            .aliases("x", &["Ex Capital", "エックス"])
            .lead("x", "c1", "r1", Some(10e6), "2020-05-01")
            .invest("y", "c1", "r1", Some(12e6), "2020-05-03")
            .invest("y", "c2", "r2", None, "2021-01-01")
            .invest("y", "c2", "r2", Some(4e6), "2021-01-01")
            .invest("x", "c2", "r2", None, "2021-01-02")
            .full("z", "c3", invest_edge_without_event(Some(1e6)))
            .full("x", "c3", {
                let mut e = invest_edge("buy", Some(50e6), "2022-03-01", false);
                e.kind = EdgeKind::Acquires;
                e
            })
            .full("z", "c3", {
                let mut e = invest_edge("buy", None, "2022-02-01", false);
                e.kind = EdgeKind::Acquires;
                e
            })
            .stake("z", "c1", 5.0)
            .done()
    }

    fn invest_edge_without_event(amount: Option<f64>) -> crate::graph::Edge {
        let mut e = invest_edge("unused", amount, "2019-01-01", false);
        e.event = None;
        e
    }

    fn file(p: &Projection) -> Vec<u8> {
        persist::encode(p, 7, "g1")
    }

    #[test]
    fn rounds_are_numbered_by_first_appearance_from_both_sources() {
        let p = market();
        let bytes = file(&p);
        let c = persist::Columns::open(&bytes, 7, "g1").expect("columns");
        let keep = |k: EdgeKind| k == EdgeKind::InvestsIn;
        let (a, b) = (Deals::of(&p, keep), Deals::from_columns(&c, keep));
        assert_eq!(a, b);
        // r1, r2, then the lone edge: three rounds; the edges of r2 share round 1.
        assert_eq!(a.rounds, 3);
        assert_eq!(a.deals.iter().map(|d| d.round).collect::<Vec<_>>(), vec![0, 0, 1, 1, 1, 2]);
        assert_eq!((p.event(a.deals[0].edge), c.event(b.deals[0].edge)), (Some("r1"), Some("r1")));
        assert_eq!(p.date(a.deals[1].edge), Some("2020-05-03"));
        assert!(a.deals[0].lead);
        assert!(!a.deals[5].has_event);
        assert_eq!(p.event(a.deals[5].edge), None);
        assert_eq!(a.deals[5].amount_usd, Some(1e6));
    }

    #[test]
    fn capital_and_coinvestors_from_columns_equal_the_projection() {
        let p = market();
        let bytes = file(&p);
        let c = persist::Columns::open(&bytes, 7, "g1").expect("columns");
        let from_file =
            capital_of(&Deals::from_columns(&c, |k| CAPITAL_KINDS.contains(&k)), &c, &RankFilter::default());
        assert_eq!(from_file, capital(&p, &RankFilter::default()));
        // By hand: x joined r1 (led, $12M: the larger amount) and r2 ($4M, two investors): attributed 6 + 2 = 8M.
        let x = &from_file[0];
        assert_eq!((x.iri.as_str(), x.rounds, x.deals_led, x.attributed_usd), ("x", 2, 1, 8e6));
        let deals = Deals::from_columns(&c, |k| DEAL_KINDS.contains(&k));
        let indexed = Deals::of(&p, |k| DEAL_KINDS.contains(&k)).indexed(p.graph.node_bound());
        for n in ["x", "y", "z", "c1"] {
            let at = ix(&p, n);
            assert_eq!(coinvestors_of(&deals, &c, at.index(), None), coinvestors(&p, at), "co-investors of {n}");
            assert_eq!(coinvestors_of(&indexed, &p, at.index(), None), coinvestors(&p, at), "indexed, of {n}");
        }
        // x shares r1, r2 with y and the acquisition with z.
        let co = coinvestors(&p, ix(&p, "x"));
        let names: Vec<(&str, usize)> = co.iter().map(|c| (c.investor.iri.as_str(), c.shared)).collect();
        assert_eq!(names, vec![("y", 2), ("z", 1)]);
        assert_eq!(co[1].deals[0].date.as_deref(), Some("2022-02-01"));
        assert_eq!(co[1].deals[0].amount_usd, Some(50e6));
    }

    #[test]
    fn names_resolve_in_columns_as_in_the_projection() {
        let p = Fx::new()
            .orgs(&["https://w3id.org/mvkg/id/acme", "b", "twin1", "twin2"])
            .aliases("https://w3id.org/mvkg/id/acme", &["Acme  Corp", "Nïantic", "アクメ"])
            .aliases("twin1", &["Twin"])
            .aliases("twin2", &["twin"])
            .done();
        let bytes = file(&p);
        let c = persist::Columns::open(&bytes, 7, "g1").expect("columns");
        for name in [
            "https://w3id.org/mvkg/id/acme",
            "<https://w3id.org/mvkg/id/acme>",
            "mvd:acme",
            "acme corp",
            " ACME   CORP ",
            "niantic",
            "NÏANTIC",
            "アクメ",
            "B",
        ] {
            let want = resolve(&p, name).ok().map(|n| n.index());
            assert!(want.is_some(), "{name} resolves in the projection");
            assert_eq!(resolve_in(&c, name), want, "{name}");
        }
        // Ambiguous and unknown names are left to the projection, which explains.
        assert!(resolve(&p, "twin").is_err());
        assert_eq!(resolve_in(&c, "twin"), None);
        assert_eq!(resolve_in(&c, "nobody"), None);
        assert_eq!(resolve_in(&c, "   "), None);
    }

    /// (investor, company, round or none, amount in $M or none, lead, acquisition)
    type MarketEdge = (usize, usize, Option<u8>, Option<u8>, bool, bool);

    #[derive(Clone, Debug)]
    struct Market {
        investors: usize,
        companies: usize,
        edges: Vec<MarketEdge>,
    }

    fn markets() -> impl Strategy<Value = Market> {
        (1usize..6, 1usize..5).prop_flat_map(|(investors, companies)| {
            let edge = (
                0..investors,
                0..companies,
                prop::option::of(0u8..6),
                prop::option::of(1u8..50),
                any::<bool>(),
                any::<bool>(),
            );
            prop::collection::vec(edge, 0..30).prop_map(move |edges| Market { investors, companies, edges })
        })
    }

    fn build(m: &Market) -> Projection {
        let mut fx = Fx::new();
        for i in 0..m.investors {
            fx = fx.node(&format!("i{i}"), crate::graph::NodeKind::Organization, &format!("Inv {}", i % 3));
        }
        for c in 0..m.companies {
            fx = fx.org(&format!("c{c}"));
        }
        for &(i, c, round, amount, lead, acquisition) in &m.edges {
            let mut e = invest_edge(
                &format!("r{}", round.unwrap_or(0)),
                amount.map(|a| f64::from(a) * 1e6),
                "2021-06-01",
                lead,
            );
            if round.is_none() {
                e.event = None;
            }
            if acquisition {
                e.kind = EdgeKind::Acquires;
            }
            fx = fx.full(&format!("i{i}"), &format!("c{c}"), e);
        }
        fx.done()
    }

    proptest! {
        #[test]
        fn columns_answer_like_the_projection(m in markets(), top in prop::option::of(0usize..4)) {
            let cut = |n: usize| top.map_or(n, |t| t.min(n));
            let p = build(&m);
            let bytes = file(&p);
            let c = persist::Columns::open(&bytes, 7, "g1").expect("columns");
            let filter = RankFilter { top, ..RankFilter::default() };
            let deals = Deals::from_columns(&c, |k| CAPITAL_KINDS.contains(&k));
            prop_assert_eq!(capital_of(&deals, &c, &filter), capital(&p, &filter));
            let deals = Deals::from_columns(&c, |k| DEAL_KINDS.contains(&k));
            let indexed = deals.clone().indexed(c.node_count());
            for n in p.graph.node_indices() {
                let want = coinvestors(&p, n);
                prop_assert_eq!(&coinvestors_of(&deals, &c, n.index(), None), &want);
                prop_assert_eq!(&coinvestors_of(&indexed, &c, n.index(), None), &want);
                prop_assert_eq!(&coinvestors_of(&indexed, &c, n.index(), top)[..], &want[..cut(want.len())]);
            }
            prop_assert_eq!(coinvestors_of(&indexed, &c, 999, None), Vec::new());
            for n in p.graph.node_indices() {
                let want = cobackers(&p, n);
                prop_assert_eq!(&cobackers_of(&deals, &c, n.index(), None), &want);
                prop_assert_eq!(&cobackers_of(&indexed, &c, n.index(), None), &want);
                prop_assert_eq!(&cobackers_of(&deals, &c, n.index(), top)[..], &want[..cut(want.len())]);
            }
        }
    }
}
