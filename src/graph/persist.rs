//! The on-disk form of a [`Projection`]: a columnar binary layout that a cold process loads in bulk.
//!
//! A generic serde encoding (postcard) of a million-edge projection spends its time walking the structure field by
//! field and allocating each string as it is met, and repeats every shared string (the same date, source graph or
//! ontology type on thousands of edges) once per use. This layout stores every distinct string once in a string
//! table and every distinct list of strings (the sources of an edge, the types of a node) once in a list table;
//! nodes and edges are parallel arrays of small integers (string and list ids, kinds, flags) read in one pass, and
//! the edges are turned into [`Edge`] values on worker threads while the nodes and the IRI index are built.
//!
//! Layout (all integers little-endian; an array is its length as `u64`, then its items):
//!
//! ```text
//! magic "MVKGPRJ\0" · layout u32 · version u32 · stamp (u32 length, UTF-8) · checksum u64 (of everything after it)
//! strings: ends [u32] (end offset of each string in the blob) · blob [u8]
//! lists:   ends [u32] (end offset of each list in items) · items [u32] (string ids)
//! nodes:   iri [u32] · label [u32] · country [u32] · kind [u8] · layer [u8] · has_layer [u8] · aliases [u32] (list
//!          ids) · types [u32] (list ids)
//! index:   keys [u32] (string ids) · nodes [u32] (node positions)
//! edges:   source [u32] · target [u32] (node positions) · kind [u8] · flags [u8] (1 amount, 2 stake, 4 lead, 8 share, 16 cumulative) ·
//!          event [u32] · date [u32] · detail [u32] · sources [u32] (list ids) · amounts [f64] · stakes [f64] (only
//!          the edges whose flag says so, in edge order)
//! sources: key [u32] · iri [u32] · title [u32] · publisher [u32] · url [u32] · issued [u32]
//! ```
//!
//! An absent optional string is id `u32::MAX`. Nodes and edges are stored in index order; a projection with
//! vacant slots (nodes or edges removed) comes back compacted, every other projection comes back exactly as it was,
//! indices included. [`decode`] checks the stamp, the checksum and every id and offset, and answers `None` for
//! anything it cannot trust, so a stale, truncated or corrupt file is rebuilt rather than believed.

use std::collections::{BTreeMap, HashMap};

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use super::{AmountScope, EcoGraph, Edge, EdgeKind, Node, NodeKind, Projection, SourceRef};

const MAGIC: &[u8; 8] = b"MVKGPRJ\0";
/// Version of the layout described above; the caller's own version (of the projection rules) is stored beside it.
const LAYOUT: u32 = 1;
const NONE: u32 = u32::MAX;
const AMOUNT: u8 = 1;
const STAKE: u8 = 2;
const LEAD: u8 = 4;
/// The amount is the participant's own share ([`AmountScope::ParticipantShare`]).
const SHARE: u8 = 8;
/// The amount is a cumulative total ([`AmountScope::CumulativeTotal`]).
const CUMULATIVE: u8 = 16;
const FLAGS: u8 = AMOUNT | STAKE | LEAD | SHARE | CUMULATIVE;

fn scope_flags(scope: AmountScope) -> u8 {
    match scope {
        AmountScope::RoundTotal => 0,
        AmountScope::ParticipantShare => SHARE,
        AmountScope::CumulativeTotal => CUMULATIVE,
    }
}

/// The scope the flags say; `None` when both scope flags are set.
fn scope_of(flags: u8) -> Option<AmountScope> {
    match (flags & SHARE != 0, flags & CUMULATIVE != 0) {
        (false, false) => Some(AmountScope::RoundTotal),
        (true, false) => Some(AmountScope::ParticipantShare),
        (false, true) => Some(AmountScope::CumulativeTotal),
        (true, true) => None,
    }
}

