"""Parallel full builds: each worker process parses a share of the days and writes one Whoosh segment.

Whoosh is pure Python, so one process uses one core. Workers here do the
whole job for their days (read, parse, analyse, write postings, compute facet
columns and tallies) and hand back only the finished segment; the parent then lists the
segments in one new table of contents. No document crosses a process
boundary, unlike ``whoosh.multiproc``, which pickles every document to its workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import multiprocessing
import os
import signal
from collections import Counter
from pathlib import Path

from whoosh import index as whoosh_index

from .archive import Skipped, read_day
from .columns import arrays_from_values, save_segment_arrays
from .postings import POSTINGS_DIR, PostingRecorder, save_recorded
from .schema import document_of
from .spelling import words_of
from .tallies import TALLIES_DIR, save_segment_tallies, segment_tallies
from .whoosh_internals import commit_segment_list, finalize_segment, worker_writer

WRITER_MB = 256  # posting pool held in memory per worker before it spills to disk


@dataclasses.dataclass
class SegmentResult:
    """What one worker wrote."""

    segment: object  # whoosh.codec.base.Segment
    events: int
    skipped: list[Skipped]
    words: Counter


def share_days(days: list[str], parts: int) -> list[list[str]]:
    """Split date-ordered days into contiguous shares; one date never straddles two shares."""
    parts = max(1, min(parts, len(days)))
    size = -(-len(days) // parts)
    shares: list[list[str]] = []
    for day in days:
        if shares and (len(shares[-1]) < size or _same_date(shares[-1][-1], day)):
            shares[-1].append(day)
        else:
            shares.append([day])
    return shares


def _same_date(a: str, b: str) -> bool:
    return [int(x) for x in a.split("/")[1:]] == [int(x) for x in b.split("/")[1:]]


def write_segments(
    content_dir: Path, generation: Path, days: list[str], workers: int, done=None
) -> list[SegmentResult]:
    """Write one segment per share of days, in ``workers`` processes; ``done`` counts finished days."""
    shares = share_days(days, workers)
    if len(shares) <= 1:
        return [_write_segment(content_dir, generation, shares[0] if shares else [], done)]
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    with context.Pool(len(shares), initializer=_init_worker, initargs=(counter,)) as pool:
        pending = pool.starmap_async(
            _write_segment_job, [(content_dir, generation, share) for share in shares]
        )
        reported = 0
        while not pending.ready():
            pending.wait(0.2)
            if done and counter.value > reported:
                done(counter.value - reported)
                reported = counter.value
        results = pending.get()
        if done and counter.value > reported:
            done(counter.value - reported)
    return results


_COUNTER = None


def _init_worker(counter) -> None:
    """Workers inherit the index lock; if the build is killed they must not outlive it and hold the lock."""
    global _COUNTER
    _COUNTER = counter
    # The CLI's handler is for the parent; Pool.terminate uses SIGTERM.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _count_day() -> None:
    with _COUNTER.get_lock():
        _COUNTER.value += 1


def _write_segment_job(content_dir: Path, generation: Path, days: list[str]) -> SegmentResult:
    return _write_segment(content_dir, generation, days, lambda n: _count_day())


def _write_segment(content_dir: Path, generation: Path, days: list[str], done=None) -> SegmentResult:
    ix = whoosh_index.open_dir(generation)
    recorder = PostingRecorder()
    writer = worker_writer(ix, limitmb=WRITER_MB, watch=recorder.watch)
    seen: set[str] = set()
    skipped: list[Skipped] = []
    words: Counter = Counter()
    column_values: list[bytes] = []
    try:
        for day in days:
            result = read_day(content_dir, day)
            skipped += result.skipped
            for event in result.events:
                if event.id in seen:
                    skipped.append(Skipped(event.path, f"duplicate event id {event.id}"))
                    continue
                seen.add(event.id)
                document = document_of(event)
                writer.add_document(**document)
                column_values.append(document["facets"])
                words.update(words_of(event))
            if done:
                done(1)
        segment = finalize_segment(writer)  # the segment is listed by the parent's commit
    except BaseException:
        writer.cancel()
        raise
    arrays = arrays_from_values(column_values)
    save_segment_arrays(generation / "columns", segment.segment_id(), arrays)
    save_segment_tallies(generation / TALLIES_DIR, segment.segment_id(), segment_tallies(arrays))
    save_recorded(ix, segment, recorder, generation / POSTINGS_DIR)
    return SegmentResult(segment, len(seen), skipped, words)


def commit_segments(generation: Path, segments: list) -> None:
    """Make the workers' segments the index's content, in one atomic table-of-contents write."""
    commit_segment_list(generation, segments)
