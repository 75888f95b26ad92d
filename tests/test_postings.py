"""Postings read in bulk: exactly Whoosh's documents, scored as the ranking model says, built and updated.

The index is a generated archive plus a day of Chinese events written here,
built by one worker, and a copy built by two then updated file by file until
Whoosh merges segments. Whoosh runs the same query (its prefixes and
one-character queries resolved into terms by ``expansion.bound_query``, as a
search does) and must find the same documents. Their scores must be those of
``ranking_reference`` (the model of search/scoring.py computed one document at
a time from Whoosh's own readers) on a fresh build of the same content: the
updated index too (Whoosh's statistics count deleted documents until a merge;
ours do not).
"""

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest
from ranking_reference import Reference
from whoosh import index as whoosh_index

from bench.generate import generate
from search import scoring
from search.analysis import ExactAnalyzer, TextAnalyzer, typed_forms
from search.characters import BigramTable
from search.columns import load_columns
from search.expansion import bound_query
from search.matching import query_mask
from search.postings import (
    BULK_FIELDS,
    LAST_POSITION,
    POSTINGS_DIR,
    BulkPostings,
    compute_arrays,
    load_arrays,
)
from search.query import TEXT_FIELDS, make_parser, parse_text
from search.request import SearchRequest
from search.schema import make_schema
from search.scoring import Scorer
from search.searching import SearchIndex
from search.store import Store
from search.whoosh_internals import read_postings
from search.writer import build, update

EVENTS = 2000
CHINESE_DAY = "news/2030/01/1"
CHINESE_HEADLINES = [
    "美国总统访问俄罗斯，讨论天然气价格。",
    "俄罗斯总统会见美国代表团。",
    "暴雨袭击南方，多地下雨成灾。",
    "美国国会通过预算，总统签署。",
    "乌克兰与俄罗斯举行会谈。",
]
# Whoosh's AndNotMatcher keeps one event of this fixture that has "police" in its summary:
# its answer for these queries is taken without the events that match the excluded part.
WHOOSH_KEEPS_EXCLUDED = {"government ANDNOT police": "police"}
QUERIES = [
    "government",  # a term in three fields
    "government two",  # several words: all must match
    "governments policing",  # words of the same stems as others: the exactness bonus tells them apart
    "government OR police",
    "government NOT police",
    "government -police",
    "-government",
    "government ANDNOT police",
    "government ANDMAYBE police",
    '"ventar agency"',  # a phrase
    '"at least passengers"',
    '"local government across"',  # three words
    '"least passengers"~3',  # words within three positions, in order
    '"passengers least"~3',
    '"police police"',  # a word twice
    'summary:"least passengers"',  # a phrase in one field
    '"nosuchword least" OR ventar',  # a phrase with a word the index lacks
    "gov*",  # a prefix: one term
    "agenc*",  # two terms
    "pro*",  # many terms
    "police pro*^2",
    "headline:[government TO governs]",
    "date:2004",  # a date range
    "date:[2003-06-01 TO 2004-06-30] police",
    "government^3 police",
    'tag:"Ventar Agency" OR police',
    "lang:en police",
    "美国",  # a Chinese bigram
    "俄罗斯",  # a phrase of bigrams
    "美国 总统",
    '"美国总统"',
    "雨",  # one character: the bigrams that contain it
    "美国 -俄罗斯",
]


def _chinese_page(date: str, headline: str) -> str:
    return f"### [{date}](/zh/news/2030/01/1/index.md)\n\n# {headline}\n\n{headline}\n\n\n### 信息来源:\n\n1. [新华社](https://www.news.cn/world/1)\n"


def _write_chinese_day(content: Path) -> None:
    day = content / CHINESE_DAY
    day.mkdir(parents=True)
    for number, headline in enumerate(CHINESE_HEADLINES):
        (day / f"zh-event-{number}.md").write_text(_chinese_page("2030-01-1", headline))


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    content = tmp_path_factory.mktemp("generated")
    generate(content, EVENTS, seed=3)
    _write_chinese_day(content)
    return content


@pytest.fixture(scope="module")
def built(content, tmp_path_factory):
    """The content built by one worker: one segment."""
    store = Store(tmp_path_factory.mktemp("built"))
    build(content, store, workers=1)
    return store


@pytest.fixture(scope="module")
def updated(content, tmp_path_factory):
    """The content built by two workers, then updated one file at a time until Whoosh merged segments."""
    copy = tmp_path_factory.mktemp("updated-content") / "content"
    shutil.copytree(content, copy)
    store = Store(tmp_path_factory.mktemp("updated"))
    build(copy, store, workers=2)
    pages = sorted(copy.glob("news/*/*/*/*.md"))
    pages = [page for page in pages if page.name not in ("index.md", "README.md")]
    for number in range(9):
        page = pages[number * 97]
        page.write_text(
            page.read_text().replace(
                "\n\n### Source", f" Update {number}: government police.\n\n### Source", 1
            )
        )
        update(copy, store, paths=[page.relative_to(copy).as_posix()])
    return store