/// Encodes the projection, tagged with the caller's `version` and `stamp` (e.g. the store generation it reflects).
pub fn encode(p: &Projection, version: u32, stamp: &str) -> Vec<u8> {
    let mut t = Tables::default();
    let node_ix: Vec<NodeIndex> = p.graph.node_indices().collect();
    let mut position = vec![NONE; p.graph.node_bound()];
    for (i, n) in node_ix.iter().enumerate() {
        position[n.index()] = i as u32;
    }
    let nodes: Vec<&Node> = node_ix.iter().map(|&n| &p.graph[n]).collect();
    let mut body = Writer::default();

    let n_iri: Vec<u32> = nodes.iter().map(|n| t.string(&n.iri)).collect();
    let n_label: Vec<u32> = nodes.iter().map(|n| t.string(&n.label)).collect();
    let n_country: Vec<u32> = nodes.iter().map(|n| t.opt(n.country.as_deref())).collect();
    let n_kind: Vec<u8> = nodes.iter().map(|n| n.kind as u8).collect();
    let n_layer: Vec<u8> = nodes.iter().map(|n| n.layer.unwrap_or(0)).collect();
    let n_has_layer: Vec<u8> = nodes.iter().map(|n| u8::from(n.layer.is_some())).collect();
    let n_aliases: Vec<u32> = nodes.iter().map(|n| t.list(&n.aliases)).collect();
    let n_types: Vec<u32> = nodes.iter().map(|n| t.list(&n.types)).collect();

    // The index in a fixed order, so equal projections give equal files.
    let mut index: Vec<(&String, u32)> = p
        .index
        .iter()
        .filter_map(|(k, v)| match position.get(v.index()) {
            Some(&at) if at != NONE => Some((k, at)),
            _ => None,
        })
        .collect();
    index.sort_unstable();
    let i_keys: Vec<u32> = index.iter().map(|(k, _)| t.string(k)).collect();
    let i_nodes: Vec<u32> = index.iter().map(|x| x.1).collect();

    let edges: Vec<_> = p.graph.edge_references().collect();
    let mut e_source = Vec::with_capacity(edges.len());
    let mut e_target = Vec::with_capacity(edges.len());
    let mut e_kind = Vec::with_capacity(edges.len());
    let mut e_flags = Vec::with_capacity(edges.len());
    let mut e_event = Vec::with_capacity(edges.len());
    let mut e_date = Vec::with_capacity(edges.len());
    let mut e_detail = Vec::with_capacity(edges.len());
    let mut e_sources = Vec::with_capacity(edges.len());
    let mut amounts = Vec::new();
    let mut stakes = Vec::new();
    for e in &edges {
        let w = e.weight();
        e_source.push(position[e.source().index()]);
        e_target.push(position[e.target().index()]);
        e_kind.push(w.kind as u8);
        let mut flags = 0;
        if let Some(a) = w.amount_usd {
            flags |= AMOUNT;
            amounts.push(a);
        }
        if let Some(s) = w.stake {
            flags |= STAKE;
            stakes.push(s);
        }
        if w.lead {
            flags |= LEAD;
        }
        flags |= scope_flags(w.amount_scope);
        e_flags.push(flags);
        e_event.push(t.opt(w.event.as_deref()));
        e_date.push(t.opt(w.date.as_deref()));
        e_detail.push(t.opt(w.detail.as_deref()));
        e_sources.push(t.list(&w.sources));
    }

    let refs: Vec<(&String, &SourceRef)> = p.sources.iter().collect();
    let s_key: Vec<u32> = refs.iter().map(|(k, _)| t.string(k)).collect();
    let s_iri: Vec<u32> = refs.iter().map(|(_, s)| t.string(&s.iri)).collect();
    let s_title: Vec<u32> = refs.iter().map(|(_, s)| t.opt(s.title.as_deref())).collect();
    let s_publisher: Vec<u32> = refs.iter().map(|(_, s)| t.opt(s.publisher.as_deref())).collect();
    let s_url: Vec<u32> = refs.iter().map(|(_, s)| t.opt(s.url.as_deref())).collect();
    let s_issued: Vec<u32> = refs.iter().map(|(_, s)| t.opt(s.issued.as_deref())).collect();

    body.u32s(&t.string_ends);
    body.bytes(&t.blob);
    body.u32s(&t.list_ends);
    body.u32s(&t.list_items);
    for col in [&n_iri, &n_label, &n_country] {
        body.u32s(col);
    }
    for col in [&n_kind, &n_layer, &n_has_layer] {
        body.bytes(col);
    }
    for col in [&n_aliases, &n_types, &i_keys, &i_nodes, &e_source, &e_target] {
        body.u32s(col);
    }
    body.bytes(&e_kind);
    body.bytes(&e_flags);
    for col in [&e_event, &e_date, &e_detail, &e_sources] {
        body.u32s(col);
    }
    body.f64s(&amounts);
    body.f64s(&stakes);
    for col in [&s_key, &s_iri, &s_title, &s_publisher, &s_url, &s_issued] {
        body.u32s(col);
    }

    let mut out = Vec::with_capacity(body.0.len() + 32 + stamp.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&LAYOUT.to_le_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
    out.extend_from_slice(stamp.as_bytes());
    out.extend_from_slice(&checksum(&body.0).to_le_bytes());
    out.extend_from_slice(&body.0);
    out
}

/// Whether `bytes` starts with the header [`encode`] writes for this `version` and `stamp`: a cheap test that
/// reads no further.
pub fn is_current(bytes: &[u8], version: u32, stamp: &str) -> bool {
    header(bytes, version, stamp).is_some()
}

/// Decodes a projection written by [`encode`] with the same `version` and `stamp`; `None` when the header does not
/// match or the contents fail any check.
///
/// The columns are read in place from `bytes` (nothing is copied but the strings each node and edge owns), in one
/// pass and on one thread: the cost of a cold load is allocating and touching the memory of the graph itself, and
/// threads allocating side by side made the kernel's share of that cost grow more than they saved.
pub fn decode(bytes: &[u8], version: u32, stamp: &str) -> Option<Projection> {
    decode_edges(bytes, version, stamp, |_| true)
}

/// [`decode`], keeping only the edges whose kind `keep` accepts (and every node): the projection a command that
/// reads only some kinds of links needs, at a fraction of the cost. It equals
/// `decode(..).filtered(kinds, None)` except that the kept edges are numbered from 0 in their original order.
pub fn decode_edges(bytes: &[u8], version: u32, stamp: &str, keep: impl Fn(EdgeKind) -> bool) -> Option<Projection> {
    let r = Raw::parse(bytes, version, stamp)?;
    let (n, m, k) = (r.n_iri.len(), r.e_source.len(), r.s_key.len());
    let mut graph = EcoGraph::with_capacity(n, m);
    for i in 0..n {
        graph.add_node(Node {
            iri: r.t.string(r.n_iri.at(i))?,
            kind: *NodeKind::ALL.get(usize::from(r.n_kind[i]))?,
            label: r.t.string(r.n_label.at(i))?,
            aliases: r.t.list(r.n_aliases.at(i))?,
            types: r.t.list(r.n_types.at(i))?,
            country: r.t.opt(r.n_country.at(i))?,
            layer: match r.n_has_layer[i] {
                0 => None,
                1 => Some(r.n_layer[i]),
                _ => return None,
            },
        });
    }
    let mut index = HashMap::with_capacity(r.i_keys.len());
    for i in 0..r.i_keys.len() {
        index.insert(r.t.string(r.i_keys.at(i))?, node_at(n, r.i_nodes.at(i))?);
    }
    let (mut next_amount, mut next_stake) = (0, 0);
    for i in 0..m {
        let f = r.e_flags[i];
        if f & !FLAGS != 0 {
            return None;
        }
        let kind = *EdgeKind::ALL.get(usize::from(r.e_kind[i]))?;
        if !keep(kind) {
            next_amount += usize::from(f & AMOUNT != 0);
            next_stake += usize::from(f & STAKE != 0);
            continue;
        }
        let take = |set: u8, values: &F64s, next: &mut usize| -> Option<Option<f64>> {
            if f & set == 0 {
                return Some(None);
            }
            *next += 1;
            values.get(*next - 1).map(Some)
        };
        let edge = Edge {
            kind,
            event: r.t.opt(r.e_event.at(i))?,
            amount_usd: take(AMOUNT, &r.amounts, &mut next_amount)?,
            amount_scope: scope_of(f)?,
            stake: take(STAKE, &r.stakes, &mut next_stake)?,
            date: r.t.opt(r.e_date.at(i))?,
            lead: f & LEAD != 0,
            detail: r.t.opt(r.e_detail.at(i))?,
            sources: r.t.list(r.e_sources.at(i))?,
        };
        graph.add_edge(node_at(n, r.e_source.at(i))?, node_at(n, r.e_target.at(i))?, edge);
    }
    if next_amount != r.amounts.len() || next_stake != r.stakes.len() {
        // Also catches an amount or stake index that ran past its array for a skipped edge.
        return None;
    }

    let mut sources = BTreeMap::new();
    for i in 0..k {
        sources.insert(
            r.t.string(r.s_key.at(i))?,
            SourceRef {
                iri: r.t.string(r.s_iri.at(i))?,
                title: r.t.opt(r.s_title.at(i))?,
                publisher: r.t.opt(r.s_publisher.at(i))?,
                url: r.t.opt(r.s_url.at(i))?,
                issued: r.t.opt(r.s_issued.at(i))?,
            },
        );
    }
    Some(Projection { graph, index, sources })
}

/// The columns of a file, split out and sized, but not yet checked item by item.
struct Raw<'a> {
    t: Strings<'a>,
    n_iri: U32s<'a>,
    n_label: U32s<'a>,
    n_country: U32s<'a>,
    n_kind: &'a [u8],
    n_layer: &'a [u8],
    n_has_layer: &'a [u8],
    n_aliases: U32s<'a>,
    n_types: U32s<'a>,
    i_keys: U32s<'a>,
    i_nodes: U32s<'a>,
    e_source: U32s<'a>,
    e_target: U32s<'a>,
    e_kind: &'a [u8],
    e_flags: &'a [u8],
    e_event: U32s<'a>,
    e_date: U32s<'a>,
    e_detail: U32s<'a>,
    e_sources: U32s<'a>,
    amounts: F64s<'a>,
    stakes: F64s<'a>,
    s_key: U32s<'a>,
    s_iri: U32s<'a>,
    s_title: U32s<'a>,
    s_publisher: U32s<'a>,
    s_url: U32s<'a>,
    s_issued: U32s<'a>,
}

