"""The web UI and JSON API of eventsearch: ``create_app`` builds the Flask app (``flask --app webui run``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.config import DEFAULT_INDEX_DIR, ENV_INDEX_DIR
from search.store import NoIndex, OutdatedIndex

from . import api, event_pages, explore_pages, exports, feeds, search_pages
from .facets import language_name

# No inline script or style anywhere, so the policy can forbid both: a script
# smuggled into the archive cannot run even if the sanitiser let it through.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Outlets need not learn what a journalist was researching when they follow a source link.
    "Referrer-Policy": "no-referrer",
}

# A Host header is a host name, an IPv4 address or a bracketed IPv6 address, and maybe a port (RFC 9110 7.2,
# RFC 3986 3.2.2), at most 255 characters in all. Anything else (spaces, non-ASCII bytes, an unclosed
# bracket, an empty value, a 10 KB name) is a client error; Werkzeug would only refuse some of them.
HOST_HEADER = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{1,5})?")
MAX_HOST_CHARS = 255


class RequestTimedOut(Exception):
    """The server stopped a request that ran past its time limit (raised into it by ``webui.server``)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"The request ran past {seconds:g} s and was stopped.")
        self.seconds = seconds


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app, reading INDEX_DIR from the test config, else $EVENTSEARCH_INDEX_DIR, else ``index``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(INDEX_DIR=os.environ.get(ENV_INDEX_DIR, DEFAULT_INDEX_DIR))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    for blueprint in (search_pages.bp, event_pages.bp, explore_pages.bp, api.bp, feeds.bp, exports.bp):
        app.register_blueprint(blueprint)
    app.add_template_filter(event_pages.long_date)
    app.add_template_filter(language_name)
    app.before_request(reject_bad_host)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(NoIndex, no_index)
    app.register_error_handler(InternalServerError, server_error)
    app.register_error_handler(RequestTimedOut, timed_out)
    return app


def add_security_headers(response: Response) -> Response:
    """Every response, errors and static files included, carries the security headers."""
    response.headers.update(SECURITY_HEADERS)
    return response


def reject_bad_host() -> None:
    """A request whose Host header is not a host (and port) is answered 400 before any view runs.

    Without a Host header (HTTP/1.0) the server's own name is used, which is fine.
    """
    host = request.environ.get("HTTP_HOST")
    if host is not None and (len(host) > MAX_HOST_CHARS or not HOST_HEADER.fullmatch(host)):
        abort(400, "The request's Host header is not a host name.")


def error_page(status: int, title: str, message: str) -> Response:
    """A JSON error for the API, an HTML page for people; neither depends on this request's routing."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": title, "message": message, "status": status})
    else:
        page = render_template("error.html", status=status, title=title, message=message, url_for=path_for)
        response = make_response(page)
    response.status_code = status
    return response


def path_for(endpoint: str, **values: Any) -> str:
    """The path of an endpoint, built without this request's URL adapter (the error page's ``url_for``).

    Flask binds a request's adapter to its Host header, and when Werkzeug cannot (a label over 63
    characters, ``a..b``) the request has no adapter and ``url_for`` fails: the page saying "400" would
    be a 500. The links are paths, so any valid host builds the same ones.
    """
    adapter = current_app.url_map.bind("localhost", script_name=request.script_root or "/")
    return adapter.build(endpoint, values)


def http_error(error: HTTPException) -> Response | HTTPException:
    """404, 405 and the like as our own page (redirects pass through)."""
    if error.code is None or error.code < 400:
        return error
    response = error_page(error.code, error.name, error.description or "")
    # 405 must still say which methods are allowed.
    response.headers.extend((name, value) for name, value in error.get_headers() if name == "Allow")
    return response


def no_index(error: NoIndex) -> Response:
    """Before the first `eventsearch index` (or after an upgrade) there is nothing to search: say so."""
    if isinstance(error, OutdatedIndex):
        return error_page(
            503,
            "Index needs a rebuild",
            "The index was built by another version of eventsearch. "
            "Rebuild it with `eventsearch index CONTENT_DIR`.",
        )
    return error_page(
        503, "No index yet", "The archive has not been indexed yet. Run `eventsearch index CONTENT_DIR`."
    )


def server_error(error: InternalServerError) -> Response:
    """An unexpected error: a calm page, and the details only in the server log."""
    return error_page(
        500, "Something went wrong", "The server could not answer this request. Please try again."
    )


def timed_out(error: RequestTimedOut) -> Response:
    """A request the server stopped: say so, and that a simpler search will answer."""
    return error_page(
        503,
        "This request took too long",
        f"The server stopped it after {error.seconds:g} seconds. Try a shorter or simpler search.",
    )
