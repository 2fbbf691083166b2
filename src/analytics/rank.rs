//! Who matters: PageRank, betweenness centrality, degree, and the capital each investor deployed.
//!
//! PageRank and betweenness run on a compressed sparse row adjacency ([`Csr`]) built once from the projection, so
//! they scale to millions of edges: PageRank solves one strongly connected component at a time in topological order
//! (Gauss-Seidel, as PRPACK and so igraph do), which on mostly acyclic investment graphs costs a few passes over the
//! edges; the power iteration (one pass per iteration, as networkx) remains available as [`PageRankMethod::Power`];
//! betweenness is Brandes' algorithm (one breadth-first search per source, all sources or an evenly spaced sample).
//! Scores come back per node; [`ranking`] turns them into a sorted, filtered, labelled [`Ranking`] list.

use std::cmp::Ordering;

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use serde::Serialize;

use super::deals::{Deals, View};
use super::FastMap;
use crate::graph::{AmountScope, EdgeKind, Node, NodeKind, Projection};

/// Which way a [`Csr`] row lists a node's neighbours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsrDirection {
    /// Targets of the node's outgoing edges.
    Out,
    /// Sources of the node's incoming edges.
    In,
    /// Both: the undirected view.
    Both,
}

/// Compressed sparse row adjacency: the live nodes numbered 0..n in index order, and for node `i` its neighbours
/// `targets[offsets[i]..offsets[i + 1]]`. Parallel edges appear once each (they weigh more in PageRank) unless the
/// rows are deduplicated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    /// The projection's node for each compact number.
    pub nodes: Vec<NodeIndex>,
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Csr {
    /// The adjacency of the edges of `kinds` (every kind when empty), self-loops included.
    pub fn new(p: &Projection, kinds: &[EdgeKind], direction: CsrDirection) -> Csr {
        let mut compact = vec![u32::MAX; p.graph.node_bound()];
        let nodes: Vec<NodeIndex> = p.graph.node_indices().collect();
        for (i, n) in nodes.iter().enumerate() {
            compact[n.index()] = i as u32;
        }
        // One pass over the edges (the edge weights are large, so scanning them twice would double the cost).
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for e in p.graph.edge_references().filter(|e| super::kind_allowed(kinds, e.weight().kind)) {
            let (s, t) = (compact[e.source().index()], compact[e.target().index()]);
            match direction {
                CsrDirection::Out => pairs.push((s, t)),
                CsrDirection::In => pairs.push((t, s)),
                CsrDirection::Both => pairs.extend([(s, t), (t, s)]),
            }
        }
        let mut offsets = vec![0usize; nodes.len() + 1];
        for &(row, _) in &pairs {
            offsets[row as usize + 1] += 1;
        }
        for i in 0..nodes.len() {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; pairs.len()];
        for (row, col) in pairs {
            targets[fill[row as usize]] = col;
            fill[row as usize] += 1;
        }
        Csr { nodes, offsets, targets }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Neighbours of compact node `i`.
    pub fn row(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Breadth-first search along the rows from compact node `from`: every node reached with its distance in hops,
    /// in the order found (`from` first, at 0); empty when there is no such node. On an outgoing adjacency
    /// ([`CsrDirection::Out`]) these are [`paths::distances`](super::paths::distances) over the same edge kinds,
    /// found by scanning flat rows instead of walking the projection's linked edge lists.
    pub fn distances(&self, from: usize) -> Vec<(u32, u32)> {
        if from >= self.len() {
            return Vec::new();
        }
        let mut seen = vec![false; self.len()];
        seen[from] = true;
        let mut order = vec![(from as u32, 0u32)];
        let mut head = 0;
        while let Some(&(u, d)) = order.get(head) {
            head += 1;
            for &v in self.row(u as usize) {
                if !seen[v as usize] {
                    seen[v as usize] = true;
                    order.push((v, d + 1));
                }
            }
        }
        order
    }

    /// Sorts every row and drops repeated neighbours (parallel edges).
    pub fn dedup(mut self) -> Csr {
        let mut write = 0;
        let mut start = 0;
        for i in 0..self.len() {
            let end = self.offsets[i + 1];
            self.targets[start..end].sort_unstable();
            let row_start = write;
            for j in start..end {
                let t = self.targets[j];
                if write == row_start || self.targets[write - 1] != t {
                    self.targets[write] = t;
                    write += 1;
                }
            }
            self.offsets[i + 1] = write;
            start = end;
        }
        self.targets.truncate(write);
        self
    }
}

/// How PageRank is solved. Both reach the same scores (within the tolerance); they differ in work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PageRankMethod {
    /// Gauss-Seidel sweeps over one strongly connected component at a time, components in topological order
    /// (PRPACK's method, which igraph uses). A component is solved once every component with an edge into it is
    /// final, so a node outside any cycle is computed exactly in one step and only cycles are iterated: on
    /// investment graphs, which are mostly acyclic, this costs a few passes over the edges instead of dozens.
    #[default]
    Components,
    /// Power iteration over the whole graph (networkx's method): one pass over every edge per iteration, until the
    /// L1 change of the scores falls below the tolerance.
    Power,
}

/// PageRank parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct PageRankConfig {
    /// Edge kinds that pass rank; empty means every kind.
    pub kinds: Vec<EdgeKind>,
    /// Probability of following an edge rather than jumping anywhere.
    pub damping: f64,
    /// Stop when the L1 change of the scores in one iteration falls below this. With
    /// [`PageRankMethod::Components`] each component gets its share (its size / n) of the tolerance.
    pub tolerance: f64,
    /// Most iterations (power) or most sweeps over one component (components; at least one).
    pub max_iterations: usize,
    pub method: PageRankMethod,
}

impl Default for PageRankConfig {
    fn default() -> PageRankConfig {
        PageRankConfig {
            kinds: Vec::new(),
            damping: 0.85,
            tolerance: 1e-9,
            max_iterations: 100,
            method: PageRankMethod::default(),
        }
    }
}

