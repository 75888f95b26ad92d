"""The home page and the search page."""

from __future__ import annotations

import calendar

from flask import Blueprint, render_template, request, url_for

from search.front_page import front_page
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
        month_range=month_range,
        month_names=MONTH_NAMES,
        json_url=url_for("api.front"),
    )


def month_range(year: int, month: int) -> tuple[str, str]:
    """The first and last day of a month, YYYY-MM-DD."""
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


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
