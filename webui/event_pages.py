"""One event, and one day of events."""

from __future__ import annotations

import datetime as dt
import itertools

from flask import Blueprint, abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from search.event import Event
from search.request import RequestError, parse_date

from .index import get_index
from .render import Links, archive_event_ids, render_markdown

bp = Blueprint("events", __name__)
MORE_LIKE_THIS = 5


def site_links() -> Links:
    """How rendered archive pages link to this site's events and days."""
    return Links(
        event=lambda event_id: url_for("events.event", event_id=event_id),
        day=lambda date: url_for("events.day", day=date.isoformat()),
    )


@bp.get("/event/<path:event_id>")
def event(event_id: str) -> str:
    """An event: its archive page rendered safely, its sources, tags and events like it."""
    index = get_index()
    found = index.event(event_id)
    if found is None:
        abort(404, description="There is no event with this id in the archive.")
    body = None
    if found.body:
        known = index.existing(archive_event_ids(found.body))
        body = render_markdown(found.body, known, site_links())
    similar = [other for other in index.more_like(found.id, MORE_LIKE_THIS) if other.id != found.id]
    return render_template("event.html", event=found, body=body, similar=similar)


@bp.get("/day/<day>")
def day(day: str) -> str | Response | tuple[str, int]:
    """A day's events grouped by topic, with links to the previous and next days that have events."""
    try:
        date = parse_date(day, "Day")
    except RequestError:
        date = None
    if date is None:
        abort(404, description=f"“{day[:40]}” is not a day like 2015-09-04.")
    if day != date.isoformat():  # 2015-09-4, as the archive writes it: one address per day
        return redirect(url_for("events.day", day=date.isoformat()), code=301)
    index = get_index()
    events = index.day(date)
    previous, following = index.neighbour_days(date)
    page = render_template(
        "day.html", date=date, groups=by_topic(events), previous=previous, following=following
    )
    return page if events else (page, 404)


def by_topic(events: list[Event]) -> list[tuple[str, list[Event]]]:
    """Events grouped by topic, in the order given (SearchIndex.day sorts them by topic, untopical last)."""
    return [(topic, list(group)) for topic, group in itertools.groupby(events, key=lambda e: e.topic)]


def long_date(date: dt.date | str) -> str:
    """A date as people read it: 4 September 2015."""
    date = dt.date.fromisoformat(date) if isinstance(date, str) else date
    return f"{date.day} {date:%B %Y}"
