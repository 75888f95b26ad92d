"""Every use of a private Whoosh name, in one place, checked when this module is imported.

Whoosh's public API answers one posting or one document per Python call and
writes a segment only through a full commit. Reading in bulk and building in
parallel need a few of its private names; they live here only, and
``pyproject.toml`` pins whoosh-reloaded exactly (2.7.5) because of them. On
import, ``missing_internals`` checks that each still exists with the shape
used here; if one does not, importing this module (so starting any command or
server) fails with an ImportError naming it, instead of searches that fail
or rank wrongly later. ``tests/test_whoosh_internals.py`` also checks their
behaviour on a real index.

Reading (search time):
- ``W3LeafMatcher._read_ids``, ``._ids``, ``._read_weights``, ``._weights``,
  ``._read_values``, ``._values``, ``._next_block``: decode a posting list one
  block (up to 128 postings) at a time, instead of one posting per Python call
  (``read_postings``, ``read_positions``).
- ``SegmentReader._perdoc``, ``W3PerDocReader._cached_reader``,
  ``whoosh.codec.whoosh3._lenfield``: a field's length column, the one byte a
  document that BM25 normalises by (``field_length_bytes``).
- ``NumericColumn.Reader._dbfile``, ``._basepos``, ``._count``: where that
  column's bytes lie, to read them in one call.
- ``whoosh.query.qcore._NullQuery``: the class of the "nothing to search"
  leaves the parser leaves where the syntax was broken (``is_null_query``).

Writing (full build, ``segments.py``):
- ``SegmentWriter(_lk=False)``: a worker writes its segment while the parent
  holds the index lock, as ``whoosh.multiproc``'s sub-writers do.
- ``SegmentWriter._tempstorage``, ``.pool``, ``.perdocwriter``,
  ``.fieldwriter``, ``.newsegment``: what ``BuildWriter`` replaces or reads.
- ``SegmentWriter._flush_segment``: overridden by ``BuildWriter`` to read the
  field lengths once per flush instead of once per posting.
- ``PostingPool._write_run``, ``._merge_runs``, ``._read_run``: overridden and
  used by ``BuildWriter``'s pool to spill and merge postings a term at a time.
- ``SegmentWriter._finalize_segment``: a worker finishes its segment without
  writing a table of contents (``finalize_segment``).
- ``SegmentWriter._close_segment``, ``._commit_toc``, ``._finish``: the parent
  lists every worker's segment in one table of contents (``commit_segment_list``).

Updating (``writer.py``, ``store.py``); public names, but undocumented:
- ``whoosh.index.TOC.read``, ``whoosh.index.clean_files``: delete what a failed
  or killed commit wrote but never listed (``remove_uncommitted_files``).
- ``TOC._filename``: a commit's table of contents is ``_<indexname>_<generation>.toc``;
  the latest generation on disk says which commit a generation holds (``latest_commit``).
"""

from __future__ import annotations

import heapq
import inspect
import itertools
import os
import pickle
import re
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path

import numpy as np
import whoosh
from whoosh import columns as whoosh_columns
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader
from whoosh.query import qcore
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

# (owner, name, parameter names after self): the methods and functions called or overridden here.
_CALLABLES = [
    (W3LeafMatcher, "_read_ids", ()),
    (W3LeafMatcher, "_read_weights", ()),
    (W3LeafMatcher, "_read_values", ()),
    (W3LeafMatcher, "_next_block", ()),
    (W3PerDocReader, "_cached_reader", ("fieldname", "column")),
    (whoosh3, "_lenfield", ("fieldname",)),
    (SegmentWriter, "_flush_segment", ()),
    (SegmentWriter, "_finalize_segment", ()),
    (SegmentWriter, "_close_segment", ()),
    (SegmentWriter, "_commit_toc", ("segments",)),
    (SegmentWriter, "_finish", ()),
    (PostingPool, "_write_run", ("f", "items")),
    (PostingPool, "_merge_runs", ("paths",)),
    (PostingPool, "_read_run", ("path",)),
    (whoosh_index.TOC, "read", ("storage", "indexname", "gen", "schema")),
    (whoosh_index, "clean_files", ("storage", "indexname", "gen", "segments")),
    (whoosh_index.TOC, "_filename", ("indexname", "gen")),
]
# (class, method, attribute): instance attributes read here, and the method of Whoosh's that sets them.
_ATTRIBUTES = [
    (W3LeafMatcher, "_read_ids", "_ids"),
    (W3LeafMatcher, "_read_weights", "_weights"),
    (W3LeafMatcher, "_read_values", "_values"),
    (SegmentReader, "__init__", "_perdoc"),
    (whoosh_columns.NumericColumn.Reader, "__init__", "_dbfile"),
    (whoosh_columns.NumericColumn.Reader, "__init__", "_basepos"),
    (whoosh_columns.NumericColumn.Reader, "__init__", "_count"),
    (SegmentWriter, "__init__", "_tempstorage"),
    (SegmentWriter, "__init__", "pool"),
    (SegmentWriter, "__init__", "perdocwriter"),
    (SegmentWriter, "__init__", "fieldwriter"),
    (SegmentWriter, "__init__", "newsegment"),
]
_WRITER_OPTIONS = ("_lk", "limitmb", "compound")  # SegmentWriter.__init__ keywords passed here
_TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc")  # a commit's table of contents (TOC._filename)


