"""Typo tolerance and spelling suggestions, from the archive's own words.

Each generation keeps a list of the Latin-script words its events use, with
counts (``words.tsv``); ``typos.TypoIndex`` finds the words near a word.

- Correction (``correct_typos``): a query word of five letters or more that no
  event has is searched as the nearest archive word (one edit away, two from
  nine letters, as Meilisearch does) that fits the rest of the query, and the
  page says so ("Showing results for …. Search instead for …").
- Suggestion (``suggest``): when a search finds fewer than three events, each
  unknown word is replaced by the most used word one edit away ("syra" becomes
  "syria"), offered as "Did you mean".
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Protocol

from .event import Event
from .limits import MAX_SPELLING_WORD_CHARS, MAX_SPELLING_WORDS, MAX_TYPO_CANDIDATES
from .text import has_cjk, strip_accents
from .typos import TypoIndex

WORDS_FILE = "words.tsv"
_WORD = re.compile(r"[^\W\d_]{3,}")
_QUERY_WORD = re.compile(r"(?<![\w:\"])([^\W\d_]{3,})(?![\w:])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_LETTERS_ONLY = re.compile(r"[^\W\d_]+")
ONE_TYPO_LETTERS = 5  # a word this long may have one typo corrected
TWO_TYPOS_LETTERS = 9  # and this long, two


def fold(word: str) -> str:
    """Lower-cased, accents removed: how words are compared."""
    return strip_accents(word.casefold())


def words_of(event: Event) -> Iterable[str]:
    """The Latin-script words of every text a plain query searches: headline, summary and context."""
    sources = [value for source in event.sources for value in (source.name, source.domain)]
    text = " ".join((event.headline, event.summary, event.topic, *event.tags, *sources, *event.aliases))
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


def correct(word: str, words: Counter, typos: TypoIndex) -> str | None:
    """The most used known word one edit away from an unknown word, or None."""
    folded = fold(word)
    if folded in words or len(folded) > MAX_SPELLING_WORD_CHARS:  # folding can lengthen a word
        return None
    candidates = [w for w, _ in typos.near(folded, 1) if w in words]
    return max(candidates, key=lambda w: (words[w], w)) if candidates else None


def suggest(text: str, words: Counter, typos: TypoIndex) -> str | None:
    """The query text with unknown words corrected, or None if there is nothing to correct."""
    changed = False
    looked_at = 0

    def replace(match: re.Match) -> str:
        nonlocal changed, looked_at
        word = match.group(1)
        if word in _OPERATORS or has_cjk(word) or len(word) > MAX_SPELLING_WORD_CHARS:
            return word
        looked_at += 1
        if looked_at > MAX_SPELLING_WORDS:  # a long query gets no suggestion past this
            return word
        fixed = correct(word, words, typos)
        if fixed is None:
            return word
        changed = True
        return fixed

    corrected = _QUERY_WORD.sub(replace, text)
    return corrected if changed else None


# -- typo tolerance: the query searched with its misspelled words corrected ---------------------------


@dataclasses.dataclass(frozen=True)
class Correction:
    """What was searched instead of the query text as typed: its unknown words corrected."""

    original: str
    corrected: str
    words: tuple[tuple[str, str], ...]  # (as typed, as searched)

    @property
    def message(self) -> str:
        return f"Showing results for “{self.corrected}”. Search instead for “{self.original}”."

    def to_json(self) -> dict:
        return {
            "original": self.original,
            "corrected": self.corrected,
            "words": [{"typed": typed, "searched": searched} for typed, searched in self.words],
        }


class Archive(Protocol):
    """What typo correction asks of the archive (``SearchIndex`` answers from its live documents)."""

    def knows(self, word: str) -> bool:
        """Whether some event has the word as typed (a stop word counts as known: it is not searched).

        Its stem is not enough: "ritoing" stems like a name of the archive ("rito") yet is a typo.
        """

    def frequency(self, word: str) -> int:
        """How often the word occurs in the archive."""

    def finds(self, words: list[str]) -> bool:
        """Whether some event within the request's filters has all these words."""


def typo_distance(word: str) -> int:
    """How many typos a word of this many letters may have (Meilisearch's default: 1 from 5, 2 from 9)."""
    return 0 if len(word) < ONE_TYPO_LETTERS else 1 if len(word) < TWO_TYPOS_LETTERS else 2


def correct_typos(text: str, typos: Callable[[], TypoIndex], archive: Archive) -> Correction | None:
    """The text with each unknown plain word replaced by the nearest archive word that fits the query.

    A word is unknown when no event has it; its candidates are the archive's
    words within ``typo_distance`` edits, nearest and most used first; the
    first that some event has together with the query's other plain words
    (and within its filters) is taken. When an unknown word has no such
    candidate, nothing is corrected (the query cannot find anything as typed
    nor corrected; a suggestion may help). Words in quotes, field values,
    excluded words and Chinese are left alone; a query whose words all exist is
    never rewritten (None).
    """
    words = _plain_words(text)[:MAX_SPELLING_WORDS]
    known = [word for _, _, word in words if archive.knows(word)]  # as typed (not only its stem)
    together = " OR " not in f" {text} "  # plain words must all match: candidates must fit the others
    chosen: list[tuple[int, int, str, str]] = []
    for start, end, word in words:
        if word in known:
            continue
        if not typo_distance(word) or len(word) > MAX_SPELLING_WORD_CHARS:
            return None  # an unknown word that cannot be corrected: the query finds nothing either way
        near = typos().near(fold(word), typo_distance(word))  # the index is built on first need
        ranked = sorted(near, key=lambda pair: (pair[1], -archive.frequency(pair[0]), pair[0]))
        context = known + [replacement for *_, replacement in chosen] if together else []
        fitting = (
            candidate for candidate, _ in ranked[:MAX_TYPO_CANDIDATES] if archive.finds([*context, candidate])
        )
        candidate = next(fitting, None)
        if candidate is None:
            return None
        chosen.append((start, end, word, _same_case(word, candidate)))
    if not chosen:
        return None
    corrected = text
    for start, end, _, replacement in reversed(chosen):
        corrected = corrected[:start] + replacement + corrected[end:]
    return Correction(text, corrected, tuple((word, replacement) for _, _, word, replacement in chosen))


_TOKEN = re.compile(
    r"""
    "[^"]*"?                        # a quoted phrase
    | (?:[^\s:"()]+:)?\[[^\]]*\]?   # a range, with or without its field
    | [^\s:"()]+:(?:"[^"]*"?|\S*)    # a field's value
    | (?<![^\s(])-\S+               # an excluded word
    | [^\W\d_]+(?=[^\w'’]|$)         # a word of letters only
    | \w[\w'’]*                     # another word (digits, an apostrophe)
    | .                             # anything else
    """,
    re.S | re.X,
)


def has_unknown_words(text: str, words: Collection[str]) -> bool:
    """Whether a plain word of the text is missing from a word list (what typo correction looks for)."""
    return any(fold(word) not in words for _, _, word in _plain_words(text)[:MAX_SPELLING_WORDS])


def _plain_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words a typo may be corrected in: searched as typed, all letters."""
    found = []
    excluded = False  # the word after NOT
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.isspace() or token in "()":
            continue
        if token in _OPERATORS:
            excluded = token in ("NOT", "ANDNOT")
            continue
        if not excluded and _LETTERS_ONLY.fullmatch(token) and not has_cjk(token):
            found.append((match.start(), match.end(), token))
        excluded = False
    return found


def _same_case(typed: str, word: str) -> str:
    """The correction written as the word was typed: "Syrain" -> "Syrian"."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word.capitalize() if typed[:1].isupper() else word