impl<'a> Raw<'a> {
    /// Checks the header and the checksum and splits the body into its columns, each of the length the layout
    /// gives it.
    fn parse(bytes: &'a [u8], version: u32, stamp: &str) -> Option<Raw<'a>> {
        let (sum, body) = header(bytes, version, stamp)?;
        if checksum(body) != sum {
            return None;
        }
        let mut r = Reader { buf: body, pos: 0 };
        let t = Strings {
            ends: r.u32s()?,
            blob: std::str::from_utf8(r.bytes()?).ok()?,
            list_ends: r.u32s()?,
            items: r.u32s()?,
        };
        let n_iri = r.u32s()?;
        let n = n_iri.len();
        let n_label = r.u32s_of(n)?;
        let n_country = r.u32s_of(n)?;
        let n_kind = r.bytes_of(n)?;
        let n_layer = r.bytes_of(n)?;
        let n_has_layer = r.bytes_of(n)?;
        let n_aliases = r.u32s_of(n)?;
        let n_types = r.u32s_of(n)?;
        let i_keys = r.u32s()?;
        let i_nodes = r.u32s_of(i_keys.len())?;
        let e_source = r.u32s()?;
        let m = e_source.len();
        let e_target = r.u32s_of(m)?;
        let e_kind = r.bytes_of(m)?;
        let e_flags = r.bytes_of(m)?;
        let e_event = r.u32s_of(m)?;
        let e_date = r.u32s_of(m)?;
        let e_detail = r.u32s_of(m)?;
        let e_sources = r.u32s_of(m)?;
        let amounts = r.f64s()?;
        let stakes = r.f64s()?;
        let s_key = r.u32s()?;
        let k = s_key.len();
        let [s_iri, s_title, s_publisher, s_url, s_issued] =
            [r.u32s_of(k)?, r.u32s_of(k)?, r.u32s_of(k)?, r.u32s_of(k)?, r.u32s_of(k)?];
        if r.pos != body.len() || n >= NONE as usize || m >= NONE as usize {
            return None;
        }
        Some(Raw {
            t,
            n_iri,
            n_label,
            n_country,
            n_kind,
            n_layer,
            n_has_layer,
            n_aliases,
            n_types,
            i_keys,
            i_nodes,
            e_source,
            e_target,
            e_kind,
            e_flags,
            e_event,
            e_date,
            e_detail,
            e_sources,
            amounts,
            stakes,
            s_key,
            s_iri,
            s_title,
            s_publisher,
            s_url,
            s_issued,
        })
    }
}

/// A persisted projection read in place, without building the graph: the node and edge columns of the file,
/// checked once when opened (every string, list and node id in range, string ends on character boundaries, the
/// index sorted), so that the accessors cannot fail. Questions that read few columns over many edges (the capital
/// ranking, co-investors) answer from here in a fraction of the time a [`Projection`] takes to materialise; node
/// positions are the node indices [`decode`] gives.
pub struct Columns<'a> {
    raw: Raw<'a>,
    /// Position in `amounts` of each edge's amount (meaningful where the edge's flag says it has one).
    amount_at: Vec<u32>,
}

