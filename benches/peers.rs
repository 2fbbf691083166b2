//! mvkg's side of the graph-library comparison with networkx and python-igraph (`scripts/bench_graph_peers.sh`).
//!
//! `cargo bench --bench peers -- --data FILE.nt [--runs 3] [--path-runs N] [--source IRI] [--reference SCORES.tsv]`
//!
//! Reads the graph that `../shared/peers/graph_bench.py` builds from the same N-Triples file: every triple whose
//! object is an IRI, except `rdf:type`, is an edge from subject to object; repeated (subject, object) pairs collapse
//! to one edge (networkx `DiGraph`, igraph `simplify`). The projection gets one node per IRI (kind and label from the
//! IRI, see [`node_kind`]) and one edge per pair (kind from the predicate, see [`edge_kind`]); kinds do not change
//! any result below, since every step uses all kinds. Then, each step timed `--runs` times (median printed, in
//! graph_bench.py's `lib step median_s=… runs_s=[…] …` line format):
//!
//! - `build`: the projection from the parsed edge list (`Projection::node` / `add_node`, then the edge by index),
//!   like graph_bench's build from its parsed list;
//! - `pagerank_nx`: `rank::pagerank` (CSR adjacency + power iteration) with networkx's stopping rule: damping 0.85,
//!   L1 change below N·1e-6, at most 100 iterations (`nx.pagerank(alpha=0.85, tol=1e-6)`);
//! - `pagerank_power`: the same power iteration run to convergence (L1 change below 1e-9, at most 100 iterations);
//! - `pagerank`: `rank::pagerank` with the library's default configuration (damping 0.85, tolerance 1e-9,
//!   components solved in topological order by Gauss-Seidel), i.e. converged, and the method igraph's PRPACK uses;
//! - `bfs`: `paths::distances` from `--source` along the edges (networkx `single_source_shortest_path_length`,
//!   igraph `bfs(mode="out")`);
//! - `path`: `paths::shortest_path` (directed) from `--source` to the farthest node the search found, ties broken
//!   by the larger IRI, which is graph_bench.py's target rule;
//! - `adjacency`: `paths::Adjacency::new`, the flat out/in edge lists a program that searches many paths builds once;
//!   `path_adj` and `bfs_adj`: the same `path` and `bfs` searches on it (checked equal);
//! - `csr_in`, `csr_out`: the flat adjacencies (`rank::Csr`); `bfs_csr`: `Csr::distances` on the outgoing one.
//!
//! As in graph_bench.py's `timed()`, the result of the previous run is dropped inside the timed section of the next.
//! With `--reference` (a TSV of `iri`, networkx score, igraph score, as written by `scripts/peers_pagerank.py`) it
//! prints the largest absolute score difference against each library and whether the top 10 agree.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::time::Instant;

use mvkg::analytics::{paths, rank};
use mvkg::graph::{Edge, EdgeKind, Node, NodeKind, Projection};
use petgraph::stable_graph::NodeIndex;

const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";

struct Args {
    data: String,
    runs: usize,
    source: String,
    reference: Option<String>,
    /// Runs of the search on the path adjacency (it takes a millisecond: more runs, for a steadier median or a
    /// profile).
    path_runs: Option<usize>,
}

fn args() -> Args {
    let mut a = Args {
        data: String::new(),
        runs: 3,
        source: "http://example.org/kg/c0".into(),
        reference: None,
        path_runs: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--data" => a.data = value(),
            "--runs" => a.runs = value().parse().expect("--runs N"),
            "--source" => a.source = value(),
            "--reference" => a.reference = Some(value()),
            "--path-runs" => a.path_runs = Some(value().parse().expect("--path-runs N")),
            "--bench" => {} // added by `cargo bench`
            other => {
                panic!("unknown argument {other}; usage: --data FILE.nt [--runs N] [--source IRI] [--reference TSV]")
            }
        }
    }
    assert!(!a.data.is_empty(), "usage: --data FILE.nt [--runs N] [--source IRI] [--reference TSV]");
    a
}

/// The part of an IRI after its last `/` (graph_bench.py prints targets this way).
fn local(iri: &str) -> &str {
    iri.rsplit('/').next().unwrap_or(iri)
}

/// gen.py's vocabulary: `ex:c<N>` companies, `ex:tech/…` technologies, `ex:cat/…` their categories, `ex:r<N>`
/// investment rounds (nodes here; the projection has no round kind, and the kind is not used below).
fn node_kind(iri: &str) -> NodeKind {
    let rest = iri.strip_prefix("http://example.org/kg/").unwrap_or(iri);
    if rest.starts_with("tech/") || rest.starts_with("cat/") {
        NodeKind::Technology
    } else if rest.starts_with('r') {
        NodeKind::Programme
    } else {
        NodeKind::Organization
    }
}

