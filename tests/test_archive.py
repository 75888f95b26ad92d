"""Reading a content tree into Events: the odd cases of the real archive, on our own fixture."""

import shutil
from pathlib import Path

import pytest

from search.archive import read_archive

FIXTURE = Path(__file__).parent / "fixtures" / "archive"


@pytest.fixture(scope="module")
def events():
    archive = read_archive(FIXTURE)
    assert archive.skipped == []
    return {event.id: event for event in archive.events}


FLOODS = "2020-01-05/heavy-rain-floods-the-village-of-lake-wobegon-the-mayor-calls-it-the-wettest-week-in-living-memory"
SPEAKER = "2020-01-05/the-parliament-of-zembla-elects-charles-kinbote-as-speaker"
CHEESE = "2020-01-05/ruritania-and-zembla-sign-a-trade-agreement-on-cheese-exports"
WAR = "2020-01-05/freedonia-declares-war-on-sylvania-after-a-diplomatic-insult"
RIVER = "2019-12-31/the-river-wobegon-bursts-its-banks-for-the-first-time-in-a-century"


def test_every_event_appears_once(events):
    assert sorted(events) == sorted(
        [
            FLOODS,
            SPEAKER,
            CHEESE,
            WAR,
            RIVER,
            "2020-01-06/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament",
            "2020-01-06/harbour-bridge-reopens-after-repairs",
        ]
    )


def test_entities_and_wiki_markup_become_plain_text(events):
    floods = events[FLOODS]
    assert floods.headline.endswith('calls it "the wettest week in living memory".')
    assert (
        floods.summary
        == 'Residents of the fictional village were evacuated by boat … officials said the river\'s level was "unprecedented".'
    )


def test_article_body_keeps_the_markdown_below_the_headline_for_rendering(events):
    body = events[FLOODS].body
    assert body.startswith("Residents of the ''fictional'' village were evacuated by boat &hellip;")
    assert (
        "### Related:" in body
        and "### Source:" not in body
        and "wettest week in living memory&#034;" not in body
    )


def test_sources_leave_out_cover_images_and_img_links(events):
    assert [(s.name, s.domain) for s in events[FLOODS].sources] == [
        ("Prairie Home Gazette", "prairie-gazette.example"),
        ("Wobegon Radio", "radio.wobegon.example"),
    ]


def test_tags_join_index_context_and_related_contexts(events):
    assert events[SPEAKER].tags == ("Zembla", "Charles Kinbote", "Parliament of Zembla")
    assert events[FLOODS].tags == ("Lake Wobegon", "floods", "Minnesota")


def test_event_listed_under_two_topics_keeps_first_topic_and_all_contexts(events):
    cheese = events[CHEESE]
    assert cheese.topic == "Ruritania"
    assert cheese.tags == ("Ruritania", "cheese", "Zembla", "trade agreement")


def test_topic_glued_to_headline_is_split_off(events):
    assert events[SPEAKER].headline == "The parliament of Zembla elects Charles Kinbote as speaker."
    assert events[SPEAKER].topic == "Zembla politics"


def test_page_starting_with_formats_line_is_read(events):
    assert events[CHEESE].summary == "The agreement removes tariffs on Strelsau blue and other cheeses."


def test_index_only_event_has_headline_topic_and_context(events):
    war = events[WAR]
    assert (war.headline, war.topic, war.tags, war.sources) == (
        "Freedonia declares war on Sylvania after a diplomatic insult.",
        "Freedonia",
        ("Freedonia", "Sylvania", "Rufus T. Firefly"),
        (),
    )


def test_readme_copy_of_day_index_is_not_read_beside_index(events):
    assert "README only tag" not in events[WAR].tags


def test_related_links_become_event_ids(events):
    assert events[FLOODS].related == (RIVER, "2001-05-17/an-event-on-a-day-that-is-not-in-this-archive")