/// One edge as [`Columns::edges`] gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeColumns<'a> {
    pub kind: EdgeKind,
    pub source: u32,
    pub target: u32,
    /// Id of the event IRI in the file's string table: equal ids are equal IRIs, and every id is below
    /// [`Columns::string_count`].
    pub event_id: Option<u32>,
    pub event: Option<&'a str>,
    pub date: Option<&'a str>,
    pub amount_usd: Option<f64>,
    pub amount_scope: AmountScope,
    pub lead: bool,
}

impl<'a> Columns<'a> {
    /// Opens the columns of a file written by [`encode`] with this `version` and `stamp`; `None` for a stale,
    /// truncated or damaged file, exactly when [`decode`] would refuse it.
    pub fn open(bytes: &'a [u8], version: u32, stamp: &str) -> Option<Columns<'a>> {
        let raw = Raw::parse(bytes, version, stamp)?;
        let t = &raw.t;
        let strings = t.ends.len();
        let mut start = 0usize;
        for i in 0..strings {
            let end = t.ends.at(i) as usize;
            if end < start || !t.blob.is_char_boundary(end) {
                return None;
            }
            start = end;
        }
        let lists = t.list_ends.len();
        let mut start = 0usize;
        for i in 0..lists {
            let end = t.list_ends.at(i) as usize;
            if end < start || end > t.items.len() {
                return None;
            }
            start = end;
        }
        let string_ok = |id: u32| (id as usize) < strings;
        let opt_ok = |id: u32| id == NONE || string_ok(id);
        let list_ok = |id: u32| (id as usize) < lists;
        let all = |col: &U32s, ok: &dyn Fn(u32) -> bool| (0..col.len()).all(|i| ok(col.at(i)));
        let (n, m) = (raw.n_iri.len(), raw.e_source.len());
        let node_ok = |id: u32| (id as usize) < n;
        if !all(&t.items, &string_ok)
            || !all(&raw.n_iri, &string_ok)
            || !all(&raw.n_label, &string_ok)
            || !all(&raw.n_country, &opt_ok)
            || !all(&raw.n_aliases, &list_ok)
            || !all(&raw.n_types, &list_ok)
            || raw.n_kind.iter().any(|&k| usize::from(k) >= NodeKind::ALL.len())
            || !all(&raw.i_keys, &string_ok)
            || !all(&raw.i_nodes, &node_ok)
            || !all(&raw.e_source, &node_ok)
            || !all(&raw.e_target, &node_ok)
            || raw.e_kind.iter().any(|&k| usize::from(k) >= EdgeKind::ALL.len())
            || raw.e_flags.iter().any(|&f| f & !FLAGS != 0 || scope_of(f).is_none())
            || !all(&raw.e_event, &opt_ok)
            || !all(&raw.e_date, &opt_ok)
            || !all(&raw.e_detail, &opt_ok)
            || !all(&raw.e_sources, &list_ok)
        {
            return None;
        }
        // The index is written sorted by key: binary search relies on it.
        if (1..raw.i_keys.len()).any(|i| t.str(raw.i_keys.at(i - 1)) > t.str(raw.i_keys.at(i))) {
            return None;
        }
        let mut amount_at = Vec::with_capacity(m);
        let (mut amounts, mut stakes) = (0u32, 0u32);
        for &f in raw.e_flags {
            amount_at.push(amounts);
            amounts += u32::from(f & AMOUNT != 0);
            stakes += u32::from(f & STAKE != 0);
        }
        if amounts as usize != raw.amounts.len() || stakes as usize != raw.stakes.len() {
            return None;
        }
        Some(Columns { raw, amount_at })
    }

    /// Number of nodes; positions run from 0 to this.
    pub fn node_count(&self) -> usize {
        self.raw.n_iri.len()
    }

    /// Number of distinct strings in the file: every [`EdgeColumns::event_id`] is below it.
    pub fn string_count(&self) -> usize {
        self.raw.t.ends.len()
    }

    fn str(&self, id: u32) -> &'a str {
        self.raw.t.str(id).unwrap_or_default()
    }