fn edge_kind(predicate: &str) -> EdgeKind {
    match local(predicate.trim_end_matches('>')) {
        "investedIn" => EdgeKind::InvestsIn,
        "usesTechnology" => EdgeKind::UsesTechnology,
        "category" => EdgeKind::MemberOf,
        "investor" | "investee" => EdgeKind::Funds,
        _ => EdgeKind::PartnersWith,
    }
}

/// The IRI-to-IRI edges of the file, graph_bench.py's `parse_edges` rule, repeated pairs dropped (first kept).
fn parse(path: &str) -> (Vec<(String, EdgeKind, String)>, usize) {
    let f = BufReader::with_capacity(1 << 22, File::open(path).unwrap_or_else(|e| panic!("{path}: {e}")));
    let mut edges = Vec::new();
    for line in f.lines() {
        let line = line.expect("read");
        let mut parts = line.splitn(3, ' ');
        let (Some(s), Some(p), Some(o)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if p == RDF_TYPE || !o.starts_with('<') {
            continue;
        }
        let end = o.find('>').expect("IRI object");
        edges.push((s[1..s.len() - 1].to_owned(), edge_kind(p), o[1..end].to_owned()));
    }
    let keep: Vec<bool> = {
        let mut seen: HashSet<(&str, &str)> = HashSet::with_capacity(edges.len());
        edges.iter().map(|(s, _, o)| seen.insert((s.as_str(), o.as_str()))).collect()
    };
    let before = edges.len();
    let mut k = keep.iter();
    edges.retain(|_| *k.next().unwrap());
    let dropped = before - edges.len();
    (edges, dropped)
}

/// One lookup per end: the index of a known IRI, or a new node; the edge goes in by index.
fn build(edges: &[(String, EdgeKind, String)]) -> Projection {
    let mut p = Projection::new();
    let node = |p: &mut Projection, iri: &str| {
        p.node(iri).unwrap_or_else(|| p.add_node(Node::new(iri, node_kind(iri), local(iri))))
    };
    for (s, kind, o) in edges {
        let (a, b) = (node(&mut p, s), node(&mut p, o));
        p.graph.add_edge(a, b, Edge::new(*kind));
    }
    p
}

/// Runs `f` `runs` times; the previous result is dropped inside the timed section, as in graph_bench.py.
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Vec<f64>) {
    let mut out = None;
    let mut ts = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        out = Some(f());
        ts.push(t.elapsed().as_secs_f64());
    }
    (out.expect("ran"), ts)
}

fn median(ts: &[f64]) -> f64 {
    let mut v = ts.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn report(step: &str, ts: &[f64], extra: &str) {
    let runs: Vec<String> = ts.iter().map(|t| format!("{t:.4}")).collect();
    println!("mvkg {step} median_s={:.4} runs_s=[{}] {extra}", median(ts), runs.join(", "));
}

/// The `n` best-scored IRIs, ties by IRI.
fn top<'a>(scores: impl Iterator<Item = (&'a str, f64)>, n: usize) -> Vec<&'a str> {
    let mut v: Vec<(&str, f64)> = scores.collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter().take(n).map(|x| x.0).collect()
}

fn short(iris: &[&str]) -> String {
    iris.iter().map(|i| local(i)).collect::<Vec<_>>().join(",")
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok());
    kib.unwrap_or(0.0) / 1024.0
}

/// Compares mvkg's scores with a reference column: the largest absolute difference and the two top-10 lists.
fn compare(p: &Projection, ours: &[(NodeIndex, f64)], theirs: &HashMap<String, f64>, name: &str, label: &str) {
    let mut max_diff = 0.0f64;
    let mut missing = 0;
    for &(n, s) in ours {
        match theirs.get(&p.graph[n].iri) {
            Some(t) => max_diff = max_diff.max((s - t).abs()),
            None => missing += 1,
        }
    }
    let ours_top = top(ours.iter().map(|&(n, s)| (p.graph[n].iri.as_str(), s)), 10);
    let their_top = top(theirs.iter().map(|(k, v)| (k.as_str(), *v)), 10);
    println!(
        "check {label}_vs_{name} max_abs_diff={max_diff:.3e} nodes={} missing={missing} top10_same={} \
         top10_mvkg={} top10_{name}={}",
        theirs.len(),
        ours_top == their_top,
        short(&ours_top),
        short(&their_top)
    );
}

