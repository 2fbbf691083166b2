//! Times each analysis once on a generated graph (default 1M nodes, 5M edges): `cargo bench --bench analytics -- N M`.
//! Figures and machine in BENCHMARKS.md; peak memory with `/usr/bin/time -v`.

use mvkg::analytics::{paths, rank, synthetic::synthetic};
use petgraph::stable_graph::NodeIndex;
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    let (n, m) = (args.first().copied().unwrap_or(1_000_000), args.get(1).copied().unwrap_or(5_000_000));
    let t = Instant::now();
    let p = synthetic(n, m, 42);
    println!("synthetic({n}, {m}): {:?}", t.elapsed());

    let t = Instant::now();
    let inc = rank::Csr::new(&p, &[], rank::CsrDirection::In);
    println!("csr build: {:?}", t.elapsed());
    drop(inc);
    let t = Instant::now();
    let pr = rank::pagerank(&p, &rank::PageRankConfig::default());
    println!("pagerank (incl. csr): {:?}, iterations {}, delta {:e}", t.elapsed(), pr.iterations, pr.delta);
    let t = Instant::now();
    let forced = rank::PageRankConfig { tolerance: 0.0, method: rank::PageRankMethod::Power, ..Default::default() };
    let full = rank::pagerank(&p, &forced);
    println!("pagerank forced to {} iterations (incl. csr): {:?}", full.iterations, t.elapsed());
    let t = Instant::now();
    let top = rank::ranking(&p, &pr.scores, &rank::RankFilter { top: Some(10), ..Default::default() });
    println!("ranking top 10: {:?} (first {})", t.elapsed(), top[0].label);

    let t = Instant::now();
    let b = rank::betweenness(&p, &rank::BetweennessConfig { sources: Some(100), ..Default::default() });
    println!("betweenness directed, 100 sampled sources: {:?} ({} scores)", t.elapsed(), b.scores.len());
    let t = Instant::now();
    let b =
        rank::betweenness(&p, &rank::BetweennessConfig { sources: Some(20), undirected: true, ..Default::default() });
    println!("betweenness undirected, 20 sampled sources: {:?} ({} scores)", t.elapsed(), b.scores.len());

    let t = Instant::now();
    let d = rank::degree(&p, &[], &rank::RankFilter { top: Some(10), ..Default::default() });
    println!("degree: {:?} (top {})", t.elapsed(), d[0].total);
    let t = Instant::now();
    let c = rank::capital(&p, &rank::RankFilter { top: Some(10), ..Default::default() });
    println!("capital: {:?} (top {})", t.elapsed(), c[0].label);

    {
        use mvkg::analytics::{coinvest, communities, exposure, search, timeline};
        let t = Instant::now();
        let idx = search::SearchIndex::new(&p);
        println!("search index: {:?}", t.elapsed());
        let t = Instant::now();
        let hits = idx.search(&p, "org 12345", 10);
        println!("search 'org 12345': {:?} ({} hits)", t.elapsed(), hits.len());
        let t = Instant::now();
        let r = idx.resolve(&p, "Org 777");
        println!("resolve: {:?} {:?}", t.elapsed(), r.is_ok());
        let top_inv = c[0].node;
        let t = Instant::now();
        let x = exposure::exposure(&p, top_inv, &Default::default()).unwrap();
        println!("exposure of {}: {:?} ({} holdings)", c[0].label, t.elapsed(), x.holdings.len());
        let t = Instant::now();
        let co = coinvest::coinvestors(&p, top_inv);
        println!("coinvestors of {}: {:?} ({} co-investors)", c[0].label, t.elapsed(), co.len());
        let t = Instant::now();
        let tl = timeline::timeline(
            &p,
            &timeline::TimelineConfig { granularity: timeline::Granularity::Quarter, ..Default::default() },
        );
        println!("timeline by quarter: {:?} ({} rows)", t.elapsed(), tl.rows.len());
        let t = Instant::now();
        let cm = communities::communities(&p, &Default::default());
        println!(
            "louvain: {:?} ({} communities, Q = {:.4}, {} levels)",
            t.elapsed(),
            cm.communities.len(),
            cm.modularity,
            cm.levels
        );
        let small = synthetic(10_000, 50_000, 7);
        let t = Instant::now();
        let b = rank::betweenness(&small, &Default::default());
        println!("betweenness exact directed on synthetic(10k, 50k): {:?} ({} scores)", t.elapsed(), b.scores.len());
        let t = Instant::now();
        let b = rank::betweenness(&small, &rank::BetweennessConfig { undirected: true, ..Default::default() });
        println!("betweenness exact undirected on synthetic(10k, 50k): {:?} ({} scores)", t.elapsed(), b.scores.len());
    }

    for (a, z) in [(5usize, 700_000usize), (123_456, 987_654), (900_000, 17)] {
        let (a, z) = (NodeIndex::new(a.min(n - 1)), NodeIndex::new(z.min(n - 1)));
        let t = Instant::now();
        let sp = paths::shortest_path(&p, a, z, &paths::PathConfig::default());
        println!("shortest path undirected {a:?}->{z:?}: {:?}, {:?} hops", t.elapsed(), sp.map(|x| x.len()));
        let t = Instant::now();
        let sp = paths::shortest_path(&p, a, z, &paths::PathConfig { directed: true, ..Default::default() });
        println!("shortest path directed {a:?}->{z:?}: {:?}, {:?} hops", t.elapsed(), sp.map(|x| x.len()));
        let t = Instant::now();
        let ks = paths::k_shortest_paths(&p, a, z, 5, &paths::PathConfig::default());
        println!(
            "5 shortest paths undirected: {:?}, lengths {:?}",
            t.elapsed(),
            ks.iter().map(|x| x.len()).collect::<Vec<_>>()
        );
    }
}
