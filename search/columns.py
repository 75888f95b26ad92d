"""Facet columns: compact per-document arrays that facets and timelines are counted from.

Whoosh's own facets rebuild a document-to-values map on every search. Here
each segment's values are decoded once (from the ``facets`` column), cached
beside the segment as a ``.npz`` file, and concatenated into global arrays
when a searcher opens. A query then counts values with one ``numpy.bincount``
over the documents it matched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import numpy as np
from whoosh.reading import IndexReader

from .analysis import FACET_SEPARATOR

_EPOCH = dt.date(1970, 1, 1).toordinal()
MULTI = ("tags", "source")  # several values per document
SINGLE = ("language", "topic")  # one value per document (-1: none)
CACHE_VERSION = 1  # bump when the arrays change shape: old caches are then ignored


@dataclasses.dataclass
class Columns:
    """Per-document facet values for one searcher's documents (global document numbers)."""

    days: np.ndarray  # int32 days since 1970-01-01
    live: np.ndarray  # bool: not deleted
    single: dict[str, np.ndarray]  # facet -> int32 value id per document
    multi: dict[str, tuple[np.ndarray, np.ndarray]]  # facet -> (document, value id) pairs
    vocab: dict[str, list[str]]  # facet -> value id -> value

    @property
    def size(self) -> int:
        return len(self.days)

    def value_id(self, facet: str, value: str) -> int:
        """The id of a facet value (case-insensitive), or -1."""
        return self._lookup(facet).get(value.casefold(), -1)

    def _lookup(self, facet: str) -> dict[str, int]:
        cache = self.__dict__.setdefault("_lookups", {})
        if facet not in cache:
            table: dict[str, int] = {}
            for index, value in enumerate(self.vocab[facet]):
                table.setdefault(value.casefold(), index)
            cache[facet] = table
        return cache[facet]


def day_number(date: dt.date) -> int:
    """A date as the integer stored in ``Columns.days``."""
    return date.toordinal() - _EPOCH


def date_of(number: int) -> dt.date:
    """The date a ``Columns.days`` integer stands for."""
    return dt.date.fromordinal(int(number) + _EPOCH)


def load_columns(reader: IndexReader, cache_dir: Path) -> Columns:
    """Columns for every document a reader sees, built from per-segment caches."""
    parts = [(sub, offset, _segment_arrays(sub, cache_dir)) for sub, offset in reader.leaf_readers()]
    vocab: dict[str, list[str]] = {name: [] for name in MULTI + SINGLE}
    ids: dict[str, dict[str, int]] = {name: {} for name in vocab}
    days, live, single, multi_doc, multi_val = (
        [],
        [],
        {n: [] for n in SINGLE},
        {n: [] for n in MULTI},
        {n: [] for n in MULTI},
    )
    for sub, offset, arrays in parts:
        days.append(arrays["days"])
        live.append(_live_mask(sub, len(arrays["days"])))
        for name in vocab:
            remap = np.array(
                [_intern(ids[name], vocab[name], v) for v in arrays[f"{name}_vocab"]] or [0], dtype=np.int32
            )
            if name in SINGLE:
                local = arrays[name]
                single[name].append(np.where(local >= 0, remap[np.maximum(local, 0)], -1).astype(np.int32))
            else:
                multi_doc[name].append(arrays[f"{name}_doc"] + np.int32(offset))
                multi_val[name].append(remap[arrays[f"{name}_val"]])
    return Columns(
        days=_concat(days, np.int32),
        live=_concat(live, bool),
        single={name: _concat(single[name], np.int32) for name in SINGLE},
        multi={
            name: (_concat(multi_doc[name], np.int32), _concat(multi_val[name], np.int32)) for name in MULTI
        },
        vocab=vocab,
    )


def _concat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)


def _intern(ids: dict[str, int], vocab: list[str], value: str) -> int:
    if value not in ids:
        ids[value] = len(vocab)
        vocab.append(value)
    return ids[value]


def _live_mask(reader: IndexReader, size: int) -> np.ndarray:
    mask = np.ones(size, dtype=bool)
    if reader.has_deletions():
        mask[np.fromiter(reader.segment().deleted_docs(), dtype=np.int64)] = False
    return mask


def _segment_arrays(reader: IndexReader, cache_dir: Path) -> dict[str, np.ndarray]:
    """One segment's arrays, from its cache file or decoded from the column (then cached)."""
    path = cache_path(cache_dir, reader.segment().segment_id())
    try:
        with np.load(path) as data:
            arrays = {key: data[key] for key in data.files}
    except (FileNotFoundError, ValueError, OSError):
        arrays = _decode_segment(reader)
        _save(path, arrays)
    for name in MULTI + SINGLE:
        arrays[f"{name}_vocab"] = (
            bytes(arrays[f"{name}_vocab"]).decode("utf-8").split("\n") if len(arrays[f"{name}_vocab"]) else []
        )
    return arrays


def _decode_segment(reader: IndexReader) -> dict[str, np.ndarray]:
    column = reader.column_reader("facets", translate=False)
    return arrays_from_values(column[docnum] for docnum in range(reader.doc_count_all()))


def arrays_from_values(values) -> dict[str, np.ndarray]:
    """Per-document arrays from packed ``facets`` column values, in document order."""
    days: list[int] = []
    vocab = {name: {} for name in MULTI + SINGLE}
    single = {name: [] for name in SINGLE}
    pairs = {name: ([], []) for name in MULTI}
    for docnum, raw in enumerate(values):
        if not raw:
            days.append(0)
            for name in SINGLE:
                single[name].append(-1)
            continue
        date, language, topic, tags, sources = raw.decode("utf-8").split("\x1e")
        days.append(day_number(dt.date.fromisoformat(date)))
        for name, value in (("language", language), ("topic", topic)):
            single[name].append(vocab[name].setdefault(value, len(vocab[name])) if value else -1)
        for name, joined in (("tags", tags), ("source", sources)):
            for value in joined.split(FACET_SEPARATOR) if joined else ():
                pairs[name][0].append(docnum)
                pairs[name][1].append(vocab[name].setdefault(value, len(vocab[name])))
    arrays = {"days": np.array(days, dtype=np.int32)}
    arrays.update({name: np.array(single[name], dtype=np.int32) for name in SINGLE})
    for name in MULTI:
        arrays[f"{name}_doc"] = np.array(pairs[name][0], dtype=np.int32)
        arrays[f"{name}_val"] = np.array(pairs[name][1], dtype=np.int32)
    for name, table in vocab.items():
        arrays[f"{name}_vocab"] = np.frombuffer("\n".join(table).encode("utf-8"), dtype=np.uint8)
    return arrays


def cache_path(cache_dir: Path, segment_id: str) -> Path:
    """Where a segment's arrays are cached."""
    return cache_dir / f"v{CACHE_VERSION}-{segment_id}.npz"


def save_segment_arrays(cache_dir: Path, segment_id: str, arrays: dict[str, np.ndarray]) -> None:
    """Cache arrays computed by whoever wrote the segment (the build workers do)."""
    _save(cache_path(cache_dir, segment_id), arrays)


def drop_stale_caches(cache_dir: Path, live_segment_ids: set[str]) -> None:
    """Remove caches of segments that merges have replaced."""
    for path in cache_dir.glob("*.npz"):
        if path.stem.split("-", 1)[-1] not in live_segment_ids or not path.stem.startswith(
            f"v{CACHE_VERSION}-"
        ):
            path.unlink(missing_ok=True)


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Cache a segment's arrays; a reader that cannot write (read-only index) just recomputes next time."""
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    except OSError:
        pass
