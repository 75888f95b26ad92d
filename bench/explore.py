"""The explore pages' figures: what significant tags cost a search, and the tag, front, on-this-day and
compare pages over the real server with one client.

Significant tags are measured in process on the weighted query set with facets: each query once with
them and once without, in alternating order, so a noisy moment on the shared machine falls on both.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import numpy as np

from bench.latency import Row
from bench.measure import percentile
from bench.queries import BenchQuery
from bench.web import load_test
from search.facet_table import TAG_FACET
from search.request import SearchRequest
from search.searching import SearchIndex

ON_THIS_DAY_SAMPLES = 24  # days of the year the on-this-day row cycles through, spread over the year
WARM_SECONDS = 3


def significance_rows(index_dir: Path, queries: list[BenchQuery]) -> list[Row]:
    """A faceted search's latency with and without its significant tags, and what they add at p95."""
    ms: dict[int, list[float]] = {0: [], SearchRequest().significant_size: []}
    with SearchIndex(index_dir) as index:
        for number, query in enumerate([queries[0], *queries]):
            for size in list(ms) if number % 2 else list(ms)[::-1]:
                request = SearchRequest(
                    text=query.text,
                    filters={TAG_FACET: query.tags},
                    date_from=query.date_from,
                    date_to=query.date_to,
                    significant_size=size,
                )
                started = time.perf_counter()
                index.search(request)
                if number:  # the first query warms both up, unmeasured
                    ms[size].append((time.perf_counter() - started) * 1000)
    without, with_them = ms.values()
    rows = []
    for q in (50, 95):
        rows.append(Row(f"weighted faceted without significant tags p{q} ms", percentile(without, q)))
        rows.append(Row(f"weighted faceted with significant tags p{q} ms", percentile(with_them, q)))
    added = 100 * (percentile(with_them, 95) / percentile(without, 95) - 1)
    rows.append(Row("significant tags add to the faceted p95, %", added, ratio=False))
    return rows


def page_paths(index_dir: Path) -> dict[str, list[str]]:
    """The pages to load: the biggest tag's, the front page, on-this-day for days spread over the year,
    and a comparison of the three biggest tags."""
    with SearchIndex(index_dir) as index:
        columns, tallies = index.archive()
        biggest = [columns.vocab[TAG_FACET][i] for i in np.argsort(-tallies.tag_totals, kind="stable")[:3]]
    year = [
        dt.date(2001, 1, 5) + dt.timedelta(days=365 * k // ON_THIS_DAY_SAMPLES)
        for k in range(ON_THIS_DAY_SAMPLES)
    ]
    days = [day.strftime("%m-%d") for day in year]
    return {
        f"tag page of the biggest tag ({tallies.tag_totals.max():,} events)": [f"/tag/{quote(biggest[0])}"],
        "front page": ["/"],
        "on-this-day page (24 days of the year)": [f"/on-this-day/{day}" for day in days],
        "compare page (the 3 biggest tags)": ["/compare?" + urlencode([(TAG_FACET, tag) for tag in biggest])],
    }


def page_rows(base: str, paths: dict[str, list[str]], seconds: int) -> list[Row]:
    """p50, p95 and p99 of each page with one client (wrk, one connection)."""
    rows = []
    for name, urls in paths.items():
        # Unmeasured first: each server process computes the front page's overview (and opens the
        # index) on its first request; two connections reach both processes.
        load_test(base, urls, WARM_SECONDS, connections=2)
        result = load_test(base, urls, seconds, connections=1)
        rows += [Row(f"{name}, 1 client, p{q} ms", result[f"p{q}_ms"]) for q in (50, 95, 99)]
        rows.append(Row(f"{name}, errors", result["errors"], ratio=False))
    return rows
