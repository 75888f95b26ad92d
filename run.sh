#!/usr/bin/env bash
# Install eventsearch, index an archive and serve it on http://127.0.0.1:8000/.
# Usage: ./run.sh [CONTENT_DIR]   (without CONTENT_DIR: a generated demo archive of 3,000 events)
set -euo pipefail
cd "$(dirname "$0")"

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .

content="${1:-}"
if [ -z "$content" ]; then
  content="demo-archive"
  [ -d "$content/news" ] || .venv/bin/python -m bench.generate "$content" --events 3000 --seed 1
fi
.venv/bin/eventsearch index "$content"
exec .venv/bin/eventsearch serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
