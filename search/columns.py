"""Facet columns: compact per-document arrays that facets and timelines are counted from.

Whoosh's own facets rebuild a document-to-values map on every search. Here
each segment's values are decoded once (from the ``facets`` column), cached
beside the segment as a ``.npz`` file (arrays per facet of ``facet_table``),
and concatenated into global arrays when a searcher opens. A query then
counts values with one ``numpy.bincount`` over the documents it matched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from operator import methodcaller
from pathlib import Path

import numpy as np
from whoosh.reading import IndexReader

from .analysis import FACET_SEPARATOR
from .facet_table import FacetSpec, facet_specs

_EPOCH = dt.date(1970, 1, 1).toordinal()
RECORD_SEPARATOR = "\x1e"  # between the fields of a ``facets`` column value
CACHE_VERSION = 2  # bump when the arrays change shape: old caches are then ignored (2: keyed by facet table)


@dataclasses.dataclass
class Columns:
    """Per-document facet values for one searcher's documents (global document numbers)."""

    days: np.ndarray  # int32 days since 1970-01-01
    live: np.ndarray  # bool: not deleted
    single: dict[
        str, np.ndarray
    ]  # facet with one value per document -> int32 value id per document (-1: none)
    multi: dict[str, tuple[np.ndarray, np.ndarray]]  # facet with several values -> (document, value id) pairs
    vocab: dict[str, list[str]]  # facet -> value id -> value

    @property
    def size(self) -> int:
        return len(self.days)

    def value_id(self, facet: str, value: str) -> int:
        """The id of a facet value (case-insensitive), or -1."""
        return self._lookup(facet).get(value.casefold(), -1)

    def docs_with(self, facet: str, values: Sequence[str]) -> np.ndarray:
        """A mask of the documents having any of these values of a facet (case-insensitive)."""
        wanted = [index for index in (self.value_id(facet, value) for value in values) if index >= 0]
        if facet in self.single:
            return _any_of(self.single[facet], wanted)
        docs, ids = self.multi[facet]
        found = np.zeros(self.size, dtype=bool)
        found[docs[_any_of(ids, wanted)]] = True
        return found

    def values_of(self, facet: str, docnums: np.ndarray) -> np.ndarray:
        """The value ids some documents (ascending numbers) have of a facet with several values per
        document: one read of each document's own pairs, not a pass over every pair of the index."""
        values = self.multi[facet][1]
        starts = self._pair_starts(facet)
        begin = starts[docnums]
        lengths = starts[docnums + 1] - begin
        before = np.cumsum(lengths) - lengths  # where each document's pairs go in the result
        return values[np.repeat(begin - before, lengths) + np.arange(int(lengths.sum()))]

    def _pair_starts(self, facet: str) -> np.ndarray:
        """Where each document's (document, value) pairs start; the pairs are in document order, as
        ``load_columns`` concatenates segments written in document order."""
        cache = self.__dict__.setdefault("_pair_starts_by_facet", {})
        if facet not in cache:
            docs, _ = self.multi[facet]
            cache[facet] = np.concatenate([[0], np.cumsum(np.bincount(docs, minlength=self.size))])
        return cache[facet]

    def calendar_days(self) -> np.ndarray:
        """Each document's month and day as one number, 904 for 4 September (computed once)."""
        cache = self.__dict__
        if "_calendar_days" not in cache:
            cache["_calendar_days"] = calendar_day_numbers(self.days)
        return cache["_calendar_days"]

    def _lookup(self, facet: str) -> dict[str, int]:
        cache = self.__dict__.setdefault("_lookups", {})
        if facet not in cache:
            table: dict[str, int] = {}
            for index, value in enumerate(self.vocab[facet]):
                table.setdefault(value.casefold(), index)
            cache[facet] = table
        return cache[facet]


def _any_of(ids: np.ndarray, wanted: Sequence[int]) -> np.ndarray:
    """Where ``ids`` holds one of a few wanted ids. An equality per id: numpy's ``isin`` sorts or builds
    a table first, several times slower for the one to twenty values a filter selects (15 ms against
    3 ms for one tag over a million events' 2.4 million tags)."""
    found = np.zeros(len(ids), dtype=bool)
    for wanted_id in wanted:
        found |= ids == wanted_id
    return found


