"""Known-item queries made from real events, and the measures that judge a ranking by them.

A known-item query is what someone types to find one event they have in mind;
the event is the one relevant answer, so a ranking is judged by where it puts
that event (reciprocal rank, found in the top 10). Each style imitates a way of
asking, from the event's own headline; every choice is seeded by the event's id,
so a query does not change when other events join the set.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import itertools
import random
import re
import string
from collections.abc import Iterable, Sequence

from whoosh.lang.porter import stem

from bench.queries import is_query_word
from bench.sqlite_ref import context_of
from search.event import Event
from search.text import CJK_CHARS

# Style -> what the table calls it. Word styles are made for English events, the substring for Chinese ones.
STYLES = {
    "rare": "two rarest words",
    "common": "three commonest words",
    "phrase": '"two words" of the headline',
    "word_tag": "commonest word + one of its tags",
    "misspelled": "two rarest words, one misspelled",
    "zh_substring": "2-4 Chinese characters",
}
TYPO_MIN_LETTERS = 5
_TOKEN = re.compile(r"[^\W_]+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # a word with its apostrophes: Japan's, Kata'ib
_POSSESSIVE = re.compile(r"(.+)['’]s")
_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")


@dataclasses.dataclass(frozen=True)
class KnownItem:
    """A query (text, tag filter) whose one relevant answer is the event ``event_id``."""

    style: str
    event_id: str
    text: str
    tags: tuple[str, ...] = ()


class Vocabulary:
    """Every word of the archive (headline, summary, context) and in how many events it occurs.

    Chinese has no spaces to find words by: for the headlines in ``cjk_headlines``
    it also counts in how many events each of their 2-4 character substrings occurs.
    """

    def __init__(self, events: Iterable[Event], cjk_headlines: Iterable[str] = ()) -> None:
        wanted = {s for headline in cjk_headlines for s in _cjk_substrings(headline)}
        self.frequency: collections.Counter[str] = collections.Counter()
        self.substrings: collections.Counter[str] = collections.Counter()
        for event in events:
            text = f"{event.headline}\n{event.summary}\n{context_of(event)}".lower()
            self.frequency.update(set(_TOKEN.findall(text)))
            if wanted and event.language == "zh":
                self.substrings.update(_cjk_substrings(text) & wanted)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency


def typed_words(text: str) -> list[str | None]:
    """The text's words as people type them: lower-case, "Japan's" as ``japan``; None for what nobody
    types (stop words, numbers, "Kata'ib": half of it is no word, and spellings of all of it vary)."""
    words: list[str | None] = []
    for word in _WORD.findall(text.lower()):
        possessive = _POSSESSIVE.fullmatch(word)
        word = possessive.group(1) if possessive else word
        words.append(word if is_query_word(word) else None)
    return words


def headline_words(headline: str) -> list[str]:
    """The headline's query words, each once, in headline order."""
    return list(dict.fromkeys(w for w in typed_words(headline) if w))


def known_items(event: Event, vocabulary: Vocabulary, seed: int) -> list[KnownItem]:
    """The event's queries, one per style that applies to it (a style needs enough words, a tag...)."""
    rng = random.Random(f"{seed}:{event.id}")
    if event.language == "zh":
        texts = {"zh_substring": _substring(event, vocabulary, rng)}
        tag = ()
    else:
        words = headline_words(event.headline)
        by_rarity = sorted(words, key=lambda w: (vocabulary.frequency[w], words.index(w)))
        texts = {
            "rare": _in_order(words, by_rarity[:2], 2),
            "common": _in_order(words, by_rarity[::-1][:3] if len(words) >= 3 else [], 3),
            "phrase": _phrase(event.headline, rng),
            "word_tag": by_rarity[-1] if event.tags and words else "",
            "misspelled": _misspelled(words, by_rarity, vocabulary, rng),
        }
        tag = (rng.choice(event.tags),) if event.tags else ()
    return [
        KnownItem(style, event.id, text, tag if style == "word_tag" else ())
        for style, text in texts.items()
        if text
    ]


def _in_order(words: list[str], chosen: list[str], needed: int) -> str:
    """The chosen words as they stand in the headline (as people type them), if there are enough."""
    return " ".join(w for w in words if w in chosen) if len(chosen) >= needed else ""


def _phrase(headline: str, rng: random.Random) -> str:
    """Two query words that stand together as written ("Japan's Miyagi" is no such pair)."""
    words = _WORD.findall(headline.lower())
    pairs = [(a, b) for a, b in itertools.pairwise(words) if is_query_word(a) and is_query_word(b)]
    return '"{} {}"'.format(*rng.choice(pairs)) if pairs else ""


