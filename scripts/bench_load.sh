#!/usr/bin/env bash
# Load throughput and small-query latency of mvkg against oxigraph's own CLI, same file, same machine, same run.
#   scripts/bench_load.sh WORKDIR [TRIPLES]        (needs target/release/mvkg or MVKG=..., and OXIGRAPH=... or
#                                                  `oxigraph` on PATH: cargo install oxigraph-cli)
# The data is ../shared/peers/gen.py's synthetic investment graph (N-Triples). Prints one key=value line per step.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:?usage: bench_load.sh WORKDIR [TRIPLES]}
N=${2:-5000000}
MVKG=${MVKG:-target/release/mvkg}
OX=${OXIGRAPH:-oxigraph}
GEN=${GEN:-../shared/peers/gen.py}
RUNS=${RUNS:-3}
mkdir -p "$W"
data="$W/kg$N.nt"
[ -f "$data" ] || python3 "$GEN" --triples "$N" --out "$data" >&2
triples=$(wc -l < "$data")
echo "file=$data triples=$triples"
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mv_times=(); ox_times=(); mv_mem=(); ox_mem=()
for r in $(seq "$RUNS"); do
  rm -rf "$W/mv" "$W/ox"
  "$MVKG" --store "$W/mv" --quiet init --empty
  /usr/bin/time -f "%e %M" -o "$W/t" "$MVKG" --store "$W/mv" --quiet load "$data"
  read -r t m < "$W/t"; mv_times+=("$t"); mv_mem+=("$m")
  echo "run=$r tool=mvkg seconds=$t peak_kib=$m"
  /usr/bin/time -f "%e %M" -o "$W/t" "$OX" load --location "$W/ox" --file "$data" >/dev/null 2>&1
  read -r t m < "$W/t"; ox_times+=("$t"); ox_mem+=("$m")
  echo "run=$r tool=oxigraph seconds=$t peak_kib=$m"
done
mv_med=$(printf '%s\n' "${mv_times[@]}" | median); ox_med=$(printf '%s\n' "${ox_times[@]}" | median)
mv_memmed=$(printf '%s\n' "${mv_mem[@]}" | median); ox_memmed=$(printf '%s\n' "${ox_mem[@]}" | median)
echo "load mvkg median_s=$mv_med triples_per_s=$(awk -v n="$triples" -v t="$mv_med" 'BEGIN { printf "%.0f", n / t }') peak_kib=$mv_memmed"
echo "load oxigraph median_s=$ox_med triples_per_s=$(awk -v n="$triples" -v t="$ox_med" 'BEGIN { printf "%.0f", n / t }') peak_kib=$ox_memmed"
echo "load ratio_mvkg_throughput_over_oxigraph=$(awk -v a="$mv_med" -v b="$ox_med" 'BEGIN { printf "%.3f", b / a }')"

# A small query on each persistent store, cold process each time (what a user runs), 11 runs, median.
q='SELECT ?p ?o WHERE { <http://example.org/kg/c0> ?p ?o } LIMIT 20'
qm=(); qo=()
for r in $(seq 11); do
  s=$(date +%s.%N); "$MVKG" --store "$W/mv" query "$q" --format csv >/dev/null; e=$(date +%s.%N)
  qm+=("$(awk -v s="$s" -v e="$e" 'BEGIN { print (e - s) * 1000 }')")
  s=$(date +%s.%N); "$OX" query --location "$W/ox" --query "$q" --results-format csv >/dev/null; e=$(date +%s.%N)
  qo+=("$(awk -v s="$s" -v e="$e" 'BEGIN { print (e - s) * 1000 }')")
done
qm_med=$(printf '%s\n' "${qm[@]}" | median); qo_med=$(printf '%s\n' "${qo[@]}" | median)
echo "query mvkg median_ms=$qm_med oxigraph median_ms=$qo_med ratio=$(awk -v a="$qm_med" -v b="$qo_med" 'BEGIN { printf "%.2f", a / b }')"
