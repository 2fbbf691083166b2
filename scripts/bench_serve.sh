#!/usr/bin/env bash
# Load test on loopback: throughput and p50/p99 latency of a named query served by `mvkg serve`, side by side with
# oxigraph's own server (`oxigraph serve`, same oxigraph/RocksDB version) on the same data and the same query.
#   scripts/bench_serve.sh WORKDIR        (env: MVKG, OXIGRAPH, DURATION=15s, CONNECTIONS=8, THREADS=2)
# The data is the bundled dataset (mvkg dump → N-Quads → oxigraph load). The query is the named query
# `investors-in` for Naver Z; mvkg serves it at /queries/investors-in with the company bound as an IRI, oxigraph
# gets the same text with the IRI written into the `mv:investee` pattern (what binding does) and the union default graph switched on.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:?usage: bench_serve.sh WORKDIR}
MVKG=${MVKG:-target/release/mvkg}
OX=${OXIGRAPH:-oxigraph}
DURATION=${DURATION:-15s}; CONNECTIONS=${CONNECTIONS:-8}; THREADS=${THREADS:-2}
MV_PORT=${MV_PORT:-17878}; OX_PORT=${OX_PORT:-17879}
command -v wrk >/dev/null || { echo "wrk is missing: ./scripts/setup.sh --e2e" >&2; exit 1; }
mkdir -p "$W"
rm -rf "$W/mv" "$W/ox" "$W/bundled.nq"
"$MVKG" --store "$W/mv" --quiet init
"$MVKG" --store "$W/mv" dump --format nquads -o "$W/bundled.nq"
"$OX" load --location "$W/ox" --file "$W/bundled.nq" >/dev/null 2>&1
iri='https://w3id.org/mvkg/id/naver-z'
# The named query's text with the predeclared prefixes and the parameter written in (for oxigraph only).
{ "$MVKG" prefixes; sed -e '/^#/d' -e "s#mv:investee ?company#mv:investee <$iri>#" queries/investors-in.rq; } > "$W/query.rq"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read()))'; }
mv_url="http://127.0.0.1:$MV_PORT/queries/investors-in?company=$(printf '<%s>' "$iri" | enc)&format=json"
ox_url="http://127.0.0.1:$OX_PORT/query?query=$(enc < "$W/query.rq")"
"$MVKG" --store "$W/mv" --quiet serve --bind "127.0.0.1:$MV_PORT" --max-concurrent 64 2>/dev/null & mv_pid=$!
"$OX" serve-read-only --location "$W/ox" --bind "127.0.0.1:$OX_PORT" --union-default-graph >/dev/null 2>&1 & ox_pid=$!
trap 'kill $mv_pid $ox_pid 2>/dev/null || true' EXIT
for port in $MV_PORT $OX_PORT; do
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done
accept='Accept: application/sparql-results+json'
mv_rows=$(curl -sf -H "$accept" "$mv_url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]["bindings"]))')
ox_rows=$(curl -sf -H "$accept" "$ox_url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]["bindings"]))')
echo "rows mvkg=$mv_rows oxigraph=$ox_rows"
run() {
  local name=$1 url=$2
  curl -sf -H "$accept" "$url" >/dev/null   # warm
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$accept" "$url" > "$W/wrk-$name.txt"
  awk -v n="$name" '/Requests\/sec/ { rps = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 } /requests in/ { reqs = $1 }
    /Non-2xx/ { bad = $NF } END { printf "%s requests=%s rps=%s p50=%s p99=%s non2xx=%s\n", n, reqs, rps, p50, p99, bad + 0 }' "$W/wrk-$name.txt"
}
run mvkg "$mv_url"
run oxigraph "$ox_url"
run mvkg "$mv_url"
run oxigraph "$ox_url"