/// Scores per node (summing to 1 for PageRank), in node index order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    pub scores: Vec<(NodeIndex, f64)>,
    /// Iterations run (PageRank only; for [`PageRankMethod::Components`], the most sweeps any component took).
    pub iterations: usize,
    /// L1 change of the last iteration (PageRank only; for components, of the last sweep of each, summed, relative
    /// to the scores): below the tolerance when it converged.
    pub delta: f64,
}

/// PageRank of every node. An edge passes rank from its source to its target; parallel edges pass proportionally
/// more. The rank of nodes without outgoing edges (dangling) is spread over all nodes.
pub fn pagerank(p: &Projection, cfg: &PageRankConfig) -> Scores {
    let incoming = Csr::new(p, &cfg.kinds, CsrDirection::In);
    let mut out_degree = vec![0u32; incoming.len()];
    for &source in &incoming.targets {
        out_degree[source as usize] += 1;
    }
    pagerank_csr(&incoming, &out_degree, cfg)
}

/// PageRank on a prebuilt incoming adjacency ([`CsrDirection::In`]) and the matching out-degrees.
pub fn pagerank_csr(incoming: &Csr, out_degree: &[u32], cfg: &PageRankConfig) -> Scores {
    if incoming.is_empty() {
        return Scores::default();
    }
    let inv_out: Vec<f64> = out_degree.iter().map(|&k| if k == 0 { 0.0 } else { 1.0 / k as f64 }).collect();
    match cfg.method {
        PageRankMethod::Power => power_iteration(incoming, out_degree, &inv_out, cfg),
        PageRankMethod::Components => by_components(incoming, &inv_out, cfg),
    }
}

fn power_iteration(incoming: &Csr, out_degree: &[u32], inv_out: &[f64], cfg: &PageRankConfig) -> Scores {
    let n = incoming.len();
    let d = cfg.damping;
    let mut rank = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    // What each node passes along each of its edges, and the rank of the dangling nodes, for this iteration;
    // the next iteration's are computed in the same pass as its ranks.
    let mut contrib: Vec<f64> = rank.iter().zip(inv_out).map(|(r, w)| r * w).collect();
    let mut next_contrib = vec![0.0; n];
    let mut dangling: f64 = rank.iter().zip(out_degree).filter(|(_, &k)| k == 0).map(|(r, _)| r).sum();
    let (mut iterations, mut delta) = (0, f64::INFINITY);
    while iterations < cfg.max_iterations && delta >= cfg.tolerance {
        let base = (1.0 - d) / n as f64 + d * dangling / n as f64;
        let (mut change, mut next_dangling) = (0.0, 0.0);
        for (v, ends) in incoming.offsets.windows(2).enumerate() {
            let sum: f64 = incoming.targets[ends[0]..ends[1]].iter().map(|&u| contrib[u as usize]).sum();
            let x = base + d * sum;
            change += (x - rank[v]).abs();
            next[v] = x;
            next_contrib[v] = x * inv_out[v];
            if out_degree[v] == 0 {
                next_dangling += x;
            }
        }
        std::mem::swap(&mut rank, &mut next);
        std::mem::swap(&mut contrib, &mut next_contrib);
        (dangling, delta) = (next_dangling, change);
        iterations += 1;
    }
    Scores { scores: incoming.nodes.iter().copied().zip(rank).collect(), iterations, delta }
}

/// PageRank as the linear system `y = 1/n + d · Σ_{u→v} y_u / out(u)`, normalised at the end (`x = y / Σ y`).
/// With uniform jumps and dangling rank spread uniformly, the PageRank vector is this `y` scaled: the dangling
/// share only adds the same amount to every node, which the normalisation restores. Without that coupling each
/// node depends only on its in-neighbours, so the components are solved in topological order, each by
/// Gauss-Seidel sweeps (a lone node exactly, in one step; a self-loop's share is moved to the left-hand side).
fn by_components(incoming: &Csr, inv_out: &[f64], cfg: &PageRankConfig) -> Scores {
    let n = incoming.len();
    let d = cfg.damping;
    let jump = 1.0 / n as f64;
    let (order, bounds) = components(incoming);
    let mut y = vec![0.0f64; n];
    let mut contrib = vec![0.0f64; n];
    // For a component of several nodes: which component each node is in, and per member, the part of its equation
    // that comes from outside the component (final, so summed once), its left-hand side (1 - its self-loops' share)
    // and its in-neighbours inside the component, the only terms that change between sweeps.
    let mut part_of = vec![u32::MAX; n];
    let (mut fixed, mut lhs, mut starts, mut inside) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut iterations, mut delta) = (1, 0.0);
    for (c, part) in bounds.windows(2).enumerate() {
        let members = &order[part[0]..part[1]];
        if let [v] = members {
            // Alone: its in-neighbours are final, so one step is exact.
            let v = *v as usize;
            let (mut sum, mut own) = (0.0, 0u32);
            for &u in incoming.row(v) {
                if u as usize == v {
                    own += 1;
                } else {
                    sum += contrib[u as usize];
                }
            }
            y[v] = (jump + d * sum) / (1.0 - d * f64::from(own) * inv_out[v]);
            contrib[v] = y[v] * inv_out[v];
            continue;
        }
        for &v in members {
            part_of[v as usize] = c as u32;
        }
        fixed.clear();
        lhs.clear();
        starts.clear();
        inside.clear();
        for &v in members {
            let v = v as usize;
            starts.push(inside.len());
            let (mut sum, mut own) = (0.0, 0u32);
            for &u in incoming.row(v) {
                if u as usize == v {
                    own += 1;
                } else if part_of[u as usize] == c as u32 {
                    inside.push(u);
                } else {
                    sum += contrib[u as usize];
                }
            }
            fixed.push(jump + d * sum);
            lhs.push(1.0 - d * f64::from(own) * inv_out[v]);
        }
        starts.push(inside.len());
        let tolerance = cfg.tolerance * members.len() as f64 / n as f64;
        let mut sweeps = 0;
        loop {
            let mut change = 0.0;
            for (i, &v) in members.iter().enumerate() {
                let v = v as usize;
                let sum: f64 = inside[starts[i]..starts[i + 1]].iter().map(|&u| contrib[u as usize]).sum();
                let x = (fixed[i] + d * sum) / lhs[i];
                change += (x - y[v]).abs();
                y[v] = x;
                contrib[v] = x * inv_out[v];
            }
            sweeps += 1;
            if change < tolerance || sweeps >= cfg.max_iterations {
                delta += change;
                break;
            }
        }
        iterations = iterations.max(sweeps);
    }
    let total: f64 = y.iter().sum();
    Scores {
        scores: incoming.nodes.iter().copied().zip(y.into_iter().map(|x| x / total)).collect(),
        iterations,
        delta: delta / total,
    }
}