@pytest.fixture(scope="module")
def rebuilt(updated, tmp_path_factory):
    """A fresh build of the updated content: what Whoosh scores the updated index against."""
    store = Store(tmp_path_factory.mktemp("rebuilt"))
    build(Path(Store(updated.root).manifest()["content_dir"]), store, workers=1)
    return store


def _segment_sizes(store: Store) -> list[int]:
    with whoosh_index.open_dir(store.current()).reader() as reader:
        return [sub.doc_count_all() for sub, _ in reader.leaf_readers()]


def test_fixtures_hold_the_segment_shapes_under_test(built, updated):
    assert len(_segment_sizes(built)) == 1
    sizes = _segment_sizes(updated)
    # Nine one-file updates: two build segments and fewer than nine small ones, one of them merged.
    assert len(sizes) < 2 + 9 and max(sorted(sizes)[:-2]) > 1


class _Bulk:
    """The bulk path over one index generation, and Whoosh and the reference over another (or the same)."""

    def __init__(self, generation: Path, reference: Path) -> None:
        self.fresh = generation == reference
        self.searcher = whoosh_index.open_dir(generation).searcher()
        self.whoosh = whoosh_index.open_dir(reference).searcher()
        self.reference = Reference(self.whoosh)
        self.postings = BulkPostings(self.searcher, generation / POSTINGS_DIR)
        self.columns = load_columns(self.searcher.reader(), generation / "columns")
        self.scorer = Scorer(self.postings, self.columns.live)
        self.parser = make_parser(make_schema())

    def compare(self, text: str) -> tuple[dict, dict]:
        """The reference's and the bulk path's scores of the matches Whoosh finds, by event id."""
        query = self._query(text)
        reference_query = self._query(text, self.whoosh)
        forms = typed_forms(text, TextAnalyzer(), ExactAnalyzer())
        expected = {
            hit["id"]: self.reference.score(reference_query, hit.docnum, forms)
            for hit in self.whoosh.search(query, limit=None)
        }
        if text in WHOOSH_KEEPS_EXCLUDED:
            excluded = {
                hit["id"] for hit in self.whoosh.search(self._query(WHOOSH_KEEPS_EXCLUDED[text]), limit=None)
            }
            expected = {key: score for key, score in expected.items() if key not in excluded}
        mask = query_mask(self.postings, query, self.columns.size) & self.columns.live
        scores = self.scorer.scores(query, forms=forms)
        return expected, {
            self.searcher.stored_fields(d)["id"]: float(scores[d]) for d in np.flatnonzero(mask)
        }

    def _query(self, text: str, searcher=None):
        query = parse_text(self.parser, text).query
        reader = (searcher or self.searcher).reader()
        return bound_query(query, reader, BigramTable(reader), TEXT_FIELDS).query

    def close(self) -> None:
        self.searcher.close()
        self.whoosh.close()


@pytest.fixture(scope="module", params=["built", "updated"])
def bulk(request):
    reference = {"built": "built", "updated": "rebuilt"}[request.param]
    generation = request.getfixturevalue(request.param).current()
    bulk = _Bulk(generation, request.getfixturevalue(reference).current())
    yield bulk
    bulk.close()


@pytest.mark.parametrize("text", QUERIES)
def test_bulk_path_finds_whooshs_documents_with_the_reference_scores(bulk, text):
    expected, found = bulk.compare(text)
    assert expected, f"{text!r} should match something in the fixture"
    assert found.keys() == expected.keys()
    # An updated index takes its deleted documents' lengths out of the average with their one-byte
    # lengths, which round: its scores agree with a fresh build's to 1e-4.
    assert found == pytest.approx(expected, rel=1e-5 if bulk.fresh else 1e-4)


@pytest.mark.parametrize(
    "text", ["government two", '"least passengers"~3 police', "ventar pro*", "美国 总统"]
)
def test_scores_within_the_matches_are_the_full_scores_there(bulk, text):
    query = bulk._query(text)
    matches = query_mask(bulk.postings, query, bulk.columns.size) & bulk.columns.live
    assert matches.any()
    full, within = bulk.scorer.scores(query), bulk.scorer.scores(query, within=matches)
    assert np.array_equal(full[matches], within[matches])


def test_arrays_hold_exactly_whooshs_postings(bulk):
    checked = 0
    for segment in bulk.postings.segments:
        for field in BULK_FIELDS:
            for text in segment.reader.lexicon(field):
                ids, weights = bulk.postings.arrays(field, text, segments=[segment])
                expected_ids, expected_weights = read_postings(segment.reader, field, text, weights=True)
                assert ids.tolist() == (expected_ids + segment.offset).tolist()
                assert weights.tolist() == expected_weights.tolist()
                checked += 1
    assert checked > 1000


