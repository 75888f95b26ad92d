"""Compare stories over time: two to five queries or tags, their events per period on one time axis.

Each series is a search (its query text, or its tag), run with the same dates;
its timeline buckets are summed into the periods of the comparison (years,
months or days, by the span of all the series together, as one timeline's
unit is chosen). Beside each count, its share of all the archive's events in
that period (from the tallies), so a story is not mistaken for the archive growing.

    /compare?q=earthquake&q=tsunami&tags=Japan&from=2010-01-01
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .facet_table import TAG_FACET
from .facets import timeline_unit
from .limits import MAX_COMPARE_SERIES
from .request import Args, Param, SearchRequest, normalise_query_text, request_params
from .results import Bucket
from .searching import SearchIndex

MIN_COMPARE_SERIES = 2


@dataclasses.dataclass(frozen=True)
class Series:
    """One line of the chart: a query text or a tag."""

    text: str = ""
    tag: str = ""

    @property
    def label(self) -> str:
        return self.tag or self.text

    def request(self, date_from: dt.date | None, date_to: dt.date | None) -> SearchRequest:
        filters = {TAG_FACET: (self.tag,)} if self.tag else {}
        return SearchRequest(
            text=self.text,
            filters=filters,
            date_from=date_from,
            date_to=date_to,
            page_size=1,
            significant_size=0,
        )

    def param(self) -> tuple[str, str]:
        """Its URL parameter."""
        return (TAG_FACET, self.tag) if self.tag else ("q", self.text)


@dataclasses.dataclass(frozen=True)
class CompareRequest:
    """What a comparison draws: its series, and the dates they share."""

    series: tuple[Series, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def params(self) -> list[tuple[str, str]]:
        """Its canonical URL parameters."""
        dates = [
            (name, day.isoformat()) for name, day in (("from", self.date_from), ("to", self.date_to)) if day
        ]
        return [series.param() for series in self.series] + dates


@dataclasses.dataclass
class Period:
    """One period of the time axis and the archive's events in it."""

    start: str  # YYYY-MM-DD
    end: str
    label: str  # "2015", "2015-09" or "2015-09-04"
    events: int  # all events of the archive in the period

    @property
    def end_date(self) -> dt.date:
        return dt.date.fromisoformat(self.end)


@dataclasses.dataclass
class SeriesResult:
    """A series' events in each period (in the order of ``Comparison.periods``) and in all."""

    series: Series
    total: int
    counts: list[int]

    def shares(self, periods: list[Period]) -> list[float]:
        """Each count as a share of all the archive's events in its period."""
        return [
            count / period.events if period.events else 0.0
            for count, period in zip(self.counts, periods, strict=False)
        ]


@dataclasses.dataclass
class Comparison:
    """Series over one time axis; empty until there are at least two series."""

    request: CompareRequest
    unit: str  # "year", "month" or "day"
    periods: list[Period]
    results: list[SeriesResult]
    messages: list[str]

    def to_json(self) -> dict:
        """``/api/compare``."""
        return {
            "unit": self.unit,
            "periods": [dataclasses.asdict(period) for period in self.periods],
            "series": [
                {
                    "label": result.series.label,
                    "query": result.series.text,
                    "tag": result.series.tag,
                    "total": result.total,
                    "counts": result.counts,
                    "shares": [round(share, 6) for share in result.shares(self.periods)],
                }
                for result in self.results
            ],
            "messages": self.messages,
        }


def _param(name: str) -> Param:
    return next(param for param in request_params() if param.name == name)


def compare_request(args: Args) -> tuple[CompareRequest, list[str]]:
    """The comparison URL parameters ask for (``q`` and ``tags`` repeated, ``from``, ``to``), and what was
    wrong with them. Read by the search parameters' own rules; never raises."""
    messages: list[str] = []
    texts = [normalise_query_text(text, messages) for text in args.get("q", ())]
    tags = _param(TAG_FACET).read(_param(TAG_FACET).given(args), messages)
    series = list(dict.fromkeys([*(Series(text=t) for t in texts if t), *(Series(tag=t) for t in tags)]))
    if len(series) > MAX_COMPARE_SERIES:
        messages.append(f"Only the first {MAX_COMPARE_SERIES} queries and tags were compared.")
        series = series[:MAX_COMPARE_SERIES]
    dates = [_param(name).read(_param(name).given(args), messages) for name in ("from", "to")]
    if dates[0] and dates[1] and dates[0] > dates[1]:
        dates.reverse()
        messages.append("The dates were reversed; they were swapped.")
    return CompareRequest(tuple(series), *dates), messages


def compare(index: SearchIndex, request: CompareRequest, messages: list[str] | None = None) -> Comparison:
    """Each series' events per period, over the span of them all (or the dates asked for)."""
    messages = list(messages or [])
    if len(request.series) < MIN_COMPARE_SERIES:
        messages.append(f"Give {MIN_COMPARE_SERIES} to {MAX_COMPARE_SERIES} queries or tags to compare.")
        return Comparison(request, "year", [], [], messages)
    pages = [index.search(series.request(request.date_from, request.date_to)) for series in request.series]
    for series, page in zip(request.series, pages, strict=True):
        messages += [f"{series.label}: {message}" for message in page.messages]
    found = [page for page in pages if page.total]
    if not found:
        return Comparison(request, "year", [], [_empty(s) for s in request.series], messages)
    first = request.date_from or min(dt.date.fromisoformat(page.first) for page in found)
    last = request.date_to or max(dt.date.fromisoformat(page.last) for page in found)
    unit = timeline_unit(first, last)
    # Whole periods, unless dates were asked for: a share of a whole year, not of its last week.
    first = request.date_from or _truncate(first, unit)
    last = request.date_to or _period(unit, _truncate(last, unit), 0).end_date
    _, tallies = index.archive()
    starts, events = tallies.events_per(unit, first, last)
    periods = [_period(unit, start, int(count)) for start, count in zip(starts, events, strict=True)]
    slots = {period.start: i for i, period in enumerate(periods)}
    results = [
        SeriesResult(series, page.total, _spread(page.timeline, unit, slots))
        for series, page in zip(request.series, pages, strict=True)
    ]
    return Comparison(request, unit, periods, results, messages)


def _spread(buckets: list[Bucket], unit: str, slots: dict[str, int]) -> list[int]:
    """A series' timeline (in its own unit, never coarser than ``unit``) summed into the periods."""
    counts = [0] * len(slots)
    for bucket in buckets:
        slot = slots.get(_truncate(dt.date.fromisoformat(bucket.start), unit).isoformat())
        if slot is not None:
            counts[slot] += bucket.count
    return counts


def _truncate(day: dt.date, unit: str) -> dt.date:
    return day if unit == "day" else day.replace(day=1) if unit == "month" else day.replace(month=1, day=1)


def _period(unit: str, start: dt.date, events: int) -> Period:
    following = (
        start + dt.timedelta(days=1)
        if unit == "day"
        else dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        if unit == "month"
        else dt.date(start.year + 1, 1, 1)
    )
    label = (
        start.isoformat()
        if unit == "day"
        else start.strftime("%Y-%m")
        if unit == "month"
        else str(start.year)
    )
    return Period(start.isoformat(), (following - dt.timedelta(days=1)).isoformat(), label, events)


def _empty(series: Series) -> SeriesResult:
    return SeriesResult(series, 0, [])
