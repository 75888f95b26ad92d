"""Serve the app with gunicorn's sync workers, for the public behind nginx (deploy/nginx/).

Why sync workers. A search is pure Python, so a process uses one core whatever
its thread count: worker processes are what make a second core answer, and
threads add little. And the sync worker is the one whose ``timeout`` is a
request timeout: it stops beating while it serves a request, so the master
stops a request that runs past ``timeout`` seconds. The threaded worker
(gthread) beats from its main thread while a request thread runs, so a search
that ran 97 s was never stopped (gunicorn issues #1493, #2086).

The price: a sync worker waits on a client that sends its request a byte at a
time, so slow clients can hold every worker. gunicorn is made to sit behind a
proxy that buffers whole requests and responses; deploy/nginx/ is ours.

Each worker opens the index itself on its first request and follows reindexes
on its own.

Expensive searches take turns: one still running after ``CHEAP_SECONDS`` goes on
only while it holds one of the slots the workers share, one per core but one
(``search/slots.py``), so four hostile queries at once leave a core to the rest.

A worker tells gunicorn it is alive by touching a file; a streamed export
(``webui/exports.py``) does so after each run of rows it sends, so the timeout
stops an export only when one run stalls, never because a whole export of a
million events takes time.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

from search.slots import default_count, server_slots

from . import RequestTimedOut, create_app
from .exports import PROGRESS

# Request-head limits, in bytes (gunicorn's maximum for the line; a 1,000-character Latin query fits)
# and in header lines (browsers send about 15).
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELDS = 50
LIMIT_REQUEST_FIELD_SIZE = 8190


class Server(BaseApplication):
    """gunicorn, configured from Python instead of a command line."""

    def __init__(self, load_app: Callable[[], Flask], options: dict) -> None:
        self.load_app = load_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.load_app()


def tell_progress(worker) -> None:
    """gunicorn's ``post_worker_init`` hook: requests may say they progress (``environ[PROGRESS]``)."""
    app = worker.wsgi

    def app_with_progress(environ, start_response):
        environ[PROGRESS] = worker.notify
        return app(environ, start_response)

    worker.wsgi = app_with_progress


def note_request(worker, req) -> None:
    """gunicorn's ``pre_request`` hook: remember the request being served, in case it has to be stopped."""
    worker.eventsearch_request = f"{req.method} {req.uri}"


def forget_request(worker, req, environ, resp) -> None:
    """gunicorn's ``post_request`` hook: no request is being served."""
    worker.eventsearch_request = None


def stop_request(worker) -> None:
    """gunicorn's ``worker_abort`` hook: the master found this worker's request running past the timeout.

    gunicorn would ``sys.exit`` in the middle of the request and answer a bare 500. Raising instead lets
    the app answer 503 with its own page; the worker exits after that response (gunicorn has set
    ``worker.alive`` to False), and the master kills it if it is not gone within a second or two.
    """
    request = getattr(worker, "eventsearch_request", None)
    if request is None:  # between requests (one had just ended): gunicorn ends the worker as usual
        return
    worker.log.error("Stopped after %s s, worker replaced: %.300s", worker.cfg.timeout, request)
    raise RequestTimedOut(worker.cfg.timeout)


def gunicorn_options(bind: str, workers: int, timeout: int) -> dict:
    """The server's settings: sync workers, a request timeout that fires, bounded request heads.

    ``timeout``: seconds a request may run before its worker stops it, answers 503 and is replaced
    (``eventsearch serve --timeout``).
    """
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": "sync",
        "timeout": timeout,
        "graceful_timeout": timeout,
        "pre_request": note_request,
        "post_request": forget_request,
        "worker_abort": stop_request,
        "post_worker_init": tell_progress,
        # The app is imported once, before the workers fork: a worker replaced after a timeout is
        # ready at once (the index is still opened by each worker, on its first request).
        "preload_app": True,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "eventsearch",
    }


def serve(index_dir: str, bind: str, workers: int, timeout: int) -> None:
    """Run the server until interrupted; ``bind`` is ``HOST:PORT`` or ``unix:PATH``.

    Its workers share the slots that expensive searches take turns on (``search/slots.py``).
    """
    with server_slots(default_count()):
        Server(lambda: create_app({"INDEX_DIR": index_dir}), gunicorn_options(bind, workers, timeout)).run()
