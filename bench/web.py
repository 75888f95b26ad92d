"""The web path under load: the real server, wrk with 8 connections, a rotating set of search URLs."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.queries import BenchQuery

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50_ms=%%.2f p95_ms=%%.2f rps=%%.1f errors=%%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


def search_path(query: BenchQuery) -> str:
    """The /search URL of a bench query."""
    params = [("q", query.text)] + [("tag", t) for t in query.tags]
    return "/search?" + urllib.parse.urlencode(params)


def load_test(
    index_dir: Path, queries: list[BenchQuery], seconds: int = 30, connections: int = 8
) -> dict | None:
    """p50/p95 latency (ms) and requests/s of the search page; None when wrk is not installed."""
    if not shutil.which("wrk"):
        return None
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index-dir", str(index_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/search?q=warmup")
        paths = ", ".join('"{}"'.format(search_path(q).replace('"', '\\"')) for q in queries)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % paths)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name, base],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
        line = next(row for row in out.splitlines() if row.startswith("RESULT"))
        return {k: float(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
    finally:
        server.terminate()
        server.wait(timeout=30)
