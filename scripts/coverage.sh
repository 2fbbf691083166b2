#!/usr/bin/env bash
# Prints the coverage figures of the bundled data as Markdown tables, from the coverage-* named queries, and writes
# them into data/README.md between the coverage markers. Usage: scripts/coverage.sh [path/to/mvkg]
set -euo pipefail
cd "$(dirname "$0")/.."
MVKG="${1:-cargo run --quiet --release --}"
store="$(mktemp -d)/store"
table() {
  # CSV (no embedded commas in these queries) to a Markdown table.
  $MVKG --store "$store" --quiet query "$1" --format csv | tr -d '\r' | awk -F, 'NR==1 { h="|"; s="|"; for (i=1;i<=NF;i++) { h=h" "$i" |"; s=s"---|" } print h; print s; next } { r="|"; for (i=1;i<=NF;i++) r=r" "$i" |"; print r }'
}
{
  echo "<!-- coverage -->"
  echo "Computed by \`scripts/coverage.sh\` on $(date -u +%Y-%m-%d) from the named queries \`coverage-by-class\`, \`coverage-by-country\`, \`coverage-by-layer\` and \`coverage-by-year\` (run them yourself with \`mvkg query NAME\`)."
  echo
  echo "### By class"; echo; table coverage-by-class; echo
  echo "### By country"; echo; table coverage-by-country; echo
  echo "### By value-chain layer"; echo; table coverage-by-layer; echo
  echo "### By year and event type"; echo; table coverage-by-year; echo
  echo "<!-- /coverage -->"
} > /tmp/mvkg-coverage.md
python3 - <<'PY'
import re
readme = open('data/README.md').read()
block = open('/tmp/mvkg-coverage.md').read()
if '<!-- /coverage -->' in readme:
    readme = re.sub(r'<!-- coverage -->.*?<!-- /coverage -->\n?', block, readme, flags=re.S)
else:
    readme = readme.replace('<!-- coverage -->', block.rstrip('\n'), 1)
open('data/README.md', 'w').write(readme)
PY
cat /tmp/mvkg-coverage.md
