//! Choosing what a map shows: the entities, the lines between them, their grouping (bands, country clusters) and the
//! rule by which the map is cut down to `max_nodes`. The result, a [`Scene`], knows nothing of DOT syntax.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use petgraph::Direction;

use super::escape::safe_url;
use super::style::{self, NodeLook};
use super::{MapFilter, MapKind, MapOptions, MapTerm};
use crate::graph::{Edge, EdgeKind, NodeKind, Projection};

/// How the nodes are laid out in groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Arrangement {
    /// Horizontal bands, one per group, in group order from top to bottom.
    Bands,
    /// One cluster per group; ungrouped nodes outside.
    Clusters,
    /// No groups.
    Flat { rankdir: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Emphasis {
    Normal,
    /// The centre of an ego map, the nodes and edges of a path.
    Strong,
    /// Context drawn for orientation only.
    Faint,
}

pub(super) struct Group {
    pub key: String,
    pub label: String,
}

pub(super) struct SceneNode {
    pub key: String,
    pub label: String,
    pub sort_label: String,
    pub tooltip: String,
    pub url: Option<String>,
    pub look: NodeLook,
    /// Country code, for the fill and the legend.
    pub country: Option<String>,
    pub group: Option<usize>,
    /// Always drawn, whatever `max_nodes` says.
    pub keep: bool,
    /// Ordering before degree when cutting down (ego distance); 0 otherwise.
    pub rank: usize,
    pub emphasis: Emphasis,
}

pub(super) struct SceneEdge {
    pub from: usize,
    pub to: usize,
    pub kind: Option<EdgeKind>,
    pub relation: String,
    pub label: Option<String>,
    pub tooltip: String,
    pub url: Option<String>,
    pub color: String,
    pub width: f64,
    pub emphasis: Emphasis,
    pub sort: String,
    /// The projection edges drawn as this line (none for triples).
    pub members: Vec<EdgeIndex>,
    /// Year of the first member.
    pub year: Option<i32>,
}

/// How a map too large is cut down, for the sentence that says so.
pub(super) enum Rule {
    Degree,
    Nearest { center: String },
    Paths,
}

pub(super) struct Scene {
    pub nodes: Vec<SceneNode>,
    pub edges: Vec<SceneEdge>,
    pub groups: Vec<Group>,
    pub arrangement: Arrangement,
    pub title: String,
    /// What the nodes are, singular and plural: ("organisation", "organisations").
    pub noun: (&'static str, &'static str),
    pub rule: Rule,
    /// Country names by code, from the projection's country nodes.
    pub country_names: BTreeMap<String, String>,
    /// Investments map: lines coloured by year rather than by relation.
    pub colour_by_year: bool,
}

/// What is left after cutting a scene down to size.
pub(super) struct Reduced {
    /// Scene node indices kept, in drawing order.
    pub nodes: Vec<usize>,
    /// Scene edge indices kept, in drawing order.
    pub edges: Vec<usize>,
    pub omitted_nodes: usize,
    pub omitted_edges: usize,
    pub sentence: String,
}

/// Keeps the `max` nodes (0: all) that come first by: must-keep, rank, degree (highest first), label, key; then the
/// edges between kept nodes.
pub(super) fn reduce(scene: &Scene, max: usize) -> Reduced {
    let n = scene.nodes.len();
    let mut degree = vec![0usize; n];
    for e in &scene.edges {
        degree[e.from] += 1;
        degree[e.to] += 1;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&scene.nodes[a], &scene.nodes[b]);
        y.keep
            .cmp(&x.keep)
            .then(x.rank.cmp(&y.rank))
            .then(degree[b].cmp(&degree[a]))
            .then_with(|| x.sort_label.cmp(&y.sort_label))
            .then_with(|| x.key.cmp(&y.key))
    });
    let must = scene.nodes.iter().filter(|s| s.keep).count();
    let limit = if max == 0 { n } else { max.max(must).min(n) };
    let mut kept = vec![false; n];
    for &i in &order[..limit] {
        kept[i] = true;
    }
    let mut nodes: Vec<usize> = (0..n).filter(|&i| kept[i]).collect();
    nodes.sort_by(|&a, &b| {
        let (x, y) = (&scene.nodes[a], &scene.nodes[b]);
        x.group.cmp(&y.group).then_with(|| x.sort_label.cmp(&y.sort_label)).then_with(|| x.key.cmp(&y.key))
    });
    let mut edges: Vec<usize> =
        (0..scene.edges.len()).filter(|&i| kept[scene.edges[i].from] && kept[scene.edges[i].to]).collect();
    edges.sort_by(|&a, &b| {
        let (x, y) = (&scene.edges[a], &scene.edges[b]);
        let key = |e: &SceneEdge| (scene.nodes[e.from].key.clone(), scene.nodes[e.to].key.clone());
        key(x).cmp(&key(y)).then_with(|| x.sort.cmp(&y.sort))
    });
    let omitted_nodes = n - limit;
    let omitted_edges = scene.edges.len() - edges.len();
    let (one, many) = scene.noun;
    let sentence = if omitted_nodes == 0 {
        match n {
            0 => "nothing to draw".to_owned(),
            1 => format!("1 {one} drawn"),
            _ => format!("all {n} {many} drawn"),
        }
    } else {
        match &scene.rule {
            Rule::Degree => format!(
                "kept the {limit} {many} with the highest degree (ties by label); {omitted_nodes} left out"
            ),
            Rule::Nearest { center } => format!(
                "kept {center} and the {} {many} nearest to it (then by degree, ties by label); {omitted_nodes} left out",
                limit - 1
            ),
            Rule::Paths if limit == must + 1 => format!(
                "kept the {must} {many} on the paths and the neighbour with the highest degree (ties by label); \
                 {omitted_nodes} left out"
            ),
            Rule::Paths if limit > must => format!(
                "kept the {must} {many} on the paths and the {} neighbours with the highest degree (ties by label); \
                 {omitted_nodes} left out",
                limit - must
            ),
            Rule::Paths => format!("kept only the {must} {many} on the paths; {omitted_nodes} neighbours left out"),
        }
    };
    Reduced { nodes, edges, omitted_nodes, omitted_edges, sentence }
}

