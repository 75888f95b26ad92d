"""Hostile queries: every one is bounded, cut with a message when it asks too much, and never fails.

In process, through the command line and against the real gunicorn server.
"""

from __future__ import annotations

import itertools
import json
import socket
import string
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.limits import (
    MAX_EXPANSIONS,
    MAX_FACET_SIZE,
    MAX_FILTER_VALUES,
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    MAX_SUMMARY_CHARS,
)
from search.request import SearchRequest, request_from_args
from search.searching import SearchIndex
from search.store import Store
from search.writer import build
from webui import create_app
from webui.index import close_index

# More distinct indexed words with one prefix than an expansion may reach.
ZZ_WORDS = ["zz" + "".join(letters) for letters in itertools.product(string.ascii_lowercase, repeat=3)][:1100]
ZZ_PREFIXES = ["zz" + "".join(pair) + "*" for pair in itertools.product(string.ascii_lowercase, repeat=2)]
LONG_TAIL = "quokkafinale"  # the last word of a summary far longer than what is stored for display
HOSTILE_QUERIES = {
    "prefixes": " ".join(f"{letter}*" for letter in string.ascii_lowercase),
    "ranges": " ".join(f"[a TO {letter}]" for letter in reversed(string.ascii_lowercase)),
    "normalisation": "\ufdfa" * 300,
    "many words": " OR ".join(f"word{n}" for n in range(90)),
    "nested": "(" * 200 + "harbour" + ")" * 200,
    "all dates": "date:[0001 TO 9999]",
    "broken": 'tag:" AND OR ( [ TO',
}


