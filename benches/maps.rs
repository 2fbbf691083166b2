//! Render time of generated 100-, 400- and 1,000-node maps per Graphviz layout: `cargo bench --bench maps`.
//! Figures in BENCHMARKS.md.

//! Render timing of generated maps with the real Graphviz: every map kind that matters for size, 100/400/1000
//! nodes, every layout engine, median of three runs (one when a run hits the time limit).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub use mvkg::graph;

use mvkg::analytics::synthetic;

use mvkg::render::map::{build_map, Layout, MapFilter, MapKind, MapOptions};

const LIMIT_SECS: u64 = 60;

/// Seconds, or None past the limit.
fn run(dot: &str, layout: Layout) -> Option<f64> {
    let start = Instant::now();
    let mut child = Command::new("timeout")
        .arg(LIMIT_SECS.to_string())
        .arg("dot")
        .arg(format!("-K{}", layout.name()))
        .arg("-Tsvg")
        .arg("-o/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
    let status = child.wait().unwrap();
    let took = start.elapsed();
    (status.success() && took < Duration::from_secs(LIMIT_SECS)).then_some(took.as_secs_f64())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> =
        if args.is_empty() { vec![100, 400, 1000] } else { args.iter().map(|a| a.parse().unwrap()).collect() };
    println!("| map | nodes | drawn nodes / lines | dot | neato | sfdp | fdp | circo |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for name in ["ecosystem", "investments", "country", "ego"] {
        for &n in &sizes {
            let p = synthetic::synthetic(n, n * 10 / 3, 7);
            let hub = p.graph.node_indices().max_by_key(|&ix| p.graph.neighbors_undirected(ix).count()).unwrap();
            let kind = match name {
                "ecosystem" => MapKind::Ecosystem,
                "investments" => MapKind::Investments,
                "country" => MapKind::Country,
                _ => MapKind::Ego { center: hub, hops: 2 },
            };
            let opts = MapOptions { max_nodes: n, ..MapOptions::default() };
            let t = Instant::now();
            let doc = build_map(&p, &kind, &MapFilter::default(), &opts);
            let build = t.elapsed().as_secs_f64();
            let mut row = format!(
                "| {} | {n} | {} / {} (build {:.0} ms) |",
                kind.name(),
                doc.nodes.len(),
                doc.edges.len(),
                build * 1000.0
            );
            for layout in Layout::ALL {
                let mut times = Vec::new();
                for _ in 0..3 {
                    match run(&doc.dot, layout) {
                        Some(s) => times.push(s),
                        None => break,
                    }
                }
                if times.len() < 3 {
                    row.push_str(&format!(" >{LIMIT_SECS} s |"));
                } else {
                    times.sort_by(f64::total_cmp);
                    row.push_str(&format!(" {:.2} s |", times[1]));
                }
            }
            println!("{row}");
        }
    }
}
