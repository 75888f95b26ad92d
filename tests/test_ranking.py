"""Ranking cases that must hold, explanations of a score, and More like this, on a hand-written archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search.cli import main
from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import Store
from search.writer import build
from webui import create_app
from webui.index import close_index

ARCHIVE = Path(__file__).parent / "fixtures" / "ranking_archive"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ranking-index")
    build(ARCHIVE, Store(path), workers=1)
    return path


@pytest.fixture(scope="module")
def index(index_dir: Path) -> Iterator[SearchIndex]:
    with SearchIndex(index_dir) as index:
        yield index


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    yield app.test_client()
    close_index(app)


def slugs(index: SearchIndex, text: str) -> list[str]:
    return [hit.id.split("/", 1)[1] for hit in index.search(SearchRequest(text=text)).hits]


# (query, the event that must come first, the event it must outrank); in each pair the second is newer,
# so that equal scores (newest first) would put it first.
CASES = [
    (  # the headline holds every word; the other event's summary mentions them once
        "grimsby ferry flooding",
        "flooding-closes-the-grimsby-ferry",
        "the-council-reviews-the-harbour-budget",
    ),
    (  # both headlines hold both words; one in the order typed
        "harbour strike",
        "harbour-strike-ends-after-talks-with-dockers",
        "strike-talks-stall-at-the-harbour-in-dunmore",
    ),
    (
        "drought",
        "farmers-ask-the-province-for-water-aid",
        "the-province-budget-passes",
    ),  # a tag, not a mention
    ("zorblax bridge", "zorblax-opens-to-visitors", "bridge-repairs-begin"),  # the rarer word in the headline
    (
        '"night market"',
        "the-night-market-reopens-in-kelso",
        "kelso-council-meets",
    ),  # the phrase in the headline
    (  # the same stems in both headlines; one has the word as typed
        "searched quarry",
        "rescuers-searched-the-flooded-quarry",
        "rescuers-search-the-flooded-quarry",
    ),
]


@pytest.mark.parametrize(("text", "first", "second"), CASES, ids=[case[0] for case in CASES])
def test_the_better_match_ranks_first(index, text, first, second):
    assert slugs(index, text)[:2] == [first, second]


def test_explain_takes_each_hits_score_apart_in_the_api(client):
    page = client.get("/api/search?q=harbour+strike&explain=1").get_json()
    assert "harbour" in page["explain"]  # how the query was understood
    first, second = (hit["explanation"] for hit in page["hits"])
    assert first["matched"] == second["matched"] == {"headline": ["harbour", "strike"]}
    for explanation in (first, second):
        score = explanation["score"]
        assert score["value"] == pytest.approx(sum(part["value"] for part in score["details"]), abs=1e-3)
    assert first["score"]["value"] > second["score"]["value"]
    # Both headlines hold both words; only the first has them in the order typed.
    assert any("order typed" in part["description"] for part in first["score"]["details"])
    assert not any("order typed" in part["description"] for part in second["score"]["details"])


def test_explanations_are_only_given_when_asked(client):
    page = client.get("/api/search?q=harbour+strike").get_json()
    assert "explain" not in page and all("explanation" not in hit for hit in page["hits"])


def test_explain_on_the_command_line(index_dir):
    result = CliRunner().invoke(
        main, ["search", "zorblax bridge", "--explain", "--index-dir", str(index_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "matched  headline: zorblax; summary: bridg; context: zorblax" in result.stdout
    assert "word “zorblax” (BM25F)" in result.stdout and "idf:" in result.stdout
    as_json = CliRunner().invoke(
        main, ["search", "zorblax bridge", "--explain", "--json", "--index-dir", str(index_dir)]
    )
    hits = json.loads(as_json.stdout)["hits"]
    assert [hit["explanation"]["matched"] for hit in hits] == [
        {"headline": ["zorblax"], "summary": ["bridg"], "context": ["zorblax"]},  # stemmed terms
        {"headline": ["bridg"], "summary": ["zorblax"], "context": ["bridg"]},
    ]


def test_more_like_this_puts_the_rarest_shared_tag_and_words_first(index):
    similar = [
        event.id.split("/", 1)[1]
        for event in index.more_like("2021-05-05/harbour-strike-ends-after-talks-with-dockers")
    ]
    assert similar[:2] == ["strike-talks-stall-at-the-harbour-in-dunmore", "a-new-bridge-for-dunmore"]


def test_more_like_this_is_the_same_in_every_process(index_dir):
    # Python's hash seed differs per process (gunicorn workers): the list must not depend on it.
    script = (
        "import sys; from search.searching import SearchIndex; "
        "print([e.id for e in SearchIndex(sys.argv[1]).more_like('2021-05-14/a-new-bridge-for-dunmore')])"
    )
    lists = {
        subprocess.run(
            [sys.executable, "-c", script, str(index_dir)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(lists) == 1 and "2021-05-10/bridge-repairs-begin" in lists.pop()


def test_the_search_page_shows_each_hits_explanation_when_asked(client):
    page = client.get("/search?q=harbour+strike&explain=1").get_data(as_text=True)
    assert page.count('<details class="explanation">') == 2
    assert "…in the order typed" in page
    assert '<details class="explanation">' not in client.get("/search?q=harbour+strike").get_data(
        as_text=True
    )
