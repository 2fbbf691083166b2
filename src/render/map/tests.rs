//! Map tests on a small hand-made projection: DOT snapshots of every kind, exact counts, the reduction rule, hostile
//! names, and SVG rendered by the real Graphviz.

use std::collections::BTreeSet;

use graphviz_rust::dot_structures::{Graph, Stmt};

use super::*;
use crate::graph::{Edge, EdgeKind, Node, NodeKind, Projection, SourceRef};

const MV: &str = "https://w3id.org/mvkg/id/";

fn iri(local: &str) -> String {
    format!("{MV}{local}")
}

fn add(p: &mut Projection, local: &str, kind: NodeKind, label: &str, types: &[&str], country: Option<&str>) {
    let mut n = Node::new(&iri(local), kind, label);
    n.types = types.iter().map(|t| t.to_string()).collect();
    n.country = country.map(str::to_owned);
    p.add_node(n);
}

fn link(p: &mut Projection, from: &str, to: &str, kind: EdgeKind) -> Edge {
    let e = Edge::new(kind);
    p.add_edge(&iri(from), &iri(to), e.clone()).expect("both ends exist");
    e
}

fn event(p: &mut Projection, from: &str, to: &str, kind: EdgeKind, amount: Option<f64>, date: &str, source: &str) {
    let mut e = Edge::new(kind);
    e.amount_usd = amount;
    e.date = Some(date.to_owned());
    e.sources = vec![iri(source)];
    p.add_edge(&iri(from), &iri(to), e).expect("both ends exist");
}

/// Two countries, four technologies in four layers, nine organisations (one named with quotes and angle brackets),
/// a product and a programme.
fn fixture() -> Projection {
    let mut p = Projection::new();
    for (local, label, layer) in
        [("xr", "XR headsets", 6), ("engine", "3D engines", 4), ("games", "Online games", 1), ("cloud", "Cloud", 7)]
    {
        add(&mut p, local, NodeKind::Technology, label, &["Technology"], None);
        p.node_mut(&iri(local)).unwrap().layer = Some(layer);
    }
    add(&mut p, "kr", NodeKind::Country, "South Korea", &["Country"], Some("KR"));
    add(&mut p, "us", NodeKind::Country, "United States", &["Country"], Some("US"));
    add(&mut p, "naver", NodeKind::Organization, "Naver", &["Company"], Some("KR"));
    p.node_mut(&iri("naver")).unwrap().aliases = vec!["NAVER Corp.".into(), "네이버".into()];
    add(&mut p, "zepeto", NodeKind::Product, "Zepeto", &["Product"], Some("KR"));
    add(&mut p, "meta", NodeKind::Organization, "Meta Platforms", &["Company", "Investor"], Some("US"));
    add(&mut p, "fund", NodeKind::Organization, "Korea \"Growth\" <Fund>", &["Investor"], Some("KR"));
    add(&mut p, "msit", NodeKind::Organization, "Ministry of Science and ICT", &["GovernmentBody"], Some("KR"));
    p.node_mut(&iri("msit")).unwrap().aliases = vec!["과학기술정보통신부".into()];
    add(&mut p, "xra", NodeKind::Organization, "XR Alliance", &["Alliance"], Some("KR"));
    add(&mut p, "unity", NodeKind::Organization, "Unity", &["Company"], Some("US"));
    add(&mut p, "weta", NodeKind::Organization, "Weta Digital", &["Company"], Some("NZ"));
    add(&mut p, "kaist", NodeKind::Organization, "KAIST", &["EducationBody"], Some("KR"));
    add(&mut p, "aws", NodeKind::Organization, "Amazon Web Services", &["Company"], Some("US"));
    add(&mut p, "prog", NodeKind::Programme, "Metaverse Fund 2022", &["Policy"], None);

    link(&mut p, "naver", "zepeto", EdgeKind::Develops);
    link(&mut p, "zepeto", "games", EdgeKind::UsesTechnology);
    link(&mut p, "zepeto", "engine", EdgeKind::UsesTechnology);
    link(&mut p, "naver", "cloud", EdgeKind::UsesTechnology);
    link(&mut p, "meta", "xr", EdgeKind::UsesTechnology);
    link(&mut p, "unity", "engine", EdgeKind::UsesTechnology);
    link(&mut p, "weta", "engine", EdgeKind::UsesTechnology);
    link(&mut p, "aws", "cloud", EdgeKind::UsesTechnology);
    link(&mut p, "kaist", "xr", EdgeKind::UsesTechnology);
    link(&mut p, "naver", "xra", EdgeKind::MemberOf);
    link(&mut p, "naver", "unity", EdgeKind::PartnersWith);
    link(&mut p, "unity", "naver", EdgeKind::PartnersWith);
    link(&mut p, "naver", "kr", EdgeKind::LocatedIn);

    event(&mut p, "fund", "naver", EdgeKind::InvestsIn, Some(150e6), "2021-03-04", "s1");
    event(&mut p, "fund", "naver", EdgeKind::InvestsIn, Some(20e6), "2019-07-01", "s1");
    event(&mut p, "meta", "unity", EdgeKind::InvestsIn, None, "2020-01-15", "s2");
    event(&mut p, "unity", "weta", EdgeKind::Acquires, Some(1.625e9), "2021-11-09", "s2");
    event(&mut p, "msit", "prog", EdgeKind::Funds, Some(200e6), "2022-02-01", "s1");
    event(&mut p, "prog", "naver", EdgeKind::Funds, Some(5e6), "2022-06-01", "s1");
    let mut stake = Edge::new(EdgeKind::HoldsStakeIn);
    stake.stake = Some(5.0);
    stake.date = Some("2022-12-31".into());
    stake.event = Some(iri("stake-2022"));
    p.add_edge(&iri("meta"), &iri("naver"), stake).unwrap();

    for (local, title, url) in [
        ("s1", "Naver raises \"big\" & more", "https://example.com/news?a=1&b=2"),
        ("s2", "Unity <buys> Weta", "javascript:alert(1)"),
    ] {
        p.sources.insert(
            iri(local),
            SourceRef {
                iri: iri(local),
                title: Some(title.to_owned()),
                publisher: None,
                url: Some(url.to_owned()),
                issued: None,
            },
        );
    }
    p
}

