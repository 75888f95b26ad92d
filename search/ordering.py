"""Put matches in page order, with ties broken by event id.

Document numbers depend on the history of the index: an updated event is
deleted and added again at the end, so an updated index and a fresh build of
the same content number their documents differently. Breaking ties by
document number would make their pages differ; breaking them by the event id
makes every page a function of the content alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np


def page_slice(
    candidates: np.ndarray, keys: Sequence[np.ndarray], start: int, stop: int, id_of: Callable[[int], str]
) -> np.ndarray:
    """The candidates at positions [start, stop) in ascending order of ``keys`` (the last key sorts first).

    Only the candidates that can reach the page are sorted, and only the ties
    that the page cuts through or holds ask for their event ids.
    """
    stop = min(stop, len(candidates))
    if start >= stop:
        return candidates[:0]
    primary = keys[-1]
    if stop < len(candidates):
        kth = np.partition(primary, stop - 1)[stop - 1]
        # The first ``stop`` and everything tied with the last of them.
        within = np.flatnonzero(primary <= kth)
    else:
        within = np.arange(len(candidates))
    order = within[np.lexsort([key[within] for key in keys])]
    return _break_ties(candidates, [key[order] for key in keys], order, start, stop, id_of)


def _break_ties(candidates, sorted_keys, order, start, stop, id_of) -> np.ndarray:
    """``candidates[order][start:stop]`` with each run of equal keys that reaches the page sorted by id."""
    changes = np.zeros(len(order), dtype=bool)
    changes[0] = True
    for key in sorted_keys:
        changes[1:] |= key[1:] != key[:-1]
    group = np.cumsum(changes) - 1
    first, last = group[start], group[stop - 1]
    lo = int(np.searchsorted(group, first, side="left"))
    hi = int(np.searchsorted(group, last, side="right"))
    window = candidates[order[lo:hi]]
    groups = group[lo:hi]
    if len(np.unique(groups)) == len(groups):  # no ties on the page
        return window[start - lo : stop - lo]
    ids = [id_of(int(docnum)) if _tied(groups, i) else "" for i, docnum in enumerate(window)]
    return window[tie_order(groups, ids)][start - lo : stop - lo]


def tie_order(groups: Sequence[int], ids: Sequence[str]) -> list[int]:
    """Positions in page order: by tie group (ascending), then by event id within a group."""
    return sorted(range(len(groups)), key=lambda i: (groups[i], ids[i]))


def ordered_runs(
    candidates: np.ndarray, keys: Sequence[np.ndarray], run_rows: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every candidate in ascending order of ``keys``, as runs of about ``run_rows``, with tie groups.

    A run never splits a tie (it ends with the whole group it reached), so
    putting each run in ``tie_order`` by event id gives the pages' order, ties
    included, without asking for the ids of more than one run at a time.
    """
    if not len(candidates):
        return
    order = np.lexsort(keys)
    changes = np.zeros(len(order), dtype=bool)
    changes[0] = True
    for key in keys:
        ordered = key[order]
        changes[1:] |= ordered[1:] != ordered[:-1]
    group = np.cumsum(changes) - 1
    starts = np.flatnonzero(changes)  # where each group begins
    start = 0
    while start < len(order):
        at = np.searchsorted(starts, start + run_rows)  # the first group that begins past the run's rows
        stop = int(starts[at]) if at < len(starts) else len(order)
        yield candidates[order[start:stop]], group[start:stop]
        start = stop


def _tied(groups: np.ndarray, i: int) -> bool:
    return (i > 0 and groups[i - 1] == groups[i]) or (i + 1 < len(groups) and groups[i + 1] == groups[i])
