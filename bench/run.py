"""The benchmark suite: eventsearch against an SQLite FTS5 reference, in one run, on one archive.

    python -m bench.run --events 10000            # 10k, 100k or 1000000
    python -m bench.run --events 100000 --web-seconds 30

Generates (or reuses) a synthetic archive, then measures the full build, updates
after 1 and 20 changed files, cold start, query latency per mode and the web
path, each beside the same job done by SQLite FTS5, and prints a table. The
table and the machine are prepended to bench/RESULTS.md with --record.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from pathlib import Path

from bench.generate import generate
from bench.measure import directory_mib, machine, percentile, python_command, run_process
from bench.queries import BenchQuery, query_set
from bench.sqlite_ref import SqliteReference
from bench.web import load_test
from search.request import SearchRequest
from search.searching import SearchIndex

OUT = Path(__file__).parent / "out"
RESULTS = Path(__file__).parent / "RESULTS.md"
ZH_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "zh"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000, help="archive size (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="archive and query-set seed")
    parser.add_argument("--queries", type=int, default=100, help="distinct queries per mode")
    parser.add_argument("--web-seconds", type=int, default=30, help="load-test length; 0 skips the web path")
    parser.add_argument("--record", action="store_true", help="prepend the results to bench/RESULTS.md")
    args = parser.parse_args(argv)
    rows = run_suite(args.events, args.seed, args.queries, args.web_seconds)
    table = render(rows, args.events)
    print(table)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{args.events}-{stamp}.md").write_text(table)
    if args.record:
        record(table)
    return 0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_suite(events: int, seed: int, queries: int, web_seconds: int) -> list[tuple]:
    OUT.mkdir(exist_ok=True)
    archive = OUT / f"archive-{events}-{seed}"
    if not (archive / "news").is_dir():
        log(f"generating {events:,} events into {archive}")
        generate(archive, events, seed)
    work = OUT / f"work-{events}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    content = work / "content"
    log("copying the archive (updates edit files)")
    shutil.copytree(archive, content)
    index_dir, db = work / "index", work / "reference.db"
    rows: list[tuple] = []

    log("full build: eventsearch")
    ours = run_process(
        python_command("-m", "search", "index", str(content), "--index-dir", str(index_dir), "--quiet")
    )
    _check(ours)
    log("full build: sqlite")
    ref = run_process(python_command("-m", "bench.sqlite_job", "build", str(content), str(db)))
    _check(ref)
    rows += [
        ("full build, s", ours.seconds, ref.seconds),
        ("full build, events/s", events / ours.seconds, events / ref.seconds),
        ("full build, peak RSS (all its processes), MiB", ours.peak_mib, ref.peak_mib),
        ("index size, MiB", directory_mib(index_dir), db.stat().st_size / 2**20),
    ]
    rows += zh_build(work)

    rng = random.Random(seed)
    pages = sorted(p for p in content.glob("news/*/*/*/*.md") if p.name not in ("index.md", "README.md"))
    for changed in (1, 20):
        paths = [p.relative_to(content).as_posix() for p in rng.sample(pages, changed)]
        for path in paths:
            file = content / path
            file.write_text(
                file.read_text().replace("\n\n", f"\n\nEdited for the benchmark {changed}.\n\n", 1)
            )
        log(f"update after {changed} changed files")
        ours = run_process(
            python_command(
                "-m", "search", "update", str(content), *paths, "--index-dir", str(index_dir), "--quiet"
            )
        )
        _check(ours)
        ref = run_process(python_command("-m", "bench.sqlite_job", "update", str(content), str(db), *paths))
        _check(ref)
        rows.append((f"update, {changed} changed file(s), s", ours.seconds, ref.seconds))
    log("update by scan (no paths, not a git repository)")
    ours = run_process(
        python_command(
            "-m", "search", "update", str(content), "--scan", "--index-dir", str(index_dir), "--quiet"
        )
    )
    rows.append(("update by full scan, nothing changed, s", ours.seconds, None))

    sets = query_set(db, queries, seed)
    word = sets["faceted"][0].text
    log("cold start")
    ours = _median_seconds(
        python_command("-m", "search", "search", word, "--index-dir", str(index_dir), "--json")
    )
    ref = _median_seconds(python_command("-m", "bench.sqlite_job", "search", str(db), word))
    rows.append(("cold start to first answer (median of 9), ms", ours * 1000, ref * 1000))

    rows += query_latencies(index_dir, db, sets)
    if web_seconds:
        log(f"web path: {web_seconds} s with 8 connections")
        web = load_test(index_dir, sets["faceted"] + sets["two_tags"], web_seconds)
        if web:
            rows += [
                ("search page p50 ms (8 clients)", web["p50_ms"], None),
                ("search page p95 ms (8 clients)", web["p95_ms"], None),
                ("search page requests/s", web["rps"], None),
                ("search page errors", web["errors"], None),
            ]
    return rows


def zh_build(work: Path) -> list[tuple]:
    """The real Chinese archive (../shared/corpus/zh), built by both, when it is there."""
    if not ZH_CORPUS.is_dir():
        log(f"{ZH_CORPUS} is not there: no zh build row")
        return []
    log("full build of the real zh archive: eventsearch, then sqlite")
    ours = run_process(
        python_command(
            "-m", "search", "index", str(ZH_CORPUS), "--index-dir", str(work / "zh-index"), "--quiet"
        )
    )
    _check(ours)
    ref = run_process(python_command("-m", "bench.sqlite_job", "build", str(ZH_CORPUS), str(work / "zh.db")))
    _check(ref)
    return [("real zh archive (8,984 events) full build, s", ours.seconds, ref.seconds)]


def _median_seconds(command: list[str], runs: int = 9) -> float:
    """Median wall time of a fresh process, after one unmeasured run that brings files into the page cache.

    One sample is at the mercy of whatever else runs (the steps before leave the machine busy).
    """
    run_process(command)
    return sorted(run_process(command).seconds for _ in range(runs))[runs // 2]


def _check(run) -> None:
    if run.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{run.stderr[-2000:]}")


MODES = {
    "top10": dict(facets=False),
    "faceted": dict(facets=True),
    "date_range": dict(facets=True),
    "two_tags": dict(facets=True),
}


def query_latencies(index_dir: Path, db: Path, sets: dict[str, list[BenchQuery]]) -> list[tuple]:
    """p50/p95 per mode, each query run once (distinct queries), eventsearch then SQLite."""
    index = SearchIndex(index_dir)
    reference = SqliteReference(db)
    rows = []
    for mode, options in MODES.items():
        log(f"queries: {mode}")
        ours, ref = [], []
        for query in sets[mode]:
            request = SearchRequest(
                text=query.text,
                filters={"tags": query.tags},
                date_from=query.date_from,
                date_to=query.date_to,
                facets=options["facets"],
            )
            started = time.perf_counter()
            index.search(request)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            reference.search(query.text, query.tags, query.date_from, query.date_to, facets=options["facets"])
            ref.append((time.perf_counter() - started) * 1000)
        rows += [
            (f"{mode} p50 ms", percentile(ours, 50), percentile(ref, 50)),
            (f"{mode} p95 ms", percentile(ours, 95), percentile(ref, 95)),
        ]
    index.close()
    reference.close()
    return rows


def render(rows: list[tuple], events: int) -> str:
    """A Markdown table: figure, eventsearch, SQLite FTS5, ratio (eventsearch / SQLite)."""
    lines = [
        f"### {events:,} events — {dt.date.today().isoformat()}",
        "",
        f"Machine: {machine()}",
        "",
        "| figure | eventsearch | SQLite FTS5 | ratio |",
        "|---|---:|---:|---:|",
    ]
    for name, ours, ref in rows:
        ratio = f"{ours / ref:.2f}" if ref else "–"
        lines.append(f"| {name} | {_fmt(ours)} | {_fmt(ref)} | {ratio} |")
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def record(table: str) -> None:
    """Prepend a run's table to bench/RESULTS.md (newest first)."""
    header = "# Benchmark results\n\nNewest first. Produced by `python -m bench.run --record`.\n\n"
    old = RESULTS.read_text() if RESULTS.exists() else header
    body = old[len(header) :] if old.startswith(header) else old
    RESULTS.write_text(header + table + "\n" + body)


if __name__ == "__main__":
    sys.exit(main())
