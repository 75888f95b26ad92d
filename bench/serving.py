"""The real server, run the documented ways, for `python -m bench.hostile` and the serving tests.

`eventsearch serve` (gunicorn) in a subprocess, alone or with nginx in front running the
shipped configuration (deploy/nginx/), on loopback ports; and slow clients that trickle a
request head. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
NGINX_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "nginx"
LOOPBACK = "127.0.0.1"


@dataclasses.dataclass
class Served:
    """A running server: where to send requests, and the process to watch (gunicorn's master)."""

    url: str
    pid: int


def free_port() -> int:
    """A loopback port nobody listens on (for the next few seconds)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until ``url`` answers (any status), failing early when the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        if fetch(url, timeout=5).status is not None:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server for {url} did not answer within {seconds} s")


@contextlib.contextmanager
def gunicorn(
    index_dir: Path, *serve_args: str, socket_path: Path | None = None, memory_limit_mib: int | None = None
) -> Iterator[Served]:
    """`eventsearch serve` on a free loopback port (or ``socket_path``) until the block ends.

    ``memory_limit_mib`` caps the address space of each of its processes (a request that would
    need more fails with MemoryError), so a runaway cannot exhaust a shared machine.
    """
    port = free_port()
    where = ["--socket", str(socket_path)] if socket_path else ["--host", LOOPBACK, "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index-dir", str(index_dir), *where, *serve_args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so stopping it stops every worker
        preexec_fn=(lambda: _limit_memory(memory_limit_mib)) if memory_limit_mib else None,
    )
    url = f"unix:{socket_path}" if socket_path else f"http://{LOOPBACK}:{port}"
    try:
        if socket_path is None:
            wait_until_up(url + "/static/favicon.svg", process)
        else:
            _wait_for_socket(socket_path, process)
        yield Served(url, process.pid)
    finally:
        stop_process(process)


def _limit_memory(mib: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mib * 2**20, mib * 2**20))


def upstream_of(served: Served) -> str:
    """The served address as nginx's ``upstream`` names it (``127.0.0.1:PORT`` or ``unix:PATH``)."""
    return served.url.removeprefix("http://")


def render_nginx_config(directory: Path, listen: str, upstream: str, server_name: str = "localhost") -> Path:
    """deploy/nginx/ with its ${...} filled in, written to ``directory``; returns the main file."""
    values = {"LISTEN": listen, "UPSTREAM": upstream, "SERVER_NAME": server_name}
    for template in NGINX_CONFIG.glob("*.conf"):
        text = string.Template(template.read_text()).safe_substitute(values)
        if "${" in text:
            raise ValueError(f"{template} has a placeholder other than {', '.join(values)}")
        (directory / template.name).write_text(text)
    return directory / "standalone.conf"


@contextlib.contextmanager
def nginx(upstream: str) -> Iterator[Served]:
    """nginx running the shipped config on a free loopback port in front of ``upstream``."""
    if not NGINX.exists():
        raise RuntimeError(f"{NGINX} is not installed (apt-get install nginx)")
    # Its own directory, readable by the unprivileged user nginx's workers run as when started as root.
    prefix = Path(tempfile.mkdtemp(prefix="eventsearch-nginx-"))
    prefix.chmod(0o755)
    port = free_port()
    config = render_nginx_config(prefix, f"{LOOPBACK}:{port}", upstream)
    process = subprocess.Popen(
        [str(NGINX), "-e", "stderr", "-p", f"{prefix}/", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_up(url + "/static/favicon.svg", process)
        yield Served(url, process.pid)
    finally:
        stop_process(process)
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_for_socket(path: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on {path} exited with {process.returncode}")
        with socket.socket(socket.AF_UNIX) as sock:
            try:
                sock.connect(str(path))
                return
            except OSError:
                time.sleep(0.2)
    raise RuntimeError(f"the server on {path} did not listen within {seconds} s")


def stop_process(process: subprocess.Popen, seconds: float = 10) -> None:
    """SIGTERM (gunicorn and nginx both stop on it), then SIGKILL to its whole process group.

    A worker busy with a runaway request would outlive a master that stopped waiting for it.
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class SlowClients:
    """``count`` connections that each send one byte every ``interval`` seconds, never finishing.

    Half trickle a request head; the other half send a whole head announcing a body and trickle
    the body (what request buffering must absorb). A connection the server closes is opened
    again, as an attacker would. Runs in a thread while the block runs, at most ``seconds``.
    They connect from ``source``, another loopback address than normal clients', as an attacker
    has another address than the readers (nginx limits requests in progress per address).
    """

    HEAD = f"GET /search?q={'slow' * 200} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
    BODY_HEAD = b"POST /api/search HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8000\r\n\r\n"

    def __init__(
        self, url: str, count: int = 50, interval: float = 1.0, seconds: float = 60, source: str = "127.0.0.2"
    ) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.address, self.source = (host, int(port)), (source, 0)
        self.count, self.interval, self.seconds = count, interval, seconds
        self.opened = 0  # connections opened, the first ones and the reopened
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SlowClients:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        clients = [self._open(i) for i in range(self.count)]
        deadline = time.monotonic() + self.seconds
        while not self._stopping.wait(self.interval) and time.monotonic() < deadline:
            for i, (sock, sent) in enumerate(clients):
                try:
                    if sock is None:
                        raise OSError("not connected")
                    sock.send(self._payload(i)[sent : sent + 1])
                    clients[i] = (sock, sent + 1)
                except OSError:
                    if sock is not None:
                        sock.close()
                    clients[i] = self._open(i)
        for sock, _ in clients:
            if sock is not None:
                sock.close()

    def _payload(self, i: int) -> bytes:
        """What connection ``i`` sends, a byte at a time after what ``_open`` sent at once."""
        return self.HEAD if i % 2 == 0 else self.BODY_HEAD + b"q" * 8000

    def _open(self, i: int) -> tuple[socket.socket | None, int]:
        """A new connection with its first byte (or its whole head, before a body) sent."""
        start = 1 if i % 2 == 0 else len(self.BODY_HEAD) + 1
        try:
            sock = socket.create_connection(self.address, timeout=2, source_address=self.source)
            sock.sendall(self._payload(i)[:start])
        except OSError:
            return None, 0
        self.opened += 1
        return sock, start


# No proxy from the environment: the requests go to loopback only.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclasses.dataclass
class Answer:
    """One request's outcome: HTTP status (None when the client gave up or the connection failed)."""

    status: int | None
    seconds: float
    size: int
    error: str = ""


def fetch(url: str, timeout: float) -> Answer:
    """GET ``url``, reading the whole body, giving up after ``timeout`` seconds without an answer."""
    started = time.perf_counter()
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            body = response.read()
            return Answer(response.status, time.perf_counter() - started, len(body))
    except urllib.error.HTTPError as error:
        body = error.read()
        return Answer(error.code, time.perf_counter() - started, len(body))
    except (OSError, TimeoutError) as error:
        return Answer(None, time.perf_counter() - started, 0, type(error).__name__)
