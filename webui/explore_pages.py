"""Pages that open the archive beyond one search: a tag's page, on this day, stories compared over time."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from search.compare import compare, compare_request
from search.facet_table import TAG_FACET
from search.limits import MAX_COMPARE_SERIES, MAX_FILTER_VALUE_CHARS
from search.on_this_day import PAGE_SIZE, calendar_day_label, on_this_day, search_request, today
from search.request import RequestError, calendar_day_text, params_of, parse_calendar_day
from search.tag_page import nearest_tags, tag_name, tag_page

from .compare_chart import MEASURES, chart, percent
from .index import get_index
from .search_view import pagination, search_view
from .urls import path_with_query, path_with_replaced_args

bp = Blueprint("explore", __name__)
bp.add_app_template_filter(calendar_day_label)


@bp.app_template_filter("thousands")
def thousands(number: int) -> str:
    """A count as people read it: 12,345."""
    return f"{number:,}"


@bp.get("/tag/<path:tag>")
def tag(tag: str) -> str | Response | tuple[str, int]:
    """A tag over the whole archive: its timeline, its events (searchable), the tags standing out with it."""
    index = get_index()
    name = tag_name(index, tag[:MAX_FILTER_VALUE_CHARS])
    if name is None:
        nearest = nearest_tags(index, tag[:MAX_FILTER_VALUE_CHARS])
        return render_template("tag_missing.html", tag=tag[:MAX_FILTER_VALUE_CHARS], nearest=nearest), 404
    if name != tag:  # /tag/syria: one address per tag, as the archive spells it
        return redirect(path_with_query(url_for("explore.tag", tag=name), _args()), code=301)
    page = tag_page(index, name, request.args.to_dict(flat=False))
    path = url_for("explore.tag", tag=name)
    view = search_view(page.results, path, fixed={TAG_FACET: name})
    return render_template(
        "tag.html",
        page=page,
        results=page.results,
        search_request=page.results.request,
        view=view,
        json_url=path_with_query(url_for("api.tag", tag=name), view.params),
    )


def _args() -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.args.lists() for value in values]


def calendar_day_of(day: str | None, endpoint: str) -> tuple[int, int] | Response:
    """The month and day of an on-this-day address (today without one), a redirect to its canonical
    spelling (9-4 to 09-04), or a 404 for a day no year has (02-30, 13-01)."""
    if day is None:
        return today()
    try:
        month, number = parse_calendar_day(day)
    except RequestError as error:
        abort(404, description=f"{error}.")
    if day != calendar_day_text(month, number):
        return redirect(
            path_with_query(url_for(endpoint, day=calendar_day_text(month, number)), _args()), 301
        )
    return month, number


@bp.get("/on-this-day", defaults={"day": None})
@bp.get("/on-this-day/<day>")
def on_this_day_page(day: str | None) -> str | Response:
    """Every event of one day of the year, in every year, newest first (today's without a day)."""
    found = calendar_day_of(day, "explore.on_this_day_page")
    if isinstance(found, Response):
        return found
    month, number = found
    page = on_this_day(get_index(), month, number, request.args.to_dict(flat=False))
    path = url_for("explore.on_this_day_page", day=page.date)
    size = page.results.request.page_size
    view = {"pagination": pagination(page.results, path, [("size", str(size))] if size != PAGE_SIZE else [])}
    search_url = path_with_query(url_for("search.search"), params_of(search_request(month, number)))
    return render_template(
        "on_this_day.html",
        page=page,
        results=page.results,
        view=view,
        search_url=search_url,
        json_url=url_for("api.on_this_day_json", day=page.date),
        neighbours=_neighbours(month, number),
    )


def _neighbours(month: int, day: int) -> list[tuple[str, str]]:
    """The days of the year before and after (29 February included), as (rel, MM-DD)."""
    this = dt.date(2000, month, day)  # a leap year has every day of the year
    before = this - dt.timedelta(days=1) if (month, day) != (1, 1) else dt.date(2000, 12, 31)
    after = this + dt.timedelta(days=1) if (month, day) != (12, 31) else dt.date(2000, 1, 1)
    return [
        ("prev", calendar_day_text(before.month, before.day)),
        ("next", calendar_day_text(after.month, after.day)),
    ]


@bp.get("/compare")
def compare_page() -> str:
    """Two to five queries or tags drawn on one time axis, with a table of the same figures."""
    args = request.args.to_dict(flat=False)
    wanted, messages = compare_request(args)
    comparison = compare(get_index(), wanted, messages)
    measure = request.args.get("measure", "count")
    measure = measure if measure in MEASURES else "count"
    params = wanted.params() + ([("measure", measure)] if measure != "count" else [])
    fields = [series.param() for series in wanted.series]
    fields += [("q", "")] * max(0, min(MAX_COMPARE_SERIES, max(2, len(fields) + 1)) - len(fields))
    return render_template(
        "compare.html",
        comparison=comparison,
        wanted=wanted,
        fields=fields,
        chart=chart(comparison, measure) if comparison.periods else None,
        measure_urls={
            name: path_with_replaced_args(
                url_for("explore.compare_page"), params, {"measure": None if name == "count" else name}
            )
            for name in MEASURES
        },
        measure=measure,
        percent=percent,
        json_url=path_with_query(url_for("api.compare_json"), wanted.params()),
    )
