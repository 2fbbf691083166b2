//! Clusters of the ecosystem: Louvain modularity optimisation on the undirected projection.
//!
//! Edges of the chosen kinds become undirected links between distinct nodes (self-loops dropped), weighted 1 per
//! linked pair or by the number of edges between the pair ([`Weighting`]). Louvain then alternates two phases until
//! nothing moves: each node, in a fixed order (by IRI, so the result does not depend on insertion order), joins the
//! neighbouring community that most increases modularity, and the neighbours of a node that moved are reconsidered
//! (the queue-based local moving of Leiden, much faster than repeated full sweeps on large graphs); then communities
//! are merged into single nodes. Nodes without any link are left out. Each community is described by its members, its most frequent technology
//! (`UsesTechnology` target of its members) and its most frequent country.

use std::collections::BTreeMap;

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;
use serde::Serialize;

use super::{country_of, node_ref, NodeRef};
use crate::graph::{EdgeKind, Projection};

/// How parallel edges weigh.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Weighting {
    /// One per linked pair, however many edges join it.
    #[default]
    Distinct,
    /// The number of edges (in either direction) between the pair.
    Sum,
}

/// Louvain parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct CommunityConfig {
    /// Edge kinds that link nodes; empty means every kind.
    pub kinds: Vec<EdgeKind>,
    pub weighting: Weighting,
    /// Resolution γ: above 1 favours smaller communities, below 1 larger ones.
    pub resolution: f64,
    /// Upper bound on aggregation levels.
    pub max_levels: usize,
}

impl Default for CommunityConfig {
    fn default() -> CommunityConfig {
        CommunityConfig { kinds: Vec::new(), weighting: Weighting::Distinct, resolution: 1.0, max_levels: 32 }
    }
}

/// The most frequent value among a community's members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dominant {
    /// Technology IRI or country code.
    pub key: String,
    pub label: String,
    /// Number of members having it.
    pub count: usize,
}

/// One community.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Community {
    /// Position in the result (largest community first).
    pub id: usize,
    pub size: usize,
    /// Members by label.
    pub members: Vec<NodeRef>,
    pub dominant_technology: Option<Dominant>,
    pub dominant_country: Option<Dominant>,
}

/// The partition found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Communities {
    /// Modularity of the partition on the linked nodes (at the configured resolution).
    pub modularity: f64,
    /// Aggregation levels run.
    pub levels: usize,
    /// Largest first, then by first member's label.
    pub communities: Vec<Community>,
}

/// A weighted undirected graph on 0..n in compressed rows: the neighbours of `i` are
/// `nbrs[offsets[i]..offsets[i + 1]]` (symmetric, sorted, no self entries) with their weights, plus each node's
/// self-loop weight.
struct Level {
    offsets: Vec<usize>,
    nbrs: Vec<(u32, f64)>,
    loops: Vec<f64>,
}

impl Level {
    fn len(&self) -> usize {
        self.loops.len()
    }

