#!/usr/bin/env bash
# Install everything the tests need (venv, package, Chromium for the browser tests, nginx for the serving
# tests), check lint and format, run the tests.
# Usage: ./test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages the tests drive: chromium (browser tests), nginx (the shipped deploy/nginx/ config).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests..." >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# The bench extra (tantivy) too: the tests of the benchmarks' references and relevance runner use it.
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'

echo "ruff: lint and format check" >&2
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .

exec .venv/bin/python -m pytest "$@"
