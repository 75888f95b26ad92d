"""Spelling suggestions: replace query words the archive never uses with close ones it does."""

from __future__ import annotations

import re

from whoosh.searching import Searcher

from .analysis import word_analyzer

_WORD = re.compile(r"(?<![\w:\"])([^\W\d_]{3,})(?![\w:])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def suggest(searcher: Searcher, schema, text: str) -> str | None:
    """The query text with unknown words corrected, or None if there is nothing to correct."""
    analyzer = word_analyzer()
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        word = match.group(1)
        if word in _OPERATORS:
            return word
        folded = next((t.text for t in analyzer(word)), "")
        if not folded or searcher.doc_frequency("words", folded):
            return word
        candidates = searcher.suggest("words", folded, limit=1, maxdist=2, prefix=1)
        if not candidates:
            return word
        changed = True
        return candidates[0]

    corrected = _WORD.sub(replace, text)
    return corrected if changed and corrected != text else None
