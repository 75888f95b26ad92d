"""Serve the app with gunicorn: one worker process per core, a few threads each.

Whoosh and the page rendering are pure Python, so one process uses one core
whatever its thread count; worker processes are what make a second core answer.
Each worker opens the index itself and follows reindexes on its own.

A worker tells gunicorn it is alive by touching a file; a streamed export
(``webui/exports.py``) does so after each run of rows it sends, so a worker
whose requests gunicorn times out (its sync workers) stops an export only when
one run stalls, never because a whole export of a million events takes time.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from . import create_app
from .exports import PROGRESS


class Server(BaseApplication):
    """gunicorn, configured from Python instead of a command line."""

    def __init__(self, index_dir: str, options: dict) -> None:
        self.index_dir = index_dir
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app({"INDEX_DIR": self.index_dir})


def tell_progress(worker) -> None:
    """gunicorn's ``post_worker_init`` hook: requests may say they progress (``environ[PROGRESS]``)."""
    app = worker.wsgi

    def app_with_progress(environ, start_response):
        environ[PROGRESS] = worker.notify
        return app(environ, start_response)

    worker.wsgi = app_with_progress


def serve(index_dir: str, host: str, port: int, workers: int, threads: int) -> None:
    """Run the server until interrupted."""
    Server(
        index_dir,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 60,
            "proc_name": "eventsearch",
            "post_worker_init": tell_progress,
        },
    ).run()
