"""Every match of a search, streamed as CSV or JSON Lines: ``/search.csv`` and ``/search.jsonl``.

The rows are read run by run (``SearchIndex.every_match``) and sent as they
are made, so memory stays flat however many events match. Each run is
progress: a server that stops requests which run too long is told of each one
through the WSGI environ's PROGRESS callable (``webui/server.py``), so an
export is bounded per run rather than as a whole. An export cut short by a run
that overran its budget ends without its last chunk, so clients see it cut;
``X-Total-Count`` says how many rows to expect.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, stream_with_context, url_for

from search.export import export_chunks
from search.request import SearchRequest, params_of, request_from_args, without_page
from search.searching import TIMED_OUT

from .index import get_index
from .urls import path_with_query

bp = Blueprint("exports", __name__)
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
PROGRESS = "eventsearch.progress"  # WSGI environ key: called after each run is handed to the server


@bp.get("/search.<any(csv, jsonl):export_format>")
def export(export_format: str) -> Response:
    """Every event the URL's search matches, in its order (page and size aside), as rows."""
    search_request, _ = request_from_args(request.args.to_dict(flat=False))
    matches = get_index().every_match(without_page(search_request))
    if matches.timed_out:
        abort(503, description=TIMED_OUT)
    progress = request.environ.get(PROGRESS) or (lambda: None)

    def rows():
        try:
            for chunk in export_chunks(export_format, matches.runs):
                yield chunk.encode("utf-8")
                progress()
        finally:
            matches.close()

    response = Response(stream_with_context(rows()), content_type=MEDIA_TYPES[export_format])
    response.headers["Content-Disposition"] = f'attachment; filename="events.{export_format}"'
    response.headers["X-Total-Count"] = str(matches.total)
    return response


@bp.app_template_global()
def export_url(search_request: SearchRequest, export_format: str) -> str:
    """The export of a search's every match (its order kept; page and size do not apply)."""
    path = url_for("exports.export", export_format=export_format)
    return path_with_query(path, params_of(without_page(search_request)))
