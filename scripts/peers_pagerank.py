#!/usr/bin/env python3
"""Full PageRank vectors from networkx and python-igraph, for benches/peers.rs's correctness check.

Usage: peers_pagerank.py PEERS_DIR DATA.nt OUT.tsv

Parses DATA.nt with PEERS_DIR/graph_bench.py's own parse_edges (imported at run time, so the edge rule is exactly
the one the timed peers use) and builds each graph the way graph_bench.py does: networkx DiGraph.add_edges_from,
nx.pagerank(alpha=0.85, tol=1e-6); igraph Graph(edges, directed) + simplify(multiple=True, loops=False),
pagerank(damping=0.85, directed=True). Writes one line per node: IRI, networkx score, igraph score (repr floats).
Untimed: graph_bench.py does the timing.
"""
import sys


def main():
    peers, data, out = sys.argv[1:4]
    sys.path.insert(0, peers)
    from graph_bench import parse_edges
    import igraph as ig
    import networkx as nx

    edges = parse_edges(data)
    d = nx.DiGraph()
    d.add_edges_from(edges)
    pr_nx = nx.pagerank(d, alpha=0.85, tol=1e-6)
    del d
    idx = {}
    el = [(idx.setdefault(s, len(idx)), idx.setdefault(o, len(idx))) for s, o in edges]
    g = ig.Graph(n=len(idx), edges=el, directed=True)
    g.simplify(multiple=True, loops=False)
    pr_ig = g.pagerank(damping=0.85, directed=True)
    with open(out, "w") as f:
        f.write("iri\tnetworkx\tigraph\n")
        for iri, i in idx.items():
            f.write(f"{iri}\t{pr_nx[iri]!r}\t{pr_ig[i]!r}\n")
    print(f"scores nodes={len(idx)} file={out}", file=sys.stderr)


if __name__ == "__main__":
    main()
