//! Who invests alongside whom: the co-investors of an entity and the deals they shared ([`coinvestors`]), or the
//! investors of the same companies ([`cobackers`]).
//!
//! Two investors co-invest when they both have an `InvestsIn` (or `Acquires`, for consortium buy-outs) edge
//! belonging to the same event. Only edges with an event IRI can be shared: an edge without one is a deal of its own.
//! Several edges of one investor in one event (a round recorded twice) count once. In the wider sense two investors
//! back the same company when each has such an edge to it, in any round, with or without an event.

use petgraph::stable_graph::NodeIndex;
use serde::Serialize;

use super::deals::{Deal, Deals, View};
use super::NodeRef;
use crate::graph::{AmountScope, EdgeKind, Projection};

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
    coinvestors_of(&Deals::of(p, is_deal), p, entity.index(), None)
}

/// `(investor, number shared)` pairs in result order (number descending, then label and IRI), cut to `top`.
fn ranked(view: &impl View, counts: Vec<(u32, usize)>, top: Option<usize>) -> Vec<(u32, usize)> {
    let order =
        |a: &(u32, usize), b: &(u32, usize)| b.1.cmp(&a.1).then_with(|| view.by_label(a.0 as usize, b.0 as usize));
    let mut counts = counts;
    match top {
        Some(0) => counts.clear(),
        Some(n) if n < counts.len() => {
            counts.select_nth_unstable_by(n - 1, order);
            counts.truncate(n);
        }
        _ => {}
    }
    counts.sort_by(order);
    counts
}

/// [`coinvestors`] over a deal table of [`DEAL_KINDS`] edges and a view of the rest: the same answer from a
/// [`Projection`] or from a persisted projection's columns, with or without the table's index; with `top`, only
/// the first `top` co-investors (their deal lists are built for those alone).
pub fn coinvestors_of(deals: &Deals, view: &impl View, entity: usize, top: Option<usize>) -> Vec<CoInvestor> {
    if !view.has(entity) {
        return Vec::new();
    }
    // The entity's rounds that have an event, each with the investee of its first (lowest-indexed) edge in it: a
    // stable sort by round keeps the deal order within a round.
    let mut own: Vec<(u32, u32)> =
        deals.of_investor(entity).filter(|d| d.has_event && is_deal(d.kind)).map(|d| (d.round, d.target)).collect();
    own.sort_by_key(|x| x.0);
    own.dedup_by_key(|x| x.0);
    if own.is_empty() {
        return Vec::new();
    }
    // Every edge of those rounds, round by round: the rounds shared with someone, and (other investor, round)
    // once per pair.
    let rounds: Vec<u32> = own.iter().map(|x| x.0).collect();
    let edges: Vec<&Deal> = deals.of_rounds(&rounds).into_iter().filter(|d| d.has_event && is_deal(d.kind)).collect();
    let groups: Vec<&[&Deal]> = edges.chunk_by(|a, b| a.round == b.round).collect();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        pairs.extend(group.iter().filter(|d| d.investor as usize != entity).map(|d| (d.investor, g as u32)));
    }
    pairs.sort_unstable();
    pairs.dedup();
    let counts: Vec<(u32, usize)> = pairs.chunk_by(|a, b| a.0 == b.0).map(|c| (c[0].0, c.len())).collect();
    let chosen = ranked(view, counts, top);
    // The shared deals of the chosen co-investors only: the round's event, earliest date and largest amount.
    let deal_of = |g: u32| -> SharedDeal {
        let group = groups[g as usize];
        let round = group[0].round;
        let investee = own.binary_search_by_key(&round, |x| x.0).map_or(entity, |at| own[at].1 as usize);
        SharedDeal {
            event: view.event(group[0].edge).unwrap_or_default().to_owned(),
            investee: view.node_ref(investee),
            date: group.iter().filter_map(|d| view.date(d.edge)).min().map(str::to_owned),
            amount_usd: group
                .iter()
                .filter(|d| d.scope == AmountScope::RoundTotal)
                .filter_map(|d| d.amount_usd)
                .reduce(f64::max),
        }
    };
    chosen
        .into_iter()
        .map(|(o, shared)| {
            let at = pairs.partition_point(|p| p.0 < o);
            let mut deals: Vec<SharedDeal> = pairs[at..at + shared].iter().map(|&(_, g)| deal_of(g)).collect();
            deals.sort_by(|a, b| {
                let undated = |d: &SharedDeal| d.date.is_none();
                (undated(a), std::cmp::Reverse(&a.date), &a.event).cmp(&(
                    undated(b),
                    std::cmp::Reverse(&b.date),
                    &b.event,
                ))
            });
            CoInvestor { investor: view.node_ref(o as usize), shared, deals }
        })
        .collect()
}

