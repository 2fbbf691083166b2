//! How two entities are connected: the shortest path (fewest hops, breadth-first search) and the k shortest
//! loopless paths (Yen's algorithm), over chosen edge kinds, following edges forward only or in both directions.
//!
//! Paths are sequences of node-to-node hops. Between two adjacent nodes only one hop is ever considered: the
//! lowest-indexed edge of an allowed kind, forward edges before backward ones. Parallel edges (two rounds between the
//! same investor and company, or the two halves of a partnership) therefore never produce near-duplicate paths, and
//! two paths are distinct exactly when they visit different node sequences. Ties between paths of equal length are
//! broken by node index (the lexicographically smallest node sequence wins), so the answer for a given graph is
//! always the same. Each search is a bidirectional breadth-first search, which answers in milliseconds on a graph of
//! a million nodes.

use std::collections::{BTreeMap, HashSet};

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;
use serde::Serialize;

use super::FastMap;
use crate::graph::{EdgeKind, Projection};

/// Which edges a path may use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathConfig {
    /// Edge kinds that may be walked; empty means every kind.
    pub kinds: Vec<EdgeKind>,
    /// When true, edges are walked only the way they point; when false (the default) also backwards.
    pub directed: bool,
    /// Longest path accepted, in hops; `None` for no limit.
    pub max_hops: Option<usize>,
}

/// One step of a path: the edge walked, the nodes in the order they are visited, and whether the edge points that
/// way (`forward`) or was walked backwards (only in undirected searches).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Hop {
    pub edge: EdgeIndex,
    pub from: NodeIndex,
    pub to: NodeIndex,
    pub forward: bool,
}

/// A path: its hops in order. The empty path joins a node to itself.
pub type Path = Vec<Hop>;

/// One hop of a path described for output: the two entities, the relation and the evidence of the edge walked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HopDetail {
    pub from: String,
    pub from_iri: String,
    /// The edge kind (`invests-in`, …).
    pub relation: String,
    /// Whether the edge points the way the path goes.
    pub forward: bool,
    pub to: String,
    pub to_iri: String,
    pub date: Option<String>,
    pub amount_usd: Option<f64>,
    pub stake: Option<f64>,
    pub event: Option<String>,
    /// The sources that state the edge, as the projection's bibliography describes them.
    pub sources: Vec<crate::graph::SourceRef>,
}

/// The hops of `path` in `p`, described for output (hops whose edge or nodes are gone are skipped).
pub fn describe(p: &Projection, path: &[Hop]) -> Vec<HopDetail> {
    path.iter()
        .filter_map(|h| {
            let (e, s, t) = (p.graph.edge_weight(h.edge)?, p.graph.node_weight(h.from)?, p.graph.node_weight(h.to)?);
            Some(HopDetail {
                from: s.label.clone(),
                from_iri: s.iri.clone(),
                relation: e.kind.name().to_owned(),
                forward: h.forward,
                to: t.label.clone(),
                to_iri: t.iri.clone(),
                date: e.date.clone(),
                amount_usd: e.amount_usd,
                stake: e.stake,
                event: e.event.clone(),
                sources: e.sources.iter().filter_map(|x| p.sources.get(x).cloned()).collect(),
            })
        })
        .collect()
}

/// The nodes a path visits, starting with `start`.
pub fn path_nodes(start: NodeIndex, path: &[Hop]) -> Vec<NodeIndex> {
    std::iter::once(start).chain(path.iter().map(|h| h.to)).collect()
}

/// The shortest path from `from` to `to`, or `None` when there is none within the limits (or either node is
/// unknown). Walks the projection's own edge lists; for many searches on a large graph, build an [`Adjacency`]
/// once and ask it.
pub fn shortest_path(p: &Projection, from: NodeIndex, to: NodeIndex, cfg: &PathConfig) -> Option<Path> {
    shortest_in(p, from, to, cfg)
}

/// Every node reachable from `from` within the limits of `cfg` (kinds, direction, `max_hops`), with its distance in
/// hops, in breadth-first order: `from` first at distance 0, then each level in node index order. Empty when
/// `from` is unknown. This is single-source breadth-first search, the hop distances `shortest_path`
/// would give to each of these nodes.
pub fn distances(p: &Projection, from: NodeIndex, cfg: &PathConfig) -> Vec<(NodeIndex, usize)> {
    distances_in(p, from, cfg)
}

/// Up to `k` loopless paths from `from` to `to`, shortest first (Yen's algorithm); paths of equal length are
/// ordered by their node sequence. Empty when there is no path or either node is unknown.
pub fn k_shortest_paths(p: &Projection, from: NodeIndex, to: NodeIndex, k: usize, cfg: &PathConfig) -> Vec<Path> {
    k_shortest_in(p, from, to, k, cfg)
}

/// The edges of a projection as flat per-node lists, out and in, each entry the neighbour, the edge and its kind,
/// sorted by neighbour then edge: what a search scans instead of petgraph's linked edge lists, whose every step is
/// a jump to a large edge record elsewhere in memory. Built in one pass over the edges; it answers the same
/// questions as the functions of this module, with the same results, for the projection it was built from.
#[derive(Debug, Default)]
pub struct Adjacency {
    bound: usize,
    live: Vec<bool>,
    out_start: Vec<usize>,
    out: Vec<Link>,
    in_start: Vec<usize>,
    inn: Vec<Link>,
    /// Search state kept between searches: arrays over every node, allocated by the first search and reused (a
    /// search number tells current entries from old ones), so a search costs what it visits.
    scratch: std::sync::Mutex<Vec<Scratch>>,
}

