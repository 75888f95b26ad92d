"""The eventsearch command, run through click's runner and as a real process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from search.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "archive"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    """An index of the fixture archive built through the CLI."""
    path = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["index", str(FIXTURE), "--index-dir", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", ("index", "update", "search", "stats", "serve"))
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "--index-dir" in result.output


def test_search_json_has_the_page_shape(index_dir):
    result = run("search", "zembla", "--index-dir", str(index_dir), "--json")
    page = json.loads(result.output)
    assert set(page) >= {"total", "hits", "facets", "timeline", "suggestion"}
    assert set(page["facets"]) == {"tags", "topic", "source", "language"}
    hit = page["hits"][0]
    assert set(hit) >= {"id", "date", "headline", "summary", "topic", "tags", "sources"}
    assert set(hit["sources"][0]) == {"name", "url", "domain"}
    assert page["total"] == len(page["hits"]) == 3


def test_search_filters_by_tag_and_date(index_dir):
    result = run(
        "search",
        "",
        "--tag",
        "Charles Kinbote",
        "--from",
        "2020-01-06",
        "--index-dir",
        str(index_dir),
        "--json",
    )
    assert [hit["id"] for hit in json.loads(result.output)["hits"]] == [
        "2020-01-06/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament"
    ]


def test_search_explain_shows_the_parsed_query(index_dir):
    result = run("search", 'tag:"Charles Kinbote" speaker', "--explain", "--index-dir", str(index_dir))
    assert "tags:charles kinbote" in result.output


def test_index_dir_comes_from_the_environment(index_dir):
    result = CliRunner().invoke(main, ["stats", "--json"], env={"EVENTSEARCH_INDEX_DIR": str(index_dir)})
    assert json.loads(result.output)["events"] == 7


def test_stats_counts_events_days_tags_and_languages(index_dir):
    stats = json.loads(run("stats", "--json", "--index-dir", str(index_dir)).output)
    assert (stats["events"], stats["days"], stats["first_day"], stats["last_day"]) == (
        7,
        3,
        "2019-12-31",
        "2020-01-06",
    )
    assert stats["languages"] == {"en": 6, "zh": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    (
        (["index", "/no/such/dir"], "does not exist"),
        (["update", "/no/such/dir"], "does not exist"),
    ),
)
def test_user_errors_are_one_line_and_exit_non_zero(index_dir, args, message):
    result = run(*args, "--index-dir", str(index_dir))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_search_without_an_index_says_how_to_make_one(tmp_path):
    result = run("search", "x", "--index-dir", str(tmp_path / "none"))
    assert result.exit_code == 1 and "eventsearch index" in result.output


def test_python_dash_m_search_runs_the_cli(index_dir):
    done = subprocess.run(
        [sys.executable, "-m", "search", "search", "cheese", "--index-dir", str(index_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("1 event,")


@pytest.mark.parametrize("query", (b"source:\xff", b"caf\xe9 \xff\xfe"))
def test_undecodable_query_bytes_get_an_answer_not_a_traceback(index_dir, query):
    # A terminal that is not UTF-8 hands Python bytes it keeps as lone surrogates.
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"search", b"search", query, b"--index-dir", bytes(index_dir)],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr


def test_serve_answers_over_http_with_the_real_server(index_dir):
    import socket
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search",
            "serve",
            "--index-dir",
            str(index_dir),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                body = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/search?q=cheese", timeout=5
                ).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert json.loads(body)["total"] == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