/// Normalises a filter date to a full `YYYY-MM-DD` bound: the first day of a year or month for `since`, the last for
/// `until`.
fn bound(date: &str, end: bool) -> String {
    match (date.len(), end) {
        (4, false) => format!("{date}-01-01"),
        (4, true) => format!("{date}-12-31"),
        (7, false) => format!("{date}-01"),
        (7, true) => format!("{date}-31"),
        _ => date.to_owned(),
    }
}

/// The projection with everything a selection asks about precomputed.
struct Ctx<'a> {
    p: &'a Projection,
    f: &'a MapFilter,
    since: Option<String>,
    until: Option<String>,
    /// Layer of technologies, products and organisations.
    layer: HashMap<NodeIndex, u8>,
    /// Country of each entity; programmes without one take their funder's.
    country: HashMap<NodeIndex, String>,
    /// Entities using the `tech` of the filter, when there is one.
    tech_users: Option<HashSet<NodeIndex>>,
    country_names: BTreeMap<String, String>,
}

/// The layer most `techs` fall in; ties go to the lower rank number.
fn majority(p: &Projection, techs: &BTreeSet<NodeIndex>) -> Option<u8> {
    let mut count = [0usize; 8];
    for &t in techs {
        if let Some(l) = p.graph[t].layer.filter(|l| (1..=7).contains(l)) {
            count[usize::from(l)] += 1;
        }
    }
    let best = (1..=7).rev().max_by_key(|&l| count[l])?;
    (count[best] > 0).then_some(best as u8)
}

