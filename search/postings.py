"""Posting lists as contiguous numpy arrays beside each segment: a term's postings are one slice.

Whoosh stores a posting list as pickled, compressed blocks of 128 postings, and
reading a common word decodes hundreds of them, one Python call each: a query of
common words spent most of its time there, growing with its matches. For the
fields that queries match (``BULK_FIELDS``), each segment's postings are also
kept in ``postings/`` beside it, as memory-mapped arrays:

- ``v3-<segment>.docs.npy``: int32 document numbers in the segment, term after term;
- ``v3-<segment>.weights.npy``: float32 weights (Whoosh's: frequency times field boost);
- ``v3-<segment>.firsts.npy``: uint8 where the term first stands in the document, for
  the fields in ``POSITION_FIELDS`` (255: there or later; 0 in other fields): the
  ranking's in-order bonus reads it (``scoring.py``);
- ``v3-<segment>.positions.npy``: uint32 every position of every posting of the fields in
  ``PHRASE_FIELDS``, posting after posting (a posting has as many as its weight: the
  text fields have no boosts, so a weight is a count of words): phrases are matched
  over them with numpy (``phrase_keys``) instead of Whoosh's span matchers;
- ``v3-<segment>.terms.npy``: int64 [3, terms + 1]: each term's key, the offset of its
  postings in Whoosh's postings file (its ``TermInfo.extent()``), sorted; where its
  postings start in the first three arrays; where its positions start.

Whoosh stays the index of record: a term is found by Whoosh's own term index,
and these arrays hold exactly its postings (deleted documents included: callers
apply the live mask). The build workers record them while Whoosh writes the
segment (``PostingRecorder``); a segment without them (written by ``update``, or
merged) gets them computed from Whoosh's postings and saved, as ``columns.py``
does with facet values. They are mapped when a searcher opens, so an update
that deletes merged segments' files leaves an open searcher able to read them.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from array import array
from pathlib import Path

import numpy as np
from whoosh.formats import Positions
from whoosh.reading import IndexReader, SegmentReader, TermNotFound
from whoosh.searching import Searcher

from .facet_table import facet_specs
from .query import TEXT_FIELDS
from .schema import EXACT_FIELD
from .whoosh_internals import read_positions, read_postings

POSTINGS_DIR = "postings"
# Every field a query's terms search: the text fields and each facet's field; and the headline's words
# as written, which the ranking reads.
BULK_FIELDS = (*TEXT_FIELDS, EXACT_FIELD, *(spec.name for spec in facet_specs()))
# Fields whose postings also keep the term's first position in the document (Whoosh's positions, read once).
POSITION_FIELDS = ("headline",)
LAST_POSITION = 255  # first positions are kept in one byte: 255 stands for 255 or later
# Fields whose postings keep all their positions: a phrase in them is matched over the arrays.
PHRASE_FIELDS = TEXT_FIELDS
MAX_REMEMBERED_TERMS = 100_000  # term places a searcher remembers (then it starts afresh)
# Bump when the files change shape: old ones are then recomputed (2: first positions; 3: all positions).
CACHE_VERSION = 3
_POSITIONS = Positions()  # decodes the values of PHRASE_FIELDS' postings (the text fields' format)
_PARTS = ("docs", "weights", "firsts", "positions", "terms")  # as written: ``terms`` last says all are there


@dataclasses.dataclass
class SegmentArrays:
    """One segment's postings of the bulk fields, term after term in Whoosh's order."""

    keys: np.ndarray  # int64: each term's offset in Whoosh's postings file, ascending
    starts: np.ndarray  # int64, one more than keys: term i's postings are [starts[i], starts[i + 1])
    docs: np.ndarray  # int32 document numbers in the segment
    weights: np.ndarray  # float32
    firsts: np.ndarray  # uint8 first positions (POSITION_FIELDS), else 0
    positions: np.ndarray  # uint32 every position of the PHRASE_FIELDS' postings, posting after posting
    position_starts: np.ndarray  # int64, one more than keys: where term i's positions start


class PostingRecorder:
    """Keeps the bulk fields' postings as Whoosh writes a segment (``BuildWriter``'s ``watch``)."""

    def __init__(self) -> None:
        self.terms: list[tuple[str, bytes]] = []
        self.starts = array("q")
        self.position_starts = array("q")
        self.docs = array("i")
        self.weights = array("f")
        self.firsts = array("B")
        self.positions = array("I")

    def watch(self, postings):
        """Pass the postings on, keeping those of the bulk fields."""
        fields, phrase_fields, first_fields = set(BULK_FIELDS), set(PHRASE_FIELDS), set(POSITION_FIELDS)
        decode = _POSITIONS.decode_positions
        last = None
        add_doc, add_weight, add_first = self.docs.append, self.weights.append, self.firsts.append
        add_positions = self.positions.extend
        for posting in postings:
            field = posting[0]
            if field in fields:
                term = posting[:2]
                if term != last:
                    self.terms.append(term)
                    self.starts.append(len(self.docs))
                    self.position_starts.append(len(self.positions))
                    last = term
                add_doc(posting[2])
                add_weight(posting[3])
                if field in phrase_fields:
                    positions = decode(posting[4])
                    _check_count(positions, posting[3], term)
                    add_positions(positions)
                    add_first(min(positions[0], LAST_POSITION) if field in first_fields else 0)
                else:
                    add_first(0)
            yield posting

    def arrays(self, reader: IndexReader) -> SegmentArrays:
        """The recorded postings, keyed by the terms' places in the segment ``reader`` reads."""
        keys = []
        for (field, text), found in zip(self.terms, _segment_terms(reader), strict=True):
            if (field, text) != found[:2]:
                raise RuntimeError(f"recorded postings disagree with the segment at {field}:{text!r}")
            keys.append(found[2])
        starts = np.array([*self.starts, len(self.docs)], dtype=np.int64)
        position_starts = np.array([*self.position_starts, len(self.positions)], dtype=np.int64)
        docs, weights, firsts, positions = (
            _as_numpy(values) for values in (self.docs, self.weights, self.firsts, self.positions)
        )
        keys = np.array(keys, dtype=np.int64)
        return _sorted(SegmentArrays(keys, starts, docs, weights, firsts, positions, position_starts))


