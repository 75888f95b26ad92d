"""The synthetic archive generator, the query sets and the SQLite FTS5 and tantivy references of the benchmarks."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.generate import GeneratedArchive, generate, plan_days, slugify
from bench.queries import weighted_query_set
from bench.sqlite_ref import SqliteReference, fts_query
from search.archive import read_archive
from search.event import Event

EVENTS = 300
_PAGE_PATH = re.compile(r"^news/\d{4}/\d{2}/[1-9]\d?/(?:README|[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_ENTRY = re.compile(r"^### \[.*\]\((/news/\S+\.md)\)$", re.M)
_CONTEXT = re.compile(r"_Context: (.*)_$", re.M)


def _tree(root: Path) -> dict[str, str]:
    """Content-relative path -> sha256 of every file under root."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> GeneratedArchive:
    """A small generated archive shared by the read-only tests."""
    return generate(tmp_path_factory.mktemp("archive"), EVENTS, seed=7)


def test_generate_same_seed_same_bytes(tmp_path: Path, archive: GeneratedArchive) -> None:
    again = generate(tmp_path / "again", EVENTS, seed=7)
    assert _tree(again.out_dir) == _tree(archive.out_dir)
    assert again == GeneratedArchive(**{**vars(archive), "out_dir": again.out_dir})


def test_generate_other_seed_other_archive(tmp_path: Path, archive: GeneratedArchive) -> None:
    other = generate(tmp_path / "other", EVENTS, seed=8)
    assert set(_tree(other.out_dir)) != set(_tree(archive.out_dir))


def test_generate_layout(archive: GeneratedArchive) -> None:
    root = archive.out_dir
    files = _tree(root)
    assert files and all(_PAGE_PATH.match(path) for path in files), [
        p for p in files if not _PAGE_PATH.match(p)
    ]
    days = {path.rsplit("/", 1)[0] for path in files}
    for day in days:
        year, month, mday = (int(part) for part in day.split("/")[1:])
        assert dt.date(2003, 1, 1) <= dt.date(year, month, mday) <= dt.date(2025, 12, 31)
        index = (root / day / "index.md").read_text()
        assert (root / day / "README.md").read_text() == index
        assert f"## [{year}-{month:02d}-{mday}](/{day}/index.md)" in index
        assert index.rstrip().splitlines()[-1].startswith("## [Previous Day...](/news/")
    page = next(p for p in files if not p.endswith(("index.md", "README.md")))
    text = (root / page).read_text()
    assert text.startswith(f"### [{page.split('/')[1]}-{page.split('/')[2]}-{page.split('/')[3]}](")
    assert "\n# " in text and "\n### Source:\n\n1. [" in text


def test_generate_counts_match_files(archive: GeneratedArchive) -> None:
    root = archive.out_dir
    files = _tree(root)
    indexes = [p for p in files if p.endswith("/index.md")]
    entries = [link for p in indexes for link in _ENTRY.findall((root / p).read_text())]
    pages = [p for p in files if not p.endswith(("/index.md", "/README.md"))]
    assert len(files) == archive.files
    assert len(indexes) == archive.days
    assert len(entries) == len(set(entries)) == archive.events == EVENTS
    assert archive.pages + archive.index_only == archive.events
    assert len(pages) == archive.pages + archive.superseded
    assert sum(f"{link[1:]}" not in files for link in entries) == archive.index_only
    tags = {
        t
        for p in files
        if not p.endswith("README.md")
        for line in _CONTEXT.findall((root / p).read_text())
        for t in line.split(", ")
    }
    assert len(tags) == archive.tags and set(archive.top_tags) <= tags


def test_generate_has_archive_quirks(tmp_path: Path) -> None:
    big = generate(tmp_path, 3000, seed=1)
    texts = [p.read_text() for p in tmp_path.rglob("*.md")]
    assert big.superseded and big.index_only
    assert any("### Changes:" in t and "_(Current version)_" in t for t in texts)
    assert any("&#034;" in t or "&quot;" in t for t in texts)
    assert any("[Cover Image](" in t for t in texts)


def test_plan_days_spreads_events() -> None:
    import random

    plan = plan_days(random.Random(0), 10_000)
    assert sum(count for _, count in plan) == 10_000
    assert len({day for day, _ in plan}) == len(plan) == 400
    assert all(1 <= count <= 41 for _, count in plan)


