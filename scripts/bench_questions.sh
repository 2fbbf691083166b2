#!/usr/bin/env bash
# The analyst questions "top investors by rounds joined" and "co-investors of X" (sharing rounds, and sharing
# companies as in ../shared/peers/queries/q3_coinvestors.rq) from a cold process on a 5M-triple
# store: mvkg's graph commands (persisted petgraph projection) against the same questions as SPARQL GROUP BY queries
# on oxigraph's CLI.   scripts/bench_questions.sh WORKDIR [TRIPLES]
# The graph is ../shared/peers/gen.py's synthetic investment graph; for mvkg its vocabulary is mapped onto mvkg's
# (rounds → mv:Investment, ex:amount → mv:amountUSD whatever the currency: a timing fixture, not data).
# With VIRTUOSO=1 the same SPARQL also runs on a private Virtuoso (../shared/peers/virtuoso.sh: installed if
# missing, started on 127.0.0.1 under WORKDIR/virt, loaded with the same file, queried over HTTP, stopped at the end).
# With SERVE=1 the same questions are also asked of a warm `mvkg serve` on the same store (its /api/rank and
# /api/coinvest routes, timed by curl's own clock over RUNS requests after one warm-up request).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:?usage: bench_questions.sh WORKDIR [TRIPLES]}
N=${2:-5000000}
MVKG=${MVKG:-target/release/mvkg}
OX=${OXIGRAPH:-oxigraph}
GEN=${GEN:-../shared/peers/gen.py}
RUNS=${RUNS:-5}
mkdir -p "$W"
data="$W/kg$N.nt"; mapped="$W/kg$N-mv.nt"
[ -f "$data" ] || python3 "$GEN" --triples "$N" --out "$data" >&2
if [ ! -f "$mapped" ]; then
  sed -e 's#<http://example.org/kg/InvestmentRound>#<https://w3id.org/mvkg/ontology\#Investment>#' \
      -e 's#<http://example.org/kg/investor>#<https://w3id.org/mvkg/ontology\#investor>#' \
      -e 's#<http://example.org/kg/investee>#<https://w3id.org/mvkg/ontology\#investee>#' \
      -e 's#<http://example.org/kg/date>#<https://w3id.org/mvkg/ontology\#date>#' \
      -e 's#<http://example.org/kg/amount>#<https://w3id.org/mvkg/ontology\#amountUSD>#' \
      -e 's#<http://example.org/kg/Company>#<https://w3id.org/mvkg/ontology\#Company>#' \
      -e 's#<http://example.org/kg/Investor>#<https://w3id.org/mvkg/ontology\#Investor>#' \
      -e 's#<http://example.org/kg/name>#<http://www.w3.org/2000/01/rdf-schema\#label>#' \
      -e 's#<http://example.org/kg/country>#<https://w3id.org/mvkg/ontology\#country>#' \
      -e 's#<http://example.org/kg/usesTechnology>#<https://w3id.org/mvkg/ontology\#technology>#' \
      -e 's#<http://example.org/kg/Technology>#<https://w3id.org/mvkg/ontology\#Technology>#' \
      -e '/<http:\/\/example.org\/kg\/investedIn>/d' "$data" > "$mapped"
fi
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.0f\n", (e - s) * 1000 }'; }
if [ ! -d "$W/mvq" ]; then
  "$MVKG" --store "$W/mvq" --quiet init --empty
  "$MVKG" --store "$W/mvq" --quiet load "$mapped"
fi
if [ ! -d "$W/oxq" ]; then "$OX" load --location "$W/oxq" --file "$data" >/dev/null 2>&1; fi
if [ "${REBUILD:-1}" = 1 ]; then  # REBUILD=0 keeps a projection file already in step with the store
  rm -f "$W/mvq/mvkg-projection.bin"
  /usr/bin/time -f "%e %M" -o "$W/t" "$MVKG" --store "$W/mvq" rank --by capital --top 20 --format csv >/dev/null
  read -r t m < "$W/t"; echo "projection build (first command) seconds=$t peak_kib=$m"