def _check_count(positions: list[int], weight: float, term) -> None:
    """A text field's weight is its count of positions (no boosts): the arrays rely on it."""
    if len(positions) != weight:
        raise RuntimeError(f"{term}: a posting's weight {weight} is not its {len(positions)} positions")


def save_recorded(ix, segment, recorder: PostingRecorder, cache_dir: Path) -> None:
    """Save the postings a build worker recorded for the segment it just finished."""
    reader = SegmentReader(ix.storage, ix.schema, segment)
    try:
        save_arrays(cache_dir, segment.segment_id(), recorder.arrays(reader))
    finally:
        reader.close()


def _as_numpy(values: array) -> np.ndarray:
    return np.frombuffer(
        values, dtype={"i": np.int32, "f": np.float32, "B": np.uint8, "I": np.uint32}[values.typecode]
    ).copy()


def _segment_terms(reader: IndexReader):
    """(field, term bytes, key) of the segment's terms in the bulk fields, in Whoosh's order."""
    for field in sorted(BULK_FIELDS):
        if field in reader.schema:
            for text, terminfo in reader.iter_field(field):
                yield field, text, terminfo.extent()[0]


def compute_arrays(reader: IndexReader) -> SegmentArrays:
    """A segment's arrays read from Whoosh's own postings (for segments the build workers did not write)."""
    keys, starts, docs, weights, firsts, positions, position_starts = [], [0], [], [], [], [], [0]
    for field, text, key in _segment_terms(reader):
        ids, values = read_postings(reader, field, text, weights=True)
        keys.append(key)
        docs.append(ids.astype(np.int32))
        weights.append(values)
        term_positions = read_positions(reader, field, text) if field in PHRASE_FIELDS else []
        if field in PHRASE_FIELDS:
            for each, weight in zip(term_positions, values, strict=True):
                _check_count(each, weight, (field, text))
        if field in POSITION_FIELDS:
            term_firsts = [min(each[0], LAST_POSITION) for each in term_positions]
            firsts.append(np.array(term_firsts, dtype=np.uint8))
        else:
            firsts.append(np.zeros(len(ids), dtype=np.uint8))
        positions.append(np.fromiter(itertools.chain.from_iterable(term_positions), dtype=np.uint32))
        starts.append(starts[-1] + len(ids))
        position_starts.append(position_starts[-1] + len(positions[-1]))
    return _sorted(
        SegmentArrays(
            np.array(keys, dtype=np.int64),
            np.array(starts, dtype=np.int64),
            _joined(docs, np.int32),
            _joined(weights, np.float32),
            _joined(firsts, np.uint8),
            _joined(positions, np.uint32),
            np.array(position_starts, dtype=np.int64),
        )
    )