impl<'a> Ctx<'a> {
    fn new(p: &'a Projection, f: &'a MapFilter) -> Ctx<'a> {
        let g = &p.graph;
        let targets = |ix: NodeIndex, kind: EdgeKind| {
            g.edges_directed(ix, Direction::Outgoing).filter(move |e| e.weight().kind == kind).map(|e| e.target())
        };
        let mut layer = HashMap::new();
        let mut techs_of: HashMap<NodeIndex, BTreeSet<NodeIndex>> = HashMap::new();
        for ix in g.node_indices() {
            let n = &g[ix];
            match n.kind {
                NodeKind::Technology => {
                    if let Some(l) = n.layer {
                        layer.insert(ix, l);
                    }
                }
                NodeKind::Product | NodeKind::Organization => {
                    let mut techs: BTreeSet<NodeIndex> = targets(ix, EdgeKind::UsesTechnology).collect();
                    if n.kind == NodeKind::Organization {
                        for product in targets(ix, EdgeKind::Develops) {
                            techs.extend(targets(product, EdgeKind::UsesTechnology));
                        }
                    }
                    if let Some(l) = majority(p, &techs) {
                        layer.insert(ix, l);
                    }
                    techs_of.insert(ix, techs);
                }
                _ => {}
            }
        }
        let mut country = HashMap::new();
        let mut country_names = BTreeMap::new();
        for ix in g.node_indices() {
            let n = &g[ix];
            let code = n.country.clone().or_else(|| {
                if n.kind != NodeKind::Programme {
                    return None;
                }
                let mut funders: Vec<&str> = g
                    .edges_directed(ix, Direction::Incoming)
                    .filter(|e| e.weight().kind == EdgeKind::Funds)
                    .filter_map(|e| g[e.source()].country.as_deref())
                    .collect();
                funders.sort_unstable();
                funders.first().map(|c| (*c).to_owned())
            });
            if let Some(code) = code {
                let code = code.to_ascii_uppercase();
                if n.kind == NodeKind::Country {
                    country_names.insert(code.clone(), n.label.clone());
                }
                country.insert(ix, code);
            }
        }
        let tech_users = f.tech.as_deref().map(|iri| match p.node(iri) {
            None => HashSet::new(),
            Some(t) => {
                let mut users: HashSet<NodeIndex> =
                    techs_of.iter().filter(|(_, ts)| ts.contains(&t)).map(|(&ix, _)| ix).collect();
                users.insert(t);
                users
            }
        });
        Ctx {
            p,
            f,
            since: f.since.as_deref().map(|d| bound(d, false)),
            until: match (f.until.as_deref(), f.as_of.as_deref()) {
                (Some(a), Some(b)) => Some(bound(a, true).min(bound(b, true))),
                (a, b) => a.or(b).map(|d| bound(d, true)),
            },
            layer,
            country,
            tech_users,
            country_names,
        }
    }

    /// Passes the node filters (country, technology, layer).
    fn node_ok(&self, ix: NodeIndex) -> bool {
        let country_ok = match &self.f.country {
            None => true,
            Some(c) => self.country.get(&ix).is_some_and(|x| x.eq_ignore_ascii_case(c)),
        };
        let tech_ok = self.tech_users.as_ref().is_none_or(|users| users.contains(&ix));
        let layer_ok = self.f.layer.is_none_or(|l| self.layer.get(&ix) == Some(&l));
        country_ok && tech_ok && layer_ok
    }

    /// Passes the edge filters (dates, amount).
    fn edge_ok(&self, e: &Edge) -> bool {
        if let Some(d) = e.date.as_deref() {
            if self.since.as_deref().is_some_and(|s| d < s) || self.until.as_deref().is_some_and(|u| d > u) {
                return false;
            }
        }
        match self.f.min_amount {
            Some(min) if matches!(e.kind, EdgeKind::InvestsIn | EdgeKind::Acquires | EdgeKind::Funds) => {
                e.amount_usd.is_some_and(|a| a >= min)
            }
            _ => true,
        }
    }

    fn label(&self, ix: NodeIndex) -> &str {
        &self.p.graph[ix].label
    }

    fn country_text(&self, code: &str) -> String {
        match self.country_names.get(code) {
            Some(name) => format!("{name} ({code})"),
            None => code.to_owned(),
        }
    }

    fn scene_node(&self, ix: NodeIndex, group: Option<usize>) -> SceneNode {
        let n = &self.p.graph[ix];
        let alias = n.aliases.iter().find(|a| !a.is_ascii() && **a != n.label);
        let mut tooltip = n.label.clone();
        if let Some(a) = alias {
            tooltip.push_str(&format!("\nnative name: {a}"));
        }
        let types = if n.types.is_empty() { n.kind.name().to_owned() } else { n.types.join(", ") };
        tooltip.push_str(&format!("\ntype: {types}"));
        let country = self.country.get(&ix).cloned();
        if let Some(c) = &country {
            tooltip.push_str(&format!("\ncountry: {}", self.country_text(c)));
        }
        if let Some(name) = self.layer.get(&ix).and_then(|&l| style::layer_name(l)) {
            tooltip.push_str(&format!("\nlayer: {name}"));
        }
        SceneNode {
            key: n.iri.clone(),
            label: match alias {
                Some(a) => format!("{}\n{a}", n.label),
                None => n.label.clone(),
            },
            sort_label: n.label.to_lowercase(),
            tooltip,
            url: safe_url(&n.iri),
            look: style::node_look(n),
            country,
            group,
            keep: false,
            rank: 0,
            emphasis: Emphasis::Normal,
        }
    }

    /// One line for one or more parallel edges of the same relation (`members`, in date order).
    fn scene_edge(&self, from: usize, to: usize, members: &[EdgeIndex], names: (&str, &str)) -> SceneEdge {
        let g = &self.p.graph;
        let first = &g[members[0]];
        let look = style::relation_look(first.kind);
        let arrow = if look.undirected { "—" } else { "→" };
        let mut tooltip = format!("{} {arrow} {}\n{}", names.0, names.1, style::relation_words(first.kind));
        let mut sources: Vec<&str> = Vec::new();
        for &m in members {
            let e = &g[m];
            let mut facts: Vec<String> = Vec::new();
            facts.extend(e.detail.clone());
            facts.extend(e.amount_usd.map(style::format_usd));
            facts.extend(e.stake.map(|s| format!("{s}%")));
            facts.extend(e.date.clone());
            if e.lead {
                facts.push("lead".to_owned());
            }
            if !facts.is_empty() {
                tooltip.push_str(&format!("\n{}", facts.join(", ")));
            }
            for s in &e.sources {
                if !sources.contains(&s.as_str()) {
                    sources.push(s);
                }
            }
        }
        let titles: Vec<String> = sources
            .iter()
            .map(|s| match self.p.sources.get(*s) {
                Some(r) => r.title.clone().or_else(|| r.publisher.clone()).unwrap_or_else(|| s.to_string()),
                None => s.to_string(),
            })
            .collect();
        if !titles.is_empty() {
            tooltip.push_str(&format!("\nsources: {}", titles.join("; ")));
        }
        // The first source's URL (its IRI when it has none); for unsourced facts, the event's IRI.
        let url = match sources.first() {
            Some(s) => {
                let r = self.p.sources.get(*s);
                r.and_then(|r| r.url.as_deref()).and_then(safe_url).or_else(|| safe_url(s))
            }
            None => members.iter().find_map(|&m| g[m].event.as_deref()).and_then(safe_url),
        };
        SceneEdge {
            from,
            to,
            kind: Some(first.kind),
            relation: first.kind.name().to_owned(),
            label: None,
            tooltip,
            url,
            color: look.color.to_owned(),
            width: 1.0,
            emphasis: Emphasis::Normal,
            sort: format!("{:?} {}", first.kind, first.date.as_deref().unwrap_or("")),
            members: members.to_vec(),
            year: first.year(),
        }
    }
}

