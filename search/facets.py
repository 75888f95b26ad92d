"""Facet counts, significant values and the timeline, counted over all matching documents with numpy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np

from .columns import Columns, date_of
from .facet_table import TAG_FACET, facet_specs
from .request import SearchRequest
from .results import Bucket, Facet, FacetValue, SignificantValue
from .significance import significant
from .tallies import Tallies, bucket_sums

OTHER_FACET_SIZE = 20  # request.facet_size is for the long list (tags: thousands of values)


def value_counts(
    columns: Columns, mask: np.ndarray, name: str, matched: np.ndarray | None = None
) -> np.ndarray:
    """How many of the documents in ``mask`` (numbered in ``matched``, if known) have each value of a facet.

    Only the matching documents' values are read, unless they are most of the index: then one pass
    over every (document, value) pair is cheaper than gathering each document's own.
    """
    size = len(columns.vocab[name])
    matched = np.flatnonzero(mask) if matched is None else matched
    if name in columns.multi:
        if 2 * len(matched) > columns.size:
            docs, values = columns.multi[name]
            return np.bincount(values[mask[docs]], minlength=size)
        return np.bincount(columns.values_of(name, matched), minlength=size)
    values = columns.single[name][matched]
    return np.bincount(values[values >= 0], minlength=size)


def list_facets(
    columns: Columns, counts: Mapping[str, np.ndarray], request: SearchRequest
) -> dict[str, Facet]:
    """Every facet's top values (and the selected ones) from its counts (``value_counts``)."""
    facets = {}
    for spec in facet_specs():
        found = counts[spec.name]
        if spec.long_list and request.tag_filter:
            needle = request.tag_filter.casefold()
            keep = np.array([needle in value.casefold() for value in columns.vocab[spec.name]], dtype=bool)
            found = np.where(keep[: len(found)], found, 0)
        limit = request.facet_size if spec.long_list else OTHER_FACET_SIZE
        facets[spec.name] = _top(columns, spec.name, found, limit, set(request.selected(spec.name)))
    return facets


def significant_tags(
    columns: Columns, tallies: Tallies, counts: np.ndarray, total: int, request: SearchRequest
) -> list[SignificantValue]:
    """The tags much more common in the matches (``counts`` of ``total``) than in the whole archive.

    The tags the request selects are left out: they are in every match by definition.
    """
    if not request.significant_size or not total or total >= tallies.events:
        return []
    selected = [columns.value_id(TAG_FACET, value) for value in request.selected(TAG_FACET)]
    ids, scores = significant(
        counts,
        total,
        tallies.tag_totals,
        tallies.events,
        request.significant_size,
        name_order(columns, TAG_FACET),
        exclude=np.array([i for i in selected if i >= 0], dtype=np.int64),
    )
    vocab = columns.vocab[TAG_FACET]
    return [
        SignificantValue(vocab[i], int(counts[i]), int(tallies.tag_totals[i]), float(score))
        for i, score in zip(ids, scores, strict=True)
    ]


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
    order = np.lexsort((name_order(columns, name)[within], -counts[within]))
    return within[order[:limit]]


def name_order(columns: Columns, name: str) -> np.ndarray:
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


def timeline_unit(first: dt.date, last: dt.date) -> str:
    """Days for two months or less, months for three years or less, else years."""
    span = (last - first).days
    return "day" if span <= 62 else "month" if span <= 3 * 366 else "year"


def timeline(
    days: np.ndarray, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[str, list[Bucket]]:
    """The matches' days (``Columns.days`` of each match) per year; per month or per day when the range
    (asked for, or matched) is narrow. Only buckets with matches are listed."""
    if not len(days):
        return "year", []
    low, high = int(days.min()), int(days.max())
    unit = timeline_unit(date_from or date_of(low), date_to or date_of(high))
    # Counted per day, then summed per bucket: no sort of the matches, however many.
    starts, counts = bucket_sums(unit, np.arange(low, high + 1), np.bincount(days - low))
    return unit, [
        _bucket(unit, np.datetime64(start, {"day": "D", "month": "M", "year": "Y"}[unit]), int(count))
        for start, count in zip(starts, counts, strict=True)
        if count
    ]


def _bucket(unit: str, key: np.datetime64, count: int) -> Bucket:
    start = key.astype("datetime64[D]").astype(dt.date)
    if unit == "day":
        return Bucket(start.isoformat(), start.isoformat(), start.isoformat(), count)
    following = (key + 1).astype("datetime64[D]").astype(dt.date)
    end = following - dt.timedelta(days=1)
    label = start.strftime("%Y-%m") if unit == "month" else str(start.year)
    return Bucket(label, start.isoformat(), end.isoformat(), count)
