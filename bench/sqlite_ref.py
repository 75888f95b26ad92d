"""The same search job done by SQLite FTS5: the yardstick eventsearch is benchmarked against.

It indexes what eventsearch searches (headline, summary and context: topic, tags,
outlets; tags and date as filters) and answers the same request shape (text, all-of
tags, date range, top-N by bm25, tag and year facets over every match), so timings
compare like with like. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from bench.queries import quoted_query
from search.event import Event

SCHEMA = """
CREATE TABLE events (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, date TEXT NOT NULL,
    days INTEGER NOT NULL, headline TEXT NOT NULL, summary TEXT NOT NULL, topic TEXT NOT NULL,
    language TEXT NOT NULL, context TEXT NOT NULL);
CREATE INDEX events_days ON events(days);
CREATE TABLE event_tags (event_rowid INTEGER NOT NULL, tag TEXT NOT NULL);
CREATE VIRTUAL TABLE events_fts USING fts5(headline, summary, context, content='events',
    content_rowid='rowid', tokenize='porter unicode61');
"""
# Created after the bulk load: filling indexed tables row by row is slower than sorting once.
TAG_INDEXES = """
CREATE INDEX event_tags_tag ON event_tags(tag, event_rowid);
CREATE INDEX event_tags_event ON event_tags(event_rowid);
"""
BATCH = 5000
TOP_TAGS = 20


def _batches(items: Iterable[Event], size: int = BATCH) -> Iterator[list[Event]]:
    """Fixed-size chunks, so build() streams a million events without holding them all."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def context_of(event: Event) -> str:
    """What eventsearch indexes as an event's context: topic, tags, outlets (names, domains), other names."""
    outlets = [value for s in event.sources for value in (s.name, s.domain) if value]
    return "\n".join([event.topic, *event.tags, *outlets, *event.aliases])


def fts_query(text: str) -> str:
    """User text to an FTS5 query: every word and "phrase" required, each quoted so no syntax leaks in."""
    return quoted_query(text)


