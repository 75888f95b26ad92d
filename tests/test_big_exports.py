"""Exports of more than 100,000 matches: memory stays flat, and a server that times requests out lets them finish.

The archive is 101,000 events listed in day indexes alone (no pages), the
cheapest events to index; building it is most of these tests' time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.measure import python_command, run_process
from search.store import Store
from search.writer import build

EVENTS = 101_000
PER_DAY = 500
# An export may use this much more memory than showing one page of the same index: the ordered matches
# (a few bytes each, ~4 MiB here) and one run of rows. Holding the rows would take over 100 MiB.
EXTRA_MIB = 30


def write_archive(root: Path, events: int, per_day: int) -> None:
    """Day indexes listing ``events`` events, ``per_day`` a day."""
    day, written = dt.date(2000, 1, 1), 0
    while written < events:
        path = f"/news/{day.year}/{day.month:02d}/{day.day}"
        (root / path[1:]).mkdir(parents=True)
        count = min(per_day, events - written)
        entries = [
            f"### [Event {n} happens. ]({path}/event-{n}.md)\n" for n in range(written, written + count)
        ]
        (root / path[1:] / "index.md").write_text(
            f"## [{day.isoformat()}]({path}/index.md)\n\n" + "\n".join(entries)
        )
        written += count
        day += dt.timedelta(days=1)


@pytest.fixture(scope="module")
def big_index(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("big-archive")
    write_archive(content, EVENTS, PER_DAY)
    index_dir = tmp_path_factory.mktemp("big-index")
    build(content, Store(index_dir), workers=os.cpu_count() or 1)
    return index_dir


def test_exporting_every_one_of_101k_matches_takes_no_more_memory_than_a_page_and_a_bit(big_index):
    search = python_command("-m", "search", "search", "", "--index-dir", str(big_index), "--format", "csv")
    page = run_process(search)
    export = run_process([*search, "--all"])
    assert page.returncode == export.returncode == 0, export.stderr
    assert len(list(csv.reader(io.StringIO(export.stdout, newline="")))) == EVENTS + 1  # and the header
    assert export.peak_mib <= page.peak_mib + EXTRA_MIB, (export.peak_mib, page.peak_mib)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_long_export_outlives_a_server_timeout_shorter_than_it(big_index, tmp_path):
    """gunicorn's sync workers stop a request past ``timeout``; an export's runs count as progress.

    Without ``tell_progress`` this export was cut at 52,000 of its lines, 1.3 s in.
    """
    port = _free_port()
    config = tmp_path / "gunicorn_conf.py"
    config.write_text("from webui.server import tell_progress as post_worker_init\n")
    server = subprocess.Popen(
        [
            *python_command("-m", "gunicorn", "webui:create_app()"),
            *("--config", str(config), "--bind", f"127.0.0.1:{port}", "--workers", "1"),
            *("--worker-class", "sync", "--timeout", "1"),
        ],
        env={**os.environ, "EVENTSEARCH_INDEX_DIR": str(big_index)},
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/search?q=event", timeout=5).read()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/search.jsonl", timeout=60) as response:
            lines = sum(1 for _ in response)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert lines == EVENTS