def test_chinese_page_with_localised_headings(events):
    river = events[RIVER]
    assert (river.language, river.topic, river.tags) == ("zh", "沃贝冈湖", ("沃贝冈湖", "洪水"))
    assert river.headline == "沃贝冈河百年来首次决堤，村民连夜撤离。"
    assert [s.domain for s in river.sources] == ["caoyuan-daily.example"]


def test_english_events_are_english(events):
    assert {e.language for e in events.values() if e.id != RIVER} == {"en"}


BROKEN = {
    "news/2020/01/6/binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
    "news/2020/01/6/latin1.md": "### [2020-01-6](/news/2020/01/6/index.md)\n\n# Caf\xe9 opens\n".encode(
        "latin-1"
    ),
    "news/2020/01/6/no-headline.md": b"### [2020-01-6](/news/2020/01/6/index.md)\n\nJust text.\n",
    "news/2020/01/6/truncated.md": b"### [2020-01-6](/news/2020/01/6/ind",
    "news/2021/02/30/impossible-day.md": b"### [2021-02-30](/news/2021/02/30/index.md)\n\n# A day that never was\n",
}


def test_broken_files_are_named_and_skipped_and_the_rest_is_indexed(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "archive")
    for rel, data in BROKEN.items():
        path = tmp_path / "archive" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    archive = read_archive(tmp_path / "archive")
    assert len(archive.events) == 7
    reasons = {item.path: item.reason for item in archive.skipped}
    assert set(reasons) == set(BROKEN)
    assert "not UTF-8" in reasons["news/2020/01/6/binary.md"]
    assert "not UTF-8" in reasons["news/2020/01/6/latin1.md"]
    assert "no headline" in reasons["news/2020/01/6/no-headline.md"]
    assert "impossible date" in reasons["news/2021/02/30/impossible-day.md"]


XI_PAGE = """### [2020-01-7](/news/2020/01/7/index.md)

# Xi Jinping (习近平) opens a bridge over the River Wobegon.

The president of China (中国) cut the ribbon.

### Source:

1. [Gazette](https://www.gazette.example/xi)
"""
XI_INDEX = """## [2020-01-7](/news/2020/01/7/index.md)

##### Bridges
### [Xi Jinping (习近平) opens a bridge over the River Wobegon. ](/news/2020/01/7/xi-opens-a-bridge.md)
### [Visitors from 北京 see the new bridge. ](/news/2020/01/7/visitors-see-the-bridge.md)
"""
ZH_INDEX = """## [2020-01-8](/zh/news/2020/01/8/index.md)

##### Bridges
### [The Wobegon bridge opens to traffic. ](/zh/news/2020/01/8/the-bridge-opens-to-traffic.md)
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The fixture archive plus a day of English events quoting Chinese names and a Chinese day in Latin letters."""
    root = tmp_path_factory.mktemp("planted") / "archive"
    shutil.copytree(FIXTURE, root)
    for day, files in (
        ("news/2020/01/7", {"index.md": XI_INDEX, "xi-opens-a-bridge.md": XI_PAGE}),
        ("news/2020/01/8", {"index.md": ZH_INDEX}),
    ):
        (root / day).mkdir(parents=True)
        for name, text in files.items():
            (root / day / name).write_text(text)
    return {event.id: event for event in read_archive(root).events}


@pytest.mark.parametrize(
    ("event_id", "language"),
    (
        ("2020-01-07/xi-opens-a-bridge", "en"),  # an English page whose headline quotes a Chinese name
        ("2020-01-07/visitors-see-the-bridge", "en"),  # listed only in an English day index
        ("2020-01-08/the-bridge-opens-to-traffic", "zh"),  # listed only in a Chinese one, in Latin letters
        (RIVER, "zh"),  # a Chinese page: /zh/ links, localised headings
    ),
)
def test_language_comes_from_the_archive_not_the_characters(planted, event_id, language):
    assert planted[event_id].language == language
