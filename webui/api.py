"""The JSON API: the same search as the search page, as ``eventsearch search --json`` prints it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .index import search_args

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    """The result page for the URL's parameters; bad ones are fixed or dropped, said in ``messages``."""
    return jsonify(search_args(request.args.to_dict(flat=False)).to_json())
