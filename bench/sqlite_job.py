"""The SQLite FTS5 reference's jobs as whole processes, timed like ``eventsearch``'s own commands.

python -m bench.sqlite_job build CONTENT_DIR DB
python -m bench.sqlite_job update CONTENT_DIR DB PATH...
python -m bench.sqlite_job search DB WORDS
python -m bench.sqlite_job export DB
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import sys
from pathlib import Path

from bench.sqlite_ref import SqliteReference
from search.archive import day_of_path, read_day
from search.files import iter_day_dirs
from search.writer import read_days


def _read(day_job: tuple[Path, str]):
    return read_day(*day_job)


def build(content_dir: Path, db_path: Path) -> None:
    """Parse the archive with the same parser, one process per core as eventsearch does, and load SQLite."""
    days = list(iter_day_dirs(content_dir))
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        results = pool.imap(_read, [(content_dir, day) for day in days], chunksize=32)
        count = SqliteReference().build((event for result in results for event in result.events), db_path)
    print(count)


def update(content_dir: Path, db_path: Path, paths: list[str]) -> None:
    """Re-read the days of the changed files and replace their events."""
    reference = SqliteReference(db_path)
    days = sorted({day_of_path(p) for p in paths} - {None})
    events = [event for result in read_days(content_dir, days) for event in result.events]
    day_dates = [event.date.isoformat() for event in events]
    old = [
        row[0]
        for row in reference.conn.execute(
            f"SELECT id FROM events WHERE date IN ({','.join('?' * len(day_dates))})", day_dates
        )
    ]
    reference.update(events, [i for i in old if i not in {e.id for e in events}])
    reference.close()
    print(len(events))


def search(db_path: Path, text: str) -> None:
    """One faceted query in a fresh process: the cold start."""
    reference = SqliteReference(db_path)
    print(reference.search(text)["total"])
    reference.close()


def export(db_path: Path) -> None:
    """Every event as CSV on stdout, newest first (ties by id), tags one per line: streamed by SQLite."""
    reference = SqliteReference(db_path)
    rows = reference.conn.execute(
        "SELECT e.id, e.date, e.headline, e.summary, e.topic, group_concat(t.tag, char(10)), e.language "
        "FROM events e LEFT JOIN event_tags t ON t.event_rowid = e.rowid "
        "GROUP BY e.rowid ORDER BY e.days DESC, e.id"
    )
    writer = csv.writer(sys.stdout, quoting=csv.QUOTE_ALL)
    writer.writerow(("id", "date", "headline", "summary", "topic", "tags", "language"))
    writer.writerows(rows)
    reference.close()


if __name__ == "__main__":
    job, *args = sys.argv[1:]
    if job == "build":
        build(Path(args[0]), Path(args[1]))
    elif job == "update":
        update(Path(args[0]), Path(args[1]), args[2:])
    elif job == "search":
        search(Path(args[0]), args[1])
    elif job == "export":
        export(Path(args[0]))
    else:
        sys.exit(__doc__)