type EdgeRow = (u32, u32, u32, EdgeKind);

/// One entry of an [`Adjacency`] row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Link {
    node: u32,
    edge: u32,
    kind: EdgeKind,
}

impl Adjacency {
    pub fn new(p: &Projection) -> Adjacency {
        let bound = p.graph.node_bound();
        let mut live = vec![false; bound];
        for n in p.graph.node_indices() {
            live[n.index()] = true;
        }
        // (source, target, edge, kind) of every edge, in edge order.
        let edges: Vec<EdgeRow> = p
            .graph
            .edge_references()
            .map(|e| (e.source().index() as u32, e.target().index() as u32, e.id().index() as u32, e.weight().kind))
            .collect();
        let rows = |key: fn(&EdgeRow) -> (u32, u32)| {
            let mut start = vec![0usize; bound + 1];
            for e in &edges {
                start[key(e).0 as usize + 1] += 1;
            }
            for i in 0..bound {
                start[i + 1] += start[i];
            }
            let mut fill = start.clone();
            let mut links = vec![Link { node: 0, edge: 0, kind: EdgeKind::InvestsIn }; edges.len()];
            for e in &edges {
                let (row, node) = key(e);
                links[fill[row as usize]] = Link { node, edge: e.2, kind: e.3 };
                fill[row as usize] += 1;
            }
            for i in 0..bound {
                links[start[i]..start[i + 1]].sort_unstable();
            }
            (start, links)
        };
        let (out_start, out) = rows(|e| (e.0, e.1));
        let (in_start, inn) = rows(|e| (e.1, e.0));
        Adjacency { bound, live, out_start, out, in_start, inn, scratch: Default::default() }
    }

    /// [`shortest_path`] on the projection this was built from.
    pub fn shortest_path(&self, from: NodeIndex, to: NodeIndex, cfg: &PathConfig) -> Option<Path> {
        shortest_in(self, from, to, cfg)
    }

    /// [`distances`] on the projection this was built from.
    pub fn distances(&self, from: NodeIndex, cfg: &PathConfig) -> Vec<(NodeIndex, usize)> {
        distances_in(self, from, cfg)
    }

    /// [`k_shortest_paths`] on the projection this was built from.
    pub fn k_shortest_paths(&self, from: NodeIndex, to: NodeIndex, k: usize, cfg: &PathConfig) -> Vec<Path> {
        k_shortest_in(self, from, to, k, cfg)
    }
}

/// Where a search finds the edges at a node: the projection itself or an [`Adjacency`].
trait Links {
    /// Whether [`Links::links`] gives each node's edges sorted by neighbour, then edge.
    const SORTED: bool;
    /// One past the largest node index.
    fn bound(&self) -> usize;
    /// Search state to reuse, if this graph keeps some.
    fn take_scratch(&self) -> Scratch {
        Scratch::default()
    }
    fn give_back(&self, _scratch: Scratch) {}
    fn contains(&self, n: NodeIndex) -> bool;
    /// Calls `f(neighbour, edge)` for each edge of a kind in `kinds` (every kind when empty) out of `u`
    /// (`outgoing`) or into it. The kind is read only when `kinds` restricts it: on the projection it lives in the
    /// edge's weight, a further jump in memory.
    fn links(&self, u: NodeIndex, outgoing: bool, kinds: &[EdgeKind], f: impl FnMut(NodeIndex, EdgeIndex));
}

impl Links for Projection {
    const SORTED: bool = false;

    fn bound(&self) -> usize {
        self.graph.node_bound()
    }

    fn contains(&self, n: NodeIndex) -> bool {
        self.graph.contains_node(n)
    }

    fn links(&self, u: NodeIndex, outgoing: bool, kinds: &[EdgeKind], mut f: impl FnMut(NodeIndex, EdgeIndex)) {
        let direction = if outgoing { Direction::Outgoing } else { Direction::Incoming };
        for e in self.graph.edges_directed(u, direction) {
            if kinds.is_empty() || kinds.contains(&e.weight().kind) {
                f(if outgoing { e.target() } else { e.source() }, e.id());
            }
        }
    }
}

impl Links for Adjacency {
    const SORTED: bool = true;

    fn bound(&self) -> usize {
        self.bound
    }

    fn take_scratch(&self) -> Scratch {
        let pooled = self.scratch.lock().unwrap_or_else(|e| e.into_inner()).pop();
        pooled.unwrap_or_else(|| Scratch::dense(self.bound))
    }

    fn give_back(&self, scratch: Scratch) {
        self.scratch.lock().unwrap_or_else(|e| e.into_inner()).push(scratch);
    }

    fn contains(&self, n: NodeIndex) -> bool {
        self.live.get(n.index()).copied().unwrap_or(false)
    }

    fn links(&self, u: NodeIndex, outgoing: bool, kinds: &[EdgeKind], mut f: impl FnMut(NodeIndex, EdgeIndex)) {
        let i = u.index();
        if i >= self.bound {
            return;
        }
        let (start, links) = if outgoing { (&self.out_start, &self.out) } else { (&self.in_start, &self.inn) };
        for l in &links[start[i]..start[i + 1]] {
            if super::kind_allowed(kinds, l.kind) {
                f(NodeIndex::new(l.node as usize), EdgeIndex::new(l.edge as usize));
            }
        }
    }
}

