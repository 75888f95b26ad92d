"""Plain words and quoted phrases are made into the query Whoosh's parser would make, without the parser."""

import re
from pathlib import Path

import pytest

from search.archive import read_archive
from search.query import make_parser, parse_text, plain_words_query
from search.schema import make_schema

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PARSER = make_parser(make_schema())


@pytest.mark.parametrize(
    "text",
    [
        "government",
        "government three",
        "Government THREE police",  # case
        "the government of the people",  # stop words dropped
        "government government",  # a repeat
        "running runs police",  # two words with one stem
        "x1 2015 police",  # digits
        "  police \t  reports  ",  # spacing
        "police and or not",  # lower-case operators are words (stop words here)
        '"prime minister"',  # a phrase
        '"Prime Minister" police "three reports"',  # phrases and words
        '"war in syria"',  # a stop word inside: left out, the rest a phrase
        '"the war"',  # one term left: a term
        '"the of" police',  # no term left: no part
        '"police OR army"',  # an operator inside quotes is a word
        'police "police"',  # a repeat
        '"x1 2015"',  # digits
    ],
)
def test_plain_words_make_the_parsers_query(text):
    assert plain_words_query(PARSER, text) == PARSER.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        '"prime minister"~3',  # syntax
        "police OR army",
        "police NOT army",
        "date:2015",
        "al-Assad",  # a word that becomes two terms (a phrase)
        "café",  # not ASCII
        "美国",
        "pol*",
        "the of and",  # only stop words: the parser's empty query and its message
        '"the of"',
        'police"army"',  # a quote that does not stand apart
        '"police army',  # an unclosed quote
    ],
)
def test_anything_else_is_left_to_the_parser(text):
    assert plain_words_query(PARSER, text) is None


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not there")
def test_real_headlines_words_make_the_parsers_query():
    checked = 0
    for event in read_archive(CORPUS / "en").events:
        words = re.findall(r"[A-Za-z0-9]+", event.headline)
        texts = (" ".join(words[:3]), " ".join(words[-2:]), " ".join(words))
        for text in (*texts, f'"{texts[1]}"', f'{" ".join(words[:1])} "{texts[0]}"', f'"{texts[2]}"'):
            if text and not {"AND", "OR", "NOT", "TO"} & set(text.split()):
                assert parse_text(PARSER, text).query == PARSER.parse(text), text
                checked += 1
    assert checked > 100