    fn opt(&self, id: u32) -> Option<&'a str> {
        (id != NONE).then(|| self.str(id))
    }

    fn list(&self, id: u32) -> impl Iterator<Item = &'a str> + '_ {
        let t = &self.raw.t;
        let id = id as usize;
        // An id past the table (only the absent marker can be) gives an empty list.
        let end = t.list_ends.get(id).unwrap_or(0) as usize;
        let start = if id == 0 { 0 } else { t.list_ends.get(id - 1).map_or(end, |s| s as usize) };
        (start..end.max(start)).map(move |i| self.str(t.items.at(i)))
    }

    /// The node's IRI ("" past the last node, as for the other node accessors).
    pub fn iri(&self, node: usize) -> &'a str {
        self.raw.n_iri.get(node).map_or("", |id| self.str(id))
    }

    pub fn label(&self, node: usize) -> &'a str {
        self.raw.n_label.get(node).map_or("", |id| self.str(id))
    }

    pub fn kind(&self, node: usize) -> NodeKind {
        self.raw.n_kind.get(node).map_or(NodeKind::Organization, |&k| NodeKind::ALL[usize::from(k)])
    }

    pub fn aliases(&self, node: usize) -> impl Iterator<Item = &'a str> + '_ {
        self.list(self.raw.n_aliases.get(node).unwrap_or(NONE))
    }

    pub fn types(&self, node: usize) -> impl Iterator<Item = &'a str> + '_ {
        self.list(self.raw.n_types.get(node).unwrap_or(NONE))
    }

    /// The position of the node with this IRI (or other index key the projection recorded).
    pub fn node(&self, iri: &str) -> Option<usize> {
        let keys = &self.raw.i_keys;
        let (mut lo, mut hi) = (0, keys.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.str(keys.at(mid)).cmp(iri) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.raw.i_nodes.at(mid) as usize),
            }
        }
        None
    }

    /// The edges whose kind `keep` accepts, in stored order, each with its position (its index in [`decode`]).
    pub fn edges<K: Fn(EdgeKind) -> bool + 'a>(&self, keep: K) -> impl Iterator<Item = (usize, EdgeColumns<'a>)> + '_ {
        let r = &self.raw;
        (0..r.e_source.len()).filter_map(move |i| {
            let kind = EdgeKind::ALL[usize::from(r.e_kind[i])];
            if !keep(kind) {
                return None;
            }
            let f = r.e_flags[i];
            let event = r.e_event.at(i);
            Some((
                i,
                EdgeColumns {
                    kind,
                    source: r.e_source.at(i),
                    target: r.e_target.at(i),
                    event_id: (event != NONE).then_some(event),
                    event: self.opt(event),
                    date: self.opt(r.e_date.at(i)),
                    amount_usd: (f & AMOUNT != 0).then(|| r.amounts.get(self.amount_at[i] as usize)).flatten(),
                    amount_scope: scope_of(f).unwrap_or_default(),
                    lead: f & LEAD != 0,
                },
            ))
        })
    }

    /// The event IRI of the edge at `position` (`None` past the last edge).
    pub fn edge_event(&self, position: usize) -> Option<&'a str> {
        self.opt(self.raw.e_event.get(position)?)
    }

    /// The date of the edge at `position`.
    pub fn edge_date(&self, position: usize) -> Option<&'a str> {
        self.opt(self.raw.e_date.get(position)?)
    }
}

/// The node at a stored position, when there is one.
fn node_at(n: usize, at: u32) -> Option<NodeIndex> {
    ((at as usize) < n).then(|| NodeIndex::new(at as usize))
}

/// Checks the header and returns the stored checksum and the body after it.
fn header<'a>(bytes: &'a [u8], version: u32, stamp: &str) -> Option<(u64, &'a [u8])> {
    let mut r = Reader { buf: bytes, pos: 0 };
    if r.take(8)? != MAGIC || r.u32()? != LAYOUT || r.u32()? != version {
        return None;
    }
    let len = r.u32()? as usize;
    if r.take(len)? != stamp.as_bytes() {
        return None;
    }
    let sum = r.u64()?;
    Some((sum, &bytes[r.pos..]))
}

/// A 64-bit checksum over four interleaved multiply-rotate lanes (fast enough to check tens of megabytes in a few
/// milliseconds). It detects truncation and accidental damage; it is not a defence against a forger.
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut lanes = [1u64, 2, 3, 4];
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (j, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes([
                b[8 * j],
                b[8 * j + 1],
                b[8 * j + 2],
                b[8 * j + 3],
                b[8 * j + 4],
                b[8 * j + 5],
                b[8 * j + 6],
                b[8 * j + 7],
            ]);
            *lane = (lane.rotate_left(5) ^ w).wrapping_mul(K);
        }
    }
    let mut h = bytes.len() as u64;
    for lane in lanes {
        h = (h.rotate_left(5) ^ lane).wrapping_mul(K);
    }
    for &b in blocks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// The string and list tables being written: each distinct string and list once.
#[derive(Default)]
struct Tables<'a> {
    ids: HashMap<&'a str, u32>,
    blob: Vec<u8>,
    string_ends: Vec<u32>,
    list_ids: HashMap<Vec<u32>, u32>,
    list_items: Vec<u32>,
    list_ends: Vec<u32>,
}