class SqliteReference:
    """An FTS5 index of events with the search() eventsearch offers; one connection."""

    def __init__(self, db_path: Path | None = None) -> None:
        self.conn: sqlite3.Connection | None = None
        if db_path is not None:
            self.conn = self._connect(db_path)

    @staticmethod
    def _connect(db_path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MB: keep the working set in RAM
        return conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def build(self, events: Iterable[Event], db_path: Path) -> int:
        """Create db_path afresh from events in one transaction; return how many were stored."""
        self.close()
        db_path = Path(db_path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        conn = self.conn = self._connect(db_path)
        conn.executescript(SCHEMA)
        count = 0
        conn.execute("BEGIN")
        for chunk in _batches(events):
            self._insert(chunk, count + 1)
            count += len(chunk)
        conn.execute("INSERT INTO events_fts(events_fts) VALUES ('rebuild')")
        conn.execute("COMMIT")
        conn.executescript(TAG_INDEXES)
        conn.execute("ANALYZE")
        return count

    def _next_rowid(self) -> int:
        assert self.conn is not None
        return self.conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM events").fetchone()[0]

    def _insert(self, events: Sequence[Event], start: int) -> list[int]:
        """Insert events (not into FTS) with explicit rowids so tags need no lookup."""
        assert self.conn is not None
        rowids = list(range(start, start + len(events)))
        self.conn.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r,
                    e.id,
                    e.date.isoformat(),
                    e.date.toordinal(),
                    e.headline,
                    e.summary,
                    e.topic,
                    e.language,
                    context_of(e),
                )
                for r, e in zip(rowids, events, strict=False)
            ],
        )
        self.conn.executemany(
            "INSERT INTO event_tags VALUES (?, ?)",
            [(r, t) for r, e in zip(rowids, events, strict=False) for t in dict.fromkeys(e.tags)],
        )
        return rowids

    def update(self, events_to_upsert: Iterable[Event], ids_to_delete: Iterable[str] = ()) -> None:
        """Apply a small change in one transaction: delete ids, replace or add events."""
        assert self.conn is not None, "build() or open a database first"
        upserts = list(events_to_upsert)
        conn = self.conn
        conn.execute("BEGIN")
        try:
            for event_id in itertools.chain(ids_to_delete, (e.id for e in upserts)):
                self._delete(event_id)
            rowids = self._insert(upserts, self._next_rowid()) if upserts else []
            conn.executemany(
                "INSERT INTO events_fts(rowid, headline, summary, context) VALUES (?, ?, ?, ?)",
                [(r, e.headline, e.summary, context_of(e)) for r, e in zip(rowids, upserts, strict=False)],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _delete(self, event_id: str) -> None:
        """Remove one event; external-content FTS needs the old text to drop its terms."""
        assert self.conn is not None
        row = self.conn.execute(
            "SELECT rowid, headline, summary, context FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        if row is None:
            return
        self.conn.execute(
            "INSERT INTO events_fts(events_fts, rowid, headline, summary, context) "
            "VALUES ('delete', ?, ?, ?, ?)",
            row,
        )
        self.conn.execute("DELETE FROM event_tags WHERE event_rowid = ?", (row[0],))
        self.conn.execute("DELETE FROM events WHERE rowid = ?", (row[0],))

    @staticmethod
    def _match_sql(
        text: str, tags: Sequence[str], date_from: dt.date | None, date_to: dt.date | None
    ) -> tuple[str, list[object]]:
        """SELECT rowid, score, days of every match; built apart from running it."""
        query = fts_query(text)
        if query:
            sql = (
                "SELECT e.rowid, bm25(events_fts) AS score, e.days FROM events_fts "
                "JOIN events e ON e.rowid = events_fts.rowid WHERE events_fts MATCH ?"
            )
            args: list[object] = [query]
        else:  # no words: everything matches, newest first (score ties, days breaks them)
            sql, args = "SELECT e.rowid, 0.0 AS score, e.days FROM events e WHERE 1", []
        for tag in dict.fromkeys(tags):
            sql += " AND e.rowid IN (SELECT event_rowid FROM event_tags WHERE tag = ?)"
            args.append(tag)
        if date_from is not None:
            sql += " AND e.days >= ?"
            args.append(date_from.toordinal())
        if date_to is not None:
            sql += " AND e.days <= ?"
            args.append(date_to.toordinal())
        return sql, args

    def search(
        self,
        text: str,
        tags: Sequence[str] = (),
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        limit: int = 10,
        facets: bool = True,
    ) -> dict:
        """Total, top `limit` ids by bm25 and, with facets, top tags and per-year counts."""
        assert self.conn is not None, "build() or open a database first"
        conn = self.conn
        sql, args = self._match_sql(text, tags, date_from, date_to)
        # Evaluate the match once into a temp table; count, top-N and facets read from it.
        conn.execute("DROP TABLE IF EXISTS temp.m")
        conn.execute(f"CREATE TEMP TABLE m AS {sql}", args)
        total = conn.execute("SELECT count(*) FROM temp.m").fetchone()[0]
        hits = [
            r[0]
            for r in conn.execute(
                "SELECT e.id FROM temp.m JOIN events e ON e.rowid = m.rowid "
                "ORDER BY m.score, m.days DESC, m.rowid LIMIT ?",
                (limit,),
            )
        ]
        result: dict = {"total": total, "hits": hits}
        if facets:
            result["tags"] = [
                tuple(r)
                for r in conn.execute(
                    "SELECT t.tag, count(*) AS n FROM temp.m JOIN event_tags t ON t.event_rowid = m.rowid "
                    "GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ?",
                    (TOP_TAGS,),
                )
            ]
            result["timeline"] = [
                tuple(r)
                for r in conn.execute(
                    "SELECT CAST(substr(e.date, 1, 4) AS INTEGER) AS year, count(*) FROM temp.m "
                    "JOIN events e ON e.rowid = m.rowid GROUP BY year ORDER BY year"
                )
            ]
        conn.execute("DROP TABLE temp.m")
        return result