/// Collects the nodes and lines of a scene, merging parallel edges of one relation when asked.
struct Builder<'c, 'a> {
    ctx: &'c Ctx<'a>,
    index: HashMap<NodeIndex, usize>,
    nodes: Vec<SceneNode>,
    lines: BTreeMap<(usize, usize, EdgeKind, usize), Vec<EdgeIndex>>,
    merge: bool,
}

impl<'c, 'a> Builder<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>, merge: bool) -> Self {
        Builder { ctx, index: HashMap::new(), nodes: Vec::new(), lines: BTreeMap::new(), merge }
    }

    fn node(&mut self, ix: NodeIndex, group: impl Fn(&Ctx, NodeIndex) -> Option<usize>) -> usize {
        if let Some(&i) = self.index.get(&ix) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(self.ctx.scene_node(ix, group(self.ctx, ix)));
        self.index.insert(ix, i);
        i
    }

    fn edge(&mut self, e: EdgeIndex, group: impl Fn(&Ctx, NodeIndex) -> Option<usize> + Copy) {
        let g = &self.ctx.p.graph;
        let Some((a, b)) = g.edge_endpoints(e) else { return };
        let kind = g[e].kind;
        let (mut x, mut y) = (self.node(a, group), self.node(b, group));
        if style::relation_look(kind).undirected && x > y {
            std::mem::swap(&mut x, &mut y);
        }
        // Undirected relations are stored once each way: always one line.
        let merge = self.merge || style::relation_look(kind).undirected;
        let slot = if merge { 0 } else { e.index() };
        self.lines.entry((x, y, kind, slot)).or_default().push(e);
    }

    fn finish(self) -> (Vec<SceneNode>, Vec<SceneEdge>) {
        let ctx = self.ctx;
        let g = &ctx.p.graph;
        let nodes = self.nodes;
        let edges = self
            .lines
            .into_iter()
            .map(|((x, y, _, _), mut members)| {
                members.sort_by(|a, b| g[*a].date.cmp(&g[*b].date).then(a.cmp(b)));
                let names = (nodes[x].label.replace('\n', " "), nodes[y].label.replace('\n', " "));
                ctx.scene_edge(x, y, &members, (&names.0, &names.1))
            })
            .collect();
        (nodes, edges)
    }
}

