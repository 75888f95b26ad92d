"""The real archives in ../shared/corpus, indexed and searched end to end."""

import re
import shutil
from pathlib import Path

import pytest

from search.archive import read_archive
from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import Store
from search.text import to_simplified
from search.writer import build

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED_ID = (
    "2015-09-04/russian-president-vladimir-putin-confirms-that-russia-is-providing-military-aid-in-"
    "syrian-civil-war-in-support-of-the-bashar-al-assad-regime"
)

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not there")


@pytest.fixture(scope="module")
def en_index(en_index_dir):
    """The English corpus index of conftest, open for searching."""
    with SearchIndex(en_index_dir) as index:
        yield index


@pytest.fixture(scope="module")
def zh_index(tmp_path_factory):
    """The Chinese archive, indexed once for this module."""
    index_dir = tmp_path_factory.mktemp("zh-index")
    build(CORPUS / "zh", Store(index_dir))
    with SearchIndex(index_dir) as index:
        yield index


def _index_entries(root: Path) -> set[str]:
    """Every event a day index lists, as an id: the events the archive holds."""
    ids = set()
    for index in root.glob("news/*/*/*/index.md"):
        for y, m, d, slug in re.findall(
            r"\]\(/(?:zh/)?news/(\d+)/(\d+)/(\d+)/([^)]+)\.md\)", index.read_text()
        ):
            if slug != "index":
                ids.add(f"{int(y):04d}-{int(m):02d}-{int(d):02d}/{slug}")
    return ids


def test_en_every_event_appears_once():
    events = read_archive(CORPUS / "en").events
    ids = [event.id for event in events]
    assert len(ids) == len(set(ids))
    assert set(ids) == _index_entries(CORPUS / "en")


def test_en_superseded_versions_are_not_separate_hits(en_index):
    page = en_index.search(SearchRequest(text='"providing military aid"', page_size=50))
    assert [hit.id for hit in page.hits] == [SEED_ID]


def test_en_seed_event_is_indexed_faithfully(en_index):
    event = en_index.event(SEED_ID)
    assert event.headline.startswith(
        "Russian President Vladimir Putin confirms that Russia is providing military aid"
    )
    assert 'desire for "international coalition" to fight terrorism' in event.summary
    assert [(s.name, s.domain) for s in event.sources] == [("Telegraph", "telegraph.co.uk")]
    assert {"Syria", "Syrian Civil War", "Bashar al-Assad"} <= set(event.tags)
    assert event.topic == "Russia's role in the Syrian Civil War"


def test_en_events_listed_only_in_a_day_index_are_found(tmp_path):
    # The en corpus has a page for every listed event, so take one page away from a copy.
    shutil.copytree(CORPUS / "en", tmp_path / "en")
    day = tmp_path / "en" / "news" / "2013" / "04" / "15"
    page = next(p for p in sorted(day.glob("*.md")) if p.stem not in ("index", "README"))
    page.unlink()
    build(tmp_path / "en", Store(tmp_path / "index"))
    index = SearchIndex(tmp_path / "index")
    event = index.event(f"2013-04-15/{page.stem}")
    assert event is not None and event.path == "news/2013/04/15/index.md"
    words = " ".join(re.findall(r"[A-Za-z]{6,}", event.headline)[:3])
    assert event.id in [hit.id for hit in index.search(SearchRequest(text=words, page_size=100)).hits]
    index.close()


def test_en_tag_query_syntax_matches_exact_tag(en_index):
    page = en_index.search(SearchRequest(text='tag:"Syrian Civil War"'))
    assert SEED_ID in [hit.id for hit in page.hits]
    assert all("Syrian Civil War" in hit.tags for hit in page.hits)


def test_zh_has_every_event():
    assert len(read_archive(CORPUS / "zh").events) == 8984