impl<'a> Tables<'a> {
    fn string(&mut self, s: &'a str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.string_ends.len() as u32;
        self.blob.extend_from_slice(s.as_bytes());
        self.string_ends.push(self.blob.len() as u32);
        self.ids.insert(s, id);
        id
    }

    fn opt(&mut self, s: Option<&'a str>) -> u32 {
        s.map_or(NONE, |s| self.string(s))
    }

    fn list(&mut self, items: &'a [String]) -> u32 {
        let key: Vec<u32> = items.iter().map(|s| self.string(s)).collect();
        if let Some(&id) = self.list_ids.get(&key) {
            return id;
        }
        let id = self.list_ends.len() as u32;
        self.list_items.extend_from_slice(&key);
        self.list_ends.push(self.list_items.len() as u32);
        self.list_ids.insert(key, id);
        id
    }
}

/// The string and list tables being read, in place.
struct Strings<'a> {
    ends: U32s<'a>,
    blob: &'a str,
    list_ends: U32s<'a>,
    items: U32s<'a>,
}

impl<'a> Strings<'a> {
    fn str(&self, id: u32) -> Option<&'a str> {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends.get(id - 1)? as usize };
        // `get` refuses a range that is reversed, out of bounds or not on character boundaries.
        self.blob.get(start..self.ends.get(id)? as usize)
    }

    fn string(&self, id: u32) -> Option<String> {
        self.str(id).map(str::to_owned)
    }

    /// `Some(None)` for the absent marker, `None` for a bad id.
    fn opt(&self, id: u32) -> Option<Option<String>> {
        if id == NONE {
            Some(None)
        } else {
            self.string(id).map(Some)
        }
    }

    fn list(&self, id: u32) -> Option<Vec<String>> {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.list_ends.get(id - 1)? as usize };
        let end = self.list_ends.get(id)? as usize;
        if start > end || end > self.items.len() {
            return None;
        }
        (start..end).map(|i| self.string(self.items.at(i))).collect()
    }
}

/// An array of `u32` read in place.
#[derive(Clone, Copy)]
struct U32s<'a>(&'a [u8]);

