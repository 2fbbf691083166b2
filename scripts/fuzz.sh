#!/usr/bin/env bash
# Runs each fuzz target of fuzz/ for SECONDS (default 60) over its committed corpus, with cargo-fuzz on the nightly
# toolchain: the SPARQL text path (nesting guard, parser, depth check), the HTTP request reader of `mvkg serve`, and
# the RDF parsers as mvkg calls them. Installs cargo-fuzz when missing. New inputs that reach new code are added to
# fuzz/corpus/TARGET; a crash fails the run and leaves its input in fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
# cargo-fuzz needs nightly. A machine without it (toolchains cannot always be fetched) skips the run and says so
# loudly rather than failing the whole CI run; every machine of this project so far has had nightly.
if ! rustup toolchain list | grep -q nightly; then
  echo "fuzz: SKIPPED: no nightly toolchain on this machine ('rustup toolchain install nightly' adds it)" >&2
  exit 0
fi
if ! command -v cargo-fuzz >/dev/null 2>&1 && ! cargo install --locked cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: SKIPPED: cargo-fuzz could not be installed from crates.io" >&2
  exit 0
fi
# Its own target directory: the fuzz build (nightly, sanitizer flags) shares nothing with the main one.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/mvkg-fuzz-target}"
targets=(sparql_text http_request rdf_files)
# Build first, so that a target that does not compile fails the run instead of fuzzing nothing.
for target in "${targets[@]}"; do
  cargo +nightly fuzz build "$target" 2>&1 | grep -E "^(error|warning: unused)" -A 6 || true
  cargo +nightly fuzz build "$target" >/dev/null 2>&1
done
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  echo "fuzz: $target for $seconds s"
  cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+== ERROR|SUMMARY)" || true
  if [ -n "$(ls -A "artifacts/$target" 2>/dev/null)" ]; then
    echo "fuzz: $target found a crash: fuzz/artifacts/$target" >&2
    exit 1
  fi
done
echo "fuzz: 0 crashes"
