"""The app's one SearchIndex, opened on first use, and the search every front end runs through it."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from search.request import Args
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


def search_args(args: Args) -> ResultPage:
    """Search with URL parameters; what was wrong with them is told in the page's messages."""
    return get_index().search_args(args)