impl U32s<'_> {
    fn len(&self) -> usize {
        self.0.len() / 4
    }

    fn get(&self, i: usize) -> Option<u32> {
        let b = self.0.get(4 * i..4 * i + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The item at `i`, which the caller has checked is below `len()`.
    fn at(&self, i: usize) -> u32 {
        let b = &self.0[4 * i..4 * i + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

/// An array of `f64` read in place.
struct F64s<'a>(&'a [u8]);

impl F64s<'_> {
    fn len(&self) -> usize {
        self.0.len() / 8
    }

    fn get(&self, i: usize) -> Option<f64> {
        let b = self.0.get(8 * i..8 * i + 8)?;
        Some(f64::from_bits(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])))
    }
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn len(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        self.0.reserve(v.len() * 4);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }

    fn f64s(&mut self, v: &[f64]) {
        self.len(v.len());
        for x in v {
            self.0.extend_from_slice(&x.to_bits().to_le_bytes());
        }
    }

    fn bytes(&mut self, v: &[u8]) {
        self.len(v.len());
        self.0.extend_from_slice(v);
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        Some(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    fn bytes_of(&mut self, n: usize) -> Option<&'a [u8]> {
        self.bytes().filter(|b| b.len() == n)
    }

    fn u32s(&mut self) -> Option<U32s<'a>> {
        let n = self.len()?;
        self.take(n.checked_mul(4)?).map(U32s)
    }

    fn u32s_of(&mut self, n: usize) -> Option<U32s<'a>> {
        self.u32s().filter(|v| v.len() == n)
    }

    fn f64s(&mut self) -> Option<F64s<'a>> {
        let n = self.len()?;
        self.take(n.checked_mul(8)?).map(F64s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small projection that sets every field at least once, shares strings and lists between nodes and edges,
    /// and has parallel edges, a self-loop and a non-ASCII label.
    fn sample() -> Projection {
        let mut p = Projection::new();
        let mut a = Node::new("https://x/a", NodeKind::Organization, "Acme");
        a.aliases = vec!["アクメ".into(), "ACME Corp".into()];
        a.types = vec!["Company".into(), "Investor".into()];
        a.country = Some("KR".into());
        p.add_node(a);
        let mut b = Node::new("https://x/b", NodeKind::Organization, "Bolt");
        b.types = vec!["Company".into(), "Investor".into()];
        p.add_node(b);
        let mut t = Node::new("https://x/t", NodeKind::Technology, "");
        t.layer = Some(0);
        p.add_node(t);
        let mut vr = Node::new("https://x/vr", NodeKind::Technology, "VR");
        vr.layer = Some(4);
        p.add_node(vr);
        p.add_node(Node::new("https://x/kr", NodeKind::Country, "South Korea"));
        for (i, lead) in [(1, true), (2, false)] {
            let mut e = Edge::new(EdgeKind::InvestsIn);
            e.event = Some(format!("https://x/round{i}"));
            e.amount_usd = Some(1.5e7 * f64::from(i));
            e.date = Some("2021-05-01".into());
            e.lead = lead;
            e.detail = Some("Series B".into());
            e.sources = vec!["https://x/src1".into(), "https://x/src2".into()];
            // Round 1's amount is a's own share, round 2's a cumulative total: the scope survives the file.
            e.amount_scope = if lead { AmountScope::ParticipantShare } else { AmountScope::CumulativeTotal };
            p.add_edge("https://x/a", "https://x/b", e).unwrap();
        }
        let mut s = Edge::new(EdgeKind::HoldsStakeIn);
        s.stake = Some(12.5);
        s.amount_usd = Some(f64::NAN);
        s.sources = vec!["https://x/src1".into()];
        p.add_edge("https://x/b", "https://x/a", s).unwrap();
        p.add_edge("https://x/a", "https://x/a", Edge::new(EdgeKind::PartnersWith)).unwrap();
        p.add_edge("https://x/a", "https://x/vr", Edge::new(EdgeKind::UsesTechnology)).unwrap();
        p.add_edge("https://x/a", "https://x/kr", Edge::new(EdgeKind::LocatedIn)).unwrap();
        p.sources.insert(
            "https://x/src1".into(),
            SourceRef {
                iri: "https://x/src1".into(),
                title: Some("Annual report".into()),
                publisher: None,
                url: Some("https://example.org/r.pdf".into()),
                issued: Some("2021".into()),
            },
        );
        p.sources.insert("https://x/src2".into(), SourceRef { iri: "https://x/src2".into(), ..Default::default() });
        p
    }

    /// Everything the decoder must restore: nodes and edges at the same indices (edge weights compared bit for bit,
    /// so NaN amounts count), the adjacency order, the IRI index and the bibliography.
    fn assert_same(a: &Projection, b: &Projection) {
        assert_eq!(a.graph.node_count(), b.graph.node_count());
        assert_eq!(a.graph.edge_count(), b.graph.edge_count());
        for n in a.graph.node_indices() {
            assert_eq!(a.graph.node_weight(n), b.graph.node_weight(n), "node {n:?}");
            let out = |p: &Projection| p.graph.edges(n).map(|e| e.id()).collect::<Vec<_>>();
            assert_eq!(out(a), out(b), "edges out of {n:?}, in order");
        }
        for e in a.graph.edge_indices() {
            assert_eq!(a.graph.edge_endpoints(e), b.graph.edge_endpoints(e), "edge {e:?}");
            let (x, y) = (&a.graph[e], &b.graph[e]);
            let bits = |v: Option<f64>| v.map(f64::to_bits);
            assert_eq!(bits(x.amount_usd), bits(y.amount_usd));
            assert_eq!(bits(x.stake), bits(y.stake));
            let plain = |w: &Edge| Edge { amount_usd: None, stake: None, ..w.clone() };
            assert_eq!(plain(x), plain(y), "edge {e:?}");
        }
        assert_eq!(a.index, b.index);
        assert_eq!(a.sources, b.sources);
    }

    #[test]
    fn kinds_are_stored_by_their_position_in_all() {
        for (i, k) in EdgeKind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i);
        }
        for (i, k) in NodeKind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i);
        }
    }

    #[test]
    fn round_trips_exactly() {
        for p in [sample(), Projection::new(), crate::analytics::synthetic::synthetic(3_000, 12_000, 7)] {
            let bytes = encode(&p, 9, "stamp-1");
            let back = decode(&bytes, 9, "stamp-1").expect("decodes");
            assert_same(&p, &back);
            assert_eq!(encode(&back, 9, "stamp-1"), bytes, "encoding is deterministic");
        }
    }

    #[test]
    fn a_subset_of_edge_kinds_equals_the_filtered_projection() {
        let p = crate::analytics::synthetic::synthetic(2_000, 9_000, 3);
        let bytes = encode(&p, 1, "s");
        for kinds in [vec![EdgeKind::InvestsIn], vec![EdgeKind::InvestsIn, EdgeKind::Acquires], vec![]] {
            let want = p.filtered(&kinds, None);
            let got = decode_edges(&bytes, 1, "s", |k| kinds.is_empty() || kinds.contains(&k)).unwrap();
            assert_eq!(got.node_count(), want.node_count());
            assert_eq!(got.index, want.index);
            // The kept edges, renumbered from 0, in their original order.
            let edges = |q: &Projection| {
                q.graph
                    .edge_references()
                    .map(|e| (e.source(), e.target(), e.weight().kind, e.weight().event.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(edges(&got), edges(&want));
            assert!(got.graph.edge_indices().enumerate().all(|(i, e)| e.index() == i));
        }
        assert!(decode_edges(&bytes, 1, "other", |_| true).is_none());
    }

    #[test]
    fn shared_strings_are_stored_once() {
        let p = sample();
        let bytes = encode(&p, 1, "");
        let count = |needle: &[u8]| bytes.windows(needle.len()).filter(|w| *w == needle).count();
        assert_eq!(count(b"https://x/src1"), 1);
        assert_eq!(count(b"2021-05-01"), 1);
        assert_eq!(count(b"Investor"), 1);
    }

    #[test]
    fn another_stamp_or_version_is_refused() {
        let bytes = encode(&sample(), 3, "gen-a");
        assert!(is_current(&bytes, 3, "gen-a"));
        assert!(decode(&bytes, 3, "gen-b").is_none());
        assert!(decode(&bytes, 4, "gen-a").is_none());
        assert!(!is_current(&bytes, 3, "gen-"));
    }

    #[test]
    fn damaged_files_are_refused() {
        let bytes = encode(&sample(), 3, "g");
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len], 3, "g").is_none(), "truncated to {len} bytes");
            assert!(Columns::open(&bytes[..len], 3, "g").is_none(), "columns truncated to {len} bytes");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, 3, "g").is_none(), "trailing byte");
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(decode(&bad, 3, "g").is_none(), "byte {at} flipped");
            assert!(Columns::open(&bad, 3, "g").is_none(), "columns with byte {at} flipped");
        }
    }

    #[test]
    fn a_checksum_that_matches_does_not_make_bad_ids_trusted() {
        // Rewrite the body with an edge pointing past the last node and a fresh checksum: still refused.
        let p = sample();
        let bytes = encode(&p, 3, "g");
        let (_, body) = header(&bytes, 3, "g").unwrap();
        let at = bytes.len() - body.len();
        let mut r = Reader { buf: body, pos: 0 };
        r.u32s().unwrap();
        r.bytes().unwrap();
        r.u32s().unwrap();
        r.u32s().unwrap();
        for _ in 0..3 {
            r.u32s().unwrap();
        }
        for _ in 0..3 {
            r.bytes().unwrap();
        }
        for _ in 0..4 {
            r.u32s().unwrap();
        }
        // Now at the edge sources: length, then the first source position.
        let first = r.pos + 8;
        let mut body = body.to_vec();
        body[first..first + 4].copy_from_slice(&99u32.to_le_bytes());
        let mut forged = bytes[..at - 8].to_vec();
        forged.extend_from_slice(&checksum(&body).to_le_bytes());
        forged.extend_from_slice(&body);
        assert!(decode(&forged, 3, "g").is_none());
        assert!(Columns::open(&forged, 3, "g").is_none());
        assert!(Columns::open(&bytes, 3, "g").is_some());
    }

    #[test]
    fn columns_read_what_decode_restores() {
        let p = sample();
        let bytes = encode(&p, 3, "g");
        let c = Columns::open(&bytes, 3, "g").expect("columns");
        let back = decode(&bytes, 3, "g").unwrap();
        assert_eq!(c.node_count(), back.graph.node_count());
        for n in back.graph.node_indices() {
            let node = &back.graph[n];
            let i = n.index();
            assert_eq!((c.iri(i), c.label(i), c.kind(i)), (node.iri.as_str(), node.label.as_str(), node.kind));
            assert_eq!(c.aliases(i).collect::<Vec<_>>(), node.aliases);
            assert_eq!(c.types(i).collect::<Vec<_>>(), node.types);
            assert_eq!(c.node(&node.iri), Some(i));
        }
        assert_eq!((c.iri(99), c.label(99), c.aliases(99).count()), ("", "", 0));
        assert_eq!(c.node("https://x/none"), None);
        let edges: Vec<EdgeColumns> = c.edges(|_| true).map(|(_, e)| e).collect();
        assert!(c.edges(|_| true).enumerate().all(|(i, (at, _))| i == at));
        assert_eq!(edges.len(), back.graph.edge_count());
        for (e, x) in back.graph.edge_references().zip(&edges) {
            let w = e.weight();
            assert_eq!(
                (x.kind, x.source as usize, x.target as usize),
                (w.kind, e.source().index(), e.target().index())
            );
            assert_eq!(
                (x.event, x.date, x.lead, x.amount_scope),
                (w.event.as_deref(), w.date.as_deref(), w.lead, w.amount_scope)
            );
            assert_eq!(x.amount_usd.map(f64::to_bits), w.amount_usd.map(f64::to_bits));
            assert_eq!(x.event_id.is_some(), w.event.is_some());
        }
        // Both rounds' edges have distinct events, so distinct ids; the stake edge's NaN amount comes back as is.
        assert_ne!(edges[0].event_id, edges[1].event_id);
        assert!(edges[2].amount_usd.is_some_and(f64::is_nan));
        assert_eq!((c.edge_event(0), c.edge_date(0)), (Some("https://x/round1"), Some("2021-05-01")));
        assert_eq!((c.edge_event(2), c.edge_event(99)), (None, None));
        let stakes: Vec<EdgeColumns> = c.edges(|k| k == EdgeKind::HoldsStakeIn).map(|(_, e)| e).collect();
        assert_eq!(
            stakes.iter().map(|e| (e.kind, e.source, e.target)).collect::<Vec<_>>(),
            vec![(EdgeKind::HoldsStakeIn, 1, 0)]
        );
    }

    #[test]
    fn vacant_slots_are_compacted() {
        let mut p = sample();
        let gone = p.graph.edge_indices().next().unwrap();
        p.graph.remove_edge(gone);
        let vr = p.node("https://x/vr").unwrap();
        p.graph.remove_node(vr);
        p.index.remove("https://x/vr");
        let back = decode(&encode(&p, 1, "s"), 1, "s").unwrap();
        assert_eq!((back.node_count(), back.edge_count()), (p.node_count(), p.edge_count()));
        for n in p.graph.node_indices() {
            let iri = &p.graph[n].iri;
            let m = back.node(iri).unwrap();
            assert_eq!(back.graph[m], p.graph[n]);
            let out = |q: &Projection, x| {
                q.graph.edges(x).map(|e| (q.graph[e.target()].iri.clone(), e.weight().kind)).collect::<Vec<_>>()
            };
            assert_eq!(out(&back, m), out(&p, n), "edges of {iri}");
        }
    }
}