fn no_group(_: &Ctx, _: NodeIndex) -> Option<usize> {
    None
}

/// A short description of the filter for the title, e.g. "country KR, since 2020".
fn filter_words(f: &MapFilter, p: &Projection) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &f.country {
        parts.push(format!("country {}", c.to_ascii_uppercase()));
    }
    if let Some(t) = &f.tech {
        let name = p.node(t).map(|ix| p.graph[ix].label.clone()).unwrap_or_else(|| t.clone());
        parts.push(format!("technology {name}"));
    }
    if let Some(name) = f.layer.and_then(style::layer_name) {
        parts.push(format!("layer {name}"));
    }
    if let Some(d) = &f.as_of {
        parts.push(format!("as of {d}"));
    }
    if let Some(d) = &f.since {
        parts.push(format!("since {d}"));
    }
    if let Some(d) = &f.until {
        parts.push(format!("until {d}"));
    }
    if let Some(a) = f.min_amount {
        parts.push(format!("at least {}", style::format_usd(a)));
    }
    parts.join(", ")
}

/// Chooses the scene of a map.
pub(super) fn scene(p: &Projection, kind: &MapKind, f: &MapFilter, opts: &MapOptions) -> Scene {
    let ctx = Ctx::new(p, f);
    let mut scene = match kind {
        MapKind::Ecosystem => ecosystem(&ctx),
        MapKind::Investments => investments(&ctx),
        MapKind::Country => country(&ctx),
        MapKind::Ego { center, hops } => ego(&ctx, *center, *hops),
        MapKind::Path { paths } => path(&ctx, paths),
        MapKind::Triples { triples } => self::triples(&ctx, triples),
    };
    let words = filter_words(f, p);
    if let Some(t) = &opts.title {
        scene.title = t.clone();
    } else if !words.is_empty() && !matches!(kind, MapKind::Triples { .. }) {
        scene.title = format!("{} ({words})", scene.title);
    }
    scene.country_names = ctx.country_names.clone();
    if let Some(prefix) = &opts.entity_link {
        for n in scene.nodes.iter_mut().filter(|n| p.node(&n.key).is_some()) {
            let encoded: String = form_urlencoded::byte_serialize(n.key.as_bytes()).collect();
            // The encoded IRI holds only letters, digits, `%`, `+` and `*-._`; the prefix is the caller's own.
            n.url = Some(format!("{prefix}{encoded}"));
        }
    }
    scene
}

fn empty_scene(title: String, arrangement: Arrangement, noun: (&'static str, &'static str), rule: Rule) -> Scene {
    Scene {
        nodes: Vec::new(),
        edges: Vec::new(),
        groups: Vec::new(),
        arrangement,
        title,
        noun,
        rule,
        country_names: BTreeMap::new(),
        colour_by_year: false,
    }
}

const ORGS: (&str, &str) = ("organisation", "organisations");
const NODES: (&str, &str) = ("node", "nodes");

