"""A facet is one row of the facet table: one more row is counted and filterable in the API, the page and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search import facet_table
from search.cli import main
from search.event import Event
from search.facet_table import FacetSpec
from search.store import Store
from search.writer import build
from webui import create_app
from webui.index import close_index

FIXTURE = Path(__file__).parent / "fixtures" / "archive"


def _topic_initial(event: Event) -> tuple[str, ...]:
    return (event.topic[:1].upper(),) if event.topic else ()


# A hypothetical facet: the first letter of the event's topic.
INITIAL = FacetSpec("initial", "Topic initial", _topic_initial, help="Only events whose topic starts so.")


@pytest.fixture
def extra_facet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The facet table with one more row, as a developer would add it."""
    monkeypatch.setattr(facet_table, "FACETS", (*facet_table.FACETS, INITIAL))


@pytest.fixture
def index_dir(extra_facet, tmp_path: Path) -> Path:
    """The fixture archive indexed with the extra facet."""
    build(FIXTURE, Store(tmp_path / "index"), workers=1)
    return tmp_path / "index"


@pytest.fixture
def client(index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    yield app.test_client()
    close_index(app)


def test_extra_facet_is_counted_and_filters_in_the_api(client):
    facets = client.get("/api/search").get_json()["facets"]
    assert {v["value"]: v["count"] for v in facets["initial"]} == {
        "Z": 2,
        "L": 1,
        "R": 1,
        "F": 1,
        "S": 1,
        "沃": 1,
    }
    found = client.get("/api/search?initial=Z").get_json()
    assert found["total"] == 2 and {hit["topic"] for hit in found["hits"]} == {"Zembla politics"}
    assert client.get("/api/search?q=initial:z").get_json()["total"] == 2


def test_extra_facet_is_listed_and_selectable_on_the_page(client):
    page = client.get("/search").get_data(as_text=True)
    assert '<h2 id="facet-initial" class="facet-heading">Topic initial</h2>' in page
    assert 'href="/search?initial=Z"' in page
    selected = client.get("/search?initial=Z").get_data(as_text=True)
    assert "<strong>2</strong> events" in selected
    assert '<span class="chip-name">Topic initial:</span> Z' in selected


def test_extra_facet_is_an_option_of_the_cli(index_dir):
    result = CliRunner().invoke(main, ["search", "--initial", "R", "--json", "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["total"] == 1 and page["hits"][0]["topic"] == "Ruritania"
    assert {v["value"] for v in page["facets"]["initial"]} >= {"R"}
    assert "--initial" in CliRunner().invoke(main, ["search", "--help"]).output


def test_an_index_built_without_the_facet_still_answers_with_it_empty(tmp_path, monkeypatch):
    build(FIXTURE, Store(tmp_path / "index"), workers=1)
    monkeypatch.setattr(facet_table, "FACETS", (*facet_table.FACETS, INITIAL))
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    page = app.test_client().get("/api/search").get_json()
    close_index(app)
    assert page["total"] == 7 and page["facets"]["initial"] == []
