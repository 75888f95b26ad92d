"""On this day: every event of one calendar day (4 September) in every year, newest first.

A search with ``calendar_day`` (so ``/search?calendar_day=09-04`` narrows it
further), paged, and the years that have events on that day with their
counts, from the archive's tallies of events per day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .request import Args, SearchRequest, calendar_day_text, parse_calendar_day, request_from_args
from .results import ResultPage
from .searching import SearchIndex

PAGE_SIZE = 50  # events per page: a day of the year holds a few in each year of the archive
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclasses.dataclass
class OnThisDay:
    """One day of the year across the archive: its years with their events, and a page of the events."""

    month: int
    day: int
    years: list[tuple[int, int]]  # (year, events on that day), newest first
    results: ResultPage  # the events, newest first

    @property
    def date(self) -> str:
        """MM-DD, as the URLs write it."""
        return calendar_day_text(self.month, self.day)

    @property
    def label(self) -> str:
        """The day as people say it: 4 September."""
        return calendar_day_label(self.date)

    def to_json(self) -> dict:
        """``/api/on-this-day/MM-DD``: the total, the years with their counts, and a page of events."""
        return {
            "date": self.date,
            "total": self.results.total,
            "years": [{"year": year, "count": count} for year, count in self.years],
            "page": self.results.request.page_number,
            "pages": self.results.pages,
            "hits": [hit.to_json() for hit in self.results.hits],
            "messages": self.results.messages,
        }


def calendar_day_label(text: str) -> str:
    """A day of the year ("09-04", as the request holds it) as people say it: 4 September."""
    month, day = parse_calendar_day(text)
    return f"{day} {MONTH_NAMES[month - 1]}"


def today() -> tuple[int, int]:
    """Today's month and day, on the server's clock."""
    now = dt.date.today()
    return now.month, now.day


def on_this_day(
    index: SearchIndex, month: int, day: int, args: Args, page_size: int = PAGE_SIZE
) -> OnThisDay:
    """The events of a calendar day in every year; ``args`` may give the page (and its size)."""
    paging = {name: args[name] for name in ("page", "size") if name in args}
    request, messages = request_from_args({"size": [str(page_size)], **paging})
    request = dataclasses.replace(
        request, calendar_day=calendar_day_text(month, day), sort="newest", facets=False
    )
    results = index.search(request)
    if messages:
        results = dataclasses.replace(results, messages=messages + results.messages)
    _, tallies = index.archive()
    years, counts = tallies.calendar_day(month, day)
    return OnThisDay(month, day, list(zip(years, counts, strict=True)), results)


def search_request(month: int, day: int) -> SearchRequest:
    """The same events on the search page, to narrow them further."""
    return SearchRequest(calendar_day=calendar_day_text(month, day), sort="newest")
