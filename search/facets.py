"""Facet counts and the timeline, counted over all matching documents with numpy."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .columns import Columns, date_of
from .facet_table import facet_specs
from .request import SearchRequest
from .results import Bucket, Facet, FacetValue

OTHER_FACET_SIZE = 20  # request.facet_size is for the long list (tags: thousands of values)


def count_facets(columns: Columns, mask: np.ndarray, request: SearchRequest) -> dict[str, Facet]:
    """Every facet's top values (and the selected ones) with counts over the matches in ``mask``."""
    facets = {}
    for spec in facet_specs():
        counts = _counts(columns, mask, spec.name)
        if spec.long_list and request.tag_filter:
            needle = request.tag_filter.casefold()
            keep = np.array([needle in value.casefold() for value in columns.vocab[spec.name]], dtype=bool)
            counts = np.where(keep[: len(counts)], counts, 0)
        limit = request.facet_size if spec.long_list else OTHER_FACET_SIZE
        facets[spec.name] = _top(columns, spec.name, counts, limit, set(request.selected(spec.name)))
    return facets


def _counts(columns: Columns, mask: np.ndarray, name: str) -> np.ndarray:
    size = len(columns.vocab[name])
    if name in columns.multi:
        docs, values = columns.multi[name]
        return np.bincount(values[mask[docs]], minlength=size)
    values = columns.single[name][mask]
    return np.bincount(values[values >= 0], minlength=size)


def _top(columns: Columns, name: str, counts: np.ndarray, limit: int, selected: set[str]) -> Facet:
    nonzero = _most_counted(columns, name, counts, limit)
    vocab = columns.vocab[name]
    folded = {value.casefold() for value in selected}  # filters ignore case, so selection does too
    values = [FacetValue(vocab[i], int(counts[i]), vocab[i].casefold() in folded) for i in nonzero]
    shown = {v.value.casefold() for v in values}
    for value in selected:  # a selected value is always shown, so it can be removed
        if value.casefold() not in shown:
            index = columns.value_id(name, value)
            values.append(FacetValue(value, int(counts[index]) if index >= 0 else 0, True))
    values.sort(key=lambda v: (-v.count, v.value.casefold(), v.value))
    return Facet(name, values, int(np.count_nonzero(counts)))


def _most_counted(columns: Columns, name: str, counts: np.ndarray, limit: int) -> np.ndarray:
    """The ids of the ``limit`` most counted values; equal counts go by name, so any index of the same
    content lists the same values (value ids depend on the order the segments were written in)."""
    nonzero = np.flatnonzero(counts)
    if len(nonzero) <= limit:
        return nonzero
    kth = -np.partition(-counts[nonzero], limit - 1)[limit - 1]
    within = nonzero[counts[nonzero] >= kth]
    order = np.lexsort((_name_order(columns, name)[within], -counts[within]))
    return within[order[:limit]]


def _name_order(columns: Columns, name: str) -> np.ndarray:
    """Each value id's rank in name order (case-insensitive), computed once per index generation."""
    cache = columns.__dict__.setdefault("_name_orders", {})
    if name not in cache:
        vocab = columns.vocab[name]
        ranks = np.empty(len(vocab), dtype=np.int64)
        ranks[sorted(range(len(vocab)), key=lambda i: (vocab[i].casefold(), vocab[i]))] = np.arange(
            len(vocab)
        )
        cache[name] = ranks
    return cache[name]


def timeline(
    columns: Columns, mask: np.ndarray, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[str, list[Bucket]]:
    """Matches per year; per month or per day when the range (asked for, or matched) is narrow."""
    days = columns.days[mask]
    if not len(days):
        return "year", []
    first = date_from or date_of(days.min())
    last = date_to or date_of(days.max())
    span = (last - first).days
    unit = "day" if span <= 62 else "month" if span <= 3 * 366 else "year"
    stamps = days.astype("datetime64[D]")
    keys = stamps.astype({"day": "datetime64[D]", "month": "datetime64[M]", "year": "datetime64[Y]"}[unit])
    buckets, counts = np.unique(keys, return_counts=True)
    return unit, [_bucket(unit, key, int(count)) for key, count in zip(buckets, counts, strict=False)]


def _bucket(unit: str, key: np.datetime64, count: int) -> Bucket:
    start = key.astype("datetime64[D]").astype(dt.date)
    if unit == "day":
        return Bucket(start.isoformat(), start.isoformat(), start.isoformat(), count)
    following = (key + 1).astype("datetime64[D]").astype(dt.date)
    end = following - dt.timedelta(days=1)
    label = start.strftime("%Y-%m") if unit == "month" else str(start.year)
    return Bucket(label, start.isoformat(), end.isoformat(), count)
