"""The fixed, seeded query set: distinct words, tag pairs and date ranges taken from the archive itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import sqlite3
from pathlib import Path

STOP = {"about", "after", "again", "their", "there", "these", "which", "while", "would", "where", "other"}


@dataclasses.dataclass(frozen=True)
class BenchQuery:
    """One query of the set: words, optional tags and optional date range."""

    text: str
    tags: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None


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
