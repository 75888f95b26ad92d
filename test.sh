#!/usr/bin/env bash
# Install everything the tests need (venv, package, Chromium for the browser tests), check lint and format, run the tests.
# Usage: ./test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..." >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# The bench extra (tantivy) too: the tests of the benchmarks' references and relevance runner use it.
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'

echo "ruff: lint and format check" >&2
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .

exec .venv/bin/python -m pytest "$@"
