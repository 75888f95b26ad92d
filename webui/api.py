"""The JSON API: every page as JSON; a search as `eventsearch search --json` prints it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from search.compare import compare, compare_request
from search.front_page import front_page
from search.limits import MAX_FILTER_VALUE_CHARS
from search.on_this_day import on_this_day
from search.tag_page import nearest_tags, tag_page

from .explore_pages import calendar_day_of
from .index import get_index, search_args

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    """The result page for the URL's parameters; bad ones are fixed or dropped, said in ``messages``."""
    return jsonify(search_args(request.args.to_dict(flat=False)).to_json())


@bp.get("/tag/<path:tag>")
def tag(tag: str) -> Response | tuple[Response, int]:
    """A tag's page as JSON; a 404 offering the nearest tags when no event has it."""
    index = get_index()
    text = tag[:MAX_FILTER_VALUE_CHARS]
    page = tag_page(index, text, request.args.to_dict(flat=False))
    if page is None:
        nearest = [{"tag": name, "count": count} for name, count in nearest_tags(index, text)]
        message = f"No event has the tag “{text}”."
        return jsonify({"error": "Not Found", "message": message, "status": 404, "nearest": nearest}), 404
    return jsonify(page.to_json())


@bp.get("/on-this-day", defaults={"day": None})
@bp.get("/on-this-day/<day>")
def on_this_day_json(day: str | None) -> Response:
    """Every event of one day of the year (today's without a day): total, years, a page of events."""
    found = calendar_day_of(day, "api.on_this_day_json")
    if isinstance(found, Response):
        return found
    return jsonify(on_this_day(get_index(), *found, request.args.to_dict(flat=False)).to_json())


@bp.get("/compare")
def compare_json() -> Response:
    """Two to five queries or tags per period, with their shares of all events."""
    wanted, messages = compare_request(request.args.to_dict(flat=False))
    return jsonify(compare(get_index(), wanted, messages).to_json())


@bp.get("/front")
def front() -> Response:
    """The front page's figures: rising tags, biggest stories, events per month, latest day, on this day."""
    return jsonify(front_page(get_index()).to_json())
