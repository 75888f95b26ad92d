"""The benchmark suite: eventsearch against SQLite FTS5 and tantivy, in one run, on one archive.

    python -m bench.run --events 10000            # 10k, 100k or 1000000
    python -m bench.run --events 100000 --web-seconds 30 --record

Generates (or reuses) a synthetic archive, then measures the full build, updates
after 1 and 20 changed files, the export of every event and saved searches matched
on updates (bench/stay_current.py), cold start, query latency per mode on two query
sets (uniform rare words; words weighted like real queries), what significant tags add to
a search, and the web path (the search API and page, the tag, front, on-this-day and compare pages),
each beside the same job done by SQLite FTS5 and by tantivy, and prints a table
with our ratio to each. With --record the table is prepended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from pathlib import Path

from bench.explore import page_paths, page_rows, significance_rows
from bench.generate import generate
from bench.latency import Engines, Row, latency_rows, matches_rows
from bench.measure import Run, directory_mib, machine, percentile, python_command, run_process
from bench.queries import BenchQuery, query_set, weighted_query_set
from bench.stay_current import export_rows, saved_search_rows
from bench.web import has_wrk, load_test, search_path, serving

OUT = Path(__file__).parent / "out"
RESULTS = Path(__file__).parent / "RESULTS.md"
ZH_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "zh"
HEADER = (
    "# Benchmark results\n\nNewest first. Speed: `python -m bench.run --record`; ranking quality: the "
    "[Relevance](#relevance) section below, `python -m bench.relevance --record`.\n\n"
)
OLD_HEADER = "# Benchmark results\n\nNewest first. Produced by `python -m bench.run --record`.\n\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000, help="archive size (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="archive and query-set seed")
    parser.add_argument("--queries", type=int, default=100, help="distinct queries per mode (uniform set)")
    parser.add_argument("--weighted-queries", type=int, default=300, help="queries of the weighted set")
    parser.add_argument("--web-seconds", type=int, default=30, help="length of each web test; 0 skips them")
    parser.add_argument("--note", default="", help="a line for the recorded header (e.g. the machine's load)")
    parser.add_argument("--record", action="store_true", help="prepend the results to bench/RESULTS.md")
    args = parser.parse_args(argv)
    rows = run_suite(args.events, args.seed, args.queries, args.weighted_queries, args.web_seconds)
    table = render(rows, args.events, args.note)
    print(table)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{args.events}-{stamp}.md").write_text(table)
    if args.record:
        record(table)
    return 0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Work:
    """Where one run keeps its copy of the archive and the three indexes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.index = root / "index"
        self.db = root / "reference.db"
        self.tantivy = root / "tantivy"

    def commands(self, job: str, *args: str, content: Path | None = None, name: str = "") -> list[list[str]]:
        """One job (build, update, search) as eventsearch's, SQLite's and tantivy's command."""
        index, db, tantivy = (
            (self.root / f"{name}-index", self.root / f"{name}.db", self.root / f"{name}-tantivy")
            if name
            else (self.index, self.db, self.tantivy)
        )
        if job == "search":
            return [
                python_command("-m", "search", "search", *args, "--index-dir", str(index), "--json"),
                python_command("-m", "bench.sqlite_job", "search", str(db), *args),
                python_command("-m", "bench.tantivy_job", "search", str(tantivy), *args),
            ]
        content_dir = str(content or self.content)
        command = {"build": "index", "update": "update"}[job]
        return [
            python_command("-m", "search", command, content_dir, *args, "--index-dir", str(index), "--quiet"),
            python_command("-m", "bench.sqlite_job", job, content_dir, str(db), *args),
            python_command("-m", "bench.tantivy_job", job, content_dir, str(tantivy), *args),
        ]

    def jobs(self, job: str, *args: str, content: Path | None = None, name: str = "") -> list[Run]:
        """The job done by eventsearch, then SQLite, then tantivy, each as a whole process."""
        runs = [run_process(command) for command in self.commands(job, *args, content=content, name=name)]
        for run in runs:
            _check(run)
        return runs


