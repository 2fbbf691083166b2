//! Who invests alongside whom: the co-investors of an entity and the deals they shared.
//!
//! Two investors co-invest when they both have an `InvestsIn` (or `Acquires`, for consortium buy-outs) edge
//! belonging to the same event. Only edges with an event IRI can be shared: an edge without one is a deal of its own.
//! Several edges of one investor in one event (a round recorded twice) count once.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::stable_graph::NodeIndex;
use serde::Serialize;

use super::deals::{Deals, View};
use super::NodeRef;
use crate::graph::{EdgeKind, Projection};

/// One deal two investors took part in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedDeal {
    pub event: String,
    pub investee: NodeRef,
    /// The earliest date on the event's edges.
    pub date: Option<String>,
    /// The whole size of the deal (the largest amount on the event's edges).
    pub amount_usd: Option<f64>,
}

/// Another investor of the entity's deals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoInvestor {
    pub investor: NodeRef,
    /// Number of distinct shared events.
    pub shared: usize,
    /// The shared deals, latest first (undated last), then by event IRI.
    pub deals: Vec<SharedDeal>,
}

/// The kinds of edges that make a deal: the only edges [`coinvestors`] reads.
pub const DEAL_KINDS: [EdgeKind; 2] = [EdgeKind::InvestsIn, EdgeKind::Acquires];

fn is_deal(kind: EdgeKind) -> bool {
    DEAL_KINDS.contains(&kind)
}

/// The co-investors of `entity`, by number of shared deals descending, then label. Empty for an unknown node.
pub fn coinvestors(p: &Projection, entity: NodeIndex) -> Vec<CoInvestor> {
    coinvestors_of(&Deals::of(p, is_deal), p, entity.index())
}