def _page(date: str, headline: str, summary: str) -> str:
    year, month, day = date.split("-")
    return (
        f"### [{date}](/news/{year}/{month}/{int(day)}/index.md)\n\n# {headline}\n\n{summary}\n\n"
        "### Source:\n\n1. [Fixture Gazette](https://gazette.example/story)\n"
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty days of events spelling out ZZ_WORDS, and one event whose summary is huge."""
    root = tmp_path_factory.mktemp("hostile-content")
    for number, start in enumerate(range(0, len(ZZ_WORDS), 55), start=1):
        words = ZZ_WORDS[start : start + 55]
        day = root / f"news/2021/03/{number}"
        day.mkdir(parents=True)
        summary = "The harbour board discussed " + " ".join(words) + "."
        (day / "harbour-board-meets.md").write_text(
            _page(f"2021-03-{number:02d}", "Harbour board meets", summary)
        )
    long_day = root / "news/2021/04/1"
    long_day.mkdir(parents=True)
    long_summary = "A very long report on the lighthouse. " * 400 + LONG_TAIL
    (long_day / "lighthouse-report.md").write_text(_page("2021-04-01", "Lighthouse report", long_summary))
    return root


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, archive: Path) -> Path:
    index_dir = tmp_path_factory.mktemp("hostile-index")
    build(archive, Store(index_dir), workers=1)
    return index_dir


@pytest.fixture(scope="module")
def index(index_dir: Path) -> Iterator[SearchIndex]:
    with SearchIndex(index_dir) as index:
        yield index


def search(index: SearchIndex, text: str):
    request, messages = request_from_args({"q": [text]})
    page = index.search(request)
    return page, messages + page.messages


def test_a_prefix_stands_for_at_most_max_expansions_words_and_says_so(index):
    page, messages = search(index, "zz*")
    assert any("“zz*”" in m and f"{MAX_EXPANSIONS:,}" in m for m in messages)
    # The first MAX_EXPANSIONS words in index order are zzaa … : the days that use only later words are not found.
    assert 0 < page.total < 20


def test_a_prefix_within_the_cap_is_whole_and_says_nothing(index):
    page, messages = search(index, "zzab*")
    assert messages == []
    assert page.total == 1  # zzaba … zzabz are all on the first day


def test_a_range_is_cut_like_a_prefix(index):
    _, messages = search(index, "[zzaa TO zzzz]")
    assert any("“[zzaa TO zzzz]”" in m for m in messages)


def test_terms_past_the_query_budget_are_left_out_and_said(index):
    # 43 prefixes of 26 words each: 1,100 terms.
    _, messages = search(index, " OR ".join(ZZ_PREFIXES[:43]))
    assert any(f"more than {MAX_QUERY_TERMS:,} terms" in m for m in messages)


def test_query_text_is_measured_after_unicode_normalisation():
    request, messages = request_from_args({"q": ["\ufdfa" * 300]})  # one character, eighteen after NFKC
    assert len(request.text) == MAX_QUERY_CHARS
    assert any("cut to its first" in m for m in messages)


def test_selected_values_are_capped_with_a_message():
    request, messages = request_from_args({"tags": [f"t{n}" for n in range(50)]})
    assert len(request.selected("tags")) == MAX_FILTER_VALUES
    assert any(f"first {MAX_FILTER_VALUES} tags values" in m for m in messages)


def test_facet_size_is_capped_with_a_message():
    request, messages = request_from_args({"facet_size": ["100000000"]})
    assert request.facet_size == MAX_FACET_SIZE
    assert any("facet_size must be between" in m for m in messages)


def test_a_long_unknown_word_gets_no_spelling_work(index):
    page, _ = search(index, "harbourx" * 6)
    assert page.total == 0 and page.suggestion is None


def test_a_short_typo_is_still_corrected_or_suggested(index):
    page, _ = search(index, "harbuor")
    assert page.correction.corrected == "harbour" and page.total == 20
    as_typed = index.search(SearchRequest(text="harbuor", exact=True))
    assert as_typed.total == 0 and as_typed.suggestion == "harbour"


def test_a_search_past_its_time_budget_stops_and_says_so(index_dir):
    with SearchIndex(index_dir, search_seconds=0) as index:
        page = index.search(SearchRequest(text="harbour"))
        browse = index.search(SearchRequest())
    assert page.timed_out and page.total == 0 and page.to_json()["timed_out"] is True
    assert any("took too long" in m for m in page.messages)
    assert not browse.timed_out and browse.total == 21  # no query text: nothing to time out


def test_a_huge_summary_is_shown_cut_and_searched_whole(index):
    page, _ = search(index, LONG_TAIL)
    assert page.total == 1
    summary = page.hits[0].summary
    assert len(summary) <= MAX_SUMMARY_CHARS and summary.endswith("…")


def test_the_event_page_shows_the_huge_summary_whole(index_dir):
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    try:
        response = app.test_client().get("/event/2021-04-01/lighthouse-report")
    finally:
        close_index(app)
    assert response.status_code == 200 and LONG_TAIL in response.get_data(as_text=True)


@pytest.mark.parametrize("name", HOSTILE_QUERIES)
def test_hostile_queries_get_an_answer_in_process(index, name):
    page, _ = search(index, HOSTILE_QUERIES[name])
    assert page.total >= 0 and isinstance(page.to_json(), dict)


@pytest.mark.parametrize("name", ("prefixes", "normalisation", "broken"))
def test_hostile_queries_get_an_answer_from_the_command_line(index_dir, name):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "search",
            "search",
            HOSTILE_QUERIES[name],
            "--index-dir",
            str(index_dir),
            "--json",
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert "total" in json.loads(done.stdout)


@pytest.fixture(scope="module")
def server(index_dir: Path) -> Iterator[str]:
    """The real `eventsearch serve` (gunicorn) on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "search", "serve", "--index-dir", str(index_dir), "--port", str(port)]
    process = subprocess.Popen([*command, "--workers", "1"], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/search?q=harbour", timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("name", HOSTILE_QUERIES)
def test_hostile_queries_get_an_answer_from_the_real_server(server, name):
    url = f"{server}/api/search?" + urllib.parse.urlencode({"q": HOSTILE_QUERIES[name]})
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert "total" in json.load(response)