def run_suite(events: int, seed: int, queries: int, weighted: int, web_seconds: int) -> list[Row]:
    OUT.mkdir(exist_ok=True)
    archive = OUT / f"archive-{events}-{seed}"
    if not (archive / "news").is_dir():
        log(f"generating {events:,} events into {archive}")
        generate(archive, events, seed)
    work = Work(OUT / f"work-{events}")
    shutil.rmtree(work.root, ignore_errors=True)
    work.root.mkdir()
    log("copying the archive (updates edit files)")
    shutil.copytree(archive, work.content)

    log("full build: eventsearch, sqlite, tantivy")
    ours, ref, peer = work.jobs("build")
    rows = [
        Row("full build, s", ours.seconds, ref.seconds, peer.seconds),
        Row("full build, events/s", events / ours.seconds, events / ref.seconds, events / peer.seconds),
        Row("full build, peak RSS (all its processes), MiB", ours.peak_mib, ref.peak_mib, peer.peak_mib),
        Row(
            "index size, MiB",
            directory_mib(work.index),
            work.db.stat().st_size / 2**20,
            directory_mib(work.tantivy),
        ),
    ]
    rows += zh_build(work)
    rows += updates(work, seed)
    rows += export_rows(work.index, work.db)
    rows += saved_search_rows(work.index, work.db, work.content, seed)

    uniform = query_set(work.db, queries, seed)
    weighted_set = weighted_query_set(work.db, weighted, seed)
    word = uniform["faceted"][0].text
    log("cold start")
    cold = [_median_seconds(command) * 1000 for command in work.commands("search", word)]
    rows.append(Row("cold start to first answer (median of 9), ms", *cold))
    in_process, tantivy_faceted = query_latencies(work, uniform, weighted_set)
    rows += in_process
    log("significant tags: the weighted set with facets, with and without them")
    rows += significance_rows(work.index, weighted_set)
    if web_seconds:
        rows += web_rows(work.index, uniform, weighted_set, web_seconds, tantivy_faceted)
    return rows


def zh_build(work: Work) -> list[Row]:
    """The real Chinese archive (../shared/corpus/zh), built by all three, when it is there."""
    if not ZH_CORPUS.is_dir():
        log(f"{ZH_CORPUS} is not there: no zh build row")
        return []
    log("full build of the real zh archive: eventsearch, sqlite, tantivy")
    runs = work.jobs("build", content=ZH_CORPUS, name="zh")
    return [Row("real zh archive (8,984 events) full build, s", *(run.seconds for run in runs))]


def updates(work: Work, seed: int) -> list[Row]:
    """Update after 1 and 20 changed files (whole processes), then eventsearch's scan of an unchanged tree."""
    rng = random.Random(seed)
    content = work.content
    pages = sorted(p for p in content.glob("news/*/*/*/*.md") if p.name not in ("index.md", "README.md"))
    rows = []
    for changed in (1, 20):
        paths = [p.relative_to(content).as_posix() for p in rng.sample(pages, changed)]
        for path in paths:
            file = content / path
            file.write_text(
                file.read_text().replace("\n\n", f"\n\nEdited for the benchmark {changed}.\n\n", 1)
            )
        log(f"update after {changed} changed files")
        runs = work.jobs("update", *paths)
        rows.append(Row(f"update, {changed} changed file(s), s", *(run.seconds for run in runs)))
    log("update by scan (no paths, not a git repository)")
    ours = run_process(
        python_command(
            "-m", "search", "update", str(content), "--scan", "--index-dir", str(work.index), "--quiet"
        )
    )
    _check(ours)
    rows.append(Row("update by full scan, nothing changed, s", ours.seconds))
    return rows


UNIFORM_MODES = {"top10": False, "faceted": True, "date_range": True, "two_tags": True}