def missing_internals() -> list[str]:
    """What this module needs of Whoosh and no longer finds, one line each (empty: all there)."""
    missing = []
    for owner, name, parameters in _CALLABLES:
        function = getattr(owner, name, None)
        if not callable(function):
            missing.append(f"{owner.__name__}.{name} is gone")
        elif _parameters(function) != list(parameters):
            missing.append(f"{owner.__name__}.{name} takes {_parameters(function)}, not {list(parameters)}")
    for owner, method, name in _ATTRIBUTES:
        code = getattr(getattr(owner, method, None), "__code__", None)
        if code is None or name not in code.co_names:
            missing.append(f"{owner.__qualname__}.{method} no longer sets .{name}")
    options = _parameters(SegmentWriter.__init__)
    missing += [f"SegmentWriter() has no {name}= option" for name in _WRITER_OPTIONS if name not in options]
    null_class = getattr(qcore, "_NullQuery", None)
    if not isinstance(null_class, type) or not isinstance(qcore.NullQuery, null_class):
        missing.append("whoosh.query.qcore._NullQuery is not NullQuery's class")
    toc_name = getattr(whoosh_index.TOC, "_filename", None)
    if toc_name is not None and not _TOC_NAME.fullmatch(toc_name("MAIN", 7)):
        missing.append("whoosh.index.TOC no longer names a commit's table of contents _MAIN_<n>.toc")
    if getattr(whoosh3, "_lenfield", None) is not None and whoosh3._lenfield("f") != "_f_len":
        missing.append("whoosh.codec.whoosh3._lenfield no longer names length columns _<field>_len")
    return missing


def require_internals() -> None:
    """Raise ImportError naming every internal that is missing or changed."""
    missing = missing_internals()
    if missing:
        raise ImportError(
            f"whoosh-reloaded {whoosh.versionstring()} lacks Whoosh internals eventsearch relies on "
            f"(search/whoosh_internals.py): {'; '.join(missing)}. Install whoosh-reloaded==2.7.5."
        )


def _parameters(function) -> list[str]:
    return [name for name in inspect.signature(function).parameters if name != "self"]


# -- reading ---------------------------------------------------------------


