"""Atom feeds of searches and saved searches, read back by a real feed parser (feedparser)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import feedparser
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search.cli import main as cli
from webui import create_app
from webui.atom import Entry, Feed, Link, atom_document
from webui.feeds import FEED_ENTRIES
from webui.index import close_index

HOSTILE = "2010-06-15/a-hostile-archive-page-tests-the-sanitiser"


def parsed_feed(client: FlaskClient, url: str):
    """The feed at ``url``, parsed; it must be well-formed Atom."""
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def newest_ids(client: FlaskClient, query: str, size: int = FEED_ENTRIES) -> list[str]:
    page = client.get(f"/api/search?{query}&sort=newest&size={size}").get_json()
    return [hit["id"] for hit in page["hits"]]


def event_id_of(link: str) -> str:
    return urlsplit(link).path.removeprefix("/event/")


@pytest.mark.parametrize(
    "query", ("q=bomb", "tags=Tajikistan", "q=&from=2011-01-01", "q=earthquake&sort=oldest")
)
def test_a_search_feed_lists_its_newest_matches_with_links_to_their_pages(client, query):
    feed = parsed_feed(client, f"/search.atom?{query}")
    assert [event_id_of(entry.link) for entry in feed.entries] == newest_ids(
        client, query.replace("sort=oldest", "")
    )
    assert all(entry.id == entry.link for entry in feed.entries)


def test_a_feed_lists_at_most_its_number_of_entries(client):
    feed = parsed_feed(client, "/search.atom?size=3&page=2")
    assert len(feed.entries) == FEED_ENTRIES
    assert [event_id_of(entry.link) for entry in feed.entries] == newest_ids(client, "q=")


def test_a_feed_entry_carries_the_event(client):
    page = client.get("/api/search?q=boston+marathon&size=1").get_json()
    hit = page["hits"][0]
    entry = parsed_feed(client, "/search.atom?q=boston+marathon").entries[0]
    assert (entry.title, entry.summary) == (hit["headline"], hit["summary"])
    assert [tag.term for tag in entry.tags] == hit["tags"]
    day = dt.date.fromisoformat(hit["date"])
    assert entry.published_parsed[:3] == entry.updated_parsed[:3] == (day.year, day.month, day.day)
    related = [link.href for link in entry.links if link.rel == "related"]
    assert related == [source["url"] for source in hit["sources"]]


def test_the_feed_names_its_search_and_links_itself_and_the_search_page(client):
    feed = parsed_feed(client, "/search.atom?q=bomb&tags=Tajikistan&page=2")
    assert "“bomb”" in feed.feed.title and "Tag: Tajikistan" in feed.feed.title
    links = {link.rel: link.href for link in feed.feed.links}
    assert urlsplit(links["self"]).path == "/search.atom" and urlsplit(links["alternate"]).path == "/search"
    assert urlsplit(links["self"]).query == urlsplit(links["alternate"]).query == "q=bomb&tags=Tajikistan"
    assert feed.feed.id == links["self"]
    assert (
        feed.entries and feed.feed.updated_parsed == feed.entries[0].updated_parsed
    )  # the newest entry's day


def test_a_feed_without_entries_is_still_a_valid_feed(client):
    feed = parsed_feed(client, "/search.atom?q=zzzqqq")
    assert feed.entries == [] and feed.feed.updated_parsed is not None


def test_a_feed_passes_on_only_web_links_of_untrusted_sources(webui_archive_index_dir):
    app = create_app({"TESTING": True, "INDEX_DIR": str(webui_archive_index_dir)})
    try:
        feed = parsed_feed(app.test_client(), "/search.atom?q=sanitiser")
    finally:
        close_index(app)
    entry = next(entry for entry in feed.entries if event_id_of(entry.link) == HOSTILE)
    assert [link.href for link in entry.links if link.rel == "related"] == [
        "https://gazette.fixture.example/2010/06/15/sanitiser"
    ]


def test_the_feed_of_a_chinese_event_says_its_language(webui_archive_index_dir):
    app = create_app({"TESTING": True, "INDEX_DIR": str(webui_archive_index_dir)})
    try:
        body = app.test_client().get("/search.atom?language=zh").get_data(as_text=True)
    finally:
        close_index(app)
    assert '<entry xml:lang="zh">' in body


def test_characters_xml_cannot_hold_are_left_out():
    day = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    entry = Entry(
        "tag:x,2020:1",
        "bell\x07 and\x00 form\x0cfeed",
        day,
        day,
        "tab\tkept",
        [Link("https://x.example/")],
        [],
    )
    document = atom_document(Feed("tag:x,2020:feed", "feed\x1b", day, "someone", [], [entry]))
    feed = feedparser.parse(document)
    assert not feed.bozo
    assert (feed.feed.title, feed.entries[0].title, feed.entries[0].summary) == (
        "feed",
        "bell and formfeed",
        "tab\tkept",
    )


def test_the_search_page_links_its_feed_in_the_head_and_on_the_page(client):
    page = client.get("/search?q=bomb&sort=oldest&page=2&size=5").get_data(as_text=True)
    head = page[: page.index("</head>")]
    alternate = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', head)
    assert alternate and alternate.group(1) == "/search.atom?q=bomb"
    assert 'class="feed-link" href="/search.atom?q=bomb"' in page


# -- saved searches as feeds ---------------------------------------------


@pytest.fixture
def saved_client(tmp_path: Path, en_index_dir: Path):
    """A client of the English corpus with saved searches beside a copy of its index."""
    import shutil

    index_dir = tmp_path / "index"
    shutil.copytree(en_index_dir, index_dir)
    for args in (["bombs", "bomb", "--from", "2005-01-01"], ["japan", "", "--tags", "Japan"]):
        result = CliRunner().invoke(cli, ["saved", "add", *args, "--index-dir", str(index_dir)])
        assert result.exit_code == 0, result.output
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    yield app.test_client()
    close_index(app)


@pytest.mark.parametrize(
    ("name", "query"), (("bombs", {"q": "bomb", "from": "2005-01-01"}), ("japan", {"tags": "Japan"}))
)
def test_a_saved_search_is_served_as_a_feed(saved_client, name, query):
    feed = parsed_feed(saved_client, f"/saved/{name}.atom")
    assert [event_id_of(entry.link) for entry in feed.entries] == newest_ids(saved_client, urlencode(query))
    assert feed.entries and name in feed.feed.title
    assert urlsplit(feed.feed.id).path == f"/saved/{name}.atom"


def test_an_unknown_saved_search_is_a_404(saved_client):
    assert saved_client.get("/saved/nothing-here.atom").status_code == 404
