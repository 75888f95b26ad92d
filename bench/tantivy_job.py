"""The tantivy reference's jobs as whole processes, timed like ``eventsearch``'s own commands.

python -m bench.tantivy_job build CONTENT_DIR INDEX_DIR
python -m bench.tantivy_job update CONTENT_DIR INDEX_DIR PATH...
python -m bench.tantivy_job search INDEX_DIR WORDS
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

from bench.sqlite_job import _read
from bench.tantivy_ref import TantivyReference
from search.archive import date_of_day, day_of_path
from search.files import iter_day_dirs
from search.writer import read_days


def build(content_dir: Path, index_dir: Path) -> None:
    """Parse with our parser, one process per core as eventsearch does; tantivy indexes on its own threads."""
    days = list(iter_day_dirs(content_dir))
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        results = pool.imap(_read, [(content_dir, day) for day in days], chunksize=32)
        count = TantivyReference.build((event for result in results for event in result.events), index_dir)
    print(count)


def update(content_dir: Path, index_dir: Path, paths: list[str]) -> None:
    """Re-read the days of the changed files and replace their events."""
    days = sorted({day_of_path(p) for p in paths} - {None})
    events = [event for result in read_days(content_dir, days) for event in result.events]
    dates = [date_of_day(day).isoformat() for day in days]
    print(TantivyReference.replace_days(index_dir, dates, events))


def search(index_dir: Path, text: str) -> None:
    """One faceted query in a fresh process: the cold start."""
    print(TantivyReference(index_dir).search(text)["total"])


if __name__ == "__main__":
    job, *args = sys.argv[1:]
    if job == "build":
        build(Path(args[0]), Path(args[1]))
    elif job == "update":
        update(Path(args[0]), Path(args[1]), args[2:])
    elif job == "search":
        search(Path(args[0]), args[1])
    else:
        sys.exit(__doc__)
