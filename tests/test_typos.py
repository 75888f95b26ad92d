"""Typo tolerance: the deletion index finds every near word, and a search corrects only what it should."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import Store
from search.typos import TypoIndex, edit_distance
from search.writer import build
from webui import create_app
from webui.index import close_index

ARCHIVE = Path(__file__).parent / "fixtures" / "ranking_archive"


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("syrian", "syrain", 1),  # two neighbouring letters swapped: one edit
        ("syria", "syrian", 1),
        ("afghanistan", "afganistan", 1),
        ("earthquake", "earthqauke", 1),
        ("volunteers", "vlunteeers", 2),
        ("kitten", "sitting", 3),
        ("ca", "abc", 3),  # optimal string alignment: no edit of a swapped pair
    ],
)
def test_edit_distance_counts_a_swap_as_one_edit(a, b, distance):
    assert edit_distance(a, b) == edit_distance(b, a) == distance


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(len(word) - 1)
    letter = rng.choice(string.ascii_lowercase)
    return rng.choice(
        [
            word[:at] + word[at + 1] + word[at] + word[at + 2 :],
            word[:at] + word[at + 1 :],
            word[:at] + letter + word[at:],
            word[:at] + letter + word[at + 1 :],
        ]
    )


def test_the_deletion_index_finds_exactly_the_words_a_full_scan_finds():
    rng = random.Random(7)
    stems = ["".join(rng.choice("aeioubdgkmnrst") for _ in range(rng.randint(3, 12))) for _ in range(3000)]
    words = sorted(set(stems) | {stem + "s" for stem in stems[:500]} | {"ab", "abc"})
    index = TypoIndex(words)
    for word in rng.sample(words, 300):
        query = _typo(_typo(word, rng), rng) if rng.random() < 0.5 else _typo(word, rng)
        distance = 2 if len(query) >= 9 else 1
        expected = sorted(
            (other, d) for other in words if 0 < (d := edit_distance(query, other, distance)) <= distance
        )
        assert sorted(index.near(query, distance)) == expected, query


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("typo-index")
    build(ARCHIVE, Store(path), workers=1)
    return path


@pytest.fixture(scope="module")
def index(index_dir: Path) -> Iterator[SearchIndex]:
    with SearchIndex(index_dir) as index:
        yield index


# (query, the text searched instead, or None: searched as typed)
CORRECTIONS = [
    ("voluntears", "volunteers"),  # one edit
    ("vlunteeers", "volunteers"),  # two edits in a word of nine letters or more
    ("flodding ferry", "flooding ferry"),  # the unknown word only
    ("Flodding", "Flooding"),  # as it was typed
    ("tags:Grimsby flodding", "tags:Grimsby flooding"),
    ("fludding", None),  # two edits in a word of eight letters: too far
    ("brdg", None),  # four letters: no typo is corrected
    (
        "dunmire",
        None,
    ),  # an archive word is never rewritten, though "dunmore" is more common and one edit away
    ("zorblax stirke", None),  # "strike" is one edit away but no event has it with "zorblax"
    ('"flodding"', None),  # a phrase is searched as typed
    ("zorblax NOT flodding", None),  # so is an excluded word
    ("风笋节", None),  # Chinese is never corrected
]


@pytest.mark.parametrize(("text", "corrected"), CORRECTIONS, ids=[text for text, _ in CORRECTIONS])
def test_an_unknown_word_is_searched_as_the_nearest_archive_word_that_fits(index, text, corrected):
    page = index.search(SearchRequest(text=text))
    assert (page.correction.corrected if page.correction else None) == corrected
    if corrected:
        assert page.total > 0
        assert f"Showing results for “{corrected}”. Search instead for “{text}”." in page.messages


def test_a_correction_looks_within_the_filters(index):
    page = index.search(SearchRequest(text="flodding", filters={"tags": ("Harbour",)}))
    assert page.correction.corrected == "flooding"
    assert [hit.id for hit in page.hits] == ["2021-05-04/the-council-reviews-the-harbour-budget"]


def test_exact_searches_the_words_as_typed(index):
    page = index.search(SearchRequest(text="flodding ferry", exact=True))
    assert page.correction is None and page.total == 0
    assert page.suggestion == "flooding ferry"  # what found nothing may still be suggested


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    yield app.test_client()
    close_index(app)


def test_the_api_says_what_it_corrected(client):
    page = client.get("/api/search?q=flodding+ferry").get_json()
    assert page["correction"] == {
        "original": "flodding ferry",
        "corrected": "flooding ferry",
        "words": [{"typed": "flodding", "searched": "flooding"}],
    }
    assert page["messages"] == ["Showing results for “flooding ferry”. Search instead for “flodding ferry”."]
    assert client.get("/api/search?q=flodding+ferry&exact=1").get_json()["correction"] is None
