"""Parallel full builds: each worker process parses a share of the days and writes one Whoosh segment.

Whoosh is pure Python, so one process uses one core. Workers here do the
whole job for their days (read, parse, analyse, write postings, compute facet
columns) and hand back only the finished segment; the parent then lists the
segments in one new table of contents. No document crosses a process
boundary, unlike ``whoosh.multiproc``, which pickles every document to its workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import heapq
import itertools
import multiprocessing
import os
import pickle
import signal
from collections import Counter
from operator import itemgetter
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from .archive import Skipped, read_day
from .columns import arrays_from_values, save_segment_arrays
from .schema import document_of
from .spelling import words_of

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
    # _lk=False: the parent holds the index lock, as in whoosh.multiproc's sub-writers.
    # compound=False: Whoosh copies a compound file's parts into memory on every open (slow cold start).
    writer = _BuildWriter(ix, _lk=False, limitmb=WRITER_MB, compound=False)
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
        segment = writer._finalize_segment()  # the segment is listed by the parent's commit
    except BaseException:
        writer.cancel()
        raise
    # No writer._finish(): it would delete the temp directory all workers share; the parent's commit does.
    save_segment_arrays(generation / "columns", segment.segment_id(), arrays_from_values(column_values))
    return SegmentResult(segment, len(seen), skipped, words)


class _BuildWriter(SegmentWriter):
    """Whoosh's segment writer, with field lengths read once per flush and spilled postings merged by term.

    Whoosh looks up each posting's field length in the column file, one read per
    posting (13% of a build); here each length column is read into a list first.
    """

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.pool = _TermRunPool(self._tempstorage, self.newsegment, limitmb=kwargs.get("limitmb", 128))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader()
        try:
            lengths = _FieldLengths(reader, [name for name, field in self.schema.items() if field.scorable])
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
            self.fieldwriter.close()
        finally:
            reader.close()


_TERM = itemgetter(0, 1)  # (fieldname, term bytes) of a posting


class _TermRunPool(PostingPool):
    """Whoosh's posting pool, with the runs it spills to disk written and merged a term at a time.

    Whoosh pickles, reads back and heap-merges spilled postings one at a time:
    a quarter of a 100k-event build. Here a run holds one pickled list per term,
    and runs merge term by term, ordered by (field, term, first document), which
    keeps each term's postings in document order since runs never overlap in
    documents.
    """

    # Whoosh's own _read_run unpickles what this writes, one term's group at a time.
    def _write_run(self, f, items) -> None:
        for term, postings in itertools.groupby(items, key=_TERM):
            pickle.dump((term, [posting[2:] for posting in postings]), f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _merge_runs(self, paths):
        runs = [self._read_run(path) for path in paths]
        for (fieldname, text), postings in heapq.merge(*runs, key=_first_posting):
            for docnum, weight, value in postings:
                yield fieldname, text, docnum, weight, value


def _first_posting(group: tuple) -> tuple:
    (fieldname, text), postings = group
    return fieldname, text, postings[0][0]


class _FieldLengths:
    """``doc_field_length`` (what ``add_postings`` asks of a lengths reader) from lists in memory."""

    def __init__(self, reader, fieldnames: list[str]) -> None:
        self._lengths: dict[str, list] = {}
        for name in fieldnames:
            column = _lenfield(name)
            if reader.has_column(column):
                # As Whoosh's reader: a zero byte (no length) reads as None.
                values = reader.column_reader(column, LENGTHS_COLUMN)
                self._lengths[name] = [byte_to_length(b) if b else None for b in values]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        lengths = self._lengths.get(fieldname)
        return default if lengths is None else lengths[docnum]


def commit_segments(generation: Path, segments: list) -> None:
    """Make the workers' segments the index's content, in one atomic table-of-contents write."""
    ix = whoosh_index.open_dir(generation)
    writer = SegmentWriter(ix)
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()