fn shortest_in(g: &impl Links, from: NodeIndex, to: NodeIndex, cfg: &PathConfig) -> Option<Path> {
    if !g.contains(from) || !g.contains(to) {
        return None;
    }
    Walker::new(g, cfg).bfs(from, to, &HashSet::new(), &HashSet::new(), cfg.max_hops.unwrap_or(usize::MAX))
}

fn distances_in(g: &impl Links, from: NodeIndex, cfg: &PathConfig) -> Vec<(NodeIndex, usize)> {
    if !g.contains(from) {
        return Vec::new();
    }
    let limit = cfg.max_hops.unwrap_or(usize::MAX);
    // Dense: a full search reaches a large part of the graph.
    let mut seen = vec![false; g.bound()];
    seen[from.index()] = true;
    let mut order = vec![(from, 0)];
    let (mut level, mut next) = (vec![from], Vec::new());
    let mut d = 0;
    while !level.is_empty() && d < limit {
        d += 1;
        for &u in &level {
            let mut visit = |v: NodeIndex, _: EdgeIndex| {
                if !seen[v.index()] {
                    seen[v.index()] = true;
                    next.push(v);
                }
            };
            g.links(u, true, &cfg.kinds, &mut visit);
            if !cfg.directed {
                g.links(u, false, &cfg.kinds, &mut visit);
            }
        }
        // Each level in node order, so the answer does not depend on the order edges are stored in.
        next.sort_unstable();
        order.extend(next.iter().map(|&v| (v, d)));
        std::mem::swap(&mut level, &mut next);
        next.clear();
    }
    order
}

fn k_shortest_in(g: &impl Links, from: NodeIndex, to: NodeIndex, k: usize, cfg: &PathConfig) -> Vec<Path> {
    if k == 0 {
        return Vec::new();
    }
    let Some(first) = shortest_in(g, from, to, cfg) else {
        return Vec::new();
    };
    let limit = cfg.max_hops.unwrap_or(usize::MAX);
    let mut walker = Walker::new(g, cfg);
    let mut found = vec![first];
    let mut found_keys: HashSet<Vec<NodeIndex>> = HashSet::from([path_nodes(from, &found[0])]);
    // Candidates keyed by (length, node sequence): the first key is the next path.
    let mut candidates: BTreeMap<(usize, Vec<NodeIndex>), Path> = BTreeMap::new();
    while found.len() < k {
        let last = found[found.len() - 1].clone();
        let nodes = path_nodes(from, &last);
        for i in 0..last.len() {
            if i >= limit {
                break;
            }
            let spur = nodes[i];
            // Steps out of the spur node already taken by a found path with the same root are barred, so are the
            // root's own nodes (the path stays loopless).
            let barred_steps: HashSet<NodeIndex> = found
                .iter()
                .filter(|q| q.len() > i && path_nodes(from, q)[..=i] == nodes[..=i])
                .map(|q| q[i].to)
                .collect();
            let barred_nodes: HashSet<NodeIndex> = nodes[..i].iter().copied().collect();
            let Some(spur_path) = walker.bfs(spur, to, &barred_nodes, &barred_steps, limit - i) else {
                continue;
            };
            let mut path = last[..i].to_vec();
            path.extend(spur_path);
            let key = path_nodes(from, &path);
            if !found_keys.contains(&key) {
                candidates.entry((path.len(), key)).or_insert(path);
            }
        }
        let Some(((_, key), path)) = candidates.pop_first() else {
            break;
        };
        found_keys.insert(key);
        found.push(path);
    }
    found
}

/// Breadth-first search state, reused across the searches of one Yen run.
///
/// Each search is bidirectional: it grows, one whole level at a time, whichever of the two frontiers (from the
/// source along the hops, from the target against them) is smaller, and stops at the first level where they meet.
/// The path is then rebuilt greedily from the source, always stepping to the lowest-indexed neighbour that still
/// lies on a shortest path, which yields the same path as a plain breadth-first search with sorted neighbours (the
/// lexicographically smallest node sequence) at a fraction of the cost on large graphs.
///
/// On the projection the search state lives in hash maps keyed by node: a search between two nodes of a large graph
/// touches a small part of it, and arrays over every node would cost more to allocate and fault in than the search
/// itself. An [`Adjacency`] keeps such arrays between searches instead.
struct Walker<'a, G: Links> {
    g: &'a G,
    cfg: &'a PathConfig,
    state: Scratch,
    buf: Vec<Hop>,
}

impl<G: Links> Drop for Walker<'_, G> {
    fn drop(&mut self) {
        self.g.give_back(std::mem::take(&mut self.state));
    }
}

/// The state of one search: distances from the source side and to the target side, and the nodes marked as lying
/// on a shortest path. Either hash maps (cheap to create, for one search), or arrays over every node kept between
/// searches: one bit per node and side says whether the node was reached (a few hundred kilobytes that stay in the
/// processor's cache, so testing a neighbour already seen costs no trip to memory), the distance is read only for
/// nodes reached, and the nodes touched are listed so that the next search clears just those bits.
#[derive(Debug)]
enum Scratch {
    Sparse { dist_s: FastMap<NodeIndex, u32>, dist_t: FastMap<NodeIndex, u32>, marked: FastMap<NodeIndex, ()> },
    Dense(Box<Dense>),
}