/// Organisations in their bands; capital links between organisations.
fn ecosystem(ctx: &Ctx) -> Scene {
    let g = &ctx.p.graph;
    let is_org = |ix: NodeIndex| g[ix].kind == NodeKind::Organization;
    let band = |ctx: &Ctx, ix: NodeIndex| Some(ctx.layer.get(&ix).map_or(0, |&l| usize::from(l)));
    let mut b = Builder::new(ctx, true);
    let mut orgs: Vec<NodeIndex> =
        g.node_indices().filter(|&ix| is_org(ix) && ctx.node_ok(ix) && ctx.layer.contains_key(&ix)).collect();
    orgs.sort_by_key(|&ix| ctx.label(ix).to_owned());
    for ix in orgs {
        b.node(ix, band);
    }
    for e in g.edge_references() {
        let (a, z) = (e.source(), e.target());
        if EdgeKind::CAPITAL.contains(&e.weight().kind)
            && is_org(a)
            && is_org(z)
            && ctx.edge_ok(e.weight())
            && (ctx.node_ok(a) || ctx.node_ok(z))
        {
            b.edge(e.id(), band);
        }
    }
    let (nodes, edges) = b.finish();
    let mut groups = vec![Group {
        key: "band_0".to_owned(),
        label: "No technology layer: investors, public bodies, holding companies".to_owned(),
    }];
    for (i, name) in style::LAYERS.iter().enumerate() {
        groups.push(Group { key: format!("band_{}", i + 1), label: format!("{}. {name}", i + 1) });
    }
    let mut s =
        empty_scene("Metaverse ecosystem by value-chain layer".to_owned(), Arrangement::Bands, ORGS, Rule::Degree);
    s.nodes = nodes;
    s.edges = edges;
    s.groups = groups;
    s
}

/// Investments and acquisitions, one line per event.
fn investments(ctx: &Ctx) -> Scene {
    let g = &ctx.p.graph;
    let mut b = Builder::new(ctx, false);
    for e in g.edge_references() {
        let w = e.weight();
        if matches!(w.kind, EdgeKind::InvestsIn | EdgeKind::Acquires)
            && ctx.edge_ok(w)
            && (ctx.node_ok(e.source()) || ctx.node_ok(e.target()))
        {
            b.edge(e.id(), no_group);
        }
    }
    let (nodes, mut edges) = b.finish();
    for line in &mut edges {
        // Not merged: one member each.
        let w = &g[line.members[0]];
        line.color = style::year_colour(w.year()).to_owned();
        line.width = style::amount_width(w.amount_usd);
        let mut label: Vec<String> = w.amount_usd.map(style::format_usd).into_iter().collect();
        label.extend(w.date.clone());
        line.label = (!label.is_empty()).then(|| label.join("\n"));
    }
    let mut s =
        empty_scene("Investments and acquisitions".to_owned(), Arrangement::Flat { rankdir: "LR" }, ORGS, Rule::Degree);
    s.nodes = nodes;
    s.edges = edges;
    s.colour_by_year = true;
    s
}

/// Organisations and programmes in country clusters.
fn country(ctx: &Ctx) -> Scene {
    let g = &ctx.p.graph;
    let is_actor = |ix: NodeIndex| matches!(g[ix].kind, NodeKind::Organization | NodeKind::Programme);
    let mut codes: Vec<String> = ctx.country.values().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    codes.retain(|c| g.node_indices().any(|ix| is_actor(ix) && ctx.country.get(&ix) == Some(c)));
    let position: HashMap<String, usize> = codes.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    let cluster = move |ctx: &Ctx, ix: NodeIndex| ctx.country.get(&ix).and_then(|c| position.get(c).copied());
    let mut b = Builder::new(ctx, true);
    let mut actors: Vec<NodeIndex> = g.node_indices().filter(|&ix| is_actor(ix) && ctx.node_ok(ix)).collect();
    actors.sort_by_key(|&ix| ctx.label(ix).to_owned());
    for ix in actors {
        b.node(ix, &cluster);
    }
    let kinds = [
        EdgeKind::InvestsIn,
        EdgeKind::Acquires,
        EdgeKind::HoldsStakeIn,
        EdgeKind::SubsidiaryOf,
        EdgeKind::Funds,
        EdgeKind::MemberOf,
        EdgeKind::PartnersWith,
    ];
    for e in g.edge_references() {
        let (a, z) = (e.source(), e.target());
        if kinds.contains(&e.weight().kind)
            && is_actor(a)
            && is_actor(z)
            && ctx.edge_ok(e.weight())
            && (ctx.node_ok(a) || ctx.node_ok(z))
        {
            b.edge(e.id(), &cluster);
        }
    }
    let (nodes, edges) = b.finish();
    let mut s = empty_scene(
        "Organisations and programmes by country".to_owned(),
        Arrangement::Clusters,
        ("organisation or programme", "organisations and programmes"),
        Rule::Degree,
    );
    s.groups = codes.iter().map(|c| Group { key: format!("country_{c}"), label: ctx.country_text(c) }).collect();
    s.nodes = nodes;
    s.edges = edges;
    s
}