def day_number(date: dt.date) -> int:
    """A date as the integer stored in ``Columns.days``."""
    return date.toordinal() - _EPOCH


def date_of(number: int) -> dt.date:
    """The date a ``Columns.days`` integer stands for."""
    return dt.date.fromordinal(int(number) + _EPOCH)


def month_numbers(days: np.ndarray) -> np.ndarray:
    """Day numbers as months since January 1970."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int32)


def calendar_day_numbers(days: np.ndarray) -> np.ndarray:
    """Day numbers as month * 100 + day of the month (904 for any 4 September)."""
    stamps = days.astype("datetime64[D]")
    months = stamps.astype("datetime64[M]")
    day_of_month = (stamps - months.astype("datetime64[D]")).astype(np.int16) + 1
    return (months.astype(np.int64) % 12 + 1).astype(np.int16) * 100 + day_of_month


def load_columns(reader: IndexReader, cache_dir: Path | None) -> Columns:
    """Columns for every document a reader sees, built from per-segment caches (none: decoded, not kept)."""
    specs = facet_specs()
    vocab: dict[str, list[str]] = {spec.name: [] for spec in specs}
    ids: dict[str, dict[str, int]] = {spec.name: {} for spec in specs}
    days, live = [], []
    single: dict[str, list[np.ndarray]] = {spec.name: [] for spec in specs if not spec.multi}
    multi: dict[str, tuple[list, list]] = {spec.name: ([], []) for spec in specs if spec.multi}
    for sub, offset in reader.leaf_readers():
        arrays = _segment_arrays(sub, cache_dir, specs)
        days.append(arrays["days"])
        live.append(_live_mask(sub, len(arrays["days"])))
        for name in vocab:
            # Segment value ids -> ids in the vocabulary of all segments.
            remap = np.array(
                [_intern(ids[name], vocab[name], v) for v in arrays[f"{name}_vocab"]] or [0], np.int32
            )
            if name in single:
                local = arrays[name]
                single[name].append(np.where(local >= 0, remap[np.maximum(local, 0)], -1).astype(np.int32))
            else:
                multi[name][0].append(arrays[f"{name}_doc"] + np.int32(offset))
                multi[name][1].append(remap[arrays[f"{name}_val"]])
    return Columns(
        days=_concat(days, np.int32),
        live=_concat(live, bool),
        single={name: _concat(parts, np.int32) for name, parts in single.items()},
        multi={
            name: (_concat(docs, np.int32), _concat(vals, np.int32)) for name, (docs, vals) in multi.items()
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


def _segment_arrays(
    reader: IndexReader, cache_dir: Path | None, specs: Sequence[FacetSpec]
) -> dict[str, np.ndarray]:
    """One segment's arrays, each facet's vocabulary as a list of values."""
    arrays = segment_arrays(reader, cache_dir, specs)
    for spec in specs:
        arrays[f"{spec.name}_vocab"] = unpack_vocab(arrays[f"{spec.name}_vocab"])
    return arrays


def segment_arrays(
    reader: IndexReader, cache_dir: Path | None, specs: Sequence[FacetSpec]
) -> dict[str, np.ndarray]:
    """One segment's arrays as cached (vocabularies packed), from its cache file or decoded (then cached).

    Without a cache directory (an in-memory index) they are decoded and not kept.
    """
    path = cache_path(cache_dir, reader.segment().segment_id()) if cache_dir else None
    arrays = _read_cache(path) if path else {}
    if not all(key in arrays for key in _array_names(specs)):  # none cached, or a facet added since
        arrays = _decode_segment(reader, specs)
        if path:
            _save(path, arrays)
    return arrays


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as data:
            return {key: data[key] for key in data.files}
    except (FileNotFoundError, ValueError, OSError):
        return {}


def pack_vocab(values: Sequence[str]) -> np.ndarray:
    """A vocabulary as one array of UTF-8 bytes (values never hold a newline), for ``.npz`` files."""
    return np.frombuffer("\n".join(values).encode("utf-8"), dtype=np.uint8)


def unpack_vocab(packed: np.ndarray) -> list[str]:
    return bytes(packed).decode("utf-8").split("\n") if len(packed) else []


def _array_names(specs: Sequence[FacetSpec]) -> list[str]:
    names = ["days"]
    for spec in specs:
        names += [f"{spec.name}_doc", f"{spec.name}_val"] if spec.multi else [spec.name]
        names.append(f"{spec.name}_vocab")
    return names


def _decode_segment(reader: IndexReader, specs: Sequence[FacetSpec]) -> dict[str, np.ndarray]:
    column = reader.column_reader("facets", translate=False)
    return arrays_from_values((column[docnum] for docnum in range(reader.doc_count_all())), specs)


def column_value(fields: Mapping[str, Sequence[str]]) -> bytes:
    """One document's ``facets`` column value: ``name=value`` per field, several values joined by
    FACET_SEPARATOR, fields joined by RECORD_SEPARATOR.

    Keyed by name, so a facet added to the table is one more key and a
    segment written before it simply lacks it. Plain separators rather than
    JSON: a segment's values are split several times faster than JSON decodes.
    """
    return RECORD_SEPARATOR.join(
        f"{name}={FACET_SEPARATOR.join(_clean(value) for value in values)}" for name, values in fields.items()
    ).encode("utf-8")


def _clean(value: str) -> str:
    return value.replace(RECORD_SEPARATOR, " ").replace(FACET_SEPARATOR, " ")


def arrays_from_values(
    values: Iterable[bytes], specs: Sequence[FacetSpec] | None = None
) -> dict[str, np.ndarray]:
    """Per-document arrays from ``facets`` column values (see ``column_value``), in document order."""
    specs = facet_specs() if specs is None else specs
    fields = _fields(list(values), ["date", *(spec.name for spec in specs)])
    dates = [field[5:] or "1970-01-01" for field in fields["date"]]
    arrays = {"days": np.array(dates, dtype="datetime64[D]").astype(np.int32)}  # days since 1970-01-01
    for spec in specs:
        cut = len(spec.name) + 1  # "name=" starts every field
        if spec.multi:
            ids: dict[str, int] = {}
            pairs = [
                (doc, value)
                for doc, field in enumerate(fields[spec.name])
                if len(field) > cut
                for value in field[cut:].split(FACET_SEPARATOR)
            ]
            arrays[f"{spec.name}_doc"] = np.array([doc for doc, _ in pairs], dtype=np.int32)
            arrays[f"{spec.name}_val"] = np.array(
                [ids.setdefault(v, len(ids)) for _, v in pairs], dtype=np.int32
            )
            vocab = list(ids)
        else:  # a field is one value (the writer keeps one): ids of whole fields, names cut from the few
            ids = {f"{spec.name}=": -1}
            arrays[spec.name] = np.array(
                [ids.setdefault(f, len(ids) - 1) for f in fields[spec.name]], np.int32
            )
            vocab = [field[cut:] for field in list(ids)[1:]]
        arrays[f"{spec.name}_vocab"] = pack_vocab(vocab)
    return arrays


def _fields(values: list[bytes], names: Sequence[str]) -> dict[str, list[str]]:
    """Each field ("name=values") of every document, by name ("name=" where a document has none)."""
    fields = _fields_in_order(values, names)
    if fields is None:  # a segment written before the table changed: document by document, by name
        records = [
            dict(part.partition("=")[::2] for part in raw.decode("utf-8").split(RECORD_SEPARATOR))
            for raw in values
        ]
        fields = {name: [f"{name}={record.get(name, '')}" for record in records] for name in names}
    return fields


def _fields_in_order(values: list[bytes], names: Sequence[str]) -> dict[str, list[str]] | None:
    """The same, read by place when every value has these fields in this order (as this table writes them).

    One split of the whole segment and a slice per field: no Python work per
    document but the check that each field is where its name says. None when one is not.
    """
    parts = RECORD_SEPARATOR.encode().join(values).decode("utf-8").split(RECORD_SEPARATOR)
    width = len(names)
    if len(parts) != width * len(values):
        return None
    fields = {name: parts[index::width] for index, name in enumerate(names)}
    if not all(all(map(methodcaller("startswith", f"{name}="), column)) for name, column in fields.items()):
        return None
    return fields


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
