"""The web path under load: the real server, wrk with N connections, a rotating set of search or API URLs."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
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
  io.write(string.format("RESULT p50_ms=%%.2f p95_ms=%%.2f p99_ms=%%.2f rps=%%.1f errors=%%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
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


def search_path(query: BenchQuery, page: str = "/search") -> str:
    """The URL of a bench query on a page (``/search``) or the API (``/api/search``)."""
    params = [("q", query.text)] + [("tag", t) for t in query.tags]
    dates = (("from", query.date_from), ("to", query.date_to))
    params += [(name, day.isoformat()) for name, day in dates if day]
    return f"{page}?" + urllib.parse.urlencode(params)


@contextlib.contextmanager
def serving(index_dir: Path) -> Iterator[str]:
    """The real server (``eventsearch serve``) on a free port while the block runs; yields its URL."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index-dir", str(index_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/search?q=warmup")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def has_wrk() -> bool:
    return shutil.which("wrk") is not None


def load_test(base: str, paths: list[str], seconds: int = 30, connections: int = 8) -> dict:
    """p50/p95/p99 latency (ms), requests/s and errors of ``connections`` clients cycling through paths."""
    quoted = ", ".join('"{}"'.format(path.replace("\\", "\\\\").replace('"', '\\"')) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % quoted)
    try:
        threads = min(2, connections)
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", script.name, base],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        Path(script.name).unlink()
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    return {k: float(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