/// Everything within `hops` links of `center`.
fn ego(ctx: &Ctx, center: NodeIndex, hops: usize) -> Scene {
    let g = &ctx.p.graph;
    let mut s = empty_scene(
        "Neighbourhood".to_owned(),
        Arrangement::Flat { rankdir: "LR" },
        NODES,
        Rule::Nearest { center: String::new() },
    );
    if !g.contains_node(center) {
        s.title = "Neighbourhood of an unknown node".to_owned();
        return s;
    }
    let name = ctx.label(center).to_owned();
    s.title = format!("Within {hops} link{} of {name}", if hops == 1 { "" } else { "s" });
    s.rule = Rule::Nearest { center: name };
    let mut dist: HashMap<NodeIndex, usize> = HashMap::from([(center, 0)]);
    let mut queue = VecDeque::from([center]);
    while let Some(u) = queue.pop_front() {
        let d = dist[&u];
        if d >= hops {
            continue;
        }
        let mut next: Vec<NodeIndex> = g
            .edges_directed(u, Direction::Outgoing)
            .chain(g.edges_directed(u, Direction::Incoming))
            .filter(|e| ctx.edge_ok(e.weight()))
            .map(|e| if e.source() == u { e.target() } else { e.source() })
            .collect();
        next.sort();
        for v in next {
            if !dist.contains_key(&v) && ctx.node_ok(v) {
                dist.insert(v, d + 1);
                queue.push_back(v);
            }
        }
    }
    let mut b = Builder::new(ctx, true);
    let mut members: Vec<NodeIndex> = dist.keys().copied().collect();
    members.sort();
    for &ix in &members {
        b.node(ix, no_group);
    }
    for e in g.edge_references() {
        if dist.contains_key(&e.source()) && dist.contains_key(&e.target()) && ctx.edge_ok(e.weight()) {
            b.edge(e.id(), no_group);
        }
    }
    let index = b.index.clone();
    let (mut nodes, edges) = b.finish();
    for (ix, &i) in &index {
        nodes[i].rank = dist[ix];
        if *ix == center {
            nodes[i].keep = true;
            nodes[i].emphasis = Emphasis::Strong;
        }
    }
    s.nodes = nodes;
    s.edges = edges;
    s
}

/// The paths, highlighted, with the other links of their nodes.
fn path(ctx: &Ctx, paths: &[Vec<EdgeIndex>]) -> Scene {
    let g = &ctx.p.graph;
    let on_path: BTreeSet<EdgeIndex> =
        paths.iter().flatten().copied().filter(|&e| g.edge_weight(e).is_some()).collect();
    let mut path_nodes: BTreeSet<NodeIndex> = BTreeSet::new();
    for &e in &on_path {
        let (a, b) = g.edge_endpoints(e).expect("checked above");
        path_nodes.extend([a, b]);
    }
    let mut b = Builder::new(ctx, true);
    for &ix in &path_nodes {
        b.node(ix, no_group);
    }
    // The other direction of an undirected relation on a path is the same line.
    let undirected_key = |e: EdgeIndex| {
        let (a, b) = g.edge_endpoints(e).expect("edge of the graph");
        style::relation_look(g[e].kind).undirected.then(|| (a.min(b), a.max(b), g[e].kind))
    };
    let drawn_undirected: HashSet<_> = on_path.iter().filter_map(|&e| undirected_key(e)).collect();
    let mut context: BTreeSet<EdgeIndex> = BTreeSet::new();
    for &u in &path_nodes {
        for e in g.edges_directed(u, Direction::Outgoing).chain(g.edges_directed(u, Direction::Incoming)) {
            let v = if e.source() == u { e.target() } else { e.source() };
            if !on_path.contains(&e.id())
                && undirected_key(e.id()).is_none_or(|k| !drawn_undirected.contains(&k))
                && ctx.edge_ok(e.weight())
                && (path_nodes.contains(&v) || ctx.node_ok(v))
            {
                context.insert(e.id());
            }
        }
    }
    for &e in &context {
        b.edge(e, no_group);
    }
    let index = b.index.clone();
    let (mut nodes, mut edges) = b.finish();
    for &e in &on_path {
        let (a, z) = g.edge_endpoints(e).expect("checked above");
        let (x, y) = (index[&a], index[&z]);
        let names = (nodes[x].label.replace('\n', " "), nodes[y].label.replace('\n', " "));
        let mut line = ctx.scene_edge(x, y, &[e], (&names.0, &names.1));
        let w = &g[e];
        let mut label = vec![style::relation_words(w.kind)];
        label.extend(w.amount_usd.map(style::format_usd));
        line.label = Some(label.join("\n"));
        line.emphasis = Emphasis::Strong;
        line.width = 3.0;
        line.sort = format!("0 {}", line.sort);
        edges.push(line);
    }
    for line in &mut edges {
        if line.emphasis == Emphasis::Normal {
            line.emphasis = Emphasis::Faint;
        }
    }
    for &ix in &path_nodes {
        let i = index[&ix];
        nodes[i].keep = true;
        nodes[i].emphasis = Emphasis::Strong;
    }
    let mut s = empty_scene(
        match paths.len() {
            1 => "1 path".to_owned(),
            n => format!("{n} paths"),
        },
        Arrangement::Flat { rankdir: "LR" },
        NODES,
        Rule::Paths,
    );
    s.nodes = nodes;
    s.edges = edges;
    s
}