/// Another investor of the entity's portfolio companies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoBacker {
    pub investor: NodeRef,
    /// Number of distinct companies both have a deal in.
    pub shared: usize,
    /// Those companies, by label then IRI.
    pub companies: Vec<NodeRef>,
}

/// The investors that back the same companies as `entity` (a deal of theirs and one of the entity's have the same
/// investee, in any round), by number of shared companies descending, then label: the wider sense of co-investment,
/// beside the rounds shared that [`coinvestors`] counts. Empty for an unknown node.
pub fn cobackers(p: &Projection, entity: NodeIndex) -> Vec<CoBacker> {
    cobackers_of(&Deals::of(p, is_deal), p, entity.index(), None)
}

/// [`cobackers`] over a deal table of [`DEAL_KINDS`] edges and a view of the rest, from a [`Projection`] or a
/// persisted projection's columns, with or without the table's index; with `top`, only the first `top`.
pub fn cobackers_of(deals: &Deals, view: &impl View, entity: usize, top: Option<usize>) -> Vec<CoBacker> {
    if !view.has(entity) {
        return Vec::new();
    }
    let mut companies: Vec<u32> = deals.of_investor(entity).filter(|d| is_deal(d.kind)).map(|d| d.target).collect();
    companies.sort_unstable();
    companies.dedup();
    if companies.is_empty() {
        return Vec::new();
    }
    // (investor, company) once per pair, grouped by investor.
    let mut pairs: Vec<(u32, u32)> = deals
        .of_targets(&companies)
        .into_iter()
        .filter(|d| is_deal(d.kind) && d.investor as usize != entity)
        .map(|d| (d.investor, d.target))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let counts: Vec<(u32, usize)> = pairs.chunk_by(|a, b| a.0 == b.0).map(|c| (c[0].0, c.len())).collect();
    ranked(view, counts, top)
        .into_iter()
        .map(|(o, shared)| {
            let at = pairs.partition_point(|p| p.0 < o);
            let mut companies: Vec<NodeRef> =
                pairs[at..at + shared].iter().map(|&(_, c)| view.node_ref(c as usize)).collect();
            companies.sort_by(|a, b| (&a.label, &a.iri).cmp(&(&b.label, &b.iri)));
            CoBacker { investor: view.node_ref(o as usize), shared, companies }
        })
        .collect()
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
    fn co_backers_share_companies_in_any_round() {
        let p = rounds();
        let names = |entity: &str| -> Vec<(String, usize, Vec<String>)> {
            cobackers(&p, ix(&p, entity))
                .into_iter()
                .map(|c| (c.investor.iri, c.shared, c.companies.into_iter().map(|n| n.iri).collect()))
                .collect()
        };
        let own = |v: &[(&str, usize, &[&str])]| -> Vec<(String, usize, Vec<String>)> {
            v.iter().map(|(i, n, c)| (i.to_string(), *n, c.iter().map(|s| s.to_string()).collect())).collect()
        };
        // x backs c1 (r1), c2 (r2), c4 (r4 and a lone edge) and c5 (the r5 buy-out). y is in c1, c2 and, by a lone
        // edge that shares no round with x, c4; w is in c5 (r5 and r6); z in c1.
        assert_eq!(names("x"), own(&[("y", 3, &["c1", "c2", "c4"]), ("w", 1, &["c5"]), ("z", 1, &["c1"])]));
        // z backs c1 and c3: y is in both, x only in c1.
        assert_eq!(names("z"), own(&[("y", 2, &["c1", "c3"]), ("x", 1, &["c1"])]));
        assert!(cobackers(&p, NodeIndex::new(500)).is_empty());
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
