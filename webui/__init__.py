"""The web UI and JSON API of eventsearch: ``create_app`` builds the Flask app (``flask --app webui run``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.config import DEFAULT_INDEX_DIR, ENV_INDEX_DIR
from search.store import NoIndex, OutdatedIndex

from . import api, event_pages, explore_pages, search_pages
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


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app, reading INDEX_DIR from the test config, else $EVENTSEARCH_INDEX_DIR, else ``index``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(INDEX_DIR=os.environ.get(ENV_INDEX_DIR, DEFAULT_INDEX_DIR))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    for blueprint in (search_pages.bp, event_pages.bp, explore_pages.bp, api.bp):
        app.register_blueprint(blueprint)
    app.add_template_filter(event_pages.long_date)
    app.add_template_filter(language_name)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(NoIndex, no_index)
    app.register_error_handler(InternalServerError, server_error)
    return app


def add_security_headers(response: Response) -> Response:
    """Every response, errors and static files included, carries the security headers."""
    response.headers.update(SECURITY_HEADERS)
    return response


def error_page(status: int, title: str, message: str) -> Response:
    """A JSON error for the API, an HTML page for people."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": title, "message": message, "status": status})
    else:
        response = make_response(render_template("error.html", status=status, title=title, message=message))
    response.status_code = status
    return response


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