/// Strongly connected components of the graph with an edge from each node to every node of its row (Tarjan,
/// iterative): the nodes listed component by component, and where each component starts and ends in that list.
/// A component comes after every component its rows reach, so on an incoming adjacency, after every component
/// with an edge into it.
fn components(g: &Csr) -> (Vec<u32>, Vec<usize>) {
    const UNSEEN: u32 = u32::MAX;
    let n = g.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    // Depth-first search frames: a node and the position of its next row entry.
    let mut call: Vec<(usize, usize)> = Vec::new();
    let mut order = Vec::with_capacity(n);
    let mut bounds = vec![0];
    let mut counter = 0u32;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut pending = Some(root);
        loop {
            if let Some(v) = pending.take() {
                (index[v], low[v]) = (counter, counter);
                counter += 1;
                stack.push(v as u32);
                on_stack[v] = true;
                call.push((v, g.offsets[v]));
            }
            let Some(top) = call.last_mut() else { break };
            let v = top.0;
            if top.1 < g.offsets[v + 1] {
                let w = g.targets[top.1] as usize;
                top.1 += 1;
                if index[w] == UNSEEN {
                    pending = Some(w);
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    order.push(w);
                    if w as usize == v {
                        break;
                    }
                }
                bounds.push(order.len());
            }
        }
    }
    (order, bounds)
}

/// Betweenness parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BetweennessConfig {
    /// Edge kinds paths may use; empty means every kind.
    pub kinds: Vec<EdgeKind>,
    /// Count paths in both directions of the edges (each unordered pair once). Default: directed.
    pub undirected: bool,
    /// Estimate from this many sources, evenly spaced over the nodes, scaling by n / sources. `None`: exact.
    pub sources: Option<usize>,
}

