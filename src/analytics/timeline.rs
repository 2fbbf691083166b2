//! Deals and capital over time, per year or per quarter.
//!
//! A deal is an investment or acquisition event, counted once however many investor edges record it (an edge
//! without an event IRI is a deal of its own). Its date is the earliest date on its edges, its amount the largest
//! `amount_usd` on them (the round's size; a participant's share when that is all the data gives; never a
//! cumulative total over several rounds, which is left out), its investee the target of its
//! lowest-indexed edge. Deals can be restricted to investees that use a technology (directly, by a
//! `UsesTechnology` edge) or are in a country. Periods between the first and the last one with a deal are all
//! listed, with zeros where nothing happened, so the rows chart directly.

use std::collections::BTreeMap;

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use petgraph::Direction;
use serde::Serialize;

use super::{country_of, EventKey, FastMap};
use crate::graph::{AmountScope, EdgeKind, Projection};

/// The length of a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Granularity {
    #[default]
    Year,
    Quarter,
}

/// What to count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineConfig {
    pub granularity: Granularity,
    /// Edge kinds that make deals; default `InvestsIn` and `Acquires`.
    pub kinds: Vec<EdgeKind>,
    /// Only deals whose investee uses this technology.
    pub technology: Option<NodeIndex>,
    /// Only deals whose investee is in this country (ISO code, any case).
    pub country: Option<String>,
}

impl Default for TimelineConfig {
    fn default() -> TimelineConfig {
        TimelineConfig {
            granularity: Granularity::Year,
            kinds: vec![EdgeKind::InvestsIn, EdgeKind::Acquires],
            technology: None,
            country: None,
        }
    }
}

/// One period's totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeriodRow {
    /// `2021` or `2021-Q3`.
    pub period: String,
    pub deals: usize,
    /// Deals whose amount is known.
    pub deals_with_amount: usize,
    /// Sum of the known amounts.
    pub capital_usd: f64,
}

/// The rows, sorted by period, and how many matching deals had no usable date (and so no row).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Timeline {
    pub rows: Vec<PeriodRow>,
    pub undated: usize,
}

/// One deal gathered from its edges.
struct Deal<'a> {
    first: EdgeIndex,
    date: Option<&'a str>,
    amount: Option<f64>,
}

/// A period as (year, quarter); quarter 0 for years.
fn period_of(date: &str, granularity: Granularity) -> Option<(i32, u8)> {
    let year: i32 = date.get(0..4)?.parse().ok()?;
    match granularity {
        Granularity::Year => Some((year, 0)),
        Granularity::Quarter => {
            let month: u8 = date.get(5..7)?.parse().ok()?;
            (1..=12).contains(&month).then_some((year, (month - 1) / 3 + 1))
        }
    }
}

fn next_period((year, quarter): (i32, u8)) -> (i32, u8) {
    match quarter {
        0 => (year + 1, 0),
        4 => (year + 1, 1),
        q => (year, q + 1),
    }
}

fn period_name((year, quarter): (i32, u8)) -> String {
    if quarter == 0 {
        format!("{year:04}")
    } else {
        format!("{year:04}-Q{quarter}")
    }
}

