#!/usr/bin/env bash
# PageRank, breadth-first search and shortest path in mvkg's analytics library against networkx and python-igraph
# (PyPI), on the same graph in the same run.      scripts/bench_graph_peers.sh WORKDIR [TRIPLES]
#
# The graph is ../shared/peers/gen.py's synthetic investment graph; graph_bench.py (networkx, igraph) and
# benches/peers.rs (mvkg) both take every IRI-to-IRI triple except rdf:type as a directed edge. The default of
# 12.5M triples gives 1,859,105 nodes and 5,017,232 edges (issue: at least 1M nodes and 5M edges). Steps run one
# after the other, never in parallel: the PageRank reference vectors (untimed), networkx, igraph, mvkg.
# Env: PEERS (../shared/peers), RUNS (3, median of), NX_TIMEOUT (seconds for the whole networkx run, 3600).
# Prints one key=value line per measurement, then a Markdown table; logs in WORKDIR/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:?usage: bench_graph_peers.sh WORKDIR [TRIPLES]}
N=${2:-12500000}
PEERS=${PEERS:-../shared/peers}
RUNS=${RUNS:-3}
NX_TIMEOUT=${NX_TIMEOUT:-3600}
mkdir -p "$W/logs"
W=$(cd "$W" && pwd)
L="$W/logs"
echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ) host_cpus=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" mem_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo) rustc=\"$(rustc --version)\""
echo "load_before=\"$(cut -d' ' -f1-3 /proc/loadavg)\""

"$PEERS/setup-python.sh" "$W" > "$L/setup.log" 2>&1 || { cat "$L/setup.log" >&2; exit 1; }
tail -2 "$L/setup.log" | head -1
PY="$W/venv/bin/python"
data="$W/kg$N.nt"
[ -f "$data" ] || python3 "$PEERS/gen.py" --triples "$N" --out "$data" 2> "$L/gen.log"
echo "file=$data triples=$(wc -l < "$data") bytes=$(stat -c %s "$data")"
# Compile first, so that no compiler runs during the measurements.
cargo bench --bench peers --no-run > "$L/cargo.log" 2>&1 || { cat "$L/cargo.log" >&2; exit 1; }

# 1. Full PageRank vectors of both peers, for mvkg's correctness check (not timed).
ref="$W/pagerank-ref-$N.tsv"
if [ ! -s "$ref" ]; then
  timeout "$NX_TIMEOUT" "$PY" scripts/peers_pagerank.py "$PEERS" "$data" "$ref.tmp" 2> "$L/reference.log" && mv "$ref.tmp" "$ref" \
    || echo "reference=none (networkx/igraph score export failed or timed out; see $L/reference.log)"
fi
# 2. networkx, then 3. igraph: separate processes, so neither's memory weighs on the other. A step that does not
# finish within NX_TIMEOUT (whole networkx process) is reported as missing.
timeout "$NX_TIMEOUT" "$PY" "$PEERS/graph_bench.py" --data "$data" --libs networkx --runs "$RUNS" > "$L/networkx.log" 2>&1 \
  || echo "networkx=stopped (exit $?, limit ${NX_TIMEOUT}s): steps without a line below did not finish"
"$PY" "$PEERS/graph_bench.py" --data "$data" --libs igraph --runs "$RUNS" > "$L/igraph.log" 2>&1
# 4. mvkg.
refarg=(); [ -s "$ref" ] && refarg=(--reference "$ref")
cargo bench --bench peers -- --data "$data" --runs "$RUNS" --path-runs "${PATH_RUNS:-21}" "${refarg[@]}" > "$L/mvkg.log" 2> "$L/mvkg.err"
echo "load_after=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
grep -hv '^check ' "$L/networkx.log" "$L/igraph.log" "$L/mvkg.log"

