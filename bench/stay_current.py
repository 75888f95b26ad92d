"""What issue 11 added, measured: exporting every event, and matching saved searches after an update.

- Export: ``eventsearch search "" --all --format csv`` (and jsonl) as a whole process, beside the
  same export streamed by SQLite (``bench.sqlite_job export``: a GROUP BY and ORDER BY over its
  tables, written by Python's csv module), and beside one result page of the same index: time,
  rows/s and peak RSS.
- Saved searches: 100 of them drawn like real queries (``bench.queries``: words as they occur, some
  with a tag or a year), then updates of one changed file each; the matching's own time comes from
  ``update --json`` (``saved_seconds``), beside the same update's whole process with and without
  the saved searches.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench.latency import Row
from bench.measure import Run, python_command, run_process
from bench.queries import weighted_query_set
from search.percolate import prefilter_of
from search.request import request_from_args
from search.saved import SAVED_FILE, SavedSearch, SavedSearches, saved_params

SAVED_SEARCHES = 100
UPDATES = 7  # updates of one file each, with and without the saved searches: medians are reported


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def export_rows(index_dir: Path, db_path: Path) -> list[Row]:
    """Every event exported as CSV (and JSON Lines) in a fresh process; one page of the same for scale."""
    search = python_command("-m", "search", "search", "", "--index-dir", str(index_dir))
    log("export of every event: eventsearch csv, jsonl; sqlite csv; one page")
    ours = _checked(run_process([*search, "--all", "--format", "csv"]))
    jsonl = _checked(run_process([*search, "--all", "--format", "jsonl"]))
    ref = _checked(run_process(python_command("-m", "bench.sqlite_job", "export", str(db_path))))
    page = _checked(run_process([*search, "--format", "csv"]))
    rows = len(jsonl.stdout.splitlines())  # one event a line
    return [
        Row(f"export of all {rows:,} events as CSV, s", ours.seconds, ref.seconds),
        Row("export as CSV, rows/s", rows / ours.seconds, rows / ref.seconds),
        Row("export as CSV, peak RSS, MiB", ours.peak_mib, ref.peak_mib),
        Row("export as JSON Lines, rows/s", rows / jsonl.seconds),
        Row("export as JSON Lines, peak RSS, MiB", jsonl.peak_mib),
        Row("one result page (the same process, no --all), peak RSS, MiB", page.peak_mib),
    ]


def saved_search_rows(index_dir: Path, db_path: Path, content: Path, seed: int) -> list[Row]:
    """The cost of matching 100 saved searches on updates of one file, and the updates' whole processes."""
    queries = weighted_query_set(db_path, SAVED_SEARCHES, seed + 11)
    saved = SavedSearches(index_dir)
    for number, query in enumerate(queries):
        args = {"q": [query.text], "tags": list(query.tags)}
        args |= {
            name: [day.isoformat()] for name, day in (("from", query.date_from), ("to", query.date_to)) if day
        }
        request, _ = request_from_args(args)
        search = SavedSearch(f"bench-{number}", saved_params(request), prefilter=prefilter_of(request.text))
        saved.add(search, replace=True)
    rng = random.Random(seed + 12)
    pages = sorted(p for p in content.glob("news/*/*/*/*.md") if p.name not in ("index.md", "README.md"))
    log(f"updates of one file with {SAVED_SEARCHES} saved searches")
    with_saved = [_update_one(index_dir, content, _current_page(rng, pages)) for _ in range(UPDATES)]
    parked = index_dir / f"{SAVED_FILE}.parked"
    shutil.move(index_dir / SAVED_FILE, parked)
    log("the same updates without saved searches")
    without = [_update_one(index_dir, content, _current_page(rng, pages)) for _ in range(UPDATES)]
    shutil.move(parked, index_dir / SAVED_FILE)
    matching_ms = [report["saved_seconds"] * 1000 for _, report in with_saved]
    reported = [sum(len(events) for events in report["saved"].values()) for _, report in with_saved]
    return [
        Row(
            f"saved searches ({SAVED_SEARCHES}) matched on an update of 1 file, median ms",
            statistics.median(matching_ms),
        ),
        Row("  the same, slowest of the updates, ms", max(matching_ms)),
        Row("  events reported per update, median", statistics.median(reported), ratio=False),
        Row(
            "update of 1 file with 100 saved searches, whole process, median s",
            statistics.median(r.seconds for r, _ in with_saved),
        ),
        Row(
            "update of 1 file without saved searches, whole process, median s",
            statistics.median(r.seconds for r, _ in without),
        ),
    ]


def _current_page(rng: random.Random, pages: list[Path]) -> Path:
    """A page its day index links: an event's current version (editing an older one changes nothing)."""
    while True:
        page = rng.choice(pages)
        if f"/{page.name})" in (page.parent / "index.md").read_text():
            return page


def _update_one(index_dir: Path, content: Path, page: Path) -> tuple[Run, dict]:
    # At the start of the summary (a line between the date and the headline would change nothing).
    edited = _HEADLINE.sub(r"\1Edited for the saved-search benchmark. ", page.read_text(), count=1)
    page.write_text(edited)
    path = page.relative_to(content).as_posix()
    run = _checked(
        run_process(
            python_command(
                "-m", "search", "update", str(content), path, "--index-dir", str(index_dir), "--json"
            )
        )
    )
    report = json.loads(run.stdout)
    if report["changed"] + report["added"] == 0:
        raise SystemExit(f"the edit of {path} changed no event")
    return run, report


_HEADLINE = re.compile(r"(\n# [^\n]*\n\n)")


def _checked(run: Run) -> Run:
    if run.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{run.stderr[-2000:]}")
    return run
