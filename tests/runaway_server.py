"""The real server with webui.server's settings, over the real app plus one request that never ends.

Run by test_serving.py: ``python -m tests.runaway_server INDEX_DIR PORT TIMEOUT``. The extra
route spins in pure Python, as a search whose cost nothing bounded would.
"""

from __future__ import annotations

import sys

from webui import create_app
from webui.server import Server, gunicorn_options


def load_app():
    app = create_app({"INDEX_DIR": sys.argv[1]})

    @app.get("/runaway")
    @app.get("/api/runaway")
    def runaway() -> str:
        while True:
            pass

    return app


if __name__ == "__main__":
    Server(load_app, gunicorn_options(f"127.0.0.1:{sys.argv[2]}", workers=2, timeout=int(sys.argv[3]))).run()