def query_latencies(
    work: Work, uniform: dict[str, list[BenchQuery]], weighted: list[BenchQuery]
) -> tuple[list[Row], dict[int, float]]:
    """Rows for both query sets, and tantivy's faceted percentiles (weighted set): the API's yardstick."""
    engines = Engines(work.index, work.db, work.tantivy)
    rows: list[Row] = []
    for mode, facets in UNIFORM_MODES.items():
        log(f"queries, uniform set: {mode}")
        timings = engines.time(uniform[mode], facets)
        rows += latency_rows(mode, timings) + matches_rows(mode, timings)
    tantivy_faceted = {}
    for mode, facets in (("top10", False), ("faceted", True)):
        log(f"queries, weighted set: {mode}")
        timings = engines.time(weighted, facets)
        rows += latency_rows(f"weighted {mode}", timings)
        if facets:
            rows += matches_rows("weighted", timings)
            tantivy_faceted = {q: percentile(timings.ms["tantivy"], q) for q in (50, 95, 99)}
    engines.close()
    return rows, tantivy_faceted


def web_rows(
    index_dir: Path,
    uniform: dict[str, list[BenchQuery]],
    weighted: list[BenchQuery],
    seconds: int,
    tantivy_faceted: dict[int, float],
) -> list[Row]:
    """The search API with one client on the weighted set, then the search page with 8 clients."""
    if not has_wrk():
        log("wrk is not installed: no web rows")
        return []
    rows = []
    with serving(index_dir) as base:
        log(f"web path: the search API, {seconds} s with 1 connection, weighted set")
        api = load_test(base, [search_path(q, "/api/search") for q in weighted], seconds, connections=1)
        for q in (50, 95, 99):
            rows.append(
                Row(
                    f"search API over HTTP, 1 client, weighted set, p{q} ms (tantivy: in process, faceted)",
                    api[f"p{q}_ms"],
                    tantivy=tantivy_faceted[q],
                )
            )
        rows.append(Row("search API errors (1 client)", api["errors"], ratio=False))
        log(f"web path: the search page, {seconds} s with 8 connections")
        paths = [search_path(q) for q in uniform["faceted"] + uniform["two_tags"]]
        page = load_test(base, paths, seconds, connections=8)
        log(f"web path: the tag, front, on-this-day and compare pages, {seconds} s each with 1 connection")
        explore = page_rows(base, page_paths(index_dir), seconds)
    rows += [
        Row("search page p50 ms (8 clients)", page["p50_ms"]),
        Row("search page p95 ms (8 clients)", page["p95_ms"]),
        Row("search page requests/s", page["rps"]),
        Row("search page errors", page["errors"], ratio=False),
    ]
    return rows + explore


def _median_seconds(command: list[str], runs: int = 9) -> float:
    """Median wall time of a fresh process, after one unmeasured run that brings files into the page cache.

    One sample is at the mercy of whatever else runs (the steps before leave the machine busy).
    """
    _check(run_process(command))
    return sorted(run_process(command).seconds for _ in range(runs))[runs // 2]


def _check(run: Run) -> None:
    if run.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{run.stderr[-2000:]}")


def render(rows: list[Row], events: int, note: str = "") -> str:
    """A Markdown table: each figure for eventsearch, SQLite FTS5 and tantivy, and our ratio to each."""
    lines = [f"### {events:,} events — {dt.date.today().isoformat()}", ""]
    if note:
        lines += [note, ""]
    lines += [
        f"Machine: {machine()}",
        "",
        "| figure | eventsearch | SQLite FTS5 | tantivy | ratio to SQLite | ratio to tantivy |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ratios = [_ratio(row.ours, ref) if row.ratio else "–" for ref in (row.sqlite, row.tantivy)]
        values = [_fmt(v) for v in (row.ours, row.sqlite, row.tantivy)]
        lines.append(f"| {row.name} | {' | '.join(values)} | {' | '.join(ratios)} |")
    return "\n".join(lines) + "\n"


def _ratio(ours: float | None, ref: float | None) -> str:
    return f"{ours / ref:.2f}" if ours is not None and ref else "–"


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def record(table: str) -> None:
    """Prepend a run's table to bench/RESULTS.md (newest first)."""
    old = RESULTS.read_text() if RESULTS.exists() else HEADER
    body = next((old[len(h) :] for h in (HEADER, OLD_HEADER) if old.startswith(h)), old)
    RESULTS.write_text(HEADER + table + "\n" + body)


if __name__ == "__main__":
    sys.exit(main())