def test_plan_days_leaves_out_avoided_days() -> None:
    import random

    avoid = {day for day, _ in plan_days(random.Random(0), 10_000)[::2]}
    plan = plan_days(random.Random(0), 10_000, avoid)
    assert sum(count for _, count in plan) == 10_000
    assert not avoid & {day for day, _ in plan}


def test_slugify_truncates_like_the_archive() -> None:
    assert slugify("Fiat Chrysler U.S. recalls 7,810 SUVs.") == "fiat-chrysler-u-s-recalls-7-810-suvs"
    assert len(slugify("word " * 100)) <= 140 and not slugify("word " * 100).endswith("-")


def test_read_archive_reads_every_generated_event(archive: GeneratedArchive) -> None:
    result = read_archive(archive.out_dir)
    assert result.skipped == []
    assert len(result.events) == archive.events
    assert len({e.id for e in result.events}) == archive.events
    assert len({t for e in result.events for t in e.tags}) == archive.tags


def _event(slug: str, day: str, headline: str, summary: str = "", tags: tuple[str, ...] = ()) -> Event:
    date = dt.date.fromisoformat(day)
    return Event(id=f"{day}/{slug}", date=date, headline=headline, summary=summary, topic="", tags=tags)


_REF_EVENTS = [
    (
        "floods",
        "2010-05-01",
        "Floods hit the northern coast",
        "Thousands flee rising water.",
        ("Varonia", "floods"),
    ),
    ("flooding", "2012-07-09", "Flooding closes the capital's airport", "", ("Varonia",)),
    (
        "election",
        "2012-03-03",
        "Varonia holds a snap election",
        "Voters flood the polls.",
        ("Varonia", "elections"),
    ),
    (
        "summit",
        "2015-01-20",
        "Leaders meet at a trade summit",
        "No floods mentioned here? Yes floods.",
        ("Kestral",),
    ),
]


@pytest.fixture
def ref(tmp_path: Path) -> Iterator[SqliteReference]:
    reference = SqliteReference()
    assert reference.build((_event(*args) for args in _REF_EVENTS), tmp_path / "ref.db") == 4
    yield reference
    reference.close()


def test_sqlite_ref_search_words_stems_and_ranks(ref: SqliteReference) -> None:
    result = ref.search("flood")
    assert result["total"] == 4  # porter: floods, flooding, flood
    assert set(result["hits"]) == {
        "2010-05-01/floods",
        "2012-07-09/flooding",
        "2012-03-03/election",
        "2015-01-20/summit",
    }
    assert ref.search("floods airport", facets=False) == {"total": 1, "hits": ["2012-07-09/flooding"]}
    assert ref.search('"unbalanced (quote OR', facets=False)["total"] == 0


def test_sqlite_ref_filters_tags_and_dates(ref: SqliteReference) -> None:
    assert ref.search("flood", tags=["Varonia"])["total"] == 3
    assert ref.search("flood", tags=["Varonia", "floods"])["hits"] == ["2010-05-01/floods"]
    assert ref.search("", date_from=dt.date(2012, 1, 1), date_to=dt.date(2012, 12, 31))["total"] == 2
    assert ref.search("", limit=2)["hits"] == ["2015-01-20/summit", "2012-07-09/flooding"]


def test_sqlite_ref_facets_count_all_matches(ref: SqliteReference) -> None:
    result = ref.search("flood", limit=1)
    assert len(result["hits"]) == 1
    assert result["tags"][0] == ("Varonia", 3)
    assert dict(result["tags"]) == {"Varonia": 3, "floods": 1, "elections": 1, "Kestral": 1}
    assert result["timeline"] == [(2010, 1), (2012, 2), (2015, 1)]


