"""The front page: what opens the archive to someone who has no query yet.

What is going on at the archive's newest end (the tags that rose most in its
last 30 days against the year before, scored as significance is), the biggest
stories of all time, the events per year and month to browse, the latest day,
and today's "on this day". Everything but the latest day and on-this-day is
the same for every visitor until the index changes: it is computed once per
opened index, from the tallies and columns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from .columns import Columns, day_number
from .event import Event
from .facet_table import TAG_FACET
from .facets import name_order, value_counts
from .on_this_day import OnThisDay, on_this_day, today
from .results import SignificantValue
from .searching import SearchIndex
from .significance import significant
from .tallies import Tallies

RECENT_DAYS = 30  # "what is going on": the archive's last 30 days...
BASELINE_DAYS = 365  # ...against the year before them
RISING = 12
BIGGEST = 12
ON_THIS_DAY_EVENTS = 6


@dataclasses.dataclass
class Story:
    """A tag among the archive's biggest: its events, and its first and last month."""

    tag: str
    count: int
    first: str  # YYYY-MM
    last: str

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Year:
    """One year of the archive: its events, and its events per month (1-12; 0 where none)."""

    year: int
    count: int
    months: list[int]

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Overview:
    """The query-independent part of the front page."""

    events: int
    first: dt.date | None
    last: dt.date | None
    rising: list[SignificantValue]
    recent_from: dt.date | None  # the window the rising tags are counted in
    biggest: list[Story]
    years: list[Year]  # newest first


@dataclasses.dataclass
class FrontPage:
    """The front page: the overview, the latest day's events and today's on-this-day."""

    overview: Overview
    latest: list[Event]
    on_this_day: OnThisDay

    def to_json(self) -> dict:
        """``/api/front``."""
        overview = self.overview
        return {
            "events": overview.events,
            "first": overview.first.isoformat() if overview.first else None,
            "last": overview.last.isoformat() if overview.last else None,
            "rising": {
                "from": overview.recent_from.isoformat() if overview.recent_from else None,
                "tags": [value.to_json() for value in overview.rising],
            },
            "biggest": [story.to_json() for story in overview.biggest],
            "years": [year.to_json() for year in overview.years],
            "latest": {
                "date": overview.last.isoformat() if overview.last else None,
                "events": [{"id": e.id, "headline": e.headline, "topic": e.topic} for e in self.latest],
            },
            "on_this_day": self.on_this_day.to_json(),
        }


def front_page(index: SearchIndex) -> FrontPage:
    """The front page of the live index."""
    columns, tallies = index.archive()
    overview = tallies.memo.get("overview")
    if overview is None:  # the same for every visitor until the index changes
        overview = tallies.memo["overview"] = make_overview(columns, tallies)
    latest = index.day(overview.last) if overview.last else []
    return FrontPage(overview, latest, on_this_day(index, *today(), {}, page_size=ON_THIS_DAY_EVENTS))


def make_overview(columns: Columns, tallies: Tallies) -> Overview:
    """Rising tags, biggest stories and events per month, from a pair of columns and tallies."""
    span = tallies.span
    if span is None:
        return Overview(0, None, None, [], None, [], [])
    first, last = span
    recent_from = last - dt.timedelta(days=RECENT_DAYS - 1)
    return Overview(
        events=tallies.events,
        first=first,
        last=last,
        rising=rising_tags(columns, recent_from, recent_from - dt.timedelta(days=BASELINE_DAYS)),
        recent_from=recent_from,
        biggest=biggest_stories(columns, tallies),
        years=years_of(tallies, first, last),
    )


def rising_tags(columns: Columns, recent_from: dt.date, baseline_from: dt.date) -> list[SignificantValue]:
    """The tags most significant in the events since ``recent_from`` against those since ``baseline_from``."""
    window = columns.live & (columns.days >= day_number(baseline_from))
    recent = window & (columns.days >= day_number(recent_from))
    fg, bg = value_counts(columns, recent, TAG_FACET), value_counts(columns, window, TAG_FACET)
    fg_size, bg_size = int(recent.sum()), int(window.sum())
    if not fg_size or fg_size == bg_size:
        return []
    ids, scores = significant(fg, fg_size, bg, bg_size, RISING, name_order(columns, TAG_FACET))
    vocab = columns.vocab[TAG_FACET]
    return [
        SignificantValue(vocab[i], int(fg[i]), int(bg[i]), float(score))
        for i, score in zip(ids, scores, strict=True)
    ]


def biggest_stories(columns: Columns, tallies: Tallies, limit: int = BIGGEST) -> list[Story]:
    """The tags with the most events, with the months they span."""
    totals = tallies.tag_totals
    top = np.lexsort((name_order(columns, TAG_FACET)[: len(totals)], -totals))[:limit]
    stories = []
    for tag_id in top:
        if not totals[tag_id]:
            break
        months, _ = tallies.months_of(int(tag_id))
        stories.append(
            Story(
                columns.vocab[TAG_FACET][tag_id],
                int(totals[tag_id]),
                _month_text(months[0]),
                _month_text(months[-1]),
            )
        )
    return stories


def years_of(tallies: Tallies, first: dt.date, last: dt.date) -> list[Year]:
    """The archive's events per year and month, newest year first."""
    starts, counts = tallies.events_per("month", first, last)
    years: dict[int, Year] = {}
    for start, count in zip(starts, counts, strict=True):
        year = years.setdefault(start.year, Year(start.year, 0, [0] * 12))
        year.months[start.month - 1] = int(count)
        year.count += int(count)
    return sorted(years.values(), key=lambda year: -year.year)


def _month_text(month: int) -> str:
    """Months since January 1970 as YYYY-MM."""
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"
