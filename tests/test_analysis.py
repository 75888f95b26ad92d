"""The analyzers' fast indexing path gives exactly the terms and positions of their Whoosh chains."""

import pickle
from pathlib import Path

import pytest
from whoosh.analysis import CompositeAnalyzer

from search.analysis import FACET_SEPARATOR, exact_analyzer, facet_analyzer, text_analyzer, typed_forms
from search.archive import read_archive

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _chain(analyzer, value: str) -> list[tuple[str, int]]:
    """What the plain Whoosh chain indexes: unstopped tokens with their positions."""
    tokens = CompositeAnalyzer.__call__(analyzer, value, positions=True, mode="index")
    return [(t.text, t.pos) for t in tokens if not t.stopped]


def _fast(analyzer, value: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in analyzer(value, positions=True, mode="index")]


TRICKY_TEXTS = [
    "",
    "The rebels and the army of the Republic",  # stop words first and between
    "a an the",  # nothing but stop words
    "Nicolás Maduro’s Venezuela; CAFÉ ﬁnance",  # accents, curly apostrophe (a possessive), ligature
    "俄罗斯总统普京 visits 北京 again",  # CJK runs between English words
    "中 and 國",  # lone CJK characters (stopped: too short)
    "running runs ran 2015 x y",  # stems, numbers, one-letter words
    "Obama Obama obama",  # repeats: each occurrence keeps its position
    "O'Neill's Kata'ib JAPAN'S",  # apostrophes inside words and possessives
]


def _chain_spans(analyzer, value: str) -> list[tuple[str, int, int]]:
    """What highlighting took from the chain: every token with its characters, stop words too."""
    tokens = CompositeAnalyzer.__call__(analyzer, value, chars=True, positions=False, removestops=False)
    return [(t.text, t.startchar, t.endchar) for t in tokens]


@pytest.mark.parametrize("value", TRICKY_TEXTS)
def test_term_spans_are_the_chains_tokens_with_their_characters(value):
    analyzer = text_analyzer()
    assert list(analyzer.term_spans(value)) == _chain_spans(analyzer, value)


@pytest.mark.parametrize("value", TRICKY_TEXTS)
def test_text_fast_path_matches_the_chain(value):
    analyzer = text_analyzer()
    assert _fast(analyzer, value) == _chain(analyzer, value)
    assert _fast(analyzer, value) == _chain(analyzer, value)  # and again, from the memo


@pytest.mark.parametrize(
    "value",
    [
        "Syria",
        FACET_SEPARATOR.join(["Syrian Civil War", " Bashar al-Assad ", "CAFÉ"]),
        FACET_SEPARATOR.join(["叙利亚", "", "Syria"]),
    ],
)
def test_facet_fast_path_matches_the_chain(value):
    analyzer = facet_analyzer()
    assert _fast(analyzer, value) == _chain(analyzer, value)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not there")
@pytest.mark.parametrize("language", ["en", "zh"])
def test_fast_path_matches_the_chain_on_every_real_text(language):
    text, facet, exact = text_analyzer(), facet_analyzer(), exact_analyzer()
    for event in read_archive(CORPUS / language).events:
        for value in (event.headline, event.summary, "\n".join([event.topic, *event.tags])):
            assert _fast(text, value) == _chain(text, value), value
            assert list(text.term_spans(value)) == _chain_spans(text, value), value
        exact_chain = CompositeAnalyzer.__call__(exact, event.headline, mode="index")
        assert _terms(exact(event.headline, mode="index")) == _terms(exact_chain), event.headline
        tags = FACET_SEPARATOR.join(event.tags)
        assert _fast(facet, tags) == _chain(facet, tags), tags


def test_the_memo_stays_out_of_the_pickled_schema():
    analyzer = text_analyzer()
    _fast(analyzer, "words to remember " * 50)
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert b"remember" not in pickle.dumps(analyzer)
    assert _fast(restored, "remember words") == _chain(restored, "remember words")


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("雨", ["雨"]),  # kept: the search answers it from the bigrams that contain it
        ("暴雨", ["暴雨"]),
        ("the rain", ["rain"]),  # English stop words still go
        ("a", []),
    ],
)
def test_query_mode_keeps_a_lone_chinese_character(query, terms):
    assert [token.text for token in text_analyzer()(query, mode="query")] == terms


@pytest.mark.parametrize(
    ("analyzer", "traditional", "simplified"),
    [
        (text_analyzer(), "俄羅斯總統訪問", "俄罗斯总统访问"),
        (facet_analyzer(), "俄羅斯", "俄罗斯"),
    ],
)
@pytest.mark.parametrize("mode", ["index", "query"])
def test_traditional_chinese_folds_to_simplified(analyzer, traditional, simplified, mode):
    terms = [token.text for token in analyzer(traditional, mode=mode)]
    assert terms == [token.text for token in analyzer(simplified, mode=mode)]
    assert terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Japan's Miyagi", ["japan", "miyagi"]),  # the stemmer alone would keep "japan'"
        ("Japan’s", ["japan"]),
        ("JAPAN'S", ["japan"]),
        ("Kata'ib O'Neill", ["kata'ib", "o'neil"]),  # other apostrophes stay inside the word
    ],
)
@pytest.mark.parametrize("mode", ["index", "query"])
def test_a_possessive_is_indexed_and_searched_as_its_word(text, terms, mode):
    analyzer = text_analyzer()
    assert [token.text for token in analyzer(text, mode=mode)] == terms
    assert _fast(analyzer, text) == _chain(analyzer, text)


def _terms(tokens) -> list[str]:
    return [t.text for t in tokens if not t.stopped]


@pytest.mark.parametrize("value", TRICKY_TEXTS)
def test_exact_fast_path_gives_the_chains_terms(value):
    analyzer = exact_analyzer()
    chain = CompositeAnalyzer.__call__(analyzer, value, mode="index")
    assert _terms(analyzer(value, mode="index")) == _terms(chain)


@pytest.mark.parametrize(
    ("query", "forms"),
    [
        ("killed kills", {"kill": {"killed", "kills"}}),  # two forms of one stem
        ("the Police", {"polic": {"police"}}),  # stop words left out, case folded
        ("Japan's Nicolás", {"japan": {"japan"}, "nicola": {"nicolas"}}),  # possessive, accent
        ("al-Assad", {"al": {"al"}, "assad": {"assad"}}),  # a hyphen parts words
        ('"prime minister" -army', {"prime": {"prime"}, "minist": {"minister"}, "armi": {"army"}}),  # syntax
        ("俄罗斯 总统", {}),  # nothing stemmed: nothing to tell apart
    ],
)
def test_typed_forms_are_the_query_words_as_typed_by_stem(query, forms):
    found = typed_forms(query, text_analyzer(), exact_analyzer())
    assert found == {stem: frozenset(words) for stem, words in forms.items()}
