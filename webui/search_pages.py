"""The home page and the search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from search.request import SearchRequest

from .event_pages import by_topic
from .index import get_index, search_args
from .search_view import search_view

bp = Blueprint("search", __name__)


@bp.get("/")
def home() -> str:
    """The latest day's events, the span of the archive and a search box."""
    index = get_index()
    span = index.span()
    groups = by_topic(index.day(span[1])) if span else []
    total = index.search(SearchRequest(page_size=1)).total
    return render_template("home.html", span=span, groups=groups, total=total)


@bp.get("/search")
def search() -> str:
    """Results, facets and timeline for the query and filters in the URL."""
    results = search_args(request.args.to_dict(flat=False))
    return render_template(
        "search.html",
        results=results,
        search_request=results.request,
        view=search_view(results, request.path),
    )