#[derive(Debug)]
struct Dense {
    seen_s: Vec<u64>,
    seen_t: Vec<u64>,
    marked: Vec<u64>,
    dist_s: Vec<u32>,
    dist_t: Vec<u32>,
    touched: Vec<u32>,
}

impl Dense {
    fn bit(bits: &[u64], n: usize) -> bool {
        bits.get(n / 64).is_some_and(|w| w & (1 << (n % 64)) != 0)
    }

    /// Sets the bit; false when it was set already or `n` is out of range.
    fn set(bits: &mut [u64], n: usize) -> bool {
        match bits.get_mut(n / 64) {
            Some(w) if *w & (1 << (n % 64)) == 0 => {
                *w |= 1 << (n % 64);
                true
            }
            _ => false,
        }
    }
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch::Sparse { dist_s: FastMap::default(), dist_t: FastMap::default(), marked: FastMap::default() }
    }
}

impl Scratch {
    fn dense(bound: usize) -> Scratch {
        let words = bound.div_ceil(64);
        Scratch::Dense(Box::new(Dense {
            seen_s: vec![0; words],
            seen_t: vec![0; words],
            marked: vec![0; words],
            dist_s: vec![0; bound],
            dist_t: vec![0; bound],
            touched: Vec::new(),
        }))
    }

    /// Forgets the previous search.
    fn clear(&mut self) {
        match self {
            Scratch::Sparse { dist_s, dist_t, marked } => {
                dist_s.clear();
                dist_t.clear();
                marked.clear();
            }
            Scratch::Dense(d) => {
                for &n in &d.touched {
                    let w = n as usize / 64;
                    d.seen_s[w] = 0;
                    d.seen_t[w] = 0;
                    d.marked[w] = 0;
                }
                d.touched.clear();
            }
        }
    }

    fn has_s(&self, n: NodeIndex) -> bool {
        match self {
            Scratch::Sparse { dist_s, .. } => dist_s.contains_key(&n),
            Scratch::Dense(d) => Dense::bit(&d.seen_s, n.index()),
        }
    }

    fn has_t(&self, n: NodeIndex) -> bool {
        match self {
            Scratch::Sparse { dist_t, .. } => dist_t.contains_key(&n),
            Scratch::Dense(d) => Dense::bit(&d.seen_t, n.index()),
        }
    }

    fn dist_s(&self, n: NodeIndex) -> Option<u32> {
        match self {
            Scratch::Sparse { dist_s, .. } => dist_s.get(&n).copied(),
            Scratch::Dense(d) => Dense::bit(&d.seen_s, n.index()).then(|| d.dist_s[n.index()]),
        }
    }

    fn dist_t(&self, n: NodeIndex) -> Option<u32> {
        match self {
            Scratch::Sparse { dist_t, .. } => dist_t.get(&n).copied(),
            Scratch::Dense(d) => Dense::bit(&d.seen_t, n.index()).then(|| d.dist_t[n.index()]),
        }
    }

    fn marked(&self, n: NodeIndex) -> bool {
        match self {
            Scratch::Sparse { marked, .. } => marked.contains_key(&n),
            Scratch::Dense(d) => Dense::bit(&d.marked, n.index()),
        }
    }

    fn set_s(&mut self, n: NodeIndex, dist: u32) {
        match self {
            Scratch::Sparse { dist_s, .. } => {
                dist_s.insert(n, dist);
            }
            Scratch::Dense(d) => {
                if n.index() < d.dist_s.len() {
                    if Dense::set(&mut d.seen_s, n.index()) {
                        d.touched.push(n.index() as u32);
                    }
                    d.dist_s[n.index()] = dist;
                }
            }
        }
    }

    fn set_t(&mut self, n: NodeIndex, dist: u32) {
        match self {
            Scratch::Sparse { dist_t, .. } => {
                dist_t.insert(n, dist);
            }
            Scratch::Dense(d) => {
                if n.index() < d.dist_t.len() {
                    if Dense::set(&mut d.seen_t, n.index()) {
                        d.touched.push(n.index() as u32);
                    }
                    d.dist_t[n.index()] = dist;
                }
            }
        }
    }

    fn mark(&mut self, n: NodeIndex) {
        match self {
            Scratch::Sparse { marked, .. } => {
                marked.insert(n, ());
            }
            Scratch::Dense(d) => {
                if Dense::set(&mut d.marked, n.index()) {
                    d.touched.push(n.index() as u32);
                }
            }
        }
    }
}

