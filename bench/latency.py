"""In-process query latency of eventsearch, SQLite FTS5 and tantivy on the same queries, interleaved.

Each query runs once per engine, one engine right after the other, so a noisy
moment on the shared machine falls on all three alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from bench.measure import percentile
from bench.queries import BenchQuery
from bench.sqlite_ref import SqliteReference
from bench.tantivy_ref import TantivyReference
from search.request import SearchRequest
from search.searching import SearchIndex

ENGINES = ("eventsearch", "sqlite", "tantivy")


class Row(NamedTuple):
    """One line of a results table: a figure for each engine; ratios only where they mean something."""

    name: str
    ours: float | None
    sqlite: float | None = None
    tantivy: float | None = None
    ratio: bool = True


class Timings(NamedTuple):
    """Per engine: milliseconds and matches (total) of each query."""

    ms: dict[str, list[float]]
    matches: dict[str, list[int]]


class Engines:
    """The three engines opened on the same archive, each answering a BenchQuery with its total."""

    def __init__(self, index_dir: Path, db: Path, tantivy_dir: Path) -> None:
        self.ours = SearchIndex(index_dir)
        self.sqlite = SqliteReference(db)
        self.tantivy = TantivyReference(tantivy_dir)

    def close(self) -> None:
        self.ours.close()
        self.sqlite.close()

    def runners(self, facets: bool) -> dict[str, Callable[[BenchQuery], int]]:
        def ours(q: BenchQuery) -> int:
            request = SearchRequest(
                text=q.text, filters={"tags": q.tags}, date_from=q.date_from, date_to=q.date_to, facets=facets
            )
            return self.ours.search(request).total

        def sqlite(q: BenchQuery) -> int:
            return self.sqlite.search(q.text, q.tags, q.date_from, q.date_to, facets=facets)["total"]

        def tantivy(q: BenchQuery) -> int:
            return self.tantivy.search(q.text, q.tags, q.date_from, q.date_to, facets=facets)["total"]

        return {"eventsearch": ours, "sqlite": sqlite, "tantivy": tantivy}

    def time(self, queries: list[BenchQuery], facets: bool) -> Timings:
        """Each query once per engine, after one unmeasured query each (no engine pays a first-call cost)."""
        runners = self.runners(facets)
        for run in runners.values():
            run(queries[0])
        ms: dict[str, list[float]] = {name: [] for name in runners}
        matches: dict[str, list[int]] = {name: [] for name in runners}
        for query in queries:
            for name, run in runners.items():
                started = time.perf_counter()
                total = run(query)
                ms[name].append((time.perf_counter() - started) * 1000)
                matches[name].append(total)
        return Timings(ms, matches)


def latency_rows(label: str, timings: Timings, quantiles: tuple[int, ...] = (50, 95, 99)) -> list[Row]:
    return [
        Row(f"{label} p{q} ms", *(percentile(timings.ms[name], q) for name in ENGINES)) for q in quantiles
    ]


def matches_rows(label: str, timings: Timings) -> list[Row]:
    """How many events the queries match (the engines analyse words a little differently)."""
    medians = [statistics.median(timings.matches[name]) for name in ENGINES]
    maxima = [max(timings.matches[name]) for name in ENGINES]
    return [
        Row(f"{label} matches per query, median", *medians, ratio=False),
        Row(f"{label} matches per query, max", *maxima, ratio=False),
    ]