def test_sqlite_ref_update_upserts_and_deletes(ref: SqliteReference) -> None:
    changed = _event("summit", "2015-01-20", "Leaders meet at a climate summit", "", ("Kestral",))
    added = _event("storm", "2016-02-02", "A storm floods the delta", "", ("Kestral",))
    ref.update([changed, added], ["2010-05-01/floods"])
    assert ref.search("climate")["hits"] == ["2015-01-20/summit"]
    assert set(ref.search("flood")["hits"]) == {
        "2012-07-09/flooding",
        "2012-03-03/election",
        "2016-02-02/storm",
    }
    assert ref.search("", tags=["Kestral"])["total"] == 2
    assert ref.search("thousands")["total"] == 0


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('Kata\'ib "NEAR" OR x*') == '"kata" "ib" "near" "or" "x"'
    assert fts_query("  ") == ""


def test_fts_query_keeps_phrases() -> None:
    assert fts_query('"Northern Coast" floods "x') == '"northern coast" "floods" "x"'


def test_sqlite_ref_searches_phrases_and_context(ref: SqliteReference) -> None:
    assert ref.search('"northern coast"')["hits"] == ["2010-05-01/floods"]
    assert ref.search('"coast northern"')["total"] == 0
    assert ref.search("kestral")["hits"] == ["2015-01-20/summit"]  # a tag, found as a word of the context


@pytest.fixture(scope="module")
def archive_db(archive: GeneratedArchive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("archive-db") / "ref.db"
    SqliteReference().build(read_archive(archive.out_dir).events, db)
    return db


def test_weighted_query_set_is_seeded_distinct_and_varied(archive_db: Path) -> None:
    queries = weighted_query_set(archive_db, 150, seed=3)
    assert queries == weighted_query_set(archive_db, 150, seed=3)
    assert len(queries) == len(set(queries)) == 150
    assert any(q.text.startswith('"') for q in queries)
    assert {len(q.text.split()) for q in queries if not q.text.startswith('"')} == {1, 2, 3}
    assert any(q.tags for q in queries) and any(q.date_from for q in queries)


def test_weighted_query_set_finds_something_every_time(archive_db: Path) -> None:
    """Each query comes from an event (its words, its tag, its year) or is one archive word."""
    reference = SqliteReference(archive_db)
    totals = [
        reference.search(q.text, q.tags, q.date_from, q.date_to, facets=False)["total"]
        for q in weighted_query_set(archive_db, 150, seed=3)
    ]
    reference.close()
    assert min(totals) >= 1 and max(totals) > 20


@pytest.fixture
def tantivy_ref(tmp_path: Path):
    pytest.importorskip("tantivy")
    from bench.tantivy_ref import TantivyReference

    events = [_event(*args) for args in _REF_EVENTS]
    assert TantivyReference.build(events, tmp_path / "tantivy", threads=1) == len(events)
    return TantivyReference(tmp_path / "tantivy")


@pytest.mark.parametrize(
    "request_args",
    [
        ("flood",),
        ("floods airport",),
        ('"northern coast"',),
        ("kestral",),
        ("flood", ["Varonia"]),
        ("flood", ["Varonia", "floods"]),
        ("", [], dt.date(2012, 1, 1), dt.date(2012, 12, 31)),
        ("", ["Kestral"]),
        ("", []),
    ],
)
def test_tantivy_ref_does_the_sqlite_job(ref: SqliteReference, tantivy_ref, request_args: tuple) -> None:
    ours, theirs = tantivy_ref.search(*request_args), ref.search(*request_args)
    assert ours["total"] == theirs["total"]
    assert set(ours["hits"]) == set(theirs["hits"])
    assert dict(ours["tags"]) == dict(theirs["tags"]) and ours["timeline"] == theirs["timeline"]


def test_tantivy_ref_lists_newest_first_without_words(tantivy_ref) -> None:
    assert tantivy_ref.search("", limit=2)["hits"] == ["2015-01-20/summit", "2012-07-09/flooding"]


def test_tantivy_ref_replaces_days(tantivy_ref, tmp_path: Path) -> None:
    from bench.tantivy_ref import TantivyReference

    changed = _event("summit", "2015-01-20", "Leaders meet at a climate summit", "", ("Kestral",))
    TantivyReference.replace_days(tmp_path / "tantivy", ["2015-01-20", "2010-05-01"], [changed])
    reopened = TantivyReference(tmp_path / "tantivy")
    assert reopened.search("climate")["hits"] == ["2015-01-20/summit"]
    assert set(reopened.search("flood")["hits"]) == {"2012-07-09/flooding", "2012-03-03/election"}