    fn row(&self, i: usize) -> &[(u32, f64)] {
        &self.nbrs[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Weighted degree of each node: links plus twice its self-loop.
    fn degrees(&self) -> Vec<f64> {
        (0..self.len()).map(|i| self.row(i).iter().map(|x| x.1).sum::<f64>() + 2.0 * self.loops[i]).collect()
    }

    /// Builds a level from (i, j, w) links, each undirected link listed once with i < j, merging duplicates.
    fn from_links(mut links: Vec<(u32, u32, f64)>, loops: Vec<f64>) -> Level {
        links.sort_by_key(|a| (a.0, a.1));
        let mut merged: Vec<(u32, u32, f64)> = Vec::with_capacity(links.len());
        for (i, j, w) in links {
            match merged.last_mut() {
                Some(last) if (last.0, last.1) == (i, j) => last.2 += w,
                _ => merged.push((i, j, w)),
            }
        }
        let n = loops.len();
        let mut offsets = vec![0usize; n + 1];
        for &(i, j, _) in &merged {
            offsets[i as usize + 1] += 1;
            offsets[j as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut nbrs = vec![(0u32, 0.0f64); offsets[n]];
        // Rows come out sorted: `merged` is sorted by (i, j), so row r receives its neighbours i < r (from the
        // links (i, r)) in increasing order before its neighbours j > r (from the links (r, j)).
        for &(i, j, w) in &merged {
            nbrs[fill[i as usize]] = (j, w);
            fill[i as usize] += 1;
            nbrs[fill[j as usize]] = (i, w);
            fill[j as usize] += 1;
        }
        Level { offsets, nbrs, loops }
    }
}

/// Communities of the projection by Louvain.
pub fn communities(p: &Projection, cfg: &CommunityConfig) -> Communities {
    let linked = |e: &petgraph::stable_graph::EdgeReference<'_, crate::graph::Edge>| {
        e.source() != e.target() && super::kind_allowed(&cfg.kinds, e.weight().kind)
    };
    // Linked nodes, numbered in IRI order.
    let mut is_linked = vec![false; p.graph.node_bound()];
    for e in p.graph.edge_references().filter(linked) {
        is_linked[e.source().index()] = true;
        is_linked[e.target().index()] = true;
    }
    let mut nodes: Vec<NodeIndex> = p.graph.node_indices().filter(|n| is_linked[n.index()]).collect();
    nodes.sort_by(|a, b| p.graph[*a].iri.cmp(&p.graph[*b].iri));
    let mut compact = vec![u32::MAX; p.graph.node_bound()];
    for (i, n) in nodes.iter().enumerate() {
        compact[n.index()] = i as u32;
    }
    let mut links: Vec<(u32, u32, f64)> = p
        .graph
        .edge_references()
        .filter(linked)
        .map(|e| {
            let (x, y) = (compact[e.source().index()], compact[e.target().index()]);
            (x.min(y), x.max(y), 1.0)
        })
        .collect();
    if cfg.weighting == Weighting::Distinct {
        links.sort_by_key(|a| (a.0, a.1));
        links.dedup_by_key(|a| (a.0, a.1));
    }
    let base = Level::from_links(links, vec![0.0; nodes.len()]);
    let (assignment, levels) = louvain(&base, cfg);
    let modularity = modularity(&base, &assignment, cfg.resolution);
    // Group and describe.
    let mut groups: BTreeMap<usize, Vec<NodeIndex>> = BTreeMap::new();
    for (i, &c) in assignment.iter().enumerate() {
        groups.entry(c).or_default().push(nodes[i]);
    }
    let mut out: Vec<Community> = groups
        .into_values()
        .map(|mut members| {
            members.sort_by(|a, b| super::by_label(p, *a, *b));
            Community {
                id: 0,
                size: members.len(),
                dominant_technology: dominant_technology(p, &members),
                dominant_country: dominant_country(p, &members),
                members: members.into_iter().map(|n| node_ref(p, n)).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then_with(|| (&a.members[0].label, &a.members[0].iri).cmp(&(&b.members[0].label, &b.members[0].iri)))
    });
    for (i, c) in out.iter_mut().enumerate() {
        c.id = i;
    }
    Communities { modularity, levels, communities: out }
}

/// Runs Louvain; returns each base node's community (numbered 0..) and the number of levels run.
fn louvain(base: &Level, cfg: &CommunityConfig) -> (Vec<usize>, usize) {
    let mut assignment: Vec<usize> = (0..base.len()).collect();
    let two_m: f64 = base.degrees().iter().sum();
    if two_m == 0.0 {
        return (assignment, 0);
    }
    let mut owned: Option<Level> = None;
    let mut levels = 0;
    while levels < cfg.max_levels {
        let level = owned.as_ref().unwrap_or(base);
        let Some(comm) = local_moves(level, two_m, cfg.resolution) else {
            break;
        };
        levels += 1;
        // Renumber communities by first appearance, then merge each into one node.
        let mut number = vec![usize::MAX; comm.len()];
        let mut count = 0;
        for &c in &comm {
            if number[c] == usize::MAX {
                number[c] = count;
                count += 1;
            }
        }
        let comm: Vec<usize> = comm.iter().map(|&c| number[c]).collect();
        for a in assignment.iter_mut() {
            *a = comm[*a];
        }
        let mut loops = vec![0.0; count];
        let mut links = Vec::new();
        for (i, &ci) in comm.iter().enumerate() {
            loops[ci] += level.loops[i];
            for &(j, w) in level.row(i) {
                let cj = comm[j as usize];
                if ci == cj {
                    loops[ci] += w / 2.0;
                } else if ci < cj {
                    links.push((ci as u32, cj as u32, w));
                }
            }
        }
        owned = Some(Level::from_links(links, loops));
    }
    (assignment, levels)
}

/// The local-moving phase on one level: each node, taken from a queue that starts with all nodes in order, moves
/// to the neighbouring community with the largest modularity gain (staying on ties, else the lowest community);
/// when a node moves, its neighbours outside its new community are queued again. This visits only the nodes that
/// may still move, instead of sweeping the whole level until a sweep moves nothing, and reaches the same kind of
/// local optimum. Returns each node's community, or `None` when no node moved.
fn local_moves(level: &Level, two_m: f64, resolution: f64) -> Option<Vec<usize>> {
    let n = level.len();
    let k = level.degrees();
    let mut comm: Vec<usize> = (0..n).collect();
    let mut tot = k.clone();
    let mut weight_to = vec![0.0f64; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut queue: std::collections::VecDeque<usize> = (0..n).collect();
    let mut queued = vec![true; n];
    let mut moved_any = false;
    while let Some(i) = queue.pop_front() {
        queued[i] = false;
        let own = comm[i];
        for &(j, w) in level.row(i) {
            let c = comm[j as usize];
            if weight_to[c] == 0.0 {
                touched.push(c);
            }
            weight_to[c] += w;
        }
        tot[own] -= k[i];
        let gain = |c: usize, w_in: f64| w_in - resolution * tot[c] * k[i] / two_m;
        let (mut best, mut best_gain) = (own, gain(own, weight_to[own]));
        for &c in &touched {
            let g = gain(c, weight_to[c]);
            if g > best_gain + 1e-12 || (g >= best_gain - 1e-12 && c < best && best != own) {
                best = c;
                best_gain = g;
            }
        }
        tot[best] += k[i];
        for &c in &touched {
            weight_to[c] = 0.0;
        }
        touched.clear();
        if best != own {
            comm[i] = best;
            moved_any = true;
            for &(j, _) in level.row(i) {
                let j = j as usize;
                if !queued[j] && comm[j] != best {
                    queued[j] = true;
                    queue.push_back(j);
                }
            }
        }
    }
    moved_any.then_some(comm)
}

/// Modularity of a partition of a level: Σ over communities of (internal weight / m − γ (degree sum / 2m)²).
fn modularity(level: &Level, assignment: &[usize], resolution: f64) -> f64 {
    let k = level.degrees();
    let two_m: f64 = k.iter().sum();
    if two_m == 0.0 {
        return 0.0;
    }
    let count = assignment.iter().copied().max().map_or(0, |m| m + 1);
    let mut internal = vec![0.0; count];
    let mut degree = vec![0.0; count];
    for (i, &c) in assignment.iter().enumerate() {
        degree[c] += k[i];
        internal[c] += 2.0 * level.loops[i];
        for &(j, w) in level.row(i) {
            if assignment[j as usize] == c {
                internal[c] += w;
            }
        }
    }
    // `internal` counts each inner link twice (once from each end): divide by 2m rather than m.
    internal.iter().zip(&degree).map(|(l, d)| l / two_m - resolution * (d / two_m).powi(2)).sum()
}

/// The technology most members use directly (ties by label, then IRI).
fn dominant_technology(p: &Projection, members: &[NodeIndex]) -> Option<Dominant> {
    let mut counts: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    for &m in members {
        let mut techs: Vec<NodeIndex> = p
            .graph
            .edges_directed(m, Direction::Outgoing)
            .filter(|e| e.weight().kind == EdgeKind::UsesTechnology)
            .map(|e| e.target())
            .collect();
        techs.sort();
        techs.dedup();
        for t in techs {
            *counts.entry(t).or_default() += 1;
        }
    }
    let (t, count) = counts.into_iter().min_by(|a, b| b.1.cmp(&a.1).then_with(|| super::by_label(p, a.0, b.0)))?;
    Some(Dominant { key: p.graph[t].iri.clone(), label: p.graph[t].label.clone(), count })
}

/// The country most members are in (ties by code).
fn dominant_country(p: &Projection, members: &[NodeIndex]) -> Option<Dominant> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for &m in members {
        if let Some(c) = country_of(p, m) {
            *counts.entry(c).or_default() += 1;
        }
    }
    let (code, count) = counts.into_iter().min_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)))?;
    Some(Dominant { key: code.clone(), label: code, count })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::Fx;
    use crate::graph::{Edge, Node, NodeKind};
    use proptest::prelude::*;
    use std::collections::{BTreeSet, HashMap};
    use EdgeKind::*;

    /// Two 4-cliques of partners (a1..a4, b1..b4) joined by the single edge a4–b1; technologies and countries on
    /// the side (not linked when only partnerships count).
    fn two_cliques() -> Projection {
        let mut fx = Fx::new().orgs(&["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]).tech("t1", 3).tech("t2", 5);
        for group in [["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]] {
            for i in 0..4 {
                for j in i + 1..4 {
                    fx = fx.edge(group[i], group[j], PartnersWith);
                }
            }
        }
        fx.edge("a4", "b1", PartnersWith)
            .edge("a1", "t1", UsesTechnology)
            .edge("a2", "t1", UsesTechnology)
            .edge("a3", "t2", UsesTechnology)
            .edge("b1", "t2", UsesTechnology)
            .edge("b2", "t2", UsesTechnology)
            .edge("b3", "t1", UsesTechnology)
            .country("a1", "KR")
            .country("a2", "KR")
            .country("a3", "US")
            .country("b1", "US")
            .country("b2", "US")
            .done()
    }

    fn members(c: &Communities) -> Vec<Vec<&str>> {
        c.communities.iter().map(|x| x.members.iter().map(|m| m.iri.as_str()).collect()).collect()
    }

    fn partners() -> CommunityConfig {
        CommunityConfig { kinds: vec![PartnersWith], ..CommunityConfig::default() }
    }

    #[test]
    fn two_cliques_split() {
        let p = two_cliques();
        let c = communities(&p, &partners());
        assert_eq!(members(&c), [["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]]);
        // m = 6 + 6 + 1 = 13 links. Each side: 6 inner links, degree sum 3·3 + 4 = 13.
        // Q = 2 · (6/13 − (13/26)²) = 12/13 − 1/2 = 11/26.
        assert!((c.modularity - 11.0 / 26.0).abs() < 1e-12, "modularity {}", c.modularity);
        assert_eq!(c.communities.iter().map(|x| x.id).collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn dominant_technology_and_country() {
        let p = two_cliques();
        let c = communities(&p, &partners());
        let d = |x: &Option<Dominant>| x.as_ref().map(|d| (d.key.clone(), d.count));
        // a-side: t1 used by a1, a2 (t2 only by a3); KR twice, US once.
        assert_eq!(d(&c.communities[0].dominant_technology), Some(("t1".into(), 2)));
        assert_eq!(d(&c.communities[0].dominant_country), Some(("KR".into(), 2)));
        // b-side: t2 by b1, b2; US twice.
        assert_eq!(d(&c.communities[1].dominant_technology), Some(("t2".into(), 2)));
        assert_eq!(d(&c.communities[1].dominant_country), Some(("US".into(), 2)));
    }

    #[test]
    fn weighting_of_parallel_edges() {
        // a–b three times, c–d once. Both ways the partition is {a, b}, {c, d}.
        // Distinct: m = 2, each side 1/2 − (2/4)² = 1/4, Q = 1/2.
        // Sum: m = 4; {a, b}: 3/4 − (6/8)² = 3/16; {c, d}: 1/4 − (2/8)² = 3/16; Q = 3/8.
        let p = Fx::new()
            .orgs(&["a", "b", "c", "d"])
            .edge("a", "b", InvestsIn)
            .edge("b", "a", PartnersWith)
            .edge("a", "b", PartnersWith)
            .edge("c", "d", InvestsIn)
            .done();
        let check = |weighting, want: f64| {
            let c = communities(&p, &CommunityConfig { weighting, ..CommunityConfig::default() });
            assert_eq!(members(&c), [["a", "b"], ["c", "d"]]);
            assert!((c.modularity - want).abs() < 1e-12, "{weighting:?}: {}", c.modularity);
        };
        check(Weighting::Distinct, 0.5);
        check(Weighting::Sum, 0.375);
    }

    #[test]
    fn unlinked_nodes_are_left_out() {
        let p = Fx::new().orgs(&["a", "b"]).edge("a", "a", PartnersWith).done();
        assert_eq!(communities(&p, &CommunityConfig::default()), Communities::default());
        assert_eq!(communities(&Projection::new(), &CommunityConfig::default()), Communities::default());
    }

    #[test]
    fn insertion_order_does_not_matter() {
        // The same two cliques with nodes and edges added in reverse: same communities, same modularity.
        let p = two_cliques();
        let mut q = Projection::new();
        for n in p.graph.node_indices().rev() {
            q.add_node(p.graph[n].clone());
        }
        for e in p.graph.edge_references().collect::<Vec<_>>().into_iter().rev() {
            q.add_edge(&p.graph[e.source()].iri, &p.graph[e.target()].iri, e.weight().clone()).unwrap();
        }
        let (a, b) = (communities(&p, &partners()), communities(&q, &partners()));
        assert_eq!(members(&a), members(&b));
        assert_eq!(a.modularity, b.modularity);
    }

    /// A random graph from (a, b) pairs, its nodes added in the given order.
    fn random(pairs: &[(usize, usize)], order: &[usize]) -> Projection {
        let mut p = Projection::new();
        for &i in order {
            p.add_node(Node::new(&format!("n{i}"), NodeKind::Organization, &format!("N{i}")));
        }
        for &(a, b) in pairs {
            p.add_edge(&format!("n{a}"), &format!("n{b}"), Edge::new(InvestsIn)).unwrap();
        }
        p
    }

    /// Modularity straight from the definition, Q = (1/2m) Σ_ij [A_ij − k_i k_j / 2m] δ(c_i, c_j), on the simple
    /// undirected graph of distinct pairs.
    fn modularity_by_definition(pairs: &[(usize, usize)], community: &HashMap<usize, usize>) -> f64 {
        let links: BTreeSet<(usize, usize)> =
            pairs.iter().filter(|(a, b)| a != b).map(|&(a, b)| (a.min(b), a.max(b))).collect();
        let two_m = 2.0 * links.len() as f64;
        let mut k: HashMap<usize, f64> = HashMap::new();
        for &(a, b) in &links {
            *k.entry(a).or_default() += 1.0;
            *k.entry(b).or_default() += 1.0;
        }
        let mut q = 0.0;
        for (&i, &ki) in &k {
            for (&j, &kj) in &k {
                if community[&i] == community[&j] {
                    let a = if links.contains(&(i.min(j), i.max(j))) && i != j { 1.0 } else { 0.0 };
                    q += a - ki * kj / two_m;
                }
            }
        }
        q / two_m
    }

    fn graph() -> impl Strategy<Value = (usize, Vec<(usize, usize)>, Vec<usize>)> {
        (1usize..10).prop_flat_map(|n| {
            (Just(n), prop::collection::vec((0..n, 0..n), 0..25), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        })
    }

    proptest! {
        #[test]
        fn partition_is_sound((n, pairs, order) in graph()) {
            let p = random(&pairs, &(0..n).collect::<Vec<_>>());
            let c = communities(&p, &CommunityConfig::default());
            // Every linked node in exactly one community, nothing else.
            let linked: BTreeSet<usize> = pairs.iter().filter(|(a, b)| a != b).flat_map(|&(a, b)| [a, b]).collect();
            let mut community: HashMap<usize, usize> = HashMap::new();
            for x in &c.communities {
                for m in &x.members {
                    let i: usize = m.iri[1..].parse().unwrap();
                    prop_assert!(community.insert(i, x.id).is_none());
                }
            }
            prop_assert_eq!(community.keys().copied().collect::<BTreeSet<_>>(), linked);
            // The reported modularity is the partition's, and no worse than all singletons.
            if !community.is_empty() {
                let q = modularity_by_definition(&pairs, &community);
                prop_assert!((c.modularity - q).abs() < 1e-9, "{} vs {}", c.modularity, q);
                let singletons: HashMap<usize, usize> = community.keys().map(|&i| (i, i)).collect();
                prop_assert!(q >= modularity_by_definition(&pairs, &singletons) - 1e-12);
            }
            // Insertion order does not change the partition.
            let shuffled = communities(&random(&pairs, &order), &CommunityConfig::default());
            let sets = |c: &Communities| -> BTreeSet<BTreeSet<String>> {
                c.communities.iter().map(|x| x.members.iter().map(|m| m.iri.clone()).collect()).collect()
            };
            prop_assert_eq!(sets(&c), sets(&shuffled));
        }
    }
}
