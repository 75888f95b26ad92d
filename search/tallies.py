"""Counts about the whole archive that no query changes, tallied when a segment is written.

Each segment keeps, beside it in ``tallies/`` (as ``columns.py`` keeps its facet
arrays): its events per day, and its events per tag and month (tag, month,
count triples, by the segment's own tag ids and vocabulary). The build workers
write them with the segment; a segment written by ``update`` or merged gets
them from its facet columns when the index is warmed. When a searcher opens,
the segments' tallies are added up into one ``Tallies`` and the deleted
documents' share taken off (from the columns), so the figures are those of the
live archive after any update or merge, without a pass over every document.

What reads them: the archive's tag totals (the background of significance),
the events per month and per day (the front page's browsing, on-this-day's
years, the share of all events in a comparison), a tag's months (its attention
over time on the front page and in comparisons).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import numpy as np
from whoosh.reading import IndexReader

from .columns import (
    Columns,
    calendar_day_numbers,
    date_of,
    day_number,
    month_numbers,
    segment_arrays,
    unpack_vocab,
)
from .facet_table import TAG_FACET, facet_specs

TALLIES_DIR = "tallies"
COLUMNS_DIR = "columns"
CACHE_VERSION = 1  # bump when the arrays change: old files are then ignored and computed again
_NAMES = ("day_values", "day_counts", "tag_ids", "tag_months", "tag_counts", "tag_vocab")
UNITS = ("day", "month", "year")


@dataclasses.dataclass
class Tallies:
    """The live archive's counts: events per day, and events per tag (ids of ``Columns.vocab``) and month."""

    first_day: int  # day number of day_counts[0]
    day_counts: np.ndarray  # int64 events per day, from the first day with events to the last
    tag_totals: np.ndarray  # int64 events per tag id
    tag_starts: np.ndarray  # int64, one more than tags: tag i's months are [starts[i], starts[i + 1])
    tag_months: np.ndarray  # int32 months since January 1970, ascending within a tag
    tag_month_counts: np.ndarray  # int64
    # Figures derived from these tallies (the front page's overview), computed once per opened index.
    memo: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def events(self) -> int:
        return int(self.day_counts.sum())

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day with events."""
        if not len(self.day_counts):
            return None
        return date_of(self.first_day), date_of(self.first_day + len(self.day_counts) - 1)

    def months_of(self, tag_id: int) -> tuple[np.ndarray, np.ndarray]:
        """A tag's months with events (months since January 1970) and its events in each."""
        if not 0 <= tag_id < len(self.tag_totals):
            return self.tag_months[:0], self.tag_month_counts[:0]
        start, stop = self.tag_starts[tag_id], self.tag_starts[tag_id + 1]
        return self.tag_months[start:stop], self.tag_month_counts[start:stop]

    def events_per(self, unit: str, first: dt.date, last: dt.date) -> tuple[list[dt.date], np.ndarray]:
        """The archive's events per day, month or year from ``first`` to ``last``: bucket starts, counts."""
        low, high = day_number(first), day_number(last)
        days = np.arange(low, high + 1)
        inside = (days >= self.first_day) & (days < self.first_day + len(self.day_counts))
        counts = np.zeros(len(days), dtype=np.int64)
        counts[inside] = self.day_counts[days[inside] - self.first_day]
        return bucket_sums(unit, days, counts)

    def calendar_day(self, month: int, day: int) -> tuple[list[int], list[int]]:
        """The years that have events on this calendar day (newest first) and their events."""
        numbers = np.flatnonzero(self.day_counts) + self.first_day
        on_day = numbers[calendar_day_numbers(numbers) == month * 100 + day]
        years = on_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        counts = self.day_counts[on_day - self.first_day]
        return years[::-1].tolist(), counts[::-1].tolist()


def bucket_sums(unit: str, days: np.ndarray, counts: np.ndarray) -> tuple[list[dt.date], np.ndarray]:
    """Per-day counts (consecutive day numbers) summed per day, month or year: bucket starts, sums."""
    if not len(days):
        return [], counts[:0]
    stamps = days.astype("datetime64[D]")
    keys = stamps if unit == "day" else stamps.astype("datetime64[M]" if unit == "month" else "datetime64[Y]")
    edges = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    starts = [key.astype("datetime64[D]").astype(dt.date) for key in keys[edges]]
    return starts, np.add.reduceat(counts, edges)


