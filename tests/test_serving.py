"""The served product at its edges: odd Host headers, runaway requests, slow clients, nginx in front.

Real servers in subprocesses: `eventsearch serve` (gunicorn), nginx running the shipped
deploy/nginx/ configuration, on loopback ports.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from bench.hostile import hostile_requests
from bench.serving import (
    NGINX,
    Served,
    SlowClients,
    fetch,
    free_port,
    gunicorn,
    nginx,
    stop_process,
    upstream_of,
    wait_until_up,
)
from webui import create_app
from webui.index import close_index
from webui.server import LIMIT_REQUEST_LINE

REPO = Path(__file__).resolve().parents[1]

BAD_HOSTS = {
    "very long": "a" * 300 + ".example.org",
    "a label over 63 characters": "a" * 64 + ".example.org",
    "non-ASCII": "bücher.example",
    "a space": "a b",
    "an unclosed bracket": "[::1",
    "empty": "",
    "an empty label": "a..b",
    "a path": "example.org/x",
}
GOOD_HOSTS = ("localhost", "127.0.0.1:8000", "[::1]:8000", "news.example.org", "xn--bcher-kva.example")


@pytest.fixture(scope="module")
def client(webui_archive_index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "INDEX_DIR": str(webui_archive_index_dir)})
    yield app.test_client()
    close_index(app)


@pytest.fixture(scope="module")
def served(webui_archive_index_dir: Path) -> Iterator[Served]:
    """`eventsearch serve` over the hand-written archive, two workers."""
    with gunicorn(webui_archive_index_dir, "--workers", "2") as server:
        yield server


@pytest.fixture(scope="module")
def proxied(served: Served) -> Iterator[Served]:
    """nginx with the shipped configuration in front of ``served``."""
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is missing: the nginx tests need Debian's nginx")
    with nginx(upstream_of(served)) as proxy:
        yield proxy


def raw_status(url: str, host: str) -> int:
    """The status of a GET sent byte for byte with this Host header (no client library to correct it)."""
    address, port = url.removeprefix("http://").rsplit(":", 1)
    request = b"GET /search?q=bridge HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n"
    with socket.create_connection((address, int(port)), timeout=10) as sock:
        sock.sendall(request)
        head = sock.recv(4096)
    return int(head.split(b" ", 2)[1])


# -- Host headers ----------------------------------------------------------


@pytest.mark.parametrize("host", BAD_HOSTS.values(), ids=BAD_HOSTS.keys())
@pytest.mark.parametrize("path", ("/", "/search?q=bridge", "/nowhere", "/static/style.css"))
def test_bad_host_gets_a_400_page(client, host, path):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 400
    assert 'class="error-page"' in response.get_data(as_text=True)


@pytest.mark.parametrize("host", BAD_HOSTS.values(), ids=BAD_HOSTS.keys())
def test_bad_host_gets_a_json_400_from_the_api(client, host):
    response = client.get("/api/search?q=bridge", headers={"Host": host})
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_error_page_for_an_unroutable_host_links_the_site(client):
    page = client.get("/nowhere", headers={"Host": BAD_HOSTS["a label over 63 characters"]}).get_data(
        as_text=True
    )
    assert 'href="/"' in page and 'action="/search"' in page and 'href="/static/style.css"' in page


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_good_hosts_are_served(client, host):
    assert client.get("/search?q=bridge", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", BAD_HOSTS.values(), ids=BAD_HOSTS.keys())
def test_real_server_answers_a_bad_host_with_400(served, host):
    assert raw_status(served.url, host) == 400


@pytest.mark.parametrize("host", BAD_HOSTS.values(), ids=BAD_HOSTS.keys())
@pytest.mark.nginx
def test_nginx_answers_a_bad_host_with_400(proxied, host):
    assert raw_status(proxied.url, host) == 400


# -- the server's own limits -----------------------------------------------


@pytest.fixture(scope="module")
def runaway_url(webui_archive_index_dir: Path) -> Iterator[str]:
    """The real server with a 2 s request timeout over the app plus a route that never returns."""
    port = free_port()
    process = subprocess.Popen(
        # As a module from the checkout, so the server runs the code under test whatever is installed.
        [sys.executable, "-m", "tests.runaway_server", str(webui_archive_index_dir), str(port), "2"],
        cwd=REPO,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/static/favicon.svg", process)
        yield url
    finally:
        stop_process(process)


def test_a_runaway_request_is_stopped_with_a_503_and_the_server_answers_on(runaway_url):
    with ThreadPoolExecutor(2) as pool:
        page, api = pool.map(lambda path: fetch(runaway_url + path, timeout=30), ("/runaway", "/api/runaway"))
    assert page.status == 503 and api.status == 503
    assert max(page.seconds, api.seconds) < 2 + 5  # the timeout, and the master's check once a second
    assert fetch(runaway_url + "/api/search?q=bridge", timeout=30).status == 200


def test_serve_listens_on_a_unix_socket(webui_archive_index_dir, tmp_path):
    path = tmp_path / "eventsearch.sock"
    with (
        gunicorn(webui_archive_index_dir, "--workers", "1", socket_path=path),
        socket.socket(socket.AF_UNIX) as sock,
    ):
        sock.settimeout(30)
        sock.connect(str(path))
        sock.sendall(b"GET /api/search?q=bridge HTTP/1.0\r\nHost: localhost\r\n\r\n")
        assert sock.recv(4096).split(b" ", 2)[1] == b"200"


# -- slow clients ----------------------------------------------------------


@pytest.mark.nginx
def test_nginx_answers_while_50_slow_clients_trickle(proxied):
    with SlowClients(proxied.url, count=50, interval=1.0, seconds=30) as slow:
        time.sleep(2.5)  # every slow client is connected and mid-request
        answers = []
        for _ in range(10):
            answers.append(fetch(proxied.url + "/search?q=bridge", timeout=10))
            time.sleep(0.2)
    assert slow.opened >= 50
    assert [a.status for a in answers] == [200] * 10
    assert max(a.seconds for a in answers) < 2, [round(a.seconds, 2) for a in answers]


# -- the hostile bench sends what the issue names ----------------------------


def test_hostile_bench_sends_the_issues_queries_whole():
    requests = hostile_requests(seed=0)
    texts = {name: parse_qs(urlsplit(path).query)["q"][0] for name, path in requests.items()}
    assert len(texts["prefixes a* b* … z* (77 chars)"]) == 77
    assert len(texts["ranges [a TO z] [a TO y] … (224 chars)"]) == 224
    assert texts["U+FDFA ×300"] == "\ufdfa" * 300
    assert all(len(text) <= 1000 for text in texts.values())
    # Each fits the server's request line, so the bench measures the search, not a refusal at the door.
    assert max(len(f"GET {path} HTTP/1.1") for path in requests.values()) <= LIMIT_REQUEST_LINE