def _misspelled(words: list[str], by_rarity: list[str], vocabulary: Vocabulary, rng: random.Random) -> str:
    """The rarest word of five letters or more, misspelled, with the rarest other word; in headline order."""
    target = next((w for w in by_rarity if len(w) >= TYPO_MIN_LETTERS and w.isascii()), None)
    other = next((w for w in by_rarity if w != target), None)
    typo = misspell(target, rng, vocabulary) if target and other else None
    return " ".join(typo if w == target else w for w in words if w in (target, other)) if typo else ""


def misspell(word: str, rng: random.Random, vocabulary: Vocabulary | None = None) -> str | None:
    """One edit: two neighbouring letters swapped, or a letter dropped, added or replaced.

    The first letter stays, as it mostly does in real typos. The result is not an
    archive word and does not stem like the word (``cities`` -> ``citie`` would
    still find it): a real miss. None if no try gives one.
    """
    for _ in range(50):
        kind = rng.choice(("swap", "delete", "insert", "replace"))
        at = rng.randrange(1, len(word) - 1 if kind == "swap" else len(word))
        letter = rng.choice(string.ascii_lowercase)
        typo = {
            "swap": word[:at] + word[at + 1 : at + 2] + word[at] + word[at + 2 :],
            "delete": word[:at] + word[at + 1 :],
            "insert": word[:at] + letter + word[at:],
            "replace": word[:at] + letter + word[at + 1 :],
        }[kind]
        if stem(typo) != stem(word) and (vocabulary is None or typo not in vocabulary):
            return typo
    return None


def _cjk_substrings(text: str) -> set[str]:
    runs = _CJK_RUN.findall(text)
    return {run[at : at + n] for run in runs for n in (2, 3, 4) for at in range(len(run) - n + 1)}


def _substring(event: Event, vocabulary: Vocabulary, rng: random.Random) -> str:
    """Two to four characters of the headline, as likely as can be a word someone would type.

    Best a whole tag of the event (a name: 伊拉克, 萨达姆); else a substring that
    occurs in other events too; any substring would mostly straddle two words.
    """
    candidates = sorted(_cjk_substrings(event.headline))
    names = [s for s in candidates if s in event.tags]
    if names or not candidates:
        return rng.choice(names) if names else ""
    length = min(rng.choice((2, 3, 4)), max(len(s) for s in candidates))
    same_length = [s for s in candidates if len(s) == length]
    words = [s for s in same_length if vocabulary.substrings[s] >= 2]
    return rng.choice(words or same_length)


# -- measures --------------------------------------------------------------------


def rank_of(ranked: Sequence[str], target: str, k: int = 10) -> int | None:
    """1-based position of target among the first k results, None if it is not there."""
    return ranked.index(target) + 1 if target in ranked[:k] else None


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float:
    """MRR@k from ranks already cut at k (None: not found, counts 0)."""
    return sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def recall(ranks: Sequence[int | None]) -> float:
    """Share of queries whose event is in the top k (one relevant event per query)."""
    return sum(1 for r in ranks if r) / len(ranks) if ranks else 0.0


def precision_at(shown: Sequence[str], relevant: set[str], k: int = 5) -> float:
    """Of the first k shown (fewer shown count as misses), the share that is relevant."""
    return sum(1 for item in shown[:k] if item in relevant) / k


class SharedTags:
    """The baseline for "More like this": events ranked by how many tags they share with the event.

    Ties go to the nearest date, then the id: the editors' Related lists favour the
    same story, so the baseline is not handicapped by an arbitrary order.
    """

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = {e.id: e for e in events}
        self.by_tag: dict[str, list[str]] = collections.defaultdict(list)
        for event in events:
            for tag in {t.casefold() for t in event.tags}:
                self.by_tag[tag].append(event.id)

    def similar(self, event_id: str, limit: int = 5) -> list[str]:
        event = self.events[event_id]
        shared: collections.Counter[str] = collections.Counter()
        for tag in {t.casefold() for t in event.tags}:
            shared.update(self.by_tag[tag])
        shared.pop(event_id, None)
        date = event.date

        def key(other: str) -> tuple[int, int, str]:
            return (-shared[other], abs((self.events[other].date - date) / dt.timedelta(days=1)), other)

        return sorted(shared, key=key)[:limit]