def test_first_positions_are_where_whoosh_says_each_headline_word_first_stands(bulk):
    checked = 0
    reader = bulk.searcher.reader()
    for text in itertools.islice(reader.lexicon("headline"), 0, None, 7):
        ids, firsts = bulk.postings.first_positions("headline", text)
        live = bulk.columns.live[
            ids
        ]  # the arrays keep deleted documents' postings; Whoosh's matcher skips them
        ids, firsts = ids[live], firsts[live]
        matcher = reader.postings("headline", text)
        expected = {}
        while matcher.is_active():
            expected[matcher.id()] = min(matcher.value_as("positions")[0], LAST_POSITION)
            matcher.next()
        assert dict(zip(ids.tolist(), firsts.tolist(), strict=True)) == expected
        checked += 1
    assert checked > 100


def test_positions_are_where_whoosh_says_each_word_stands(bulk):
    checked = 0
    reader = bulk.searcher.reader()
    everything = np.ones(bulk.columns.size, dtype=bool)
    for field in TEXT_FIELDS:
        for text in itertools.islice(reader.lexicon(field), 0, None, 11):
            keys = bulk.postings.phrase_keys(field, text, everything)
            keys = keys[bulk.columns.live[keys >> 32]]  # Whoosh's matcher skips deleted documents
            matcher = reader.postings(field, text)
            expected = []
            while matcher.is_active():
                expected += [(matcher.id(), position) for position in matcher.value_as("positions")]
                matcher.next()
            assert list(zip((keys >> 32).tolist(), (keys & 0xFFFFFFFF).tolist(), strict=True)) == expected
            checked += 1
    assert checked > 300


def test_arrays_recorded_by_the_workers_equal_those_read_from_whoosh(updated):
    generation = updated.current()
    with whoosh_index.open_dir(generation).reader() as reader:
        for sub, _ in reader.leaf_readers():
            saved, computed = load_arrays(generation / POSTINGS_DIR, sub), compute_arrays(sub)
            for name in ("keys", "starts", "docs", "weights", "firsts", "positions", "position_starts"):
                assert np.array_equal(getattr(saved, name), getattr(computed, name)), name


def test_every_segment_has_arrays_and_merged_ones_are_gone(updated):
    generation = updated.current()
    with whoosh_index.open_dir(generation).reader() as reader:
        live = {sub.segment().segment_id() for sub, _ in reader.leaf_readers()}
    files = {path.name.split(".")[0].split("-", 1)[1] for path in (generation / POSTINGS_DIR).glob("*.npy")}
    assert files == live


def test_missing_arrays_are_computed_again(built, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(built.root, copy)
    postings = Store(copy).current() / POSTINGS_DIR
    shutil.rmtree(postings)
    with SearchIndex(copy) as index:
        page = index.search(SearchRequest(text="government police"))
    with SearchIndex(built.root) as index:
        assert page == index.search(SearchRequest(text="government police"))
    assert len(list(postings.glob("*.npy"))) == 5  # docs, weights, first positions, positions, terms


def test_open_index_answers_after_its_arrays_are_deleted(built, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(built.root, copy)
    with SearchIndex(copy) as index:
        expected = index.search(SearchRequest(text="government two"))
        generation = Store(copy).current()
        for path in [*generation.glob("MAIN_*"), *(generation / POSTINGS_DIR).glob("*")]:
            path.unlink()
        assert index.search(SearchRequest(text="government two")) == expected


def test_remembered_frequencies_are_what_the_fields_postings_give_and_stay_bounded(bulk, monkeypatch):
    monkeypatch.setattr(scoring, "MAX_REMEMBERED_FREQUENCY_BYTES", 4096)
    scorer = Scorer(bulk.postings, bulk.columns.live)
    words = list(itertools.islice(bulk.searcher.reader().lexicon("summary"), 0, 400, 20))
    for text in words:
        ids, tf = scorer.frequencies(text, TEXT_FIELDS)
        expected = np.zeros(scorer.size, dtype=np.float32)
        for field in TEXT_FIELDS:
            field_ids, counts = scorer.live_ids(field, text)
            norm = (1 - scoring.B) + scoring.B * scorer._lengths[field][field_ids] / scorer._average[field]
            expected[field_ids] += scoring.FIELD_WEIGHTS[field] * counts / norm
        assert ids.tolist() == np.flatnonzero(expected).tolist()
        assert np.array_equal(tf, expected[ids])
        assert scorer.frequencies(text, TEXT_FIELDS)[1] is tf  # remembered
        assert scorer.remembered_bytes <= max(4096, ids.nbytes + tf.nbytes)