/// Betweenness centrality (Brandes, unweighted): for each node, the sum over pairs (s, t) of the share of shortest
/// s–t paths passing through it. Raw, not normalised; parallel edges count once.
pub fn betweenness(p: &Projection, cfg: &BetweennessConfig) -> Scores {
    let direction = if cfg.undirected { CsrDirection::Both } else { CsrDirection::Out };
    let out = Csr::new(p, &cfg.kinds, direction).dedup();
    let incoming = if cfg.undirected { out.clone() } else { Csr::new(p, &cfg.kinds, CsrDirection::In).dedup() };
    let n = out.len();
    let sources: Vec<usize> = match cfg.sources {
        Some(s) if s < n => (0..s).map(|i| i * n / s).collect(),
        _ => (0..n).collect(),
    };
    let mut centrality = vec![0.0f64; n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<usize> = Vec::new();
    for &s in &sources {
        // Forward: breadth-first search counting shortest paths; `order` lists nodes by distance.
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        order.push(s);
        let mut head = 0;
        while head < order.len() {
            let v = order[head];
            head += 1;
            for &w in out.row(v) {
                let w = w as usize;
                if dist[w] == u32::MAX {
                    dist[w] = dist[v] + 1;
                    order.push(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        // Backward: accumulate dependencies; predecessors are the in-neighbours one step closer.
        for &w in order.iter().rev() {
            for &v in incoming.row(w) {
                let v = v as usize;
                if dist[v] != u32::MAX && dist[v] + 1 == dist[w] {
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                }
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
        for &v in &order {
            sigma[v] = 0.0;
            dist[v] = u32::MAX;
            delta[v] = 0.0;
        }
    }
    let mut scale = n as f64 / sources.len().max(1) as f64;
    if cfg.undirected {
        scale /= 2.0;
    }
    Scores {
        scores: out.nodes.iter().copied().zip(centrality.into_iter().map(|c| c * scale)).collect(),
        iterations: 0,
        delta: 0.0,
    }
}

/// Which nodes a ranking keeps, and how many.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RankFilter {
    /// Keep only nodes of these kinds; empty keeps all.
    pub node_kinds: Vec<NodeKind>,
    /// Keep only nodes with one of these ontology types (compared case-insensitively); empty keeps all.
    pub types: Vec<String>,
    /// Keep the first N after sorting; `None` keeps all.
    pub top: Option<usize>,
}

/// The organisation types of the ontology a ranking can be limited to, besides the node kinds.
pub const ORG_TYPES: [&str; 5] = ["Company", "Investor", "GovernmentBody", "Alliance", "EducationBody"];

impl RankFilter {
    /// The filter for `types` (each a node kind such as `organization`, or an organisation type such as
    /// `Investor`, in any case) keeping the first `top`; an unknown name is an error that lists the valid ones.
    pub fn from_names(types: &[String], top: usize) -> Result<RankFilter, String> {
        let mut f = RankFilter { top: Some(top), ..RankFilter::default() };
        for t in types {
            let lower = t.trim().to_ascii_lowercase();
            if let Some(k) = NodeKind::from_name(&lower) {
                f.node_kinds.push(k);
            } else if let Some(ty) = ORG_TYPES.iter().find(|ty| ty.to_ascii_lowercase() == lower) {
                f.types.push((*ty).to_owned());
            } else {
                let kinds: Vec<&str> = NodeKind::ALL.iter().map(|k| k.name()).collect();
                return Err(format!(
                    "Unknown type `{t}`; use a kind ({}) or a type ({})",
                    kinds.join(", "),
                    ORG_TYPES.join(", ")
                ));
            }
        }
        Ok(f)
    }

    pub fn accepts(&self, node: &Node) -> bool {
        (self.node_kinds.is_empty() || self.node_kinds.contains(&node.kind))
            && (self.types.is_empty()
                || node.types.iter().any(|t| self.types.iter().any(|w| w.eq_ignore_ascii_case(t))))
    }

    /// [`RankFilter::accepts`] for a node of a [`View`].
    pub fn accepts_at(&self, nodes: &impl View, node: usize) -> bool {
        nodes.has(node)
            && (self.node_kinds.is_empty() || self.node_kinds.contains(&nodes.kind(node)))
            && (self.types.is_empty() || nodes.has_type(node, &self.types))
    }

    /// Keeps the accepted items and returns the first N of them in `order`. With a top N, only those N are fully
    /// sorted (a selection finds them first), which keeps a top-10 over a million nodes cheap.
    fn select<T>(
        &self,
        p: &Projection,
        items: Vec<T>,
        node: impl Fn(&T) -> NodeIndex,
        order: impl Fn(&T, &T) -> Ordering,
    ) -> Vec<T> {
        self.select_by(items, |x| p.graph.node_weight(node(x)).is_some_and(|n| self.accepts(n)), order)
    }

    /// [`RankFilter::select`] with the acceptance test given.
    fn select_by<T>(
        &self,
        mut items: Vec<T>,
        accept: impl Fn(&T) -> bool,
        order: impl Fn(&T, &T) -> Ordering,
    ) -> Vec<T> {
        items.retain(|x| accept(x));
        match self.top {
            Some(0) => items.clear(),
            Some(top) if top < items.len() => {
                items.select_nth_unstable_by(top - 1, &order);
                items.truncate(top);
            }
            _ => {}
        }
        items.sort_by(order);
        items
    }
}

/// A node and its score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    pub node: NodeIndex,
    pub iri: String,
    pub label: String,
    pub kind: NodeKind,
    pub score: f64,
}

/// Descending by score, then by label and IRI.
fn by_score_then_label(p: &Projection, a: (NodeIndex, f64), b: (NodeIndex, f64)) -> Ordering {
    b.1.total_cmp(&a.1).then_with(|| super::by_label(p, a.0, b.0))
}

/// The scores as a ranking: highest first (ties by label, then IRI), filtered, cut to the top N. Scores of nodes
/// not in the projection are skipped.
pub fn ranking(p: &Projection, scores: &[(NodeIndex, f64)], filter: &RankFilter) -> Vec<Ranking> {
    filter
        .select(p, scores.to_vec(), |x| x.0, |a, b| by_score_then_label(p, *a, *b))
        .into_iter()
        .map(|(node, score)| {
            let n = &p.graph[node];
            Ranking { node, iri: n.iri.clone(), label: n.label.clone(), kind: n.kind, score }
        })
        .collect()
}

/// A node's number of edges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Degree {
    pub node: NodeIndex,
    pub iri: String,
    pub label: String,
    pub kind: NodeKind,
    pub in_degree: usize,
    pub out_degree: usize,
    pub total: usize,
}

/// In-, out- and total degree over the edges of `kinds` (every kind when empty), parallel edges each counted;
/// sorted by total descending, then label. A self-loop counts once in and once out.
pub fn degree(p: &Projection, kinds: &[EdgeKind], filter: &RankFilter) -> Vec<Degree> {
    let mut ins = vec![0usize; p.graph.node_bound()];
    let mut outs = vec![0usize; p.graph.node_bound()];
    for e in p.graph.edge_references().filter(|e| super::kind_allowed(kinds, e.weight().kind)) {
        outs[e.source().index()] += 1;
        ins[e.target().index()] += 1;
    }
    let total = |n: NodeIndex| ins[n.index()] + outs[n.index()];
    let order = |a: &NodeIndex, b: &NodeIndex| total(*b).cmp(&total(*a)).then_with(|| super::by_label(p, *a, *b));
    filter
        .select(p, p.graph.node_indices().collect(), |n| *n, order)
        .into_iter()
        .map(|node| {
            let n = &p.graph[node];
            let (i, o) = (ins[node.index()], outs[node.index()]);
            Degree {
                node,
                iri: n.iri.clone(),
                label: n.label.clone(),
                kind: n.kind,
                in_degree: i,
                out_degree: o,
                total: i + o,
            }
        })
        .collect()
}

/// The capital an investor put to work, from its `InvestsIn` edges.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Capital {
    pub node: NodeIndex,
    pub iri: String,
    pub label: String,
    pub kind: NodeKind,
    /// Distinct investment events joined (several edges of one event count once; an edge without an event is an
    /// event of its own).
    pub rounds: usize,
    /// Events in which the investor is marked as lead.
    pub deals_led: usize,
    /// Events joined whose size, or this investor's own share, is known.
    pub rounds_with_amount: usize,
    /// Sum of the whole sizes of the rounds joined (round totals only). Informative only: a $100M round with four
    /// investors adds $100M to each of them, so these totals overlap and must not be summed across investors.
    pub total_round_usd: f64,
    /// Each round's size split equally among its distinct investors, plus this investor's own shares
    /// (`mv:ParticipantShare`, never split), summed. Cumulative totals (`mv:CumulativeTotal`) are not counted.
    pub attributed_usd: f64,
}

/// Running totals of one investor.
#[derive(Clone, Copy, Default)]
struct Totals {
    rounds: usize,
    led: usize,
    with_amount: usize,
    total: f64,
    attributed: f64,
}

/// The only edges [`capital`] reads.
pub const CAPITAL_KINDS: [EdgeKind; 1] = [EdgeKind::InvestsIn];

/// Capital per investor, sorted by attributed amount descending, then rounds descending, then label. When the
/// edges of one event disagree on the amount, the largest is taken.
pub fn capital(p: &Projection, filter: &RankFilter) -> Vec<Capital> {
    capital_of(&Deals::of(p, |k| CAPITAL_KINDS.contains(&k)), p, filter)
}

/// [`capital`] over a deal table of [`CAPITAL_KINDS`] edges and a view of its nodes: the same answer from a
/// [`Projection`] or from a persisted projection's columns.
pub fn capital_of(deals: &Deals, nodes: &impl View, filter: &RankFilter) -> Vec<Capital> {
    // Each edge as (round, investor, not lead) in one flat list sorted once, instead of a list per round: a large
    // store has hundreds of thousands of rounds. A round's amount is the largest its edges give.
    // A participant's share is that participant's own (largest if its edges disagree), never split; a cumulative
    // total is no round's size and is left out.
    let mut amounts: Vec<Option<f64>> = vec![None; deals.rounds];
    let mut shares: FastMap<(u32, u32), f64> = FastMap::default();
    let mut members: Vec<(u32, u32, bool)> = Vec::with_capacity(deals.deals.len());
    for d in &deals.deals {
        match (d.amount_usd, d.scope) {
            (Some(a), AmountScope::RoundTotal) => {
                let round = &mut amounts[d.round as usize];
                *round = Some(round.map_or(a, |b: f64| b.max(a)));
            }
            (Some(a), AmountScope::ParticipantShare) => {
                shares.entry((d.round, d.investor)).and_modify(|b| *b = b.max(a)).or_insert(a);
            }
            _ => {}
        }
        members.push((d.round, d.investor, !d.lead));
    }
    // By round, then investor with leads first, so one entry per investor and round remains, carrying its lead
    // flag. Rounds are added up in order of first appearance, as the sums of floats depend on the order.
    members.sort_unstable();
    members.dedup_by_key(|(round, n, _)| (*round, *n));
    let mut totals = vec![Totals::default(); nodes.node_bound()];
    for group in members.chunk_by(|a, b| a.0 == b.0) {
        let amount = amounts[group[0].0 as usize];
        let share = amount.map(|a| a / group.len() as f64);
        for &(round, inv, not_lead) in group {
            let Some(t) = totals.get_mut(inv as usize) else {
                continue;
            };
            t.rounds += 1;
            t.led += usize::from(!not_lead);
            if let (Some(a), Some(s)) = (amount, share) {
                t.with_amount += 1;
                t.total += a;
                t.attributed += s;
            } else if let Some(own) = shares.get(&(round, inv)) {
                t.with_amount += 1;
                t.attributed += own;
            }
        }
    }
    let investors: Vec<usize> = (0..totals.len()).filter(|&n| totals[n].rounds > 0 && nodes.has(n)).collect();
    let order = |a: &usize, b: &usize| {
        let (x, y) = (totals[*a], totals[*b]);
        y.attributed.total_cmp(&x.attributed).then_with(|| y.rounds.cmp(&x.rounds)).then_with(|| nodes.by_label(*a, *b))
    };
    filter
        .select_by(investors, |n| filter.accepts_at(nodes, *n), order)
        .into_iter()
        .map(|n| {
            let t = totals[n];
            Capital {
                node: NodeIndex::new(n),
                iri: nodes.iri(n).to_owned(),
                label: nodes.label(n).to_owned(),
                kind: nodes.kind(n),
                rounds: t.rounds,
                deals_led: t.led,
                rounds_with_amount: t.with_amount,
                total_round_usd: t.total,
                attributed_usd: t.attributed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{invest_edge, ix, Fx};
    use crate::graph::Edge;
    use proptest::prelude::*;
    use std::collections::HashMap;
    use EdgeKind::*;

    fn score_of(p: &Projection, s: &Scores, iri: &str) -> f64 {
        let node = ix(p, iri);
        s.scores.iter().find(|(n, _)| *n == node).map(|x| x.1).expect("scored")
    }

    fn check_pagerank(p: &Projection, cfg: &PageRankConfig, expected: &[(&str, f64)]) {
        for method in [PageRankMethod::Components, PageRankMethod::Power] {
            let s = pagerank(p, &PageRankConfig { method, ..cfg.clone() });
            for (iri, want) in expected {
                let got = score_of(p, &s, iri);
                assert!((got - want).abs() < 1e-6, "pagerank of {iri} by {method:?}: {got} != {want}");
            }
            let total: f64 = s.scores.iter().map(|x| x.1).sum();
            assert!((total - 1.0).abs() < 1e-9, "scores sum to {total} by {method:?}");
        }
    }

    #[test]
    fn pagerank_by_hand() {
        // a→b, a→c, b→c, c→a. With d = 0.85, N = 3, jump = 0.05:
        //   a = 0.05 + 0.85 c;  b = 0.05 + 0.85 a/2;  c = 0.05 + 0.85 (a/2 + b)
        // Substituting: c = 0.0925 + 0.78625 a, a = 0.128625 / 0.3316875 = 686/1769, b = 380/1769, c = 703/1769.
        let cycle = Fx::new()
            .orgs(&["a", "b", "c"])
            .edge("a", "b", InvestsIn)
            .edge("a", "c", InvestsIn)
            .edge("b", "c", InvestsIn)
            .edge("c", "a", InvestsIn)
            .done();
        let cfg = PageRankConfig::default();
        check_pagerank(&cycle, &cfg, &[("a", 686.0 / 1769.0), ("b", 380.0 / 1769.0), ("c", 703.0 / 1769.0)]);
        // a→b with b dangling: b's rank is spread over both. a = 0.075 + 0.85 b/2, b = 1 - a, so
        // 1.425 a = 0.5: a = 0.5/1.425 = 20/57, b = 37/57.
        let dangling = Fx::new().orgs(&["a", "b"]).edge("a", "b", InvestsIn).done();
        check_pagerank(&dangling, &cfg, &[("a", 20.0 / 57.0), ("b", 37.0 / 57.0)]);
        // Kinds filter: only partnerships pass rank, and there are none, so every node is dangling: uniform.
        let only = PageRankConfig { kinds: vec![PartnersWith], ..PageRankConfig::default() };
        check_pagerank(&cycle, &only, &[("a", 1.0 / 3.0), ("b", 1.0 / 3.0), ("c", 1.0 / 3.0)]);
        // Four nodes, a 4-cycle: by symmetry 1/4 each.
        let ring = Fx::new().orgs(&["a", "b", "c", "d"]).chain(&["a", "b", "c", "d", "a"], Funds).done();
        check_pagerank(&ring, &cfg, &[("a", 0.25), ("b", 0.25), ("c", 0.25), ("d", 0.25)]);
        // Self-loops keep half of a's rank at a. a→a, a→b, b→a: a = 0.075 + 0.85 (a/2 + b), b = 0.075 + 0.85 a/2,
        // b = 1 - a: 1.425 a = 0.925, a = 37/57, b = 20/57.
        let looped =
            Fx::new().orgs(&["a", "b"]).edge("a", "a", Funds).edge("a", "b", Funds).edge("b", "a", Funds).done();
        check_pagerank(&looped, &cfg, &[("a", 37.0 / 57.0), ("b", 20.0 / 57.0)]);
        // The same loop on a node outside any cycle, with b dangling: a and b both get a/2 + b/2: 1/2 each.
        let lone = Fx::new().orgs(&["a", "b"]).edge("a", "a", Funds).edge("a", "b", Funds).done();
        check_pagerank(&lone, &cfg, &[("a", 0.5), ("b", 0.5)]);
    }

    #[test]
    fn pagerank_stops_and_reports() {
        let power = PageRankConfig { method: PageRankMethod::Power, ..PageRankConfig::default() };
        let ring = Fx::new().orgs(&["a", "b"]).chain(&["a", "b", "a"], Funds).done();
        // Power iteration from the uniform start, which is already the answer: one iteration with no change.
        let s = pagerank(&ring, &power);
        assert_eq!((s.iterations, s.delta), (1, 0.0));
        let chain = Fx::new().orgs(&["a", "b", "c"]).chain(&["a", "b", "c"], Funds).done();
        let capped = pagerank(&chain, &PageRankConfig { max_iterations: 3, ..power.clone() });
        assert_eq!(capped.iterations, 3);
        assert!(capped.delta > 1e-9);
        // By components: the chain has no cycle, so every node is computed exactly, in one step.
        let s = pagerank(&chain, &PageRankConfig::default());
        assert_eq!((s.iterations, s.delta), (1, 0.0));
        // The ring is one component, swept until it settles, or until the cap.
        let s = pagerank(&ring, &PageRankConfig::default());
        assert!(s.iterations > 3 && s.delta < 1e-9, "{s:?}");
        let capped = pagerank(&ring, &PageRankConfig { max_iterations: 3, ..PageRankConfig::default() });
        assert_eq!(capped.iterations, 3);
        assert!(capped.delta > 1e-9);
        assert_eq!(pagerank(&Projection::new(), &PageRankConfig::default()), Scores::default());
        assert_eq!(pagerank(&Projection::new(), &power), Scores::default());
    }

    #[test]
    fn components_come_after_their_predecessors() {
        // a→b→c→b, c→d, e alone. On the incoming adjacency: {a}, then {b, c}, then {d}; e anywhere.
        let p = Fx::new()
            .orgs(&["a", "b", "c", "d", "e"])
            .chain(&["a", "b", "c", "b"], InvestsIn)
            .edge("c", "d", InvestsIn)
            .done();
        let incoming = Csr::new(&p, &[], CsrDirection::In);
        let (order, bounds) = components(&incoming);
        let parts: Vec<Vec<String>> = bounds
            .windows(2)
            .map(|w| {
                let mut names: Vec<String> =
                    order[w[0]..w[1]].iter().map(|&i| p.graph[incoming.nodes[i as usize]].iri.clone()).collect();
                names.sort();
                names
            })
            .filter(|names| names != &["e"])
            .collect();
        assert_eq!(parts, [vec!["a"], vec!["b", "c"], vec!["d"]]);
        assert_eq!(bounds.last(), Some(&5));
    }

    fn check_betweenness(p: &Projection, cfg: &BetweennessConfig, expected: &[(&str, f64)]) {
        let s = betweenness(p, cfg);
        for (iri, want) in expected {
            let got = score_of(p, &s, iri);
            assert!((got - want).abs() < 1e-12, "betweenness of {iri}: {got} != {want}, {cfg:?}");
        }
    }

    #[test]
    fn betweenness_by_hand() {
        // a→b→c: only the pair (a, c) goes through b.
        let line = Fx::new().orgs(&["a", "b", "c"]).chain(&["a", "b", "c"], InvestsIn).done();
        let directed = BetweennessConfig::default();
        let undirected = BetweennessConfig { undirected: true, ..BetweennessConfig::default() };
        check_betweenness(&line, &directed, &[("a", 0.0), ("b", 1.0), ("c", 0.0)]);
        check_betweenness(&line, &undirected, &[("a", 0.0), ("b", 1.0), ("c", 0.0)]);
        // a→b→d, a→c→d (plus a parallel a→b): two shortest a–d paths, one through each middle node.
        let diamond = Fx::new()
            .orgs(&["a", "b", "c", "d"])
            .chain(&["a", "b", "d"], InvestsIn)
            .chain(&["a", "c", "d"], InvestsIn)
            .edge("a", "b", InvestsIn)
            .done();
        check_betweenness(&diamond, &directed, &[("a", 0.0), ("b", 0.5), ("c", 0.5), ("d", 0.0)]);
        // Undirected, the pair (b, c) also has two shortest paths, via a and via d: each gets 0.5 more.
        check_betweenness(&diamond, &undirected, &[("a", 0.5), ("b", 0.5), ("c", 0.5), ("d", 0.5)]);
        // Star, undirected: the hub h lies on all 3 pairs of leaves.
        let star = Fx::new()
            .orgs(&["h", "x", "y", "z"])
            .edge("x", "h", MemberOf)
            .edge("y", "h", MemberOf)
            .edge("z", "h", MemberOf)
            .done();
        check_betweenness(&star, &undirected, &[("h", 3.0), ("x", 0.0)]);
        check_betweenness(&star, &directed, &[("h", 0.0)]);
        // Sampled with as many sources as nodes: exact.
        let sampled = BetweennessConfig { sources: Some(4), ..undirected.clone() };
        check_betweenness(&star, &sampled, &[("h", 3.0)]);
        // Two sources of four (compact 0 and 2: h and y): from h nothing passes through anyone; from y, h is on
        // the paths to x and z: 2 (directed count), × 4/2 for the sample, ÷ 2 for undirected = 2.
        let half = BetweennessConfig { sources: Some(2), ..undirected };
        check_betweenness(&star, &half, &[("h", 2.0)]);
    }

    fn labels(rows: &[Ranking]) -> Vec<(&str, f64)> {
        rows.iter().map(|r| (r.iri.as_str(), r.score)).collect()
    }

    #[test]
    fn ranking_sorts_filters_and_cuts() {
        let mut p = Fx::new().orgs(&["b", "a", "c"]).tech("t", 3).node("prs", NodeKind::Person, "Ann").done();
        p.node_mut("c").unwrap().types = vec!["Investor".into()];
        let scores: Vec<(NodeIndex, f64)> = [("b", 0.2), ("a", 0.2), ("c", 0.5), ("t", 0.1), ("prs", 0.0)]
            .iter()
            .map(|(i, s)| (ix(&p, i), *s))
            .chain([(NodeIndex::new(77), 9.0)])
            .collect();
        let all = RankFilter::default();
        // Ties (a, b at 0.2) by label; the unknown node 77 is skipped.
        assert_eq!(labels(&ranking(&p, &scores, &all)), [("c", 0.5), ("a", 0.2), ("b", 0.2), ("t", 0.1), ("prs", 0.0)]);
        let top2 = RankFilter { top: Some(2), ..all.clone() };
        assert_eq!(labels(&ranking(&p, &scores, &top2)), [("c", 0.5), ("a", 0.2)]);
        let techs = RankFilter { node_kinds: vec![NodeKind::Technology], ..all.clone() };
        assert_eq!(labels(&ranking(&p, &scores, &techs)), [("t", 0.1)]);
        let investors = RankFilter { types: vec!["investor".into()], ..all };
        assert_eq!(labels(&ranking(&p, &scores, &investors)), [("c", 0.5)]);
    }

    #[test]
    fn degrees() {
        // a→b twice (parallel), b→c, c→c (self-loop), a partners c.
        let p = Fx::new()
            .orgs(&["a", "b", "c", "d"])
            .edge("a", "b", InvestsIn)
            .edge("a", "b", InvestsIn)
            .edge("b", "c", InvestsIn)
            .edge("c", "c", InvestsIn)
            .edge("a", "c", PartnersWith)
            .done();
        let show = |kinds: &[EdgeKind], top| -> Vec<(String, usize, usize, usize)> {
            degree(&p, kinds, &RankFilter { top, ..RankFilter::default() })
                .into_iter()
                .map(|d| (d.iri, d.in_degree, d.out_degree, d.total))
                .collect()
        };
        let rows = |v: &[(&str, usize, usize, usize)]| -> Vec<(String, usize, usize, usize)> {
            v.iter().map(|(i, a, b, c)| (i.to_string(), *a, *b, *c)).collect()
        };
        // All kinds: a out 3; b in 2 out 1; c in 3 (b, itself, a) out 1; d nothing. Ties (a, b at 3) by label.
        assert_eq!(show(&[], None), rows(&[("c", 3, 1, 4), ("a", 0, 3, 3), ("b", 2, 1, 3), ("d", 0, 0, 0)]));
        assert_eq!(show(&[PartnersWith], Some(2)), rows(&[("a", 0, 1, 1), ("c", 1, 0, 1)]));
    }

    /// Three rounds: r1 ($100M, x leads, x and y join, x through two edges), r2 ($30M: x, y, z), r3 (no amount:
    /// z alone), and an event-less edge from y ($8M) that is a round of its own.
    fn rounds() -> Projection {
        Fx::new()
            .orgs(&["x", "y", "z", "c1", "c2", "c3"])
            .lead("x", "c1", "r1", Some(100e6), "2021-01-01")
            .invest("x", "c1", "r1", Some(100e6), "2021-01-01")
            .invest("y", "c1", "r1", Some(100e6), "2021-01-01")
            .invest("x", "c2", "r2", Some(30e6), "2022-01-01")
            .invest("y", "c2", "r2", None, "2022-01-01")
            .invest("z", "c2", "r2", Some(30e6), "2022-01-01")
            .invest("z", "c3", "r3", None, "2023-01-01")
            .full("y", "c3", Edge { amount_usd: Some(8e6), ..Edge::new(InvestsIn) })
            .done()
    }

    #[test]
    fn capital_per_investor() {
        let p = rounds();
        let got: Vec<(String, usize, usize, usize, f64, f64)> = capital(&p, &RankFilter::default())
            .into_iter()
            .map(|c| (c.iri, c.rounds, c.deals_led, c.rounds_with_amount, c.total_round_usd, c.attributed_usd))
            .collect();
        // x: r1 (100/2 = 50) + r2 (30/3 = 10) = 60, led r1. y: r1 50 + r2 10 + own 8 = 68. z: r2 10, r3 unknown.
        let want: Vec<(String, usize, usize, usize, f64, f64)> = vec![
            ("y".into(), 3, 0, 3, 138e6, 68e6),
            ("x".into(), 2, 1, 2, 130e6, 60e6),
            ("z".into(), 2, 0, 1, 30e6, 10e6),
        ];
        assert_eq!(got, want);
        // Attributed amounts add up to the distinct rounds: 100 + 30 + 8 = 138.
        let sum: f64 = capital(&p, &RankFilter::default()).iter().map(|c| c.attributed_usd).sum();
        assert_eq!(sum, 138e6);
        let top = capital(&p, &RankFilter { top: Some(1), ..RankFilter::default() });
        assert_eq!(top.len(), 1);
    }

    /// Google's 1999 round as the data has it (Sequoia's own $12.5M, a participant's share; a second investor with
    /// no amount), a $100M round total shared by s and k, and a $1.5B cumulative total over several rounds.
    #[test]
    fn a_participant_share_is_its_participant_s_own_and_a_cumulative_total_no_round_s() {
        let share = |from: &str| Edge {
            amount_usd: (from == "s").then_some(12.5e6),
            amount_scope: AmountScope::ParticipantShare,
            ..invest_edge("g1999", None, "1999-06-03", true)
        };
        let cumulative =
            Edge { amount_scope: AmountScope::CumulativeTotal, ..invest_edge("cm", Some(1.5e9), "", false) };
        let p = Fx::new()
            .orgs(&["s", "k", "n", "google", "c", "music"])
            .full("s", "google", share("s"))
            .full("k", "google", share("k"))
            .invest("s", "c", "r", Some(100e6), "2021-01-01")
            .invest("k", "c", "r", Some(100e6), "2021-01-01")
            .full("n", "music", cumulative)
            .done();
        let got: Vec<(String, usize, usize, f64, f64)> = capital(&p, &RankFilter::default())
            .into_iter()
            .map(|c| (c.iri, c.rounds, c.rounds_with_amount, c.total_round_usd, c.attributed_usd))
            .collect();
        // s: its own $12.5M (never split with k) + half of $100M = $62.5M; k: half of $100M only; n: the cumulative
        // total is no round's size, so nothing is attributed and no round has a known amount.
        let want: Vec<(String, usize, usize, f64, f64)> =
            vec![("s".into(), 2, 2, 100e6, 62.5e6), ("k".into(), 2, 1, 100e6, 50e6), ("n".into(), 1, 0, 0.0, 0.0)];
        assert_eq!(got, want);
    }

    // Invariance: PageRank, betweenness and degree depend only on the graph's shape, not on IRIs, labels or the
    // order in which nodes and edges were added.

    #[derive(Debug, Clone)]
    struct Shape {
        n: usize,
        edges: Vec<(usize, usize)>,
        perm: Vec<usize>,
        names: Vec<usize>,
    }

    fn shape() -> impl Strategy<Value = Shape> {
        (1usize..9).prop_flat_map(|n| {
            let idx: Vec<usize> = (0..n).collect();
            (
                Just(n),
                prop::collection::vec((0..n, 0..n), 0..24),
                Just(idx.clone()).prop_shuffle(),
                Just(idx).prop_shuffle(),
            )
                .prop_map(|(n, edges, perm, names)| Shape { n, edges, perm, names })
        })
    }

    /// Builds the graph; with `shuffled`, node i is added at position perm[i] under the name names[i] and edges are
    /// added in reverse. Returns the projection and the node index of each original node.
    fn build(s: &Shape, shuffled: bool) -> (Projection, Vec<NodeIndex>) {
        let mut p = Projection::new();
        let name = |i: usize| {
            if shuffled {
                format!("m{}", s.names[i])
            } else {
                format!("n{i}")
            }
        };
        let mut order: Vec<usize> = (0..s.n).collect();
        if shuffled {
            order.sort_by_key(|i| s.perm[*i]);
        }
        for &i in &order {
            p.add_node(crate::graph::Node::new(&name(i), NodeKind::Organization, &name(i)));
        }
        let mut edges = s.edges.clone();
        if shuffled {
            edges.reverse();
        }
        for (a, b) in edges {
            p.add_edge(&name(a), &name(b), Edge::new(InvestsIn)).unwrap();
        }
        let ids = (0..s.n).map(|i| p.node(&name(i)).unwrap()).collect();
        (p, ids)
    }

    fn per_node(scores: &Scores, ids: &[NodeIndex]) -> Vec<f64> {
        let map: HashMap<NodeIndex, f64> = scores.scores.iter().copied().collect();
        ids.iter().map(|n| map[n]).collect()
    }

    proptest! {
        #[test]
        fn top_n_is_the_head_of_the_full_ranking(scores in prop::collection::vec(0u8..4, 0..30), top in 0usize..35) {
            // Few distinct scores, so many ties for the label order to break.
            let mut p = Projection::new();
            let nodes: Vec<(NodeIndex, f64)> = scores
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let n = p.add_node(crate::graph::Node::new(&format!("n{i}"), NodeKind::Organization, &format!("L{}", i % 7)));
                    (n, f64::from(*s))
                })
                .collect();
            let mut full = ranking(&p, &nodes, &RankFilter::default());
            full.truncate(top);
            prop_assert_eq!(ranking(&p, &nodes, &RankFilter { top: Some(top), ..RankFilter::default() }), full);
        }

        #[test]
        fn pagerank_methods_agree(s in shape()) {
            // Self-loops and parallel edges included: both methods must reach the same scores.
            let (p, ids) = build(&s, false);
            let tight = PageRankConfig { tolerance: 1e-13, max_iterations: 2000, ..PageRankConfig::default() };
            let power = PageRankConfig { method: PageRankMethod::Power, ..tight.clone() };
            let (a, b) = (per_node(&pagerank(&p, &tight), &ids), per_node(&pagerank(&p, &power), &ids));
            prop_assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-11), "components {:?} vs power {:?}", a, b);
        }

        #[test]
        fn scores_ignore_names_and_order(s in shape()) {
            let (p, ids) = build(&s, false);
            let (q, jds) = build(&s, true);
            let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9);
            // Tight: the two orders sweep the components' nodes in different orders, which agree to the tolerance.
            let cfg = PageRankConfig { tolerance: 1e-13, max_iterations: 2000, ..PageRankConfig::default() };
            let (pa, pb) = (per_node(&pagerank(&p, &cfg), &ids), per_node(&pagerank(&q, &cfg), &jds));
            prop_assert!(close(&pa, &pb), "pagerank {:?} vs {:?}", pa, pb);
            for undirected in [false, true] {
                let cfg = BetweennessConfig { undirected, ..BetweennessConfig::default() };
                let (ba, bb) = (per_node(&betweenness(&p, &cfg), &ids), per_node(&betweenness(&q, &cfg), &jds));
                prop_assert!(close(&ba, &bb), "betweenness {:?} vs {:?}", ba, bb);
            }
            let deg = |p: &Projection, ids: &[NodeIndex]| -> Vec<(usize, usize)> {
                let rows = degree(p, &[], &RankFilter::default());
                ids.iter().map(|n| rows.iter().find(|d| d.node == *n).map(|d| (d.in_degree, d.out_degree)).unwrap()).collect()
            };
            prop_assert_eq!(deg(&p, &ids), deg(&q, &jds));
        }
    }
}