/// [`coinvestors`] over a deal table of [`DEAL_KINDS`] edges and a view of the rest: the same answer from a
/// [`Projection`] or from a persisted projection's columns, with or without the table's index.
pub fn coinvestors_of(deals: &Deals, view: &impl View, entity: usize) -> Vec<CoInvestor> {
    if !view.has(entity) {
        return Vec::new();
    }
    // The entity's rounds that have an event, each with the investee of its first (lowest-indexed) edge in it.
    let mut own: BTreeMap<u32, u32> = BTreeMap::new();
    for d in deals.of_investor(entity) {
        if d.has_event && is_deal(d.kind) {
            own.entry(d.round).or_insert(d.target);
        }
    }
    if own.is_empty() {
        return Vec::new();
    }
    // Every edge of those rounds: who else joined, and the round's event, earliest date and largest amount.
    struct Round<'v> {
        edge: u32,
        others: BTreeSet<u32>,
        date: Option<&'v str>,
        amount: Option<f64>,
    }
    let rounds: Vec<u32> = own.keys().copied().collect();
    let mut found: BTreeMap<u32, Round<'_>> = BTreeMap::new();
    for d in deals.of_rounds(&rounds) {
        if !d.has_event || !is_deal(d.kind) {
            continue;
        }
        let r =
            found.entry(d.round).or_insert(Round { edge: d.edge, others: BTreeSet::new(), date: None, amount: None });
        if d.investor as usize != entity {
            r.others.insert(d.investor);
        }
        if let Some(x) = view.date(d.edge) {
            r.date = Some(r.date.map_or(x, |y| y.min(x)));
        }
        if let Some(a) = d.amount_usd {
            r.amount = Some(r.amount.map_or(a, |b: f64| b.max(a)));
        }
    }
    let mut per: BTreeMap<u32, Vec<SharedDeal>> = BTreeMap::new();
    for (round, r) in &found {
        if r.others.is_empty() {
            continue;
        }
        let investee = own.get(round).map_or(entity, |&t| t as usize);
        let deal = SharedDeal {
            event: view.event(r.edge).unwrap_or_default().to_owned(),
            investee: view.node_ref(investee),
            date: r.date.map(str::to_owned),
            amount_usd: r.amount,
        };
        for &o in &r.others {
            per.entry(o).or_default().push(deal.clone());
        }
    }
    let mut out: Vec<CoInvestor> = per
        .into_iter()
        .map(|(o, mut deals)| {
            deals.sort_by(|a, b| {
                let undated = |d: &SharedDeal| d.date.is_none();
                (undated(a), std::cmp::Reverse(&a.date), &a.event).cmp(&(
                    undated(b),
                    std::cmp::Reverse(&b.date),
                    &b.event,
                ))
            });
            CoInvestor { investor: view.node_ref(o as usize), shared: deals.len(), deals }
        })
        .collect();
    out.sort_by(|a, b| {
        b.shared
            .cmp(&a.shared)
            .then_with(|| (&a.investor.label, &a.investor.iri).cmp(&(&b.investor.label, &b.investor.iri)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{invest_edge, ix, Fx};
    use crate::graph::Edge;

    /// r1 (c1, 2020, $10M): x, y, z — with x recorded twice and y's edge undated.
    /// r2 (c2, 2022, no amount): x, y.   r3 (c3): y, z.   r4 (c4): x alone.
    /// An event-less edge y→c4 and x→c4: not a shared deal.
    /// r5: an acquisition by x and w together (2021, $50M).
    fn rounds() -> Projection {
        let mut acq = Edge::new(EdgeKind::Acquires);
        acq.event = Some("r5".into());
        acq.date = Some("2021-06-30".into());
        acq.amount_usd = Some(50e6);
        Fx::new()
            .orgs(&["x", "y", "z", "w", "c1", "c2", "c3", "c4", "c5"])
            .lead("x", "c1", "r1", Some(10e6), "2020-03-01")
            .invest("x", "c1", "r1", Some(10e6), "2020-03-01")
            .invest("y", "c1", "r1", None, "")
            .invest("z", "c1", "r1", Some(10e6), "2020-03-01")
            .invest("x", "c2", "r2", None, "2022-01-01")
            .invest("y", "c2", "r2", None, "2022-01-01")
            .invest("y", "c3", "r3", Some(1e6), "2019-01-01")
            .invest("z", "c3", "r3", Some(1e6), "2019-01-01")
            .invest("x", "c4", "r4", None, "2018-01-01")
            .full("y", "c4", Edge::new(EdgeKind::InvestsIn))
            .full("x", "c4", Edge::new(EdgeKind::InvestsIn))
            .full("x", "c5", acq.clone())
            .full("w", "c5", acq)
            .full("w", "c5", invest_edge("r6", None, "", false))
            .done()
    }

    fn check(entity: &str, expected: &[(&str, usize, &[&str])]) {
        let p = rounds();
        let got: Vec<(String, usize, Vec<String>)> = coinvestors(&p, ix(&p, entity))
            .into_iter()
            .map(|c| (c.investor.iri, c.shared, c.deals.into_iter().map(|d| d.event).collect()))
            .collect();
        let want: Vec<(String, usize, Vec<String>)> =
            expected.iter().map(|(i, n, d)| (i.to_string(), *n, d.iter().map(|s| s.to_string()).collect())).collect();
        assert_eq!(got, want, "co-investors of {entity}");
    }

    #[test]
    fn co_investors() {
        // x shares r1 and r2 with y (latest first), r1 with z, r5 with w.
        check("x", &[("y", 2, &["r2", "r1"]), ("w", 1, &["r5"]), ("z", 1, &["r1"])]);
        // y shares two deals each with x and z: ties by label.
        check("y", &[("x", 2, &["r2", "r1"]), ("z", 2, &["r1", "r3"])]);
        check("w", &[("x", 1, &["r5"])]);
        check("c1", &[]);
    }

    #[test]
    fn deal_details() {
        let p = rounds();
        let y = &coinvestors(&p, ix(&p, "y"))[0];
        let r1 = &y.deals[1];
        // The date and amount come from the other edges of r1 even though y's own edge has neither.
        assert_eq!(
            (r1.investee.iri.as_str(), r1.date.as_deref(), r1.amount_usd),
            ("c1", Some("2020-03-01"), Some(10e6))
        );
        assert!(coinvestors(&p, NodeIndex::new(500)).is_empty());
    }
}