fn main() {
    let a = args();
    let t = Instant::now();
    let (edges, dropped) = parse(&a.data);
    let name = std::path::Path::new(&a.data).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    println!(
        "parse file={name} edges={} repeated_pairs_dropped={dropped} parse_s={:.2}",
        edges.len(),
        t.elapsed().as_secs_f64()
    );

    let (p, ts) = timed(a.runs, || build(&edges));
    report("build", &ts, &format!("nodes={} edges={}", p.node_count(), p.edge_count()));
    drop(edges);
    let n = p.node_count();

    let (incoming, ts) = timed(a.runs, || rank::Csr::new(&p, &[], rank::CsrDirection::In));
    report("csr_in", &ts, "(incoming adjacency; part of every PageRank timing below)");
    drop(incoming);

    let power = rank::PageRankConfig { method: rank::PageRankMethod::Power, ..rank::PageRankConfig::default() };
    let nx_cfg = rank::PageRankConfig { tolerance: n as f64 * 1e-6, ..power.clone() };
    let (pr_nx, ts) = timed(a.runs, || rank::pagerank(&p, &nx_cfg));
    let top3 = |s: &rank::Scores| short(&top(s.scores.iter().map(|&(n, x)| (p.graph[n].iri.as_str(), x)), 3));
    let about = |s: &rank::Scores, c: &rank::PageRankConfig| {
        format!("iterations={} delta={:.3e} tolerance={:.3e} top3={}", s.iterations, s.delta, c.tolerance, top3(s))
    };
    report("pagerank_nx", &ts, &about(&pr_nx, &nx_cfg));
    let (pr_power, ts) = timed(a.runs, || rank::pagerank(&p, &power));
    report("pagerank_power", &ts, &about(&pr_power, &power));
    let cfg = rank::PageRankConfig::default();
    let (pr, ts) = timed(a.runs, || rank::pagerank(&p, &cfg));
    report("pagerank", &ts, &about(&pr, &cfg));

    let Some(src) = p.node(&a.source) else {
        println!("mvkg: source {} not in graph; skipping bfs/path", a.source);
        return;
    };
    let directed = paths::PathConfig { directed: true, ..paths::PathConfig::default() };
    let (dist, ts) = timed(a.runs, || paths::distances(&p, src, &directed));
    let depth = dist.last().map(|x| x.1).unwrap_or(0);
    let far = dist.iter().filter(|x| x.1 == depth).map(|x| x.0).max_by(|x, y| p.graph[*x].iri.cmp(&p.graph[*y].iri));
    let far = far.expect("the source itself at least");
    report("bfs", &ts, &format!("reached={} max_depth={depth}", dist.len()));
    let (path, ts) = timed(a.runs, || paths::shortest_path(&p, src, far, &directed));
    let hops = path.as_ref().map(|x| x.len().to_string()).unwrap_or_else(|| "none".into());
    report("path", &ts, &format!("target={} hops={hops}", local(&p.graph[far].iri)));

    // The same searches on the flat out/in lists built once beside the projection (`paths::Adjacency`).
    let (adj, ts) = timed(a.runs, || paths::Adjacency::new(&p));
    report("adjacency", &ts, "(flat out/in lists with edge ids and kinds, for path_adj and bfs_adj)");
    // The first search allocates the adjacency's search state, the others reuse it: both are reported.
    let (path_adj, ts) = timed(a.path_runs.unwrap_or(a.runs), || adj.shortest_path(src, far, &directed));
    report("path_adj", &ts, &format!("first_s={:.4} same_as_path={}", ts[0], path_adj == path));
    let (dist_adj, ts) = timed(a.runs, || adj.distances(src, &directed));
    report("bfs_adj", &ts, &format!("reached={} same_as_bfs={}", dist_adj.len(), dist_adj == dist));
    drop(adj);

    // The same search on the flat outgoing adjacency, built once (as PageRank builds its incoming one).
    let (out, ts) = timed(a.runs, || rank::Csr::new(&p, &[], rank::CsrDirection::Out));
    report("csr_out", &ts, "(outgoing adjacency, for bfs_csr)");
    let start = out.nodes.iter().position(|x| *x == src).expect("source numbered");
    let (flat, ts) = timed(a.runs, || out.distances(start));
    let same = flat.len() == dist.len() && flat.last().map(|x| x.1 as usize) == Some(depth);
    report("bfs_csr", &ts, &format!("reached={} max_depth={} same_as_bfs={same}", flat.len(), depth));
    drop(out);

    if let Some(r) = &a.reference {
        let f = BufReader::new(File::open(r).unwrap_or_else(|e| panic!("{r}: {e}")));
        let (mut nx, mut ig) = (HashMap::new(), HashMap::new());
        for line in f.lines() {
            let line = line.expect("read");
            let mut cols = line.split('\t');
            let (Some(iri), Some(x), Some(y)) = (cols.next(), cols.next(), cols.next()) else { continue };
            let (Ok(x), Ok(y)) = (x.parse::<f64>(), y.parse::<f64>()) else { continue }; // header
            nx.insert(iri.to_owned(), x);
            ig.insert(iri.to_owned(), y);
        }
        compare(&p, &pr_nx.scores, &nx, "networkx", "pagerank_nx");
        compare(&p, &pr.scores, &ig, "igraph", "pagerank");
        compare(&p, &pr_power.scores, &ig, "igraph", "pagerank_power");
        compare(&p, &pr.scores, &nx, "networkx", "pagerank");
        let nx_vs_ig = nx.iter().map(|(k, v)| (v - ig[k]).abs()).fold(0.0, f64::max);
        println!("check networkx_vs_igraph max_abs_diff={nx_vs_ig:.3e}");
    }
    println!("maxrss_mb={:.0}", peak_rss_mb());
}