def test_zh_tags_come_from_context_lines(zh_index):
    event = zh_index.event(
        "2010-04-10/一架载有波兰总统卡钦斯基及众多军政高官的图-154型专机在俄罗斯斯摩棱斯克坠毁-机上96人全部遇难-波兰下议院议长科莫"
    )
    assert "俄羅斯" in event.tags
    assert event.language == "zh" and event.topic == "波蘭總統"


def test_zh_language_conversion_markup_is_resolved():
    texts = [value for e in read_archive_cached() for value in (e.headline, e.summary, e.topic, *e.tags)]
    assert not [text for text in texts if "-{" in text or "}-" in text]


@pytest.mark.parametrize("query", ("普京", "地震", "總統"))
def test_zh_two_character_query_finds_the_events_containing_it(zh_index, query):
    # Traditional and Simplified are one for search: "總統" also finds "总统".
    wanted = to_simplified(query)
    expected = {e.id for e in read_archive_cached() if wanted in to_simplified(e.headline + " " + e.summary)}
    found = _all_hits(zh_index, query)
    assert expected and expected <= found
    assert all(wanted in to_simplified(_searchable_text(zh_index.event(i))) for i in found - expected)


def test_zh_traditional_and_simplified_queries_find_the_same_events(zh_index):
    traditional, simplified = _all_hits(zh_index, "俄羅斯"), _all_hits(zh_index, "俄罗斯")
    assert traditional == simplified
    written = [e for e in read_archive_cached() if e.id in simplified]
    # Both spellings occur among the events found: the folding is what brings them together.
    assert any("俄羅斯" in _searchable_text(e) for e in written) and any(
        "俄罗斯" in _searchable_text(e) for e in written
    )


def test_zh_other_regions_names_find_their_events(zh_index):
    # The markup names Trump 川普 for Taiwan; the text shows the Simplified variant.
    found = _all_hits(zh_index, "川普")
    shown = {e.id for e in read_archive_cached() if "川普" in _searchable_text(e)}
    assert len(found) > len(shown)
    # Found by the text, or by the other names its markup gave (the body shows the Simplified one).
    assert all(
        "川普" in " ".join(e.aliases) or "川普" in _searchable_text(e)
        for e in read_archive_cached()
        if e.id in found
    )


@pytest.mark.parametrize("char", ("雨", "京"))
def test_zh_one_character_query_finds_the_events_containing_it(zh_index, char):
    # Indexed as bigrams, a character is found wherever it stands in a run of two or more.
    in_run = re.compile(rf"[\u4e00-\u9fff]{char}|{char}[\u4e00-\u9fff]")
    expected = {
        e.id for e in read_archive_cached() if in_run.search(to_simplified(e.headline + " " + e.summary))
    }
    found = _all_hits(zh_index, char)
    assert expected and expected <= found
    assert all(char in to_simplified(_searchable_text(zh_index.event(i))) for i in found)
    page = zh_index.search(SearchRequest(text=char))
    assert "<mark>" in page.hits[0].highlights["headline"] + page.hits[0].highlights["summary"]


def _all_hits(index, text: str) -> set[str]:
    """The ids of every event a query finds, page by page."""
    found: set[str] = set()
    page = index.search(SearchRequest(text=text, page_size=100))
    for number in range(1, page.pages + 1):
        found |= {
            hit.id for hit in index.search(SearchRequest(text=text, page_size=100, page_number=number)).hits
        }
    return found


def _searchable_text(event) -> str:
    """What a plain query searches: headline, summary, and the context (topic, tags, outlets)."""
    return " ".join(
        [event.headline, event.summary, event.topic, *event.tags, *(s.name for s in event.sources)]
    )


_ZH_EVENTS = []


def read_archive_cached():
    if not _ZH_EVENTS:
        _ZH_EVENTS.extend(read_archive(CORPUS / "zh").events)
    return _ZH_EVENTS


@pytest.mark.parametrize("language", ("en", "zh"))
def test_every_event_has_the_language_of_its_archive(language):
    events = read_archive_cached() if language == "zh" else read_archive(CORPUS / "en").events
    assert events and {event.language for event in events} == {language}
