"""The app's one SearchIndex, opened on first use, and the search every front end runs through it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence

from flask import Flask, current_app

from search.request import request_from_args
from search.results import ResultPage
from search.searching import SearchIndex

_EXTENSION = "eventsearch.index"
_opening = threading.Lock()


def get_index(app: Flask | None = None) -> SearchIndex:
    """The app's SearchIndex; raises ``search.store.NoIndex`` (answered with a 503) until one is built.

    It is opened lazily so the app starts (and ``flask run`` works) before an
    index exists, and kept for the app's life: SearchIndex notices a reindex
    by itself (one stat per call), so it never needs reopening here.
    """
    app = app or current_app._get_current_object()
    index = app.extensions.get(_EXTENSION)
    if index is None:
        with _opening:  # server threads: open it once, not once per thread
            index = app.extensions.get(_EXTENSION)
            if index is None:
                index = app.extensions[_EXTENSION] = SearchIndex(app.config["INDEX_DIR"])
    return index


def close_index(app: Flask) -> None:
    """Close the app's index, if it opened one (its files stay open until then)."""
    index = app.extensions.pop(_EXTENSION, None)
    if index is not None:
        index.close()


def search_args(args: Mapping[str, Sequence[str]]) -> ResultPage:
    """Search with URL parameters; what was wrong with them is told in the page's messages."""
    request, messages = request_from_args(args)
    results = get_index().search(request)
    return dataclasses.replace(results, messages=messages + results.messages) if messages else results
