"""Atom feeds: of any search (``/search.atom``) and of a saved search (``/saved/NAME.atom``).

A feed is the newest matches of a search, whatever order or page the search
page shows: feed readers poll its head. Every search page links its feed
(``_feed.html``); ``feed_url`` gives the link for any SearchRequest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urljoin, urlsplit

from flask import Blueprint, Response, abort, request, url_for

from search.request import SearchRequest, params_of, request_from_args, without_page
from search.results import Hit
from search.saved import SavedSearchError, SavedSearches
from search.searching import SearchIndex

from .atom import MEDIA_TYPE, Entry, Feed, Link, atom_document
from .facets import chips
from .index import get_index
from .urls import path_with_query

bp = Blueprint("feeds", __name__)
FEED_ENTRIES = 50  # the newest matches a feed lists
SITE_NAME = "Event archive"


@bp.get("/search.atom")
def search_feed() -> Response:
    """The newest events matching the URL's search, as an Atom feed."""
    search_request, _ = request_from_args(request.args.to_dict(flat=False))
    return feed_response(search_request, feed_title(search_request), feed_url(search_request))


@bp.get("/saved/<name>.atom")
def saved_feed(name: str) -> Response:
    """The newest events matching a saved search (``eventsearch saved add``), as an Atom feed."""
    index = get_index()
    try:
        saved = SavedSearches(index.store.root).get(name)
    except SavedSearchError:
        abort(503, description="The saved searches cannot be read just now.")
    if saved is None:
        abort(404, description="There is no saved search of this name.")
    search_request = saved.request()
    title = f"Saved search {name}: {describe(search_request)} · {SITE_NAME}"
    return feed_response(search_request, title, url_for("feeds.saved_feed", name=name))


@bp.app_template_global()
def feed_url(search_request: SearchRequest) -> str:
    """The feed of a search: its query, facets and dates (a page's order, page and size do not apply)."""
    return path_with_query(url_for("feeds.search_feed"), params_of(without_page(search_request, False)))


@bp.app_template_global()
def feed_title(search_request: SearchRequest) -> str:
    return f"{describe(search_request)} · {SITE_NAME}"


def describe(search_request: SearchRequest) -> str:
    """A search in words, as its chips show it: “syria” · Tag: Russia · From: 2015-01-01."""
    parts = [f"“{search_request.text}”"] if search_request.text else []
    parts += [f"{chip.label}: {chip.value}" for chip in chips(without_page(search_request), "", [])]
    return " · ".join(parts) or "All events"


def feed_response(search_request: SearchRequest, title: str, feed_path: str) -> Response:
    """The feed of a search's newest matches; ``feed_path`` is its own address (and its id)."""
    index = get_index()
    newest = dataclasses.replace(
        without_page(search_request, keep_order=False), sort="newest", page_size=FEED_ENTRIES, facets=False
    )
    results = index.search(newest)
    page = path_with_query(url_for("search.search"), params_of(without_page(search_request, False)))
    entries = [entry_of(hit) for hit in results.hits]
    feed = Feed(
        id=absolute(feed_path),
        title=title,
        updated=max((entry.updated for entry in entries), default=None) or last_change(index),
        author=SITE_NAME,
        links=[Link(absolute(feed_path), "self", MEDIA_TYPE), Link(absolute(page), "alternate", "text/html")],
        entries=entries,
    )
    response = Response(atom_document(feed), mimetype=MEDIA_TYPE)
    response.add_etag()
    return response.make_conditional(request)


def entry_of(hit: Hit) -> Entry:
    """An event as a feed entry: its page, its date, its summary, its tags and its sources."""
    url = url_for("events.event", event_id=hit.id, _external=True)
    day = dt.datetime.combine(dt.date.fromisoformat(hit.date), dt.time(), dt.UTC)
    sources = [Link(s.url, "related", title=s.name or s.domain) for s in hit.sources if is_web_url(s.url)]
    return Entry(
        id=url,
        title=hit.headline,
        updated=day,
        published=day,
        summary=hit.summary or hit.headline,
        links=[Link(url, "alternate", "text/html"), *sources],
        categories=list(hit.tags),
        language="" if hit.language == "en" else hit.language,
    )


def is_web_url(url: str) -> bool:
    """An http(s) link with a host: the only source links a feed passes on (archive text is untrusted)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def absolute(path: str) -> str:
    return urljoin(request.host_url, path)


def last_change(index: SearchIndex) -> dt.datetime:
    """When the index last changed (a feed with no entry is as new as that)."""
    manifest = index.store.manifest()
    stamp = manifest.get("updated_at") or manifest.get("built_at")
    return dt.datetime.fromisoformat(stamp) if stamp else dt.datetime.now(dt.UTC)