/// The last segment of an IRI, for terms given without a label.
fn local_name(iri: &str) -> &str {
    let trimmed = iri.trim_end_matches(['/', '#']);
    trimmed.rsplit(['/', '#', ':']).next().filter(|s| !s.is_empty()).unwrap_or(iri)
}

/// Statements as given.
fn triples(ctx: &Ctx, triples: &[super::MapTriple]) -> Scene {
    let mut nodes: Vec<SceneNode> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut literals = 0usize;
    let mut node_of = |term: &MapTerm, nodes: &mut Vec<SceneNode>| -> usize {
        if !term.literal {
            if let Some(&i) = index.get(&term.id) {
                return i;
            }
        }
        let mut node = match ctx.p.node(&term.id).filter(|_| !term.literal) {
            Some(ix) => ctx.scene_node(ix, None),
            None => SceneNode {
                key: term.id.clone(),
                label: local_name(&term.id).to_owned(),
                sort_label: String::new(),
                tooltip: term.id.clone(),
                url: safe_url(&term.id),
                look: if term.literal { style::LITERAL } else { style::RESOURCE },
                country: None,
                group: None,
                keep: false,
                rank: 0,
                emphasis: Emphasis::Normal,
            },
        };
        if !term.label.is_empty() {
            node.label = term.label.clone();
        }
        if term.literal {
            node.key = format!("_:literal:{literals}");
            node.tooltip = term.id.clone();
            node.url = None;
            literals += 1;
        }
        node.sort_label = node.label.to_lowercase();
        let i = nodes.len();
        if !term.literal {
            index.insert(term.id.clone(), i);
        }
        nodes.push(node);
        i
    };
    let mut edges = Vec::new();
    for (n, t) in triples.iter().enumerate() {
        let x = node_of(&t.subject, &mut nodes);
        let y = node_of(&t.object, &mut nodes);
        let predicate =
            if t.predicate.label.is_empty() { local_name(&t.predicate.id) } else { &t.predicate.label }.to_owned();
        edges.push(SceneEdge {
            from: x,
            to: y,
            kind: None,
            relation: t.predicate.id.clone(),
            label: Some(predicate.clone()),
            tooltip: format!(
                "{} → {}\n{}",
                nodes[x].label.replace('\n', " "),
                nodes[y].label.replace('\n', " "),
                t.predicate.id
            ),
            url: safe_url(&t.predicate.id),
            color: "#444444".to_owned(),
            width: 1.0,
            emphasis: Emphasis::Normal,
            sort: format!("{predicate} {n:08}"),
            members: Vec::new(),
            year: None,
        });
    }
    let mut s = empty_scene(
        match triples.len() {
            1 => "1 statement".to_owned(),
            n => format!("{n} statements"),
        },
        Arrangement::Flat { rankdir: "LR" },
        NODES,
        Rule::Degree,
    );
    s.nodes = nodes;
    s.edges = edges;
    s
}
