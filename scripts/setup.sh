#!/usr/bin/env bash
# Installs what mvkg needs on a fresh Debian machine (as root, or with sudo): libclang for oxigraph's RocksDB
# bindings and Graphviz for the maps. Safe to run again: it installs only what is missing.
#
# With --e2e it also installs what the end-to-end tests of `mvkg serve` use (`cargo test --test e2e`): Debian's
# Chromium and ChromeDriver, wrk, and a Python virtual environment with SPARQLWrapper, pandas and Selenium from PyPI
# in ~/.cache/mvkg-e2e/venv.
set -euo pipefail
e2e=false
[ "${1:-}" = "--e2e" ] && e2e=true
need=()
[ -e /usr/lib/llvm-14/lib/libclang.so ] || ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1 || need+=(libclang-dev)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v c++ >/dev/null 2>&1 || need+=(g++)
if $e2e; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  python3 -m venv --help >/dev/null 2>&1 || need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if $e2e; then
  venv="$HOME/.cache/mvkg-e2e/venv"
  if ! "$venv/bin/python" -c 'import SPARQLWrapper, pandas, selenium' >/dev/null 2>&1; then
    echo "Installing the Python test clients into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$(dirname "$0")/../tests/e2e/requirements.txt"
  fi
fi