impl<'a, G: Links> Walker<'a, G> {
    fn new(g: &'a G, cfg: &'a PathConfig) -> Walker<'a, G> {
        Walker { g, cfg, state: g.take_scratch(), buf: Vec::new() }
    }

    /// The hops out of `u`: one per neighbour (lowest edge index, forward first), sorted by neighbour.
    fn steps(&self, u: NodeIndex, out: &mut Vec<Hop>) {
        out.clear();
        let kinds = &self.cfg.kinds;
        self.g.links(u, true, kinds, |to, edge| {
            if to != u {
                out.push(Hop { edge, from: u, to, forward: true });
            }
        });
        if !self.cfg.directed {
            self.g.links(u, false, kinds, |to, edge| {
                if to != u {
                    out.push(Hop { edge, from: u, to, forward: false });
                }
            });
        }
        // Sorted rows walked forward only are already in this order.
        if !(G::SORTED && self.cfg.directed) {
            out.sort_unstable_by_key(|h| (h.to, !h.forward, h.edge));
        }
        out.dedup_by_key(|h| h.to);
    }

    /// The nodes with a hop to `v` (the reverse of [`Walker::steps`]), sorted.
    fn sources(&self, v: NodeIndex, out: &mut Vec<NodeIndex>) {
        out.clear();
        let kinds = &self.cfg.kinds;
        self.g.links(v, false, kinds, |from, _| {
            if from != v {
                out.push(from);
            }
        });
        if !self.cfg.directed {
            self.g.links(v, true, kinds, |from, _| {
                if from != v {
                    out.push(from);
                }
            });
        }
        if !(G::SORTED && self.cfg.directed) {
            out.sort_unstable();
        }
        out.dedup();
    }

    /// Shortest path from `src` to `dst` of at most `limit` hops avoiding `barred_nodes` and, out of `src`, the
    /// steps to `barred_first`.
    fn bfs(
        &mut self,
        src: NodeIndex,
        dst: NodeIndex,
        barred_nodes: &HashSet<NodeIndex>,
        barred_first: &HashSet<NodeIndex>,
        limit: usize,
    ) -> Option<Path> {
        if src == dst {
            return Some(Vec::new());
        }
        self.state.clear();
        let barred_step = |u: NodeIndex, v: NodeIndex| u == src && barred_first.contains(&v);
        self.state.set_s(src, 0);
        self.state.set_t(dst, 0);
        let (mut front_s, mut front_t) = (vec![src], vec![dst]);
        let (mut a, mut b) = (0usize, 0usize);
        let mut meet: Vec<NodeIndex> = Vec::new();
        let mut hops = std::mem::take(&mut self.buf);
        let mut nodes = Vec::new();
        while meet.is_empty() {
            if front_s.is_empty() || front_t.is_empty() || a + b >= limit {
                self.buf = hops;
                return None;
            }
            let mut next = Vec::new();
            if front_s.len() <= front_t.len() {
                a += 1;
                for &u in &front_s {
                    self.steps(u, &mut hops);
                    for h in &hops {
                        let v = h.to;
                        if self.state.has_s(v) || barred_nodes.contains(&v) || barred_step(u, v) {
                            continue;
                        }
                        self.state.set_s(v, a as u32);
                        next.push(v);
                        if self.state.has_t(v) {
                            meet.push(v);
                        }
                    }
                }
                front_s = next;
            } else {
                b += 1;
                for &w in &front_t {
                    self.sources(w, &mut nodes);
                    for &u in &nodes {
                        if self.state.has_t(u) || barred_nodes.contains(&u) || barred_step(u, w) {
                            continue;
                        }
                        self.state.set_t(u, b as u32);
                        next.push(u);
                        if self.state.has_s(u) {
                            meet.push(u);
                        }
                    }
                }
                front_t = next;
            }
        }
        // Every meeting node is at distance a from the source and b from the target. Mark the nodes of the
        // shortest paths: towards the source along decreasing source distance, towards the target along
        // decreasing target distance.
        let total = a + b;
        let on_s = |w: &Self, v: NodeIndex, d: usize| w.state.dist_s(v).is_some_and(|x| x as usize == d);
        let on_t = |w: &Self, v: NodeIndex, d: usize| w.state.dist_t(v).is_some_and(|x| x as usize == d);
        for &m in &meet {
            self.state.mark(m);
        }
        let mut level = meet.clone();
        for i in (1..=a).rev() {
            let mut prev = Vec::new();
            for &v in &level {
                self.sources(v, &mut nodes);
                for &u in &nodes {
                    if on_s(self, u, i - 1) && !self.state.marked(u) && !barred_step(u, v) {
                        self.state.mark(u);
                        prev.push(u);
                    }
                }
            }
            level = prev;
        }
        let mut level = meet;
        for i in a..total {
            let mut next = Vec::new();
            for &u in &level {
                self.steps(u, &mut hops);
                for h in &hops {
                    let v = h.to;
                    if on_t(self, v, total - i - 1) && !self.state.marked(v) && !barred_step(u, v) {
                        self.state.mark(v);
                        next.push(v);
                    }
                }
            }
            level = next;
        }
        // Greedy walk: the lowest-indexed marked neighbour one step further along.
        let mut path = Vec::with_capacity(total);
        let mut u = src;
        for i in 0..total {
            self.steps(u, &mut hops);
            let Some(h) = hops
                .iter()
                .find(|h| {
                    let v = h.to;
                    self.state.marked(v)
                        && !barred_step(u, v)
                        && if i < a { on_s(self, v, i + 1) } else { on_t(self, v, total - i - 1) }
                })
                .copied()
            else {
                // Cannot happen: every marked node has a marked successor.
                return None;
            };
            path.push(h);
            u = h.to;
        }
        self.buf = hops;
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{ix, Fx};
    use crate::graph::{Edge, Node, NodeKind};
    use proptest::prelude::*;
    use EdgeKind::*;

    /// ```text
    ///   a ──invests──▶ b ──invests──▶ d ──acquires──▶ e
    ///   a ──partners─▶ c ──partners─▶ d
    ///   a ──holds-stake-in──────────▶ d
    ///   a ──invests──▶ b   (a second round: a parallel edge)
    /// ```
    fn diamond() -> Projection {
        Fx::new()
            .orgs(&["a", "b", "c", "d", "e"])
            .edge("a", "b", InvestsIn)
            .edge("b", "d", InvestsIn)
            .edge("a", "c", PartnersWith)
            .edge("c", "d", PartnersWith)
            .edge("a", "d", HoldsStakeIn)
            .edge("d", "e", Acquires)
            .edge("a", "b", InvestsIn)
            .done()
    }

    fn cfg(kinds: &[EdgeKind], directed: bool, max_hops: Option<usize>) -> PathConfig {
        PathConfig { kinds: kinds.to_vec(), directed, max_hops }
    }

    /// A path as "a>b>d" with `<` for a hop walked backwards.
    fn show(p: &Projection, from: NodeIndex, path: &[Hop]) -> String {
        let mut s = p.graph[from].iri.clone();
        for h in path {
            s.push(if h.forward { '>' } else { '<' });
            s.push_str(&p.graph[h.to].iri);
        }
        s
    }

    fn check(from: &str, to: &str, k: usize, cfg: PathConfig, expected: &[&str]) {
        let p = diamond();
        let (a, b) = (ix(&p, from), ix(&p, to));
        let got: Vec<String> = k_shortest_paths(&p, a, b, k, &cfg).iter().map(|x| show(&p, a, x)).collect();
        assert_eq!(got, expected, "{from} to {to}, k = {k}, {cfg:?}");
        if k > 0 {
            let first = shortest_path(&p, a, b, &cfg).map(|x| show(&p, a, &x));
            assert_eq!(first.as_deref(), expected.first().copied(), "shortest {from} to {to}, {cfg:?}");
        }
    }

    #[test]
    fn shortest_and_k_shortest() {
        // Directly held: one hop; then the two 2-hop routes, b before c (lower index).
        check("a", "d", 5, cfg(&[], true, None), &["a>d", "a>b>d", "a>c>d"]);
        check("a", "d", 2, cfg(&[], true, None), &["a>d", "a>b>d"]);
        check("a", "d", 0, cfg(&[], true, None), &[]);
        check("a", "d", 5, cfg(&[PartnersWith], true, None), &["a>c>d"]);
        check("a", "d", 5, cfg(&[InvestsIn, PartnersWith], true, Some(1)), &[]);
        check("a", "e", 1, cfg(&[], true, None), &["a>d>e"]);
        check("a", "e", 5, cfg(&[], true, Some(2)), &["a>d>e"]);
        check("a", "e", 5, cfg(&[], true, Some(1)), &[]);
        check("a", "e", 5, cfg(&[InvestsIn, Acquires], true, None), &["a>b>d>e"]);
        // Against the arrows only undirected works; each hop records that it went backwards. From d the
        // neighbours are tried in index order, so the 2-hop routes come b, then c.
        check("e", "a", 3, cfg(&[], true, None), &[]);
        check("e", "a", 5, cfg(&[], false, None), &["e<d<a", "e<d<b<a", "e<d<c<a"]);
        // Undirected, c to b: through a or through d (2 hops each, a first), then c-a-d-b and c-d-a-b (3 hops).
        check("c", "b", 5, cfg(&[], false, None), &["c<a>b", "c>d<b", "c<a>d<b", "c>d<a>b"]);
        check("a", "a", 3, cfg(&[], true, None), &["a"]);
    }

    #[test]
    fn flat_lists_skip_removed_nodes_and_edges() {
        // Remove c (so a reaches d only through b) and the a -> d stake: both searches must agree on what is left.
        let mut p = diamond();
        let c = ix(&p, "c");
        p.graph.remove_node(c);
        let stake = p.graph.find_edge(ix(&p, "a"), ix(&p, "d")).expect("stake edge");
        p.graph.remove_edge(stake);
        let adj = Adjacency::new(&p);
        let cfg = PathConfig::default();
        let (a, e) = (ix(&p, "a"), ix(&p, "e"));
        let want = shortest_path(&p, a, e, &cfg).expect("a path remains");
        assert_eq!(show(&p, a, &want), "a>b>d>e");
        assert_eq!(adj.shortest_path(a, e, &cfg), Some(want));
        assert_eq!(adj.distances(a, &cfg), distances(&p, a, &cfg));
        assert_eq!(adj.shortest_path(a, c, &cfg), None);
        assert_eq!(adj.distances(c, &cfg), Vec::new());
        assert_eq!(adj.shortest_path(a, NodeIndex::new(999), &cfg), None);
    }

    #[test]
    fn parallel_edges_collapse_to_the_lowest_index() {
        let p = diamond();
        let path = shortest_path(&p, ix(&p, "a"), ix(&p, "b"), &cfg(&[], true, None)).unwrap();
        // The first a→b edge is edge 0, the second one edge 6.
        assert_eq!(path.iter().map(|h| h.edge.index()).collect::<Vec<_>>(), vec![0]);
        assert_eq!(k_shortest_paths(&p, ix(&p, "a"), ix(&p, "b"), 5, &cfg(&[InvestsIn], true, None)).len(), 1);
    }

    #[test]
    fn unknown_nodes_give_nothing() {
        let p = diamond();
        let ghost = NodeIndex::new(42);
        assert_eq!(shortest_path(&p, ghost, ix(&p, "a"), &PathConfig::default()), None);
        assert!(k_shortest_paths(&p, ix(&p, "a"), ghost, 3, &PathConfig::default()).is_empty());
    }

    #[test]
    fn path_nodes_lists_the_visit() {
        let p = diamond();
        let a = ix(&p, "a");
        let path = shortest_path(&p, a, ix(&p, "e"), &PathConfig::default()).unwrap();
        let iris: Vec<&str> = path_nodes(a, &path).iter().map(|n| p.graph[*n].iri.as_str()).collect();
        assert_eq!(iris, ["a", "d", "e"]);
    }

    fn check_distances(from: &str, cfg: PathConfig, expected: &[(&str, usize)]) {
        let p = diamond();
        let got = distances(&p, ix(&p, from), &cfg);
        // Breadth-first order: the start first, distances never decreasing.
        assert_eq!(got.first().map(|(n, d)| (p.graph[*n].iri.as_str(), *d)), Some((from, 0)));
        assert!(got.windows(2).all(|w| w[0].1 < w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0)), "{got:?}");
        let mut named: Vec<(&str, usize)> = got.iter().map(|(n, d)| (p.graph[*n].iri.as_str(), *d)).collect();
        named.sort();
        assert_eq!(named, expected, "from {from}, {cfg:?}");
    }

    #[test]
    fn distances_by_hand() {
        check_distances("a", cfg(&[], true, None), &[("a", 0), ("b", 1), ("c", 1), ("d", 1), ("e", 2)]);
        check_distances("a", cfg(&[InvestsIn], true, None), &[("a", 0), ("b", 1), ("d", 2)]);
        check_distances("a", cfg(&[], true, Some(1)), &[("a", 0), ("b", 1), ("c", 1), ("d", 1)]);
        check_distances("a", cfg(&[], true, Some(0)), &[("a", 0)]);
        // Against the arrows: nothing out of e when directed; everything when not.
        check_distances("e", cfg(&[], true, None), &[("e", 0)]);
        check_distances("e", cfg(&[], false, None), &[("a", 2), ("b", 2), ("c", 2), ("d", 1), ("e", 0)]);
        assert!(distances(&diamond(), NodeIndex::new(42), &PathConfig::default()).is_empty());
    }

    // Property tests on random small graphs.

    const KINDS: [EdgeKind; 3] = [InvestsIn, PartnersWith, Acquires];

    #[derive(Debug, Clone)]
    struct Case {
        n: usize,
        edges: Vec<(usize, usize, usize)>,
        cfg: PathConfig,
        from: usize,
        to: usize,
        k: usize,
    }

    fn case() -> impl Strategy<Value = Case> {
        (2usize..8).prop_flat_map(|n| {
            (
                Just(n),
                prop::collection::vec((0..n, 0..n, 0..KINDS.len()), 0..18),
                prop::collection::vec(any::<bool>(), KINDS.len()),
                any::<bool>(),
                prop::option::of(0usize..5),
                0..n,
                0..n,
                1usize..7,
            )
                .prop_map(|(n, edges, kind_mask, directed, max_hops, from, to, k)| Case {
                    n,
                    edges,
                    cfg: PathConfig {
                        kinds: KINDS.iter().zip(&kind_mask).filter(|(_, m)| **m).map(|(k, _)| *k).collect(),
                        directed,
                        max_hops,
                    },
                    from,
                    to,
                    k,
                })
        })
    }

    fn build(c: &Case) -> Projection {
        let mut p = Projection::new();
        for i in 0..c.n {
            p.add_node(Node::new(&format!("n{i}"), NodeKind::Organization, &format!("N{i}")));
        }
        for &(a, b, k) in &c.edges {
            p.add_edge(&format!("n{a}"), &format!("n{b}"), Edge::new(KINDS[k])).unwrap();
        }
        p
    }

    /// Adjacency under the case's configuration, computed without the code under test.
    fn adjacent(c: &Case, u: usize, v: usize) -> bool {
        u != v
            && c.edges.iter().any(|&(a, b, k)| {
                let kind_ok = c.cfg.kinds.is_empty() || c.cfg.kinds.contains(&KINDS[k]);
                kind_ok && ((a == u && b == v) || (!c.cfg.directed && a == v && b == u))
            })
    }

    /// Every loopless path (as node sequences) within the hop limit, by exhaustive search.
    fn all_paths(c: &Case) -> Vec<Vec<usize>> {
        fn go(c: &Case, at: Vec<usize>, out: &mut Vec<Vec<usize>>) {
            let last = *at.last().unwrap();
            if last == c.to {
                out.push(at);
                return;
            }
            if at.len() > c.cfg.max_hops.unwrap_or(usize::MAX) {
                return;
            }
            for v in 0..c.n {
                if !at.contains(&v) && adjacent(c, last, v) {
                    let mut next = at.clone();
                    next.push(v);
                    go(c, next, out);
                }
            }
        }
        let mut out = Vec::new();
        go(c, vec![c.from], &mut out);
        out.retain(|x| x.len() - 1 <= c.cfg.max_hops.unwrap_or(usize::MAX));
        out
    }

    /// The lexicographically smallest shortest path (as node sequence) by plain breadth-first search with sorted
    /// neighbours, the answer the bidirectional search must reproduce.
    fn reference(c: &Case) -> Option<Vec<usize>> {
        let mut pred: Vec<Option<usize>> = vec![None; c.n];
        let mut seen = vec![false; c.n];
        seen[c.from] = true;
        let mut queue = std::collections::VecDeque::from([c.from]);
        while let Some(u) = queue.pop_front() {
            for v in 0..c.n {
                if !seen[v] && adjacent(c, u, v) {
                    seen[v] = true;
                    pred[v] = Some(u);
                    queue.push_back(v);
                }
            }
        }
        if !seen[c.to] {
            return None;
        }
        let mut path = vec![c.to];
        while let Some(u) = pred[*path.last().unwrap()] {
            path.push(u);
        }
        path.reverse();
        Some(path).filter(|x| x.len() - 1 <= c.cfg.max_hops.unwrap_or(usize::MAX))
    }

    /// Checks that `path` is a real path of the graph from `from` to `to` under the configuration.
    fn assert_valid(p: &Projection, c: &Case, path: &[Hop]) {
        let (from, to) = (NodeIndex::new(c.from), NodeIndex::new(c.to));
        let nodes = path_nodes(from, path);
        assert_eq!(*nodes.last().unwrap(), to);
        let distinct: HashSet<&NodeIndex> = nodes.iter().collect();
        assert_eq!(distinct.len(), nodes.len(), "loopless");
        assert!(path.len() <= c.cfg.max_hops.unwrap_or(usize::MAX));
        for (i, h) in path.iter().enumerate() {
            assert_eq!(h.from, nodes[i]);
            let (s, t) = p.graph.edge_endpoints(h.edge).expect("edge exists");
            assert_eq!((s, t), if h.forward { (h.from, h.to) } else { (h.to, h.from) });
            assert!(h.forward || !c.cfg.directed);
            assert!(c.cfg.kinds.is_empty() || c.cfg.kinds.contains(&p.graph[h.edge].kind));
        }
    }

    proptest! {
        #[test]
        fn paths_are_real_shortest_and_complete(c in case()) {
            let p = build(&c);
            let (from, to) = (NodeIndex::new(c.from), NodeIndex::new(c.to));
            let mut every = all_paths(&c);
            every.sort_by_key(|x| x.len());
            let shortest = shortest_path(&p, from, to, &c.cfg);
            prop_assert_eq!(shortest.as_ref().map(|x| x.len()), every.first().map(|x| x.len() - 1));
            if let Some(s) = &shortest {
                assert_valid(&p, &c, s);
            }
            let nodes = shortest.as_ref().map(|x| path_nodes(from, x).iter().map(|n| n.index()).collect::<Vec<_>>());
            prop_assert_eq!(nodes, reference(&c));
            let ks = k_shortest_paths(&p, from, to, c.k, &c.cfg);
            // As many paths as exist (up to k), with the same lengths as the k shortest found exhaustively.
            let want: Vec<usize> = every.iter().take(c.k).map(|x| x.len() - 1).collect();
            let got: Vec<usize> = ks.iter().map(|x| x.len()).collect();
            prop_assert_eq!(got, want);
            let keys: HashSet<Vec<NodeIndex>> = ks.iter().map(|x| path_nodes(from, x)).collect();
            prop_assert_eq!(keys.len(), ks.len(), "distinct");
            for x in &ks {
                assert_valid(&p, &c, x);
            }
            if let (Some(s), Some(first)) = (&shortest, ks.first()) {
                prop_assert_eq!(s, first);
            }
            // The flat lists give the very same answers, hop for hop.
            let adj = Adjacency::new(&p);
            prop_assert_eq!(adj.shortest_path(from, to, &c.cfg), shortest);
            prop_assert_eq!(adj.k_shortest_paths(from, to, c.k, &c.cfg), ks);
            prop_assert_eq!(adj.distances(from, &c.cfg), distances(&p, from, &c.cfg));
        }

        #[test]
        fn distances_are_shortest_path_lengths(c in case()) {
            let p = build(&c);
            let from = NodeIndex::new(c.from);
            let got: std::collections::HashMap<usize, usize> =
                distances(&p, from, &c.cfg).into_iter().map(|(n, d)| (n.index(), d)).collect();
            for v in 0..c.n {
                let want = shortest_path(&p, from, NodeIndex::new(v), &c.cfg).map(|x| x.len());
                prop_assert_eq!(got.get(&v).copied(), want, "node {}", v);
            }
            // The flat adjacency's search finds the same distances.
            if c.cfg.max_hops.is_none() {
                use crate::analytics::rank::{Csr, CsrDirection};
                let csr = Csr::new(&p, &c.cfg.kinds, if c.cfg.directed { CsrDirection::Out } else { CsrDirection::Both });
                let start = csr.nodes.iter().position(|n| *n == from).unwrap();
                let flat: std::collections::HashMap<usize, usize> =
                    csr.distances(start).into_iter().map(|(i, d)| (csr.nodes[i as usize].index(), d as usize)).collect();
                prop_assert_eq!(flat, got);
            }
        }
    }
}