/// Deals and capital per period.
pub fn timeline(p: &Projection, cfg: &TimelineConfig) -> Timeline {
    let mut deals: FastMap<EventKey<'_>, Deal<'_>> = FastMap::default();
    for e in p.graph.edge_references().filter(|e| super::kind_allowed(&cfg.kinds, e.weight().kind)) {
        let w = e.weight();
        let deal = deals.entry(EventKey::of(p, e.id())).or_insert(Deal { first: e.id(), date: None, amount: None });
        deal.first = deal.first.min(e.id());
        if let Some(d) = w.date.as_deref() {
            deal.date = Some(deal.date.map_or(d, |x| x.min(d)));
        }
        // A cumulative total spans several rounds: it is no deal's capital.
        if let Some(a) = w.amount_usd.filter(|_| w.amount_scope != AmountScope::CumulativeTotal) {
            deal.amount = Some(deal.amount.map_or(a, |x: f64| x.max(a)));
        }
    }
    let matches = |investee: NodeIndex| {
        let tech_ok = cfg.technology.is_none_or(|t| {
            p.graph
                .edges_directed(investee, Direction::Outgoing)
                .any(|e| e.weight().kind == EdgeKind::UsesTechnology && e.target() == t)
        });
        let country_ok = cfg
            .country
            .as_deref()
            .is_none_or(|want| country_of(p, investee).is_some_and(|c| c.eq_ignore_ascii_case(want)));
        tech_ok && country_ok
    };
    let mut totals: BTreeMap<(i32, u8), (usize, usize, f64)> = BTreeMap::new();
    let mut undated = 0;
    // In edge order, so that the floating-point sums come out the same on every run.
    let mut deals: Vec<Deal<'_>> = deals.into_values().collect();
    deals.sort_by_key(|d| d.first);
    for deal in &deals {
        let Some((_, investee)) = p.graph.edge_endpoints(deal.first) else {
            continue;
        };
        if !matches(investee) {
            continue;
        }
        let Some(period) = deal.date.and_then(|d| period_of(d, cfg.granularity)) else {
            undated += 1;
            continue;
        };
        let t = totals.entry(period).or_insert((0, 0, 0.0));
        t.0 += 1;
        if let Some(a) = deal.amount {
            t.1 += 1;
            t.2 += a;
        }
    }
    let mut rows = Vec::new();
    if let (Some(&first), Some(&last)) = (totals.keys().next(), totals.keys().next_back()) {
        let mut at = first;
        while at <= last {
            let (deals, deals_with_amount, capital_usd) = totals.get(&at).copied().unwrap_or((0, 0, 0.0));
            rows.push(PeriodRow { period: period_name(at), deals, deals_with_amount, capital_usd });
            at = next_period(at);
        }
    }
    Timeline { rows, undated }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{ix, Fx};
    use crate::graph::{Edge, NodeKind};

    /// r1: x and y in c1 (2020-03-15, $10M; y's edge repeats the amount).  r2: x in c2 (2020-11-01, amount
    /// unknown).  r3: x acquires c3 (2022-05-05, $100M).  An event-less edge y→c1 (2020-02-01, $5M).  r4: z in c1,
    /// undated.  A partnership (not a deal).  c1 uses t and is in KR, c2 is in KR, c3 uses t and is in the US.
    fn deals() -> Projection {
        let mut acq = Edge::new(EdgeKind::Acquires);
        acq.event = Some("r3".into());
        acq.date = Some("2022-05-05".into());
        acq.amount_usd = Some(100e6);
        let solo = Edge { date: Some("2020-02-01".into()), amount_usd: Some(5e6), ..Edge::new(EdgeKind::InvestsIn) };
        let partner = Edge { date: Some("2019-01-01".into()), ..Edge::new(EdgeKind::PartnersWith) };
        Fx::new()
            .orgs(&["x", "y", "z", "c1", "c2", "c3"])
            .node("t", NodeKind::Technology, "T")
            .invest("x", "c1", "r1", Some(10e6), "2020-03-15")
            .invest("y", "c1", "r1", Some(10e6), "2020-03-15")
            .invest("x", "c2", "r2", None, "2020-11-01")
            .full("x", "c3", acq)
            .full("y", "c1", solo)
            .invest("z", "c1", "r4", Some(1e6), "")
            .full("x", "y", partner)
            .edge("c1", "t", EdgeKind::UsesTechnology)
            .edge("c3", "t", EdgeKind::UsesTechnology)
            .country("c1", "KR")
            .country("c2", "KR")
            .country("c3", "US")
            .done()
    }

    fn check(cfg: TimelineConfig, rows: &[(&str, usize, usize, f64)], undated: usize) {
        let t = timeline(&deals(), &cfg);
        let got: Vec<(&str, usize, usize, f64)> =
            t.rows.iter().map(|r| (r.period.as_str(), r.deals, r.deals_with_amount, r.capital_usd)).collect();
        assert_eq!((got.as_slice(), t.undated), (rows, undated), "{cfg:?}");
    }

    #[test]
    fn by_year() {
        // 2020: r1 ($10M once, not twice), r2 (no amount), the solo edge ($5M); 2021 empty; 2022: r3.
        check(TimelineConfig::default(), &[("2020", 3, 2, 15e6), ("2021", 0, 0, 0.0), ("2022", 1, 1, 100e6)], 1);
        // Investments only: the acquisition goes.
        check(
            TimelineConfig { kinds: vec![EdgeKind::InvestsIn], ..TimelineConfig::default() },
            &[("2020", 3, 2, 15e6)],
            1,
        );
    }

    #[test]
    fn by_quarter() {
        // Q1 2020: r1 and the solo edge; Q4 2020: r2; Q2 2022: r3; zeros between.
        let z = |q| (q, 0, 0, 0.0);
        check(
            TimelineConfig { granularity: Granularity::Quarter, ..TimelineConfig::default() },
            &[
                ("2020-Q1", 2, 2, 15e6),
                z("2020-Q2"),
                z("2020-Q3"),
                ("2020-Q4", 1, 0, 0.0),
                z("2021-Q1"),
                z("2021-Q2"),
                z("2021-Q3"),
                z("2021-Q4"),
                z("2022-Q1"),
                ("2022-Q2", 1, 1, 100e6),
            ],
            1,
        );
    }

    #[test]
    fn filters() {
        let p = deals();
        let t = ix(&p, "t");
        // Technology t: c1's deals (r1, solo; r4 undated) and c3's r3.
        check(
            TimelineConfig { technology: Some(t), ..TimelineConfig::default() },
            &[("2020", 2, 2, 15e6), ("2021", 0, 0, 0.0), ("2022", 1, 1, 100e6)],
            1,
        );
        // Korea: c1 and c2.
        check(TimelineConfig { country: Some("kr".into()), ..TimelineConfig::default() }, &[("2020", 3, 2, 15e6)], 1);
        // The US: c3 only, and no undated deal.
        check(TimelineConfig { country: Some("US".into()), ..TimelineConfig::default() }, &[("2022", 1, 1, 100e6)], 0);
        // Both filters: c1 is in KR and uses t.
        check(
            TimelineConfig { technology: Some(t), country: Some("KR".into()), ..TimelineConfig::default() },
            &[("2020", 2, 2, 15e6)],
            1,
        );
        // An unknown technology matches nothing.
        check(TimelineConfig { technology: Some(NodeIndex::new(999)), ..TimelineConfig::default() }, &[], 0);
    }

    #[test]
    fn periods() {
        for (date, g, want) in [
            ("2021-07-04", Granularity::Quarter, Some((2021, 3))),
            ("2021-12", Granularity::Quarter, Some((2021, 4))),
            ("2021", Granularity::Quarter, None),
            ("2021", Granularity::Year, Some((2021, 0))),
            ("2021-13-01", Granularity::Quarter, None),
            ("soon", Granularity::Year, None),
        ] {
            assert_eq!(period_of(date, g), want, "{date} {g:?}");
        }
        assert_eq!(next_period((2021, 4)), (2022, 1));
        assert_eq!(next_period((2021, 0)), (2022, 0));
        assert_eq!(period_name((2021, 3)), "2021-Q3");
        assert_eq!(check_empty(), Timeline::default());
    }

    fn check_empty() -> Timeline {
        timeline(&Projection::new(), &TimelineConfig::default())
    }
}
