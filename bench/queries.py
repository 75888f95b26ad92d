"""The fixed, seeded query sets, taken from the archive itself.

Two sets, both visible in the results:

- the *uniform* set (``query_set``): distinct words of five letters or more drawn
  uniformly, so nearly every query is a rare word with a few dozen matches;
- the *weighted* set (``weighted_query_set``): words drawn as often as they occur in
  the archive (plus a share of rare ones), one to three words or a phrase, some with
  a tag or a year: like the queries people type, whose common words match thousands.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
import re
import sqlite3
from pathlib import Path

from whoosh.analysis import STOP_WORDS

STOP = {"about", "after", "again", "their", "there", "these", "which", "while", "would", "where", "other"}
# The weighted set: how a query is made (shares of all queries).
RARE_SHARE = 0.2  # one word drawn uniformly from the distinct words: the long tail
WORD_COUNTS = ((1, 0.45), (2, 0.35), (3, 0.20))
PHRASE_SHARE = 0.15  # two words that stand together in the headline, quoted
TAG_SHARE = 0.2  # with one of the event's tags as a filter
YEAR_SHARE = 0.15  # with the event's year as the date range
_TOKEN = re.compile(r"[^\W_]+")
_PART = re.compile(r'"([^"]*)"|([^\s"]+)')


@dataclasses.dataclass(frozen=True)
class BenchQuery:
    """One query of the set: words, optional tags and optional date range."""

    text: str
    tags: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def query_parts(text: str) -> list[tuple[str, ...]]:
    """Query text as its parts: each a word, or the words of a "quoted phrase" (lower-cased, no syntax)."""
    parts = []
    for phrase, word in _PART.findall(text.lower()):
        words = tuple(_TOKEN.findall(phrase if phrase else word))
        if phrase and words:
            parts.append(words)
        else:
            parts += [(w,) for w in words]
    return parts


def quoted_query(text: str) -> str:
    """Query text as SQLite FTS5 and tantivy both read it: every word and "phrase" quoted, all required."""
    return " ".join('"{}"'.format(" ".join(part)) for part in query_parts(text))


def is_query_word(word: str) -> bool:
    """A word people would type and every engine indexes: letters only, three or more, not a stop word."""
    return len(word) >= 3 and word.isalpha() and word not in STOP_WORDS


def query_set(db_path: Path, count: int, seed: int) -> dict[str, list[BenchQuery]]:
    """``count`` distinct queries for each mode, drawn from the reference database's events."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT rowid, headline, date FROM events").fetchall()
    tags = {}
    for rowid, tag in conn.execute("SELECT event_rowid, tag FROM event_tags"):
        tags.setdefault(rowid, []).append(tag)
    conn.close()
    words = sorted(
        {w.lower() for _, headline, _ in rows for w in re.findall(r"[A-Za-z]{5,}", headline)} - STOP
    )
    picked = rng.sample(words, min(len(words), count * 3))
    plain = [BenchQuery(w) for w in picked[:count]]
    faceted = [BenchQuery(w) for w in picked[count : count * 2]]
    ranged = []
    for word in picked[count * 2 : count * 3]:
        start = dt.date(rng.randint(2003, 2024), rng.randint(1, 12), 1)
        ranged.append(BenchQuery(word, date_from=start, date_to=start + dt.timedelta(days=365)))
    tagged_rows = [(rowid, t) for rowid, t in tags.items() if len(t) >= 2]
    pairs = []
    seen = set()
    while len(pairs) < count and tagged_rows:
        rowid, event_tags = rng.choice(tagged_rows)
        pair = tuple(sorted(rng.sample(event_tags, 2)))
        if pair not in seen:
            seen.add(pair)
            pairs.append(BenchQuery("", tags=pair))
    return {"top10": plain, "faceted": faceted, "date_range": ranged, "two_tags": pairs}


def weighted_query_set(db_path: Path, count: int, seed: int) -> list[BenchQuery]:
    """``count`` distinct queries like people's: common words as often as they occur, some rare ones.

    A query is made from an event drawn at random (the one its user has in mind):
    one to three of its words, drawn as they occur in its headline and summary (so
    over the set, each word comes as often as it occurs in the archive, and the
    words of one query occur together), or two words that stand together in its
    headline, quoted; sometimes with one of its tags or its year. A share of the
    queries is one word drawn uniformly from the archive's distinct words instead:
    the long tail of rare words.
    """
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT e.headline, e.summary, e.date, group_concat(t.tag, char(31)) FROM events e "
        "LEFT JOIN event_tags t ON t.event_rowid = e.rowid GROUP BY e.rowid ORDER BY e.rowid"
    ).fetchall()
    conn.close()
    vocabulary = sorted({w for row in rows for w in _query_words(f"{row[0]} {row[1]}")})
    queries: dict[BenchQuery, None] = {}
    for _ in range(count * 20):  # distinct queries; a small archive may not have `count` of them
        if len(queries) == count:
            break
        if rng.random() < RARE_SHARE:
            queries.setdefault(BenchQuery(rng.choice(vocabulary)))
            continue
        headline, summary, date, tags = rng.choice(rows)
        if rng.random() < PHRASE_SHARE:
            text = _phrase(headline)
        else:
            words = _query_words(f"{headline} {summary}")
            n = rng.choices([n for n, _ in WORD_COUNTS], [share for _, share in WORD_COUNTS])[0]
            text = " ".join(dict.fromkeys(rng.choice(words) for _ in range(n))) if words else ""
        if not text:
            continue
        tag = (rng.choice(sorted(tags.split("\x1f"))),) if tags and rng.random() < TAG_SHARE else ()
        year = int(date[:4]) if rng.random() < YEAR_SHARE else None
        queries.setdefault(
            BenchQuery(
                text,
                tags=tag,
                date_from=dt.date(year, 1, 1) if year else None,
                date_to=dt.date(year, 12, 31) if year else None,
            )
        )
    return list(queries)


def _query_words(text: str) -> list[str]:
    """The query words of a text, each as often as it occurs."""
    return [w for w in _TOKEN.findall(text.lower()) if is_query_word(w)]


def _phrase(headline: str) -> str:
    """Two query words that stand next to each other in a headline, quoted; "" if there are none."""
    tokens = _TOKEN.findall(headline.lower())
    pairs = [(a, b) for a, b in itertools.pairwise(tokens) if is_query_word(a) and is_query_word(b)]
    return '"{} {}"'.format(*pairs[len(pairs) // 2]) if pairs else ""  # the middle pair: no extra draw