fi
c0='<http://example.org/kg/c0>'
top_sparql='PREFIX ex: <http://example.org/kg/> SELECT ?inv (COUNT(DISTINCT ?r) AS ?rounds) WHERE { ?r ex:investor ?inv } GROUP BY ?inv ORDER BY DESC(?rounds) LIMIT 20'
co_sparql='PREFIX ex: <http://example.org/kg/> SELECT ?co (COUNT(DISTINCT ?r) AS ?shared) WHERE { ?r ex:investor ex:c0 ; ex:investor ?co . FILTER(?co != ex:c0) } GROUP BY ?co ORDER BY DESC(?shared) LIMIT 20'
# ../shared/peers/queries/q3_coinvestors.rq: investors sharing investees (in any round) with ex:c0.
cob_sparql='PREFIX ex: <http://example.org/kg/> SELECT ?co (COUNT(DISTINCT ?c) AS ?shared) WHERE { ?r1 ex:investor ex:c0 ; ex:investee ?c . ?r2 ex:investee ?c ; ex:investor ?co . FILTER(?co != ex:c0) } GROUP BY ?co ORDER BY DESC(?shared) LIMIT 20'
virt=""
if [ "${VIRTUOSO:-0}" = 1 ]; then
  PEERS=$(dirname "$GEN")
  virt="$W/virt"
  if [ ! -f "$virt/loaded" ]; then
    rm -rf "$virt"
    "$PEERS/virtuoso.sh" start "$virt" >&2
    "$PEERS/virtuoso.sh" load "$virt" "$data" >&2
    touch "$virt/loaded"
  else
    "$PEERS/virtuoso.sh" start "$virt" >&2
  fi
  trap '"$PEERS/virtuoso.sh" stop "$virt" >&2' EXIT
  printf '%s\n' "$top_sparql" > "$W/top.rq"
  printf '%s\n' "$co_sparql" > "$W/co.rq"
  printf '%s\n' "$cob_sparql" > "$W/cob.rq"
fi
served=""
if [ "${SERVE:-0}" = 1 ]; then
  port=${SERVE_PORT:-7979}
  "$MVKG" --store "$W/mvq" --quiet serve --bind "127.0.0.1:$port" > "$W/serve.log" 2>&1 &
  served=$!
  trap '[ -n "$served" ] && kill "$served" 2>/dev/null; [ -n "$virt" ] && "$PEERS/virtuoso.sh" stop "$virt" >&2' EXIT
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/api/search?q=c0" > /dev/null && break; sleep 0.1; done
fi
curl_ms() { curl -sf -o /dev/null -w '%{time_total}\n' "$1" | awk '{ printf "%.2f\n", $1 * 1000 }'; }
for q in top co cob; do
  a=(); b=()
  for r in $(seq "$RUNS"); do
    if [ $q = top ]; then
      a+=("$(ms "$MVKG" --store "$W/mvq" rank --by capital --top 20 --format csv)")
      b+=("$(ms "$OX" query --location "$W/oxq" --query "$top_sparql" --results-format csv)")
    elif [ $q = co ]; then
      a+=("$(ms "$MVKG" --store "$W/mvq" coinvest "$c0" --top 20 --format csv)")
      b+=("$(ms "$OX" query --location "$W/oxq" --query "$co_sparql" --results-format csv)")
    else
      a+=("$(ms "$MVKG" --store "$W/mvq" coinvest "$c0" --by company --top 20 --format csv)")
      b+=("$(ms "$OX" query --location "$W/oxq" --query "$cob_sparql" --results-format csv)")
    fi
  done
  line="question=$q mvkg_median_ms=$(printf '%s\n' "${a[@]}" | median) oxigraph_sparql_median_ms=$(printf '%s\n' "${b[@]}" | median)"
  if [ -n "$virt" ]; then
    # A warm server: the runs after the first are answered from its buffers (median over RUNS).
    v=$("$PEERS/virtuoso.sh" query "$virt" "$W/$q.rq" -n "$RUNS" | sed -n 's/.* median_ms=\([0-9.]*\).*/\1/p')
    line="$line virtuoso_http_median_ms=$v"
  fi
  if [ -n "$served" ]; then
    c0q=%3Chttp%3A%2F%2Fexample.org%2Fkg%2Fc0%3E
    case $q in
      top) url="http://127.0.0.1:$port/api/rank?by=capital&top=20" ;;
      co) url="http://127.0.0.1:$port/api/coinvest?entity=$c0q&top=20" ;;
      *) url="http://127.0.0.1:$port/api/coinvest?entity=$c0q&by=company&top=20" ;;
    esac
    curl -sf -o /dev/null "$url"
    s=(); for r in $(seq "$RUNS"); do s+=("$(curl_ms "$url")"); done
    line="$line mvkg_serve_http_median_ms=$(printf '%s\n' "${s[@]}" | median)"
  fi
  echo "$line"
done
