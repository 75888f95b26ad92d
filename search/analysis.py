"""Analyzers: one text analyzer for English and Chinese, one for exact facet values.

Chinese has no spaces between words, so CJK runs are indexed as overlapping
character bigrams: a query of two or more characters becomes a phrase of
bigrams and finds exactly the texts that contain it (measured against a word
segmenter in ``bench/zh_analyzer.py``). Latin-script words are case- and
accent-folded, stop-worded and stemmed.
"""

from __future__ import annotations

import re

from whoosh.analysis import (
    Composable,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    StripFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.filters import Filter

from .text import CJK_CHARS, strip_accents

_WORD = re.compile(rf"[{CJK_CHARS}]+|[^\W_{CJK_CHARS}]+(?:['’][^\W_{CJK_CHARS}]+)*")
_CJK_RUN = re.compile(rf"^[{CJK_CHARS}]")
FACET_SEPARATOR = "\x1f"  # joins several facet values in one indexed string


class MixedTokenizer(Tokenizer):
    """Words for Latin script, overlapping bigrams for CJK runs (a lone character stays a unigram)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MixedTokenizer)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _WORD.finditer(value):
            word, start = match.group(), match.start()
            pieces = _bigrams(word) if _CJK_RUN.match(word) else [(word.replace("’", "'"), 0)]
            for text, offset in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + start + offset
                    token.endchar = token.startchar + len(text)
                yield token


def _bigrams(run: str) -> list[tuple[str, int]]:
    if len(run) == 1:
        return [(run, 0)]
    return [(run[i : i + 2], i) for i in range(len(run) - 1)]


class FoldFilter(Filter):
    """Unicode-normalise and strip accents, so "Nicolás" and "Nicolas" match."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter)

    def __call__(self, tokens):
        for token in tokens:
            token.text = strip_accents(token.text)
            yield token


def text_analyzer() -> Composable:
    """Stemmed English plus CJK bigrams: for headlines and summaries."""
    return MixedTokenizer() | LowercaseFilter() | FoldFilter() | StopFilter() | StemFilter(cachesize=50000)


def facet_analyzer() -> Composable:
    """Whole facet values ("Syrian Civil War"), case-folded, several per field."""
    return RegexTokenizer(rf"[^{FACET_SEPARATOR}]+") | StripFilter() | LowercaseFilter() | FoldFilter()


def fold_value(value: str) -> str:
    """A facet value as the facet analyzer indexes it."""
    return next((token.text for token in facet_analyzer()(value)), "")
