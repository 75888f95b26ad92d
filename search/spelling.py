"""Spelling suggestions from the archive's own words.

Each generation keeps a list of the Latin-script words its events use, with
counts (``words.tsv``). A query word that is not in it is replaced by the most
used word one edit away (a letter deleted, swapped, replaced or inserted):
"syra" becomes "syria". Cheap enough to run whenever a search finds little.
"""

from __future__ import annotations

import os
import re
import string
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .event import Event
from .limits import MAX_SPELLING_WORD_CHARS, MAX_SPELLING_WORDS
from .text import has_cjk, strip_accents

WORDS_FILE = "words.tsv"
_WORD = re.compile(r"[^\W\d_]{3,}")
_QUERY_WORD = re.compile(r"(?<![\w:\"])([^\W\d_]{3,})(?![\w:])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_LETTERS = string.ascii_lowercase


def fold(word: str) -> str:
    """Lower-cased, accents removed: how words are compared."""
    return strip_accents(word.casefold())


def words_of(event: Event) -> Iterable[str]:
    """The Latin-script words of an event's headline, summary and tags."""
    text = " ".join((event.headline, event.summary, *event.tags))
    return (fold(w) for w in _WORD.findall(text) if not has_cjk(w))


def write_words(directory: Path, words: Counter) -> None:
    """Save a generation's word counts, atomically: servers read them while an update writes."""
    lines = (f"{word}\t{count}" for word, count in sorted(words.items()))
    tmp = directory / f".{WORDS_FILE}.{os.getpid()}.tmp"
    try:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, directory / WORDS_FILE)
    finally:
        tmp.unlink(missing_ok=True)  # left only when writing failed (a full disk)


def read_words(directory: Path) -> Counter:
    """A generation's word counts (empty if it has none)."""
    words: Counter = Counter()
    try:
        text = (directory / WORDS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return words
    for line in text.splitlines():
        word, _, count = line.partition("\t")
        if word:
            words[word] = int(count or 1)
    return words


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)


def correct(word: str, words: Counter) -> str | None:
    """The most used known word one edit away from an unknown word, or None."""
    folded = fold(word)
    if folded in words or len(folded) > MAX_SPELLING_WORD_CHARS:  # folding can lengthen a word
        return None
    candidates = [w for w in _edits(folded) if w in words]
    return max(candidates, key=lambda w: (words[w], w)) if candidates else None


def suggest(text: str, words: Counter) -> str | None:
    """The query text with unknown words corrected, or None if there is nothing to correct."""
    changed = False
    looked_at = 0

    def replace(match: re.Match) -> str:
        nonlocal changed, looked_at
        word = match.group(1)
        if word in _OPERATORS or has_cjk(word) or len(word) > MAX_SPELLING_WORD_CHARS:
            return word
        looked_at += 1
        if (
            looked_at > MAX_SPELLING_WORDS
        ):  # each word costs an edit set: a long query gets no suggestion past this
            return word
        fixed = correct(word, words)
        if fixed is None:
            return word
        changed = True
        return fixed

    corrected = _QUERY_WORD.sub(replace, text)
    return corrected if changed else None
