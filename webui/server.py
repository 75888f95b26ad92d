"""Serve the app with gunicorn: one worker process per core, a few threads each.

Whoosh and the page rendering are pure Python, so one process uses one core
whatever its thread count; worker processes are what make a second core answer.
Each worker opens the index itself and follows reindexes on its own.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from . import create_app


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
        },
    ).run()