def read_postings(reader, field: str, text, weights: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """A term's document numbers in one segment (and weights: frequency times field boost).

    Deleted documents are included: callers apply their own live mask.
    """
    matcher = reader.postings(field, text)
    leaf = getattr(matcher, "child", matcher)  # under Whoosh's deletion filter,
    leaf.reset()  # which has moved it past the deleted documents at the start
    if not isinstance(leaf, W3LeafMatcher):  # postings inlined in the term info: few, read one by one
        return _read_one_by_one(leaf, weights)
    id_blocks, weight_blocks = [], []
    while leaf.is_active():
        leaf._read_ids()
        id_blocks.append(np.asarray(leaf._ids, dtype=np.int64))
        if weights:
            leaf._read_weights()
            weight_blocks.append(np.asarray(leaf._weights, dtype=np.float32))
        leaf._next_block()
    ids = np.concatenate(id_blocks) if id_blocks else np.zeros(0, dtype=np.int64)
    if not weights:
        return ids, None
    return ids, np.concatenate(weight_blocks) if weight_blocks else np.zeros(0, dtype=np.float32)


def read_positions(reader, field: str, text) -> list[list[int]]:
    """Where the term stands in each document of one segment that has it (a positions field), in order."""
    decode = reader.schema[field].format.decode_positions
    matcher = reader.postings(field, text)
    leaf = getattr(matcher, "child", matcher)
    leaf.reset()
    if not isinstance(leaf, W3LeafMatcher):  # inlined postings: few, read one by one
        positions = []
        while leaf.is_active():
            positions.append(decode(leaf.value()))
            leaf.next()
        return positions
    positions = []
    while leaf.is_active():
        leaf._read_values()
        positions += [decode(value) for value in leaf._values]
        leaf._next_block()
    return positions


def _read_one_by_one(matcher, weights: bool) -> tuple[np.ndarray, np.ndarray | None]:
    ids, values = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        if weights:
            values.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(values, dtype=np.float32) if weights else None


def field_length_bytes(reader, field: str) -> np.ndarray:
    """Every document's length in a field, as the byte Whoosh stores (``byte_to_length`` decodes it)."""
    size = reader.doc_count_all()
    column = reader._perdoc._cached_reader(whoosh3._lenfield(field), LENGTHS_COLUMN)
    raw = np.zeros(size, dtype=np.uint8)
    if column is not None:
        count = min(column._count, size)
        raw[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
    return raw


def is_null_query(query) -> bool:
    """Whether a query is (a copy of) Whoosh's NullQuery, which the parser leaves for broken syntax."""
    return isinstance(query, qcore._NullQuery)


# -- writing ---------------------------------------------------------------

# Postings in the order a segment's postings file holds them: (field, term bytes, document, weight, value).
Watch = Callable[[Iterator[tuple]], Iterator[tuple]]


def worker_writer(ix, limitmb: float, watch: Watch | None = None) -> BuildWriter:
    """A writer for one build worker's segment, under the lock the parent already holds."""
    # compound=False: Whoosh copies a compound file's parts into memory on every open (slow cold start).
    return BuildWriter(ix, watch, _lk=False, limitmb=limitmb, compound=False)


def remove_uncommitted_files(ix) -> None:
    """Delete the segment files of an index that no commit lists (what a failed or killed one wrote)."""
    toc = whoosh_index.TOC.read(ix.storage, ix.indexname)
    whoosh_index.clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)


def latest_commit(generation: Path) -> int:
    """Whoosh's number of the latest commit in a generation directory (-1 if it has none)."""
    try:
        names = os.listdir(generation)
    except FileNotFoundError:
        return -1
    return max((int(match[1]) for match in map(_TOC_NAME.fullmatch, names) if match), default=-1)


def finalize_segment(writer: SegmentWriter):
    """Finish writing the writer's segment and return it, without committing it to the index."""
    # No writer._finish(): it would delete the temp directory all workers share; the parent's commit does.
    return writer._finalize_segment()


def commit_segment_list(generation: Path, segments: list) -> None:
    """Make these segments the index's content, in one atomic table-of-contents write."""
    writer = SegmentWriter(whoosh_index.open_dir(generation))
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


class BuildWriter(SegmentWriter):
    """Whoosh's segment writer, with field lengths read once per flush and spilled postings merged by term.

    Whoosh looks up each posting's field length in the column file, one read per
    posting (13% of a build); here each length column is read into a list first.
    The segment's bytes are the same as Whoosh's own writer's (tests/test_segments.py).
    ``watch``, if given, sees the segment's postings as they are written (and passes them on).
    """

    def __init__(self, ix, watch: Watch | None = None, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.pool = _TermRunPool(self._tempstorage, self.newsegment, limitmb=kwargs.get("limitmb", 128))
        self.watch = watch

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader()
        try:
            lengths = _FieldLengths(reader, [name for name, field in self.schema.items() if field.scorable])
            postings = self.pool.iter_postings()
            if self.watch is not None:
                postings = self.watch(postings)
            self.fieldwriter.add_postings(self.schema, lengths, postings)
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
            column = whoosh3._lenfield(name)
            if reader.has_column(column):
                # As Whoosh's reader: a zero byte (no length) reads as None.
                values = reader.column_reader(column, LENGTHS_COLUMN)
                self._lengths[name] = [byte_to_length(b) if b else None for b in values]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        lengths = self._lengths.get(fieldname)
        return default if lengths is None else lengths[docnum]


require_internals()