def _joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _sorted(arrays: SegmentArrays) -> SegmentArrays:
    """Terms ordered by key, their postings and positions moved along with them."""
    order = np.argsort(arrays.keys, kind="stable")
    if np.all(order == np.arange(len(order))):
        return arrays
    pick, starts = _regroup(arrays.starts, order)
    pick_positions, position_starts = _regroup(arrays.position_starts, order)
    return SegmentArrays(
        arrays.keys[order],
        starts,
        arrays.docs[pick],
        arrays.weights[pick],
        arrays.firsts[pick],
        arrays.positions[pick_positions],
        position_starts,
    )


def _regroup(starts: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the groups that ``starts`` delimits lie when put in ``order``, and their new starts."""
    lengths = np.diff(starts)[order]
    pick = np.concatenate([np.arange(starts[i], starts[i + 1]) for i in order]) if len(order) else starts[:0]
    return pick, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _path(cache_dir: Path, segment_id: str, part: str) -> Path:
    return cache_dir / f"v{CACHE_VERSION}-{segment_id}.{part}.npy"


def save_arrays(cache_dir: Path, segment_id: str, arrays: SegmentArrays) -> None:
    """Write a segment's arrays; a reader that cannot write (read-only index) just recomputes next time."""
    terms = np.stack([np.append(arrays.keys, np.iinfo(np.int64).max), arrays.starts, arrays.position_starts])
    parts = (arrays.docs, arrays.weights, arrays.firsts, arrays.positions, terms)
    try:
        cache_dir.mkdir(exist_ok=True)
        for part, values in zip(_PARTS, parts, strict=True):
            path = _path(cache_dir, segment_id, part)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            with open(tmp, "wb") as f:
                np.save(f, values)
            os.replace(tmp, path)
    except OSError:
        pass


def load_arrays(cache_dir: Path, reader: IndexReader) -> SegmentArrays:
    """A segment's arrays, mapped from its files, or computed from Whoosh's postings (then saved)."""
    segment_id = reader.segment().segment_id()
    try:
        terms = np.load(_path(cache_dir, segment_id, "terms"))
        # Plain arrays over the mapped files: a slice of a numpy.memmap costs a Python-level
        # __array_finalize__, and a query slices these a few dozen times.
        docs, weights, firsts, positions = (
            np.load(_path(cache_dir, segment_id, part), mmap_mode="r").view(np.ndarray) for part in _PARTS[:4]
        )
    except (OSError, ValueError):
        arrays = compute_arrays(reader)
        save_arrays(cache_dir, segment_id, arrays)
        return arrays
    return SegmentArrays(terms[0, :-1], terms[1], docs, weights, firsts, positions, terms[2])


def warm_postings(reader: IndexReader, cache_dir: Path) -> None:
    """Make sure every segment the reader sees has its arrays, and drop those of segments gone."""
    live = set()
    for sub, _ in reader.leaf_readers():
        segment_id = sub.segment().segment_id()
        live.add(f"v{CACHE_VERSION}-{segment_id}")
        if not _path(cache_dir, segment_id, "terms").exists():
            save_arrays(cache_dir, segment_id, compute_arrays(sub))
    for path in cache_dir.glob("*.npy"):
        if path.name.split(".", 1)[0] not in live:
            path.unlink(missing_ok=True)


@dataclasses.dataclass
class Segment:
    """One segment of a searcher: its reader, its first global document number, its arrays."""

    reader: IndexReader
    offset: int
    arrays: SegmentArrays


class BulkPostings:
    """Every segment's postings for one searcher, by term, with global document numbers."""

    def __init__(self, searcher: Searcher, cache_dir: Path) -> None:
        self.searcher = searcher
        self.segments = [
            Segment(sub, offset, load_arrays(cache_dir, sub))
            for sub, offset in searcher.reader().leaf_readers()
        ]
        self._places: dict[tuple, int | None] = {}  # (id of a segment, field, term) -> _term_at's answer

    def ids(self, field: str, text) -> np.ndarray:
        """The documents that contain a term (deleted ones included)."""
        return self.arrays(field, text, weights=False)[0]

    def ids_in(self, segment: Segment, field: str, text) -> np.ndarray:
        """The documents of one segment that contain a term."""
        return self.arrays(field, text, weights=False, segments=[segment])[0]

    def arrays(
        self, field: str, text, weights: bool = True, segments: list[Segment] | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The documents that contain a term (in some segments only), and the term's weight in each."""
        ids, values = self._read(field, text, "weights" if weights else None, segments)
        return ids, values if weights else None

    def first_positions(self, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        """The documents that contain a term of a POSITION_FIELDS field, and where it first stands in each."""
        if field not in POSITION_FIELDS:
            raise ValueError(f"{field} keeps no positions in the postings arrays")
        ids, firsts = self._read(field, text, "firsts", None)
        return ids, firsts.astype(np.uint8)

    def phrase_keys(self, field: str, text, candidates: np.ndarray) -> np.ndarray:
        """Where a term of a PHRASE_FIELDS field stands in the ``candidates`` (a mask over all documents).

        As one sorted int64 key a position: document number << 32 | position. Only the candidates'
        positions are read.
        """
        if field not in PHRASE_FIELDS:
            raise ValueError(f"{field} keeps no positions in the postings arrays")
        keys = []
        for segment in self.segments:
            at = self._term_at(segment, field, text)
            if at is None:
                continue
            arrays = segment.arrays
            postings = slice(int(arrays.starts[at]), int(arrays.starts[at + 1]))
            docs = arrays.docs[postings] + np.int64(segment.offset)
            counts = arrays.weights[postings].astype(np.int64)  # a text field's weight counts its positions
            begins = np.cumsum(counts) - counts + arrays.position_starts[at]
            keep = candidates[docs]
            docs, begins, counts = docs[keep], begins[keep], counts[keep]
            # Every kept posting's run of positions: begins[i] .. begins[i] + counts[i].
            runs_before = np.cumsum(counts) - counts
            where = np.repeat(begins - runs_before, counts) + np.arange(int(counts.sum()))
            keys.append(np.repeat(docs, counts) << 32 | arrays.positions[where].astype(np.int64))
        return np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)

    def _read(self, field: str, text, part: str | None, segments: list[Segment] | None):
        """A term's documents over the segments, and one per-posting array beside them (or None)."""
        ids, values = [], []
        for segment in self.segments if segments is None else segments:
            found = self._slice(segment, field, text)
            if found is None:
                continue
            if isinstance(found, slice):
                ids.append(segment.arrays.docs[found] + np.int64(segment.offset))
                values.append(np.asarray(getattr(segment.arrays, part)[found]) if part else None)
            else:  # a field without arrays (id, day, date): Whoosh's postings
                segment_ids, segment_weights = read_postings(segment.reader, field, text, part == "weights")
                ids.append(segment_ids + segment.offset)
                values.append(segment_weights)
        if len(ids) == 1:
            return ids[0], values[0]
        empty = np.zeros(0, dtype=np.float32 if part == "weights" else np.uint8)
        return (
            np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64),
            (np.concatenate(values) if values else empty) if part else None,
        )

    def _slice(self, segment: Segment, field: str, text):
        """Where a term's postings lie in a segment's arrays: None if it has none, True if not in them."""
        if field not in BULK_FIELDS:
            return True if (field, text) in segment.reader else None  # id, day, date: Whoosh's postings
        at = self._term_at(segment, field, text)
        starts = segment.arrays.starts
        return None if at is None else slice(int(starts[at]), int(starts[at + 1]))

    def _term_at(self, segment: Segment, field: str, text) -> int | None:
        """A term of a bulk field: its place in a segment's arrays; None if the segment has no such term.

        Remembered: a query asks for each of its terms several times (matching, each field's
        score, the headline bonus), and Whoosh's term lookup costs tens of microseconds.
        """
        key = (id(segment), field, text)
        if key not in self._places:
            if len(self._places) >= MAX_REMEMBERED_TERMS:
                self._places.clear()
            self._places[key] = _term_at(segment.reader, segment.arrays, field, text)
        return self._places[key]


def _term_at(reader: IndexReader, arrays: SegmentArrays, field: str, text) -> int | None:
    """A term of a bulk field: its place in a segment's arrays; None if the segment has no such term."""
    try:
        terminfo = reader.term_info(field, text)
    except TermNotFound:
        return None
    key = terminfo.extent()[0]
    at = int(np.searchsorted(arrays.keys, key))
    if at == len(arrays.keys) or arrays.keys[at] != key:
        segment_id = reader.segment().segment_id()
        raise RuntimeError(f"the postings arrays of segment {segment_id} lack {field}:{text!r}")
    return at
