"""Saved searches: kept beside the index, and after each update exactly their added and changed matches."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from whoosh import index as whoosh_index

from search.cli import main as cli
from search.percolate import parser_fingerprint, required_terms
from search.query import make_parser
from search.request import request_from_args
from search.saved import SAVED_FILE, SavedSearches
from search.schema import make_schema
from search.searching import SearchIndex
from search.store import Store
from search.writer import build, update

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
COMET = """### [2020-01-6](/news/2020/01/6/index.md)

# Astronomers in Ruritania discover a comet shaped like a cheese wheel. 

The comet will be visible next month.


### Source:

1. [Strelsau Times](https://www.strelsau-times.example/science/comet)
"""
KINBOTE = "news/2020/01/6/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament.md"
CHEESE = "news/2020/01/5/ruritania-and-zembla-sign-a-trade-agreement-on-cheese-exports.md"
# Saved searches of every shape the query syntax and the filters have (name -> `saved add` arguments).
SAVED = {
    "comet": ["comet"],
    "zembla": ["zembla"],
    "phrase": ['"pale fire"'],
    "prefix": ["astro*"],
    "not-zembla": ["--", "-zembla"],  # after "--", a QUERY that starts with "-" is no option
    "or": ["comet OR tariffs"],
    "tag-syntax": ["tags:Zembla"],
    "kinbote-tag": ["", "--tags", "Charles Kinbote"],
    "any-tag": ["", "--tags", "Sydney", "--tags", "Zembla", "--tags-mode", "any"],
    "from-6th": ["", "--from", "2020-01-06"],
    "until-5th": ["speaker", "--to", "2020-01-05"],
    "outlet": ["", "--source", "strelsau-times.example"],
    "every-event": [""],
    "misspelt": ["comit"],  # the search corrects it to "comet", so the saved search reports the comet
    "stop-words": ["the of"],
    "nothing": ["unicorns"],
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def archive(tmp_path):
    """A writable copy of the fixture archive, its index, and every saved search of SAVED."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    store = Store(tmp_path / "index")
    build(content, store, workers=1)
    for name, args in SAVED.items():
        result = run("saved", "add", "--index-dir", str(store.root), name, *args)
        assert result.exit_code == 0, result.output
    return content, store


def edit(content: Path) -> None:
    """Add one event page, change one, delete one."""
    (content / "news/2020/01/6/astronomers-discover-a-cheese-comet.md").write_text(COMET)
    edited = content / KINBOTE
    edited.write_text(edited.read_text().replace("studies of poetry", "studies of pale fire"))
    (content / CHEESE).unlink()
    day_index = content / "news/2020/01/5/index.md"
    day_index.write_text(
        re.sub(r"##### [^\n]*\n### \[Ruritania and Zembla[^\n]*\n_Context[^\n]*\n", "", day_index.read_text())
    )


def fingerprints(store: Store) -> dict[str, str]:
    """Every indexed event's fingerprint, by id."""
    with whoosh_index.open_dir(store.current()).searcher() as searcher:
        return {fields["id"]: fields["payload"]["fingerprint"] for fields in searcher.all_stored_fields()}


def expected_reports(store: Store, before: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """What each saved search should report: its matches in the updated index that are new or changed."""
    after = fingerprints(store)
    fresh = {event_id for event_id, print_ in after.items() if before.get(event_id) != print_}
    expected = {}
    with SearchIndex(store.root) as index:
        for saved in SavedSearches(store.root).load():
            found = {hit.id for hit in index.search(dataclasses.replace(saved.request(), page_size=100)).hits}
            reported = sorted((i, "changed" if i in before else "added") for i in found & fresh)
            if reported:
                expected[saved.name] = reported
    return expected


def reported(report_saved: dict[str, list[dict]]) -> dict[str, list[tuple[str, str]]]:
    return {
        name: sorted((event["id"], event["change"]) for event in events)
        for name, events in report_saved.items()
    }


def test_an_update_reports_exactly_each_saved_search_s_new_and_changed_matches(archive):
    content, store = archive
    before = fingerprints(store)
    edit(content)
    report = update(content, store)
    assert (report.added, report.changed, report.removed) == (1, 1, 1)
    expected = expected_reports(store, before)
    assert reported(report.saved) == expected
    # What the edit is meant to show: the added comet, the changed Kinbote event, both, and searches that
    # match neither (the deleted cheese agreement is never reported).
    assert expected["comet"] == [("2020-01-06/astronomers-discover-a-cheese-comet", "added")]
    assert expected["phrase"] == [
        ("2020-01-06/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament", "changed")
    ]
    assert len(expected["every-event"]) == 2
    assert expected["misspelt"] == [("2020-01-06/astronomers-discover-a-cheese-comet", "added")]
    assert not {"until-5th", "stop-words", "nothing"} & set(expected)


def test_stale_prefilters_give_the_same_report_and_are_made_again(archive):
    content, store = archive
    saved_file = store.root / SAVED_FILE
    data = json.loads(saved_file.read_text())
    for item in data["saved_searches"]:
        item["prefilter"] = {"parser": "made-by-older-code", "terms": [["headline", "nowhere"]]}
    saved_file.write_text(json.dumps(data))
    before = fingerprints(store)
    edit(content)
    report = update(content, store)
    assert reported(report.saved) == expected_reports(store, before)
    remade = {
        item["name"]: item["prefilter"]["parser"]
        for item in json.loads(saved_file.read_text())["saved_searches"]
    }
    # Made again where the update needed one (a query whose filters let the changed events through).
    assert remade["comet"] == remade["not-zembla"] == parser_fingerprint()
    assert remade["every-event"] == remade["until-5th"] == "made-by-older-code"


def test_an_update_that_changes_nothing_reports_nothing(archive):
    content, store = archive
    edit(content)
    update(content, store)
    report = update(content, store)
    assert (report.added, report.changed, report.removed, report.saved) == (0, 0, 0, {})


def test_update_prints_the_matches_even_when_quiet_and_as_json(archive):
    content, store = archive
    edit(content)
    quiet = run("update", str(content), "--index-dir", str(store.root), "--quiet", "--scan")
    assert quiet.exit_code == 0, quiet.output
    assert "added" not in quiet.stdout.splitlines()[0]  # no summary line
    assert "Saved search comet: 1 event added or changed" in quiet.stdout
    assert "2020-01-06/astronomers-discover-a-cheese-comet" in quiet.stdout
    (content / "news/2020/01/6/astronomers-discover-a-cheese-comet.md").write_text(
        COMET.replace("next month", "in May")
    )
    as_json = json.loads(
        run("update", str(content), "--index-dir", str(store.root), "--scan", "--json").stdout
    )
    assert (as_json["added"], as_json["changed"]) == (0, 1)
    comet = as_json["saved"]["comet"][0]
    assert (comet["change"], comet["summary"]) == ("changed", "The comet will be visible in May.")


def test_a_broken_saved_searches_file_stops_the_update_before_it_changes_anything(archive):
    content, store = archive
    (store.root / SAVED_FILE).write_text("{not json")
    edit(content)
    result = run("update", str(content), "--index-dir", str(store.root))
    assert result.exit_code == 1 and "saved.json" in result.output and "Traceback" not in result.output
    assert "2020-01-06/astronomers-discover-a-cheese-comet" not in fingerprints(store)


# -- the saved commands ----------------------------------------------------


def test_saved_searches_are_listed_with_their_parameters_and_feeds(archive):
    _, store = archive
    listed = json.loads(run("saved", "list", "--json", "--index-dir", str(store.root)).stdout)
    by_name = {item["name"]: item for item in listed}
    assert list(by_name) == list(SAVED)
    assert by_name["any-tag"]["params"] == {"tags": ["Sydney", "Zembla"], "tags_mode": ["any"]}
    assert by_name["from-6th"]["feed"] == "/saved/from-6th.atom"
    text = run("saved", "list", "--index-dir", str(store.root)).stdout
    assert "until-5th\tq=speaker&to=2020-01-05\t/saved/until-5th.atom" in text


def test_a_saved_search_keeps_only_what_chooses_events(tmp_path):
    result = run(
        "saved", "add", "x", "war", "--tag", "Syria", "--from", "2015-13-01", "--index-dir", str(tmp_path)
    )
    assert result.exit_code == 0 and "note:" in result.output  # the impossible date said and dropped
    assert SavedSearches(tmp_path).get("x").params == {"q": ["war"], "tags": ["Syria"]}
    assert run("saved", "add", "x", "war", "--page", "2", "--index-dir", str(tmp_path)).exit_code == 2


def test_saved_searches_survive_a_rebuild(archive):
    content, store = archive
    assert run("index", str(content), "--index-dir", str(store.root), "--quiet").exit_code == 0
    assert [saved.name for saved in SavedSearches(store.root).load()] == list(SAVED)


@pytest.mark.parametrize("name", ("", "-dash-first", "has space", "slash/name", "dots.atom", "é", "x" * 65))
def test_a_bad_name_is_refused_with_the_rule(tmp_path, name):
    result = run("saved", "add", "--index-dir", str(tmp_path), "--", name, "war")
    assert result.exit_code == 1 and "letters, digits" in result.output
    assert not (tmp_path / SAVED_FILE).exists()


def test_a_name_is_taken_until_removed_or_replaced(tmp_path):
    index = ["--index-dir", str(tmp_path)]
    assert run("saved", "add", "war", "war", *index).exit_code == 0
    taken = run("saved", "add", "war", "peace", *index)
    assert taken.exit_code == 1 and "--replace" in taken.output
    assert run("saved", "add", "war", "peace", "--replace", *index).exit_code == 0
    assert SavedSearches(tmp_path).get("war").params == {"q": ["peace"]}
    assert run("saved", "remove", "war", *index).exit_code == 0
    missing = run("saved", "remove", "war", *index)
    assert missing.exit_code == 1 and "no saved search" in missing.output


# -- prefilters --------------------------------------------------------------

PARSER = make_parser(make_schema())


@pytest.mark.parametrize(
    ("text", "terms"),
    (
        ("comet", {("headline", "comet"), ("summary", "comet"), ("context", "comet")}),
        ("tags:Zembla", {("tags", "zembla")}),
        ("comets wheel", "one word's"),
        ('"pale fire"', "one word's"),
        ("comet OR tariffs", "both words'"),
        ("comet -zembla", {("headline", "comet"), ("summary", "comet"), ("context", "comet")}),
        ("-zembla", None),
        ("astro*", None),
        ("date:2020", None),
        ("雨", None),
        ("comet OR astro*", None),
    ),
)
def test_required_terms(text, terms):
    found = required_terms(PARSER.parse(text.replace("-zembla", "NOT zembla")))
    if terms == "one word's":
        assert found and len({term for _, term in found}) == 1
    elif terms == "both words'":
        assert found and len({term for _, term in found}) == 2
    else:
        assert found == (None if terms is None else frozenset(terms))


def test_a_saved_search_request_round_trips(tmp_path):
    run(
        "saved",
        "add",
        "s",
        "comet",
        "--tags",
        "A",
        "--tags",
        "B",
        "--tags-mode",
        "any",
        "--index-dir",
        str(tmp_path),
    )
    request, _ = request_from_args({"q": ["comet"], "tags": ["A", "B"], "tags_mode": ["any"]})
    assert SavedSearches(tmp_path).get("s").request() == request