# The comparison table: medians in seconds; ratio = peer time / mvkg time (above 1: mvkg is faster).
awk -v runs="$RUNS" '
  FNR == 1 { lib = FILENAME ~ /\/networkx\.log$/ ? "networkx" : FILENAME ~ /\/igraph\.log$/ ? "igraph" : "mvkg" }
  $2 ~ /^[a-z_]+$/ && $3 ~ /^median_s=/ { t[$1, $2] = substr($3, 10); line[$1, $2] = $0 }
  /^maxrss_mb=/ { rss[lib] = substr($1, 11) }
  /^check / { check[++nc] = $0 }
  function get(lib, step) { return ((lib, step) in t) ? t[lib, step] : "" }
  function fmt(x) { return x == "" ? "—" : x == 0 ? "< 0.0005 s" : sprintf(x < 0.01 ? "%.4f s" : "%.3f s", x) }
  function ratio(peer, ours) { return (peer == "" || ours == "" || peer == 0 || ours == 0) ? "—" : sprintf("%.1f×", peer / ours) }
  function extra(lib, step, key,   s, i, n, f) {
    s = line[lib, step]; n = split(s, f, " ")
    for (i = 1; i <= n; i++) if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2)
    return ""
  }
  function row(label, nx, ig, ours) {
    printf "| %s | %s | %s | %s | %s | %s |\n", label, fmt(nx), fmt(ig), fmt(ours), ratio(nx, ours), ratio(ig, ours)
  }
  END {
    printf "\n| step (median of %d) | networkx | igraph | mvkg | networkx / mvkg | igraph / mvkg |\n", runs
    print "|---|---:|---:|---:|---:|---:|"
    row("build the graph from the parsed edge list", get("networkx", "build"), get("igraph", "build"), get("mvkg", "build"))
    row("PageRank, converged (mvkg: by components, incl. its CSR)", get("networkx", "pagerank"), get("igraph", "pagerank"), get("mvkg", "pagerank"))
    row("PageRank, networkx stopping rule (mvkg: power iteration)", get("networkx", "pagerank"), get("igraph", "pagerank"), get("mvkg", "pagerank_nx"))
    row("PageRank, power iteration to 1e-9 (mvkg)", get("networkx", "pagerank"), get("igraph", "pagerank"), get("mvkg", "pagerank_power"))
    row("BFS from c0 (mvkg: walking the projection)", get("networkx", "bfs"), get("igraph", "bfs"), get("mvkg", "bfs"))
    both = (get("mvkg", "csr_out") == "" || get("mvkg", "bfs_csr") == "") ? "" : get("mvkg", "csr_out") + get("mvkg", "bfs_csr")
    row("BFS from c0 (mvkg: build the flat out-adjacency, then search it)", get("networkx", "bfs"), get("igraph", "bfs"), both)
    row("BFS from c0 (mvkg: search the flat out-adjacency, built once)", get("networkx", "bfs"), get("igraph", "bfs"), get("mvkg", "bfs_csr"))
    row("BFS from c0 (mvkg: on its path adjacency, built once)", get("networkx", "bfs"), get("igraph", "bfs"), get("mvkg", "bfs_adj"))
    row("shortest path c0 → farthest node (mvkg: walking the projection)", get("networkx", "path"), get("igraph", "path"), get("mvkg", "path"))
    row("shortest path (mvkg: on its path adjacency, built once; median of PATH_RUNS)", get("networkx", "path"), get("igraph", "path"), get("mvkg", "path_adj"))
    row("shortest path (mvkg: the first search on a fresh path adjacency)", get("networkx", "path"), get("igraph", "path"), extra("mvkg", "path_adj", "first_s"))
    both = (get("mvkg", "adjacency") == "" || get("mvkg", "path_adj") == "") ? "" : get("mvkg", "adjacency") + get("mvkg", "path_adj")
    row("shortest path (mvkg: build the path adjacency, then search it)", get("networkx", "path"), get("igraph", "path"), both)
    printf "| peak RSS of the process | %s MB | %s MB | %s MB | | |\n", rss["networkx"], rss["igraph"], rss["mvkg"]
    print ""
    for (i = 1; i <= nc; i++) print check[i]
    split("networkx igraph mvkg", libs, " ")
    for (i = 1; i <= 3; i++) {
      l = libs[i]
      printf "agree %s nodes=%s edges=%s bfs_reached=%s max_depth=%s path_target=%s hops=%s\n", l, extra(l, "build", "nodes"), \
        extra(l, "build", "edges"), extra(l, "bfs", "reached"), extra(l, "bfs", "max_depth"), extra(l, "path", "target"), extra(l, "path", "hops")
    }
  }' "$L/networkx.log" "$L/igraph.log" "$L/mvkg.log"
