"""The search model against the ranking reference and brute force, on the English corpus index."""

import itertools
from collections import Counter

import numpy as np
import pytest
from ranking_reference import Reference

from search.analysis import typed_forms
from search.expansion import bound_query
from search.matching import query_mask
from search.query import TEXT_FIELDS
from search.request import SearchRequest
from search.searching import SearchIndex


@pytest.fixture(scope="module")
def index(en_index_dir):
    with SearchIndex(en_index_dir) as index:
        yield index


@pytest.mark.parametrize(
    "text", ("syria", "police killed", "earthquake OR tsunami", "killed NOT police", '"prime minister"')
)
def test_relevance_order_is_the_reference_models_order(index, text):
    # Near-equal scores may fall either way between float32 and float64: the page must be a best ten, in order.
    reference = Reference(index._searcher)
    query = bound_query(index.parser.parse(text), index._searcher.reader(), index._bigrams, TEXT_FIELDS).query
    matches = np.flatnonzero(query_mask(index._postings, query, index.columns.size) & index.columns.live)
    forms = typed_forms(text, index.analyzer, index.exact_analyzer)
    scores = {index._event_id(d): reference.score(query, d, forms) for d in matches.tolist()}
    page = [hit.id for hit in index.search(SearchRequest(text=text)).hits]
    assert len(page) == min(10, len(scores)) > 0
    assert all(scores[a] >= scores[b] - 1e-4 for a, b in itertools.pairwise(page))
    left_out = [score for event_id, score in scores.items() if event_id not in page]
    assert not left_out or scores[page[-1]] >= max(left_out) - 1e-4


def _all_hits(index, request):
    hits, page = [], 1
    while True:
        result = index.search(SearchRequest(**{**request, "page_number": page, "page_size": 100}))
        hits += result.hits
        if page >= result.pages:
            return result, hits
        page += 1


@pytest.mark.parametrize(
    "request_args",
    (
        {"text": "killed"},
        {"text": "", "filters": {"tags": ("Syria",)}},
        {"text": "president", "date_from": None},
    ),
)
def test_facet_counts_equal_a_count_over_every_hit(index, request_args):
    first, hits = _all_hits(index, {**request_args, "facet_size": 1000})
    assert first.total == len(hits) == len({hit.id for hit in hits})
    expected = Counter(tag for hit in hits for tag in hit.tags)
    assert {v.value: v.count for v in first.facets["tags"].values} == dict(expected)


def test_several_tags_all_must_match_unless_any(index):
    tags = ("Syria", "Tajikistan")
    all_of = index.search(SearchRequest(filters={"tags": tags})).total
    any_of = index.search(SearchRequest(filters={"tags": tags}, modes={"tags": "any"})).total
    each = [index.search(SearchRequest(filters={"tags": (tag,)})).total for tag in tags]
    assert all_of == 0 and any_of == sum(each) and all(each)


@pytest.mark.parametrize(
    ("request_args", "unit"),
    (
        ({}, "year"),
        ({"date_from": "2015-01-01", "date_to": "2016-06-30"}, "month"),
        ({"date_from": "2015-09-01", "date_to": "2015-09-30"}, "day"),
    ),
)
def test_timeline_unit_follows_the_range(index, request_args, unit):
    import datetime as dt

    dates = {key: dt.date.fromisoformat(value) for key, value in request_args.items()}
    page = index.search(SearchRequest(**dates))
    assert page.timeline_unit == unit
    assert sum(bucket.count for bucket in page.timeline) == page.total


def test_newest_sort_is_by_date(index):
    dates = [hit.date for hit in index.search(SearchRequest(text="killed", sort="newest", page_size=50)).hits]
    assert dates == sorted(dates, reverse=True)


def _ids(index, text: str) -> set[str]:
    return {hit.id for hit in index.search(SearchRequest(text=text, page_size=100)).hits}


@pytest.mark.parametrize(
    ("query", "without"),
    [
        ("russia -syria", "syria"),
        ("-syria", "syria"),
        ('russia -"civil war"', '"civil war"'),
    ],
)
def test_minus_word_excludes_it(index, query, without):
    found, excluded = _ids(index, query), _ids(index, without)
    assert found and excluded and not found & excluded


def test_hyphen_inside_a_word_is_no_exclusion(index):
    assert _ids(index, "al-Assad") == _ids(index, '"al Assad"') != set()


@pytest.mark.parametrize("facet", ("topic", "source", "language", "tags"))
def test_a_value_no_event_has_finds_nothing(index, facet):
    assert index.search(SearchRequest(filters={facet: ("No such value",)})).total == 0


@pytest.mark.parametrize(
    ("old", "new"), (('tag:"Syrian Civil War"', 'tags:"Syrian Civil War"'), ("lang:en", "language:en"))
)
def test_old_query_field_names_search_as_the_new_ones(index, old, new):
    assert _ids(index, old) == _ids(index, new) != set()


def test_several_topics_find_events_under_any_of_them(index):
    topics = ("2011 Libyan civil war", "2011 Bahraini protests")
    each = [index.search(SearchRequest(filters={"topic": (topic,)})).total for topic in topics]
    assert all(each) and index.search(SearchRequest(filters={"topic": topics})).total == sum(each)


def test_a_hit_loads_no_article_body_but_the_event_has_it(index):
    hit = index.search(SearchRequest(text="boston")).hits[0]
    stored = index._searcher.stored_fields(index._searcher.document_number(id=hit.id))
    assert set(stored) == {"id", "day", "payload"}
    assert not {"body", "markdown"} & set(stored["payload"])
    body = index.event(hit.id).body
    assert hit.summary[:40] in body and "### Source" not in body