/// A snapshot named after the map alone, so that it is the same file whichever crate compiles this module.
fn snapshot(name: &str, dot: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(format!("map_{name}"), dot));
}

fn map(p: &Projection, kind: &MapKind) -> MapDoc {
    build_map(p, kind, &MapFilter::default(), &MapOptions::default())
}

fn ix(p: &Projection, local: &str) -> petgraph::stable_graph::NodeIndex {
    p.node(&iri(local)).unwrap()
}

fn edge_ix(p: &Projection, from: &str, to: &str, kind: EdgeKind) -> petgraph::stable_graph::EdgeIndex {
    use petgraph::visit::EdgeRef;
    p.graph.edges_connecting(ix(p, from), ix(p, to)).find(|e| e.weight().kind == kind).unwrap().id()
}

/// The local names of the entities drawn.
fn drawn(doc: &MapDoc) -> Vec<String> {
    doc.nodes.iter().map(|n| n.trim_start_matches(MV).to_owned()).collect()
}

/// Node and edge statements of a parsed DOT graph, at any depth.
fn count_statements(stmts: &[Stmt], nodes: &mut BTreeSet<String>, edges: &mut usize) {
    for s in stmts {
        match s {
            Stmt::Node(n) => {
                nodes.insert(format!("{}", n.id.0));
            }
            Stmt::Edge(_) => *edges += 1,
            Stmt::Subgraph(g) => count_statements(&g.stmts, nodes, edges),
            _ => {}
        }
    }
}

/// Parses the DOT back with graphviz-rust and counts its nodes that are entities (not legend or layout helpers).
fn parsed_entities(dot: &str) -> usize {
    let graph = graphviz_rust::parse(dot).unwrap_or_else(|e| panic!("DOT does not parse: {e}\n{dot}"));
    let Graph::DiGraph { stmts, .. } = graph else { panic!("not a digraph") };
    let mut nodes = BTreeSet::new();
    let mut edges = 0;
    count_statements(&stmts, &mut nodes, &mut edges);
    nodes.iter().filter(|n| !n.contains("\"_:")).count()
}

