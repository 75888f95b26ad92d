"""The home page and the search page."""

from __future__ import annotations

import calendar
import dataclasses

from flask import Blueprint, render_template, request, url_for

from search.front_page import Overview, Year, front_page
from search.on_this_day import MONTH_NAMES

from .event_pages import by_topic
from .index import get_index, search_args
from .search_view import search_view
from .urls import path_with_query

bp = Blueprint("search", __name__)


@bp.get("/")
def home() -> str:
    """The front page: a search box, what is going on, the biggest stories, the archive by month,
    the latest day and today's on-this-day."""
    page = front_page(get_index())
    return render_template(
        "home.html",
        page=page,
        overview=page.overview,
        groups=by_topic(page.latest),
        browse=browse_rows(page.overview),
        json_url=url_for("api.front"),
    )


@dataclasses.dataclass(frozen=True)
class MonthCell:
    """One month of the front page's browsing: its events, and the search of its dates (None: no events)."""

    name: str  # "Jan"
    count: str  # "1,204"
    url: str | None
    label: str  # "January 2015: 1,204 events"


@dataclasses.dataclass(frozen=True)
class YearRow:
    year: int
    count: str
    url: str
    months: list[MonthCell]


_browsed: list = [None, []]  # (the overview, its rows): they change only when the index does


def browse_rows(overview: Overview) -> list[YearRow]:
    """The archive by year and month, every count a link to its dates (made once per overview: a few
    hundred links cost more to build than the rest of the page)."""
    if _browsed[0] is not overview:
        search = url_for("search.search")
        _browsed[:] = [overview, [_year_row(search, year) for year in overview.years]]
    return _browsed[1]


def _year_row(search: str, year: Year) -> YearRow:
    months = []
    for number, count in enumerate(year.months, start=1):
        last = calendar.monthrange(year.year, number)[1]
        dates = [
            ("from", f"{year.year:04d}-{number:02d}-01"),
            ("to", f"{year.year:04d}-{number:02d}-{last:02d}"),
        ]
        name = MONTH_NAMES[number - 1]
        months.append(
            MonthCell(
                name[:3],
                f"{count:,}",
                path_with_query(search, dates) if count else None,
                f"{name} {year.year}: {count:,} events",
            )
        )
    url = path_with_query(search, [("from", f"{year.year:04d}-01-01"), ("to", f"{year.year:04d}-12-31")])
    return YearRow(year.year, f"{year.count:,}", url, months)


@bp.get("/search")
def search() -> str:
    """Results, facets and timeline for the query and filters in the URL."""
    results = search_args(request.args.to_dict(flat=False))
    view = search_view(results, request.path)
    return render_template(
        "search.html",
        results=results,
        search_request=results.request,
        view=view,
        json_url=path_with_query(url_for("api.search"), view.params),
    )
