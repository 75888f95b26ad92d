"""The timeline as bars: one per year, month or day, each a link narrowing the dates to it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Iterator

from search.results import Bucket

from .urls import Params, path_with_replaced_args

STEPS = 20  # bar heights come in this many CSS classes: the CSP forbids inline styles
MAX_FILLED = 120  # past this many bars (a stray year 1066 in the archive) gaps are left out
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclasses.dataclass(frozen=True)
class Bar:
    """One bar of the timeline."""

    label: str  # "2015", "Sep 2015" or "4 Sep 2015"
    count: int
    step: int  # height, 0..STEPS
    url: str | None  # None for an empty bucket: nothing to narrow to


def bucket_label(unit: str, start: dt.date) -> str:
    """A bucket's name as people say it."""
    if unit == "year":
        return str(start.year)
    if unit == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    return f"{start.day} {MONTHS[start.month - 1]} {start.year}"


def filled(unit: str, buckets: list[Bucket]) -> list[Bucket]:
    """The buckets with the empty ones between them added, so that time reads evenly along the axis."""
    if not buckets:
        return []
    counts = {bucket.start: bucket for bucket in buckets}
    first, last = dt.date.fromisoformat(buckets[0].start), dt.date.fromisoformat(buckets[-1].start)
    starts = list(itertools.islice(_starts(unit, first, last), MAX_FILLED + 1))
    if len(starts) > MAX_FILLED:
        return buckets
    return [counts.get(start.isoformat()) or _empty(unit, start) for start in starts]


def _starts(unit: str, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    start = first
    while start <= last:
        yield start
        start = _following(unit, start)


def _following(unit: str, start: dt.date) -> dt.date:
    if unit == "day":
        return start + dt.timedelta(days=1)
    if unit == "month":
        return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return dt.date(start.year + 1, 1, 1)


def _empty(unit: str, start: dt.date) -> Bucket:
    end = _following(unit, start) - dt.timedelta(days=1)
    return Bucket(start.isoformat(), start.isoformat(), end.isoformat(), 0)


def bars(unit: str, buckets: list[Bucket], path: str, params: Params) -> list[Bar]:
    """The timeline's bars, scaled to the largest bucket."""
    buckets = filled(unit, buckets)
    top = max((bucket.count for bucket in buckets), default=0)
    return [
        Bar(
            label=bucket_label(unit, dt.date.fromisoformat(bucket.start)),
            count=bucket.count,
            # A bucket with any events gets at least one step, so it never looks empty.
            step=math.ceil(bucket.count * STEPS / top) if top else 0,
            url=path_with_replaced_args(path, params, {"from": bucket.start, "to": bucket.end, "page": None})
            if bucket.count
            else None,
        )
        for bucket in buckets
    ]