fn svg(doc: &MapDoc, layout: Layout) -> String {
    let mut out = Vec::new();
    render(&doc.dot, OutputFormat::Svg, layout, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Renders with the real Graphviz, checks the SVG is well-formed and counts its node and edge groups.
fn check_svg(doc: &MapDoc, layout: Layout) -> String {
    let svg = svg(doc, layout);
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
    let xml = roxmltree::Document::parse_with_options(&svg, options)
        .unwrap_or_else(|e| panic!("SVG is not well-formed: {e}"));
    let groups = |class: &str| {
        xml.descendants().filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some(class)).count()
    };
    assert_eq!(groups("node"), doc.nodes.len() + doc.legend_nodes, "node groups with {layout:?}");
    assert_eq!(groups("edge"), doc.edges.len() + doc.legend_edges, "edge groups with {layout:?}");
    assert!(!svg.contains("<script"), "raw <script in SVG");
    assert!(!svg.contains("javascript:"));
    svg
}

#[test]
fn ecosystem_snapshot() {
    let p = fixture();
    let doc = map(&p, &MapKind::Ecosystem);
    snapshot("ecosystem", &doc.dot);
    // The ministry has no technology and no capital link: it is not drawn.
    assert_eq!(drawn(&doc), ["fund", "naver", "unity", "weta", "kaist", "meta", "aws"]);
    assert_eq!(doc.edges.len(), 4, "{:?}", doc.edges);
    assert_eq!(doc.reduction, "all 7 organisations drawn");
    assert_eq!((doc.omitted_nodes, doc.omitted_edges), (0, 0));
    assert_eq!(parsed_entities(&doc.dot), 7);
    // An edge without sources links to its event.
    assert!(doc.dot.contains(&format!("URL=\"{}\"", iri("stake-2022"))));
}

#[test]
fn ecosystem_filters() {
    let p = fixture();
    let check = |f: MapFilter, nodes: &[&str], edges: usize| {
        let doc = build_map(&p, &MapKind::Ecosystem, &f, &MapOptions::default());
        assert_eq!(drawn(&doc), nodes, "{f:?}");
        assert_eq!(doc.edges.len(), edges, "{f:?}");
    };
    // American organisations, and the ones they are linked to.
    check(
        MapFilter { country: Some("us".into()), ..MapFilter::default() },
        &["naver", "unity", "weta", "meta", "aws"],
        3,
    );
    check(MapFilter { layer: Some(4), ..MapFilter::default() }, &["unity", "weta", "meta"], 2);
    check(
        MapFilter { since: Some("2021-06".into()), ..MapFilter::default() },
        &["naver", "unity", "weta", "kaist", "meta", "aws"],
        2,
    );
    let doc = build_map(
        &p,
        &MapKind::Country,
        &MapFilter { country: Some("KR".into()), ..MapFilter::default() },
        &MapOptions::default(),
    );
    assert_eq!(doc.nodes.len(), 8);
    assert!(doc.dot.contains("label=\"Organisations and programmes by country (country KR)\""));
}

#[test]
fn ecosystem_places_organisations_by_majority_layer() {
    let p = fixture();
    let doc = map(&p, &MapKind::Ecosystem);
    // Naver: games (1), engine (4) via Zepeto, cloud (7) itself: a three-way tie goes to the lowest rank, Experience.
    let band = |local: &str| {
        let at = doc.dot.find(&format!("\"{}\"[", iri(local))).unwrap();
        let before = &doc.dot[..at];
        let start = "subgraph \"cluster_band_";
        before.rfind(start).map(|i| before[i + start.len()..].chars().next().unwrap()).unwrap()
    };
    assert_eq!(band("naver"), '1');
    assert_eq!(band("unity"), '4');
    assert_eq!(band("weta"), '4');
    assert_eq!(band("meta"), '6');
    assert_eq!(band("aws"), '7');
    assert_eq!(band("fund"), '0');
    // All seven bands are drawn, in order, the bands of the layers anchored one under the other.
    let order: Vec<usize> = (1..=7).map(|b| doc.dot.find(&format!("cluster_band_{b}\"")).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
    assert!(doc.dot.contains("\"_:band:6:0\" -> \"_:band:7:0\" [style=\"invis\" weight=\"100\"]"));
}

#[test]
fn investments_snapshot() {
    let p = fixture();
    let doc = map(&p, &MapKind::Investments);
    snapshot("investments", &doc.dot);
    assert_eq!(drawn(&doc), ["fund", "meta", "naver", "unity", "weta"]);
    assert_eq!(doc.edges.len(), 4);
    assert!(doc.dot.contains("label=\"$150M\\n2021-03-04\""));
    assert!(doc.dot.contains("label=\"$1.6B\\n2021-11-09\""));
    assert_eq!(parsed_entities(&doc.dot), 5);
}

#[test]
fn investment_filters() {
    let p = fixture();
    let check = |f: MapFilter, expected: usize| {
        let doc = build_map(&p, &MapKind::Investments, &f, &MapOptions::default());
        assert_eq!(doc.edges.len(), expected, "{f:?}");
    };
    check(MapFilter { since: Some("2021".into()), ..MapFilter::default() }, 2);
    check(MapFilter { until: Some("2020-12".into()), ..MapFilter::default() }, 2);
    check(MapFilter { as_of: Some("2021-03-04".into()), ..MapFilter::default() }, 3);
    check(MapFilter { min_amount: Some(100e6), ..MapFilter::default() }, 2);
    check(MapFilter { country: Some("nz".into()), ..MapFilter::default() }, 1);
    // Naver uses 3D engines through Zepeto.
    check(MapFilter { tech: Some(iri("engine")), ..MapFilter::default() }, 4);
    check(MapFilter { layer: Some(1), ..MapFilter::default() }, 2);
}

#[test]
fn country_snapshot() {
    let p = fixture();
    let doc = map(&p, &MapKind::Country);
    snapshot("country", &doc.dot);
    assert_eq!(doc.nodes.len(), 10);
    // The programme has no country of its own: it takes its funder's.
    let kr = doc.dot.find("subgraph \"cluster_country_KR\"").unwrap();
    let us = doc.dot.find("subgraph \"cluster_country_US\"").unwrap();
    assert!((kr..us).contains(&doc.dot.find(&format!("\"{}\"[", iri("prog"))).unwrap()));
    assert!(doc.dot.contains("label=\"South Korea (KR)\""));
    // One line for the partnership stored both ways.
    assert_eq!(doc.edges.iter().filter(|e| e.relation == "partners-with").count(), 1);
    assert_eq!(parsed_entities(&doc.dot), 10);
}

#[test]
fn ego_snapshot() {
    let p = fixture();
    let doc = map(&p, &MapKind::Ego { center: ix(&p, "unity"), hops: 1 });
    snapshot("ego", &doc.dot);
    assert_eq!(drawn(&doc), ["engine", "meta", "naver", "unity", "weta"]);
    let two = map(&p, &MapKind::Ego { center: ix(&p, "unity"), hops: 2 });
    assert_eq!(two.nodes.len(), 12);
    let cut = build_map(
        &p,
        &MapKind::Ego { center: ix(&p, "unity"), hops: 2 },
        &MapFilter::default(),
        &MapOptions { max_nodes: 3, ..MapOptions::default() },
    );
    // Naver has the most links among the nodes one hop away; 3D engines and Meta three each: the label decides.
    assert_eq!(drawn(&cut), ["engine", "naver", "unity"]);
    assert_eq!(cut.reduction, "kept Unity and the 2 nodes nearest to it (then by degree, ties by label); 9 left out");
}

#[test]
fn path_snapshot() {
    let p = fixture();
    let paths = vec![vec![
        edge_ix(&p, "fund", "naver", EdgeKind::InvestsIn),
        edge_ix(&p, "naver", "unity", EdgeKind::PartnersWith),
    ]];
    let doc = map(&p, &MapKind::Path { paths });
    snapshot("path", &doc.dot);
    assert_eq!(doc.nodes.len(), 11);
    assert_eq!(doc.edges.iter().filter(|e| doc.dot.contains(&e.from)).count(), doc.edges.len());
    assert_eq!(doc.dot.matches("color=\"#d62728\" style").count(), 2, "two highlighted path edges");
    let cut = build_map(
        &p,
        &MapKind::Path { paths: vec![vec![edge_ix(&p, "unity", "weta", EdgeKind::Acquires)]] },
        &MapFilter::default(),
        &MapOptions { max_nodes: 3, ..MapOptions::default() },
    );
    // 3D engines is linked to both ends of the path, Meta and Naver to one.
    assert_eq!(drawn(&cut), ["engine", "unity", "weta"]);
    assert_eq!(
        cut.reduction,
        "kept the 2 nodes on the paths and the neighbour with the highest degree (ties by label); 2 left out"
    );
}

#[test]
fn triples_snapshot() {
    let p = fixture();
    let triples = vec![
        MapTriple {
            subject: MapTerm::iri(&iri("naver"), ""),
            predicate: MapTerm::iri("https://w3id.org/mvkg/ontology#develops", "develops"),
            object: MapTerm::iri(&iri("zepeto"), "ZEPETO"),
        },
        MapTriple {
            subject: MapTerm::iri(&iri("naver"), ""),
            predicate: MapTerm::iri("http://www.w3.org/2000/01/rdf-schema#label", ""),
            object: MapTerm::literal("Naver \"<script>alert(1)</script>\""),
        },
        MapTriple {
            subject: MapTerm::iri("https://example.org/x#thing", ""),
            predicate: MapTerm::iri("http://www.w3.org/2000/01/rdf-schema#label", ""),
            object: MapTerm::literal("Naver \"<script>alert(1)</script>\""),
        },
    ];
    let doc = map(&p, &MapKind::Triples { triples });
    snapshot("triples", &doc.dot);
    assert_eq!(doc.nodes.len(), 5, "{:?}", doc.nodes);
    assert_eq!(doc.edges.len(), 3);
    assert_eq!(parsed_entities(&doc.dot), 3, "two literals are `_:` ids");
    check_svg(&doc, Layout::Sfdp);
}

#[test]
fn reduction_keeps_the_highest_degree() {
    let p = fixture();
    let opts = MapOptions { max_nodes: 3, ..MapOptions::default() };
    let doc = build_map(&p, &MapKind::Ecosystem, &MapFilter::default(), &opts);
    // Meta, Naver and Unity have two lines each, the fund and Weta one; drawn band by band.
    assert_eq!(drawn(&doc), ["naver", "unity", "meta"]);
    assert_eq!((doc.omitted_nodes, doc.omitted_edges), (4, 2));
    assert_eq!(doc.reduction, "kept the 3 organisations with the highest degree (ties by label); 4 left out");
    assert!(doc.dot.contains(
        "label=\"Metaverse ecosystem by value-chain layer\\nkept the 3 organisations with the highest degree (ties \
         by label); 4 left out\""
    ));
    let all = build_map(&p, &MapKind::Ecosystem, &MapFilter::default(), &MapOptions { max_nodes: 0, ..opts });
    assert_eq!(all.omitted_nodes, 0);
}

#[test]
fn hostile_names_cannot_break_the_dot() {
    let names = [
        "\"quoted\"",
        "{braces}",
        "<script>alert(1)</script>",
        "back\\slash\\",
        "two\nlines\r\n",
        "a\" -> \"b",
        "];\ndigraph x {",
        "&amp; &lt; &#10;",
        "\\N \\G \\L",
    ];
    let mut p = Projection::new();
    for (i, name) in names.iter().enumerate() {
        let mut n = Node::new(&format!("{name}#{i}"), NodeKind::Organization, name);
        n.aliases = vec![format!("{name} 別名")];
        n.types = vec![name.to_string()];
        n.country = Some(name.to_string());
        p.add_node(n);
        if i > 0 {
            let mut e = Edge::new(EdgeKind::InvestsIn);
            e.detail = Some(name.to_string());
            e.date = Some(name.to_string());
            e.sources = vec![name.to_string()];
            p.add_edge(&format!("{}#{}", names[i - 1], i - 1), &format!("{name}#{i}"), e).unwrap();
        }
    }
    for kind in
        [MapKind::Investments, MapKind::Country, MapKind::Ego { center: p.node("\"quoted\"#0").unwrap(), hops: 9 }]
    {
        let doc = build_map(&p, &kind, &MapFilter::default(), &MapOptions::default());
        assert_eq!(doc.nodes.len(), names.len(), "{kind:?}");
        assert_eq!(parsed_entities(&doc.dot), names.len(), "{kind:?}\n{}", doc.dot);
        let svg = check_svg(&doc, kind.default_layout());
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}

#[test]
fn ecosystem_renders_to_svg_with_the_legend() {
    let p = fixture();
    let doc = map(&p, &MapKind::Ecosystem);
    // Legend: shapes company, investor, education; countries KR, NZ, US; 3 relations (two nodes each).
    assert_eq!((doc.legend_nodes, doc.legend_edges), (3 + 3 + 6, 3));
    let svg = check_svg(&doc, Layout::Dot);
    assert!(svg.contains(">Legend</text>"));
    assert!(svg.contains(">South Korea (KR)</text>"));
    assert!(svg.contains("xlink:href=\"https://example.com/news?a=1&amp;b=2\""));
    assert!(svg.contains(&format!("xlink:href=\"{}\"", iri("naver"))));
    assert!(svg.contains("xlink:title=\"Naver&#10;native name: 네이버&#10;type: Company&#10;country: South Korea (KR)"));
}

#[test]
fn every_kind_renders_with_its_default_layout() {
    let p = fixture();
    let kinds = [
        MapKind::Investments,
        MapKind::Country,
        MapKind::Ego { center: ix(&p, "naver"), hops: 2 },
        MapKind::Path { paths: vec![vec![edge_ix(&p, "unity", "weta", EdgeKind::Acquires)]] },
    ];
    for kind in kinds {
        let doc = map(&p, &kind);
        check_svg(&doc, kind.default_layout());
    }
}

#[test]
fn nothing_to_draw_is_still_a_graph() {
    let p = Projection::new();
    let doc = map(&p, &MapKind::Investments);
    assert_eq!(doc.reduction, "nothing to draw");
    assert_eq!((doc.nodes.len(), doc.legend_nodes), (0, 0));
    assert_eq!(parsed_entities(&doc.dot), 0);
    check_svg(&doc, Layout::Sfdp);
}
