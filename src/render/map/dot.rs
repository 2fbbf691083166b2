//! Turning a [`Scene`] into DOT: graphviz-rust's DOT model, printed by its printer. Every id and value is a quoted
//! string escaped by our own code; ids of layout helpers and legend items start with `_:` so they cannot clash
//! with IRIs.

use std::collections::BTreeMap;

use graphviz_rust::dot_structures::{
    Attribute, Edge as DotEdge, EdgeTy, Graph, GraphAttributes, Id, Node as DotNode, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use super::escape::{escape_dot_string, escape_text};
use super::select::{reduce, Arrangement, Emphasis, Scene, SceneEdge, SceneNode};
use super::style::{self, NodeLook};
use super::{MapDoc, MapEdge, MapKind, MapOptions};
use crate::graph::EdgeKind;

/// A quoted DOT id of a node or subgraph. Graphviz writes ids into the SVG (`<title>`) and leaves anything that looks
/// like an entity (`&AMP;`) as it is, which would break the XML: ids are escaped like text.
pub(super) fn quoted(s: &str) -> Id {
    Id::Escaped(format!("\"{}\"", escape_text(s)))
}

/// `key="value"`, for values that are not shown as text (colours, shapes, URLs already made safe).
fn attr(key: &str, value: &str) -> Attribute {
    Attribute(Id::Plain(key.to_owned()), Id::Escaped(format!("\"{}\"", escape_dot_string(value))))
}

/// `key="text"`, for labels and tooltips.
fn text(key: &str, value: &str) -> Attribute {
    Attribute(Id::Plain(key.to_owned()), Id::Escaped(format!("\"{}\"", escape_text(value))))
}

fn node(id: &str, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Node(DotNode::new(NodeId(quoted(id), None), attributes))
}

fn edge(from: &str, to: &str, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Edge(DotEdge {
        ty: EdgeTy::Pair(Vertex::N(NodeId(quoted(from), None)), Vertex::N(NodeId(quoted(to), None))),
        attributes,
    })
}

fn subgraph(id: &str, stmts: Vec<Stmt>) -> Stmt {
    Stmt::Subgraph(Subgraph { id: quoted(id), stmts })
}

fn invisible_node(id: &str) -> Stmt {
    node(id, vec![attr("style", "invis"), attr("shape", "point"), attr("width", "0"), attr("label", "")])
}

fn invisible_edge(from: &str, to: &str) -> Stmt {
    edge(from, to, vec![attr("style", "invis")])
}

fn width(w: f64) -> String {
    let s = format!("{w:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

fn node_stmt(n: &SceneNode) -> Stmt {
    let mut a = vec![
        text("label", &n.label),
        attr("shape", n.look.shape),
        attr("fillcolor", n.country.as_deref().map_or(style::NO_COUNTRY, style::country_colour)),
        text("tooltip", &n.tooltip),
    ];
    if let Some(url) = &n.url {
        a.push(attr("URL", url));
    }
    match n.emphasis {
        Emphasis::Strong => a.extend([attr("penwidth", "3"), attr("fontname", "Helvetica-Bold")]),
        Emphasis::Faint => a.push(attr("color", "#999999")),
        Emphasis::Normal => {}
    }
    node(&n.key, a)
}

fn edge_stmt(scene: &Scene, e: &SceneEdge, banded: bool) -> Stmt {
    let look = e.kind.map(style::relation_look);
    let mut a = Vec::new();
    if let Some(label) = &e.label {
        a.push(text("label", label));
    }
    let (color, pen) = match e.emphasis {
        Emphasis::Strong => ("#d62728", e.width.max(3.0)),
        Emphasis::Faint => ("#bbbbbb", e.width),
        Emphasis::Normal => (e.color.as_str(), e.width),
    };
    a.push(attr("color", color));
    if let Some(look) = look {
        a.push(attr("style", look.style));
        a.push(attr("arrowhead", look.arrowhead));
        if look.undirected {
            a.push(attr("dir", "none"));
        }
    }
    if pen != 1.0 {
        a.push(attr("penwidth", &width(pen)));
    }
    if banded {
        // Only the band anchors decide the ranks.
        a.push(attr("constraint", "false"));
    }
    a.push(text("tooltip", &e.tooltip));
    if e.label.is_some() {
        a.push(text("labeltooltip", &e.tooltip));
    }
    if let Some(url) = &e.url {
        a.push(attr("URL", url));
    }
    edge(&scene.nodes[e.from].key, &scene.nodes[e.to].key, a)
}

/// The items of the legend, drawn in rows.
struct Legend {
    rows: Vec<Vec<Stmt>>,
    /// First and last node id of each row, to chain the rows.
    ends: Vec<(String, String)>,
    nodes: usize,
    edges: usize,
}

impl Legend {
    fn row(&mut self, items: Vec<(String, Vec<Attribute>)>) {
        let Some(first) = items.first().map(|i| i.0.clone()) else { return };
        let last = items.last().map(|i| i.0.clone()).unwrap_or_default();
        let mut stmts: Vec<Stmt> = vec![attr("rank", "same").into()];
        for pair in items.windows(2) {
            stmts.push(invisible_edge(&pair[0].0, &pair[1].0));
        }
        self.nodes += items.len();
        stmts.extend(items.into_iter().map(|(id, a)| node(&id, a)));
        self.rows.push(stmts);
        self.ends.push((first, last));
    }

    /// A row of relation samples: a label, then a short line drawn in the relation's style.
    fn relations(&mut self, samples: Vec<(String, String, Vec<Attribute>)>) {
        if samples.is_empty() {
            return;
        }
        let mut stmts: Vec<Stmt> = vec![attr("rank", "same").into()];
        let mut previous: Option<String> = None;
        let first = format!("_:legend:edge:{}:a", samples[0].0);
        for (name, words, style) in samples {
            let (a, b) = (format!("_:legend:edge:{name}:a"), format!("_:legend:edge:{name}:b"));
            stmts.push(node(&a, vec![attr("shape", "plaintext"), attr("style", ""), text("label", &words)]));
            stmts.push(node(&b, vec![attr("shape", "point"), attr("width", "0.05"), attr("label", "")]));
            if let Some(p) = previous {
                stmts.push(invisible_edge(&p, &a));
            }
            stmts.push(edge(&a, &b, style));
            previous = Some(b);
            self.nodes += 2;
            self.edges += 1;
        }
        self.rows.push(stmts);
        self.ends.push((first, previous.unwrap_or_default()));
    }

    fn into_cluster(self) -> Option<Stmt> {
        if self.rows.is_empty() {
            return None;
        }
        let mut stmts: Vec<Stmt> =
            vec![text("label", "Legend").into(), attr("style", "rounded").into(), attr("color", "#888888").into()];
        let rows = self.rows.len();
        for (i, row) in self.rows.into_iter().enumerate() {
            stmts.push(subgraph(&format!("legend_row_{i}"), row));
        }
        for i in 1..rows {
            stmts.push(invisible_edge(&self.ends[i - 1].0, &self.ends[i].0));
        }
        Some(subgraph("cluster_legend", stmts))
    }
}

fn legend(scene: &Scene, nodes: &[usize], edges: &[usize]) -> Legend {
    let mut l = Legend { rows: Vec::new(), ends: Vec::new(), nodes: 0, edges: 0 };
    let looks: BTreeMap<NodeLook, ()> = nodes.iter().map(|&i| (scene.nodes[i].look, ())).collect();
    l.row(
        looks
            .keys()
            .map(|k| {
                let id = format!("_:legend:shape:{}", k.order);
                (id, vec![attr("shape", k.shape), text("label", k.name), attr("fillcolor", "#ffffff")])
            })
            .collect(),
    );
    let mut countries: BTreeMap<String, (String, &str)> = BTreeMap::new();
    for &i in nodes {
        let (key, name, colour) = match &scene.nodes[i].country {
            Some(c) => {
                let name = match scene.country_names.get(c) {
                    Some(n) => format!("{n} ({c})"),
                    None => c.clone(),
                };
                (c.clone(), name, style::country_colour(c))
            }
            None => ("~".to_owned(), "country unknown".to_owned(), style::NO_COUNTRY),
        };
        countries.insert(key, (name, colour));
    }
    let items: Vec<(String, Vec<Attribute>)> = countries
        .into_iter()
        .map(|(code, (name, colour))| {
            let id = format!("_:legend:country:{}", if code == "~" { "none" } else { &code });
            (id, vec![attr("shape", "box"), text("label", &name), attr("fillcolor", colour)])
        })
        .collect();
    for chunk in items.chunks(8) {
        l.row(chunk.to_vec());
    }
    let kinds: BTreeMap<EdgeKind, ()> = edges.iter().filter_map(|&i| scene.edges[i].kind).map(|k| (k, ())).collect();
    let mut samples: Vec<(String, String, Vec<Attribute>)> = kinds
        .keys()
        .map(|&k| {
            let look = style::relation_look(k);
            let colour = if scene.colour_by_year { "#333333" } else { look.color };
            let mut a = vec![attr("style", look.style), attr("color", colour), attr("arrowhead", look.arrowhead)];
            if look.undirected {
                a.push(attr("dir", "none"));
            }
            (k.name().to_owned(), style::relation_words(k), a)
        })
        .collect();
    if edges.iter().any(|&i| scene.edges[i].emphasis == Emphasis::Strong) {
        samples.push((
            "path".to_owned(),
            "on a path".to_owned(),
            vec![attr("color", "#d62728"), attr("penwidth", "3")],
        ));
    }
    l.relations(samples);
    if scene.colour_by_year {
        let years: BTreeMap<Option<i32>, ()> = edges
            .iter()
            .map(|&i| (scene.edges[i].year.map(|y| y.clamp(style::FIRST_YEAR, style::LAST_YEAR)), ()))
            .collect();
        let mut items: Vec<(String, Vec<Attribute>)> = years
            .keys()
            .map(|y| {
                let name = match *y {
                    None => "undated".to_owned(),
                    Some(y) if y == style::FIRST_YEAR => format!("{y} and before"),
                    Some(y) if y == style::LAST_YEAR => format!("{y} and after"),
                    Some(y) => y.to_string(),
                };
                let id = format!("_:legend:year:{}", y.map_or("none".to_owned(), |y| y.to_string()));
                let a = vec![
                    attr("shape", "box"),
                    text("label", &name),
                    attr("fillcolor", style::year_colour(*y)),
                    attr("fontcolor", "#ffffff"),
                ];
                (id, a)
            })
            .collect();
        items.push((
            "_:legend:width".to_owned(),
            vec![attr("shape", "plaintext"), attr("style", ""), text("label", "line width: USD amount, log scale")],
        ));
        l.row(items);
    }
    l
}

/// Above this many lines, `dot` draws straight lines: routing splines takes minutes on a thousand edges.
const CURVED_LINES: usize = 200;

/// Rows per band line in the ecosystem map: about square overall.
fn row_width(total: usize) -> usize {
    ((total * 2) as f64).sqrt().ceil().clamp(6.0, 30.0) as usize
}

pub(super) fn assemble(scene: Scene, kind: &MapKind, opts: &MapOptions) -> MapDoc {
    let reduced = reduce(&scene, opts.max_nodes);
    let mut label = scene.title.clone();
    if reduced.omitted_nodes > 0 {
        label.push('\n');
        label.push_str(&reduced.sentence);
    }
    let mut stmts: Vec<Stmt> = vec![
        GraphAttributes::Graph(vec![
            text("label", &label),
            attr("labelloc", "t"),
            attr("fontname", "Helvetica"),
            attr("fontsize", "16"),
            text("tooltip", &label),
            attr("outputorder", "edgesfirst"),
        ])
        .into(),
        GraphAttributes::Node(vec![
            attr("fontname", "Helvetica"),
            attr("fontsize", "10"),
            attr("style", "filled"),
            attr("fillcolor", "#ffffff"),
        ])
        .into(),
        GraphAttributes::Edge(vec![attr("fontname", "Helvetica"), attr("fontsize", "8"), attr("arrowsize", "0.6")])
            .into(),
    ];
    let layout_attrs: Vec<Attribute> = match scene.arrangement {
        Arrangement::Bands => vec![
            attr("newrank", "true"),
            attr("rankdir", "TB"),
            attr("splines", "false"),
            attr("nodesep", "0.15"),
            attr("ranksep", "0.3"),
        ],
        Arrangement::Clusters => {
            vec![attr("rankdir", "TB"), attr("splines", "false"), attr("nodesep", "0.15"), attr("ranksep", "0.6")]
        }
        Arrangement::Flat { rankdir } if reduced.edges.len() > CURVED_LINES => {
            vec![attr("rankdir", rankdir), attr("overlap", "false"), attr("splines", "false")]
        }
        Arrangement::Flat { rankdir } => vec![attr("rankdir", rankdir), attr("overlap", "false")],
    };
    stmts.push(GraphAttributes::Graph(layout_attrs).into());

    match scene.arrangement {
        Arrangement::Bands => {
            let width = row_width(reduced.nodes.len());
            let mut anchors: Vec<String> = Vec::new();
            for (b, group) in scene.groups.iter().enumerate() {
                let members: Vec<usize> =
                    reduced.nodes.iter().copied().filter(|&i| scene.nodes[i].group == Some(b)).collect();
                if b == 0 && members.is_empty() {
                    continue;
                }
                let shade = if b % 2 == 0 { "#f2f2f2" } else { "#fafafa" };
                let mut band: Vec<Stmt> = vec![
                    text("label", &group.label).into(),
                    attr("labeljust", "l").into(),
                    attr("style", "filled").into(),
                    attr("fillcolor", shade).into(),
                    attr("color", "#cccccc").into(),
                ];
                let rows: Vec<&[usize]> = if members.is_empty() { vec![&[]] } else { members.chunks(width).collect() };
                for (r, row) in rows.into_iter().enumerate() {
                    let anchor = format!("_:band:{b}:{r}");
                    let mut line: Vec<Stmt> = vec![attr("rank", "same").into(), invisible_node(&anchor)];
                    line.extend(row.iter().map(|&i| node_stmt(&scene.nodes[i])));
                    band.push(subgraph(&format!("{}_row_{r}", group.key), line));
                    anchors.push(anchor);
                }
                stmts.push(subgraph(&format!("cluster_{}", group.key), band));
            }
            for pair in anchors.windows(2) {
                stmts.push(edge(&pair[0], &pair[1], vec![attr("style", "invis"), attr("weight", "100")]));
            }
        }
        Arrangement::Clusters => {
            for (c, group) in scene.groups.iter().enumerate() {
                let members: Vec<Stmt> = reduced
                    .nodes
                    .iter()
                    .filter(|&&i| scene.nodes[i].group == Some(c))
                    .map(|&i| node_stmt(&scene.nodes[i]))
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let mut cluster: Vec<Stmt> = vec![
                    text("label", &group.label).into(),
                    attr("style", "rounded,filled").into(),
                    attr("fillcolor", "#f7f7f7").into(),
                    attr("color", "#aaaaaa").into(),
                ];
                cluster.extend(members);
                stmts.push(subgraph(&format!("cluster_{}", group.key), cluster));
            }
            stmts.extend(
                reduced.nodes.iter().filter(|&&i| scene.nodes[i].group.is_none()).map(|&i| node_stmt(&scene.nodes[i])),
            );
        }
        Arrangement::Flat { .. } => stmts.extend(reduced.nodes.iter().map(|&i| node_stmt(&scene.nodes[i]))),
    }
    let banded = scene.arrangement == Arrangement::Bands;
    stmts.extend(reduced.edges.iter().map(|&i| edge_stmt(&scene, &scene.edges[i], banded)));

    let (mut legend_nodes, mut legend_edges) = (0, 0);
    if opts.legend && !reduced.nodes.is_empty() {
        let l = legend(&scene, &reduced.nodes, &reduced.edges);
        legend_nodes = l.nodes;
        legend_edges = l.edges;
        stmts.extend(l.into_cluster());
    }

    let graph = Graph::DiGraph { id: quoted("mvkg"), strict: false, stmts };
    let mut dot = graph.print(&mut PrinterContext::default());
    dot.push('\n');
    MapDoc {
        dot,
        kind: kind.name().to_owned(),
        layout: kind.default_layout(),
        nodes: reduced.nodes.iter().map(|&i| scene.nodes[i].key.clone()).collect(),
        edges: reduced
            .edges
            .iter()
            .map(|&i| {
                let e = &scene.edges[i];
                MapEdge {
                    from: scene.nodes[e.from].key.clone(),
                    to: scene.nodes[e.to].key.clone(),
                    relation: e.relation.clone(),
                }
            })
            .collect(),
        omitted_nodes: reduced.omitted_nodes,
        omitted_edges: reduced.omitted_edges,
        reduction: reduced.sentence,
        legend_nodes,
        legend_edges,
    }
}