def segment_tallies(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One segment's tallies, from its facet column arrays (as ``columns.arrays_from_values`` makes them)."""
    days = arrays["days"]
    day_values, day_counts = np.unique(days, return_counts=True)
    docs, values = arrays[f"{TAG_FACET}_doc"], arrays[f"{TAG_FACET}_val"]
    tags, months, counts = _tag_month_counts(values, month_numbers(days)[docs], np.ones(len(docs), np.int64))
    return {
        "day_values": day_values.astype(np.int32),
        "day_counts": day_counts.astype(np.int64),
        "tag_ids": tags.astype(np.int32),
        "tag_months": months,
        "tag_counts": counts,
        "tag_vocab": arrays[f"{TAG_FACET}_vocab"],
    }


def _tag_month_counts(
    tags: np.ndarray, months: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tag, month, count) triples summed per tag and month, in tag then month order; zero sums dropped."""
    if not len(tags):
        return tags.astype(np.int64), months.astype(np.int32), counts.astype(np.int64)
    low = int(months.min())
    width = int(months.max()) - low + 1
    keys, where = np.unique(tags.astype(np.int64) * width + (months - low), return_inverse=True)
    sums = np.bincount(where.ravel(), weights=counts, minlength=len(keys)).astype(np.int64)
    kept = sums != 0
    keys, sums = keys[kept], sums[kept]
    return keys // width, (keys % width + low).astype(np.int32), sums


def tallies_path(tallies_dir: Path, segment_id: str) -> Path:
    return tallies_dir / f"v{CACHE_VERSION}-{segment_id}.npz"


def save_segment_tallies(tallies_dir: Path, segment_id: str, tallies: dict[str, np.ndarray]) -> None:
    """Write a segment's tallies; an index that cannot be written (read-only) computes them next time."""
    path = tallies_path(tallies_dir, segment_id)
    try:
        tallies_dir.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.npz")
        np.savez(tmp, **tallies)
        os.replace(tmp, path)
    except OSError:
        pass


def _segment_part(reader: IndexReader, generation: Path) -> dict[str, np.ndarray]:
    """A segment's tallies from its file, or computed from its facet columns (then saved)."""
    segment_id = reader.segment().segment_id()
    path = tallies_path(generation / TALLIES_DIR, segment_id)
    try:
        with np.load(path) as data:
            part = {key: data[key] for key in data.files}
        if all(name in part for name in _NAMES):
            return part
    except (OSError, ValueError):
        pass
    part = segment_tallies(segment_arrays(reader, generation / COLUMNS_DIR, facet_specs()))
    save_segment_tallies(generation / TALLIES_DIR, segment_id, part)
    return part


def load_tallies(reader: IndexReader, generation: Path, columns: Columns) -> Tallies:
    """The live archive's tallies: every segment's added up, the deleted documents' taken off."""
    global_ids = {value: index for index, value in enumerate(columns.vocab[TAG_FACET])}
    days, day_counts, tags, months, counts = [], [], [], [], []
    for sub, _ in reader.leaf_readers():
        part = _segment_part(sub, generation)
        remap = np.array([global_ids[value] for value in unpack_vocab(part["tag_vocab"])] or [0], np.int64)
        days.append(part["day_values"])
        day_counts.append(part["day_counts"])
        tags.append(remap[part["tag_ids"]])
        months.append(part["tag_months"])
        counts.append(part["tag_counts"])
    dead = ~columns.live
    if dead.any():  # deleted documents stay in their segment's tallies until a merge rewrites it
        days.append(columns.days[dead])
        day_counts.append(-np.ones(int(dead.sum()), np.int64))
        docs, values = columns.multi[TAG_FACET]
        gone = dead[docs]
        tags.append(values[gone].astype(np.int64))
        months.append(month_numbers(columns.days[docs[gone]]))
        counts.append(-np.ones(int(gone.sum()), np.int64))
    first_day, per_day = _per_day(_cat(days, np.int64), _cat(day_counts, np.int64))
    tag_ids, tag_months, sums = _tag_month_counts(
        _cat(tags, np.int64), _cat(months, np.int32), _cat(counts, np.int64)
    )
    size = len(columns.vocab[TAG_FACET])
    return Tallies(
        first_day=first_day,
        day_counts=per_day,
        tag_totals=np.bincount(tag_ids, weights=sums, minlength=size).astype(np.int64),
        tag_starts=np.searchsorted(tag_ids, np.arange(size + 1)).astype(np.int64),
        tag_months=tag_months,
        tag_month_counts=sums,
    )


def _per_day(days: np.ndarray, counts: np.ndarray) -> tuple[int, np.ndarray]:
    """Counts per day number, dense from the first day with events to the last."""
    if not len(days):
        return 0, np.zeros(0, dtype=np.int64)
    low = int(days.min())
    dense = np.bincount(days - low, weights=counts).astype(np.int64)
    nonzero = np.flatnonzero(dense)
    if not len(nonzero):
        return 0, np.zeros(0, dtype=np.int64)
    return low + int(nonzero[0]), dense[nonzero[0] : nonzero[-1] + 1]


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def drop_stale_tallies(tallies_dir: Path, live_segment_ids: set[str]) -> None:
    """Remove the tallies of segments that merges have replaced."""
    for path in tallies_dir.glob("*.npz"):
        version, _, segment_id = path.stem.partition("-")
        if segment_id not in live_segment_ids or version != f"v{CACHE_VERSION}":
            path.unlink(missing_ok=True)
