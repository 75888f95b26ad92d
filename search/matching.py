"""Which documents match a query, as a boolean array, reading posting lists in bulk.

Whoosh's matchers step through matches one Python call at a time; a common
word matches tens of thousands of events. Terms and their Boolean
combinations (what most queries are) are evaluated here block by block with
numpy instead; anything else (phrases, ranges, wildcards) falls back to
Whoosh for that part of the query only.
"""

from __future__ import annotations

import itertools

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from .limits import check_time
from .whoosh_internals import read_postings

_CHUNK = 4096  # matches read between two looks at the clock, where Whoosh steps through them


def query_mask(searcher: Searcher, query: wq.Query, size: int) -> np.ndarray:
    """A mask over all documents: True where the query matches (deleted documents not excluded)."""
    check_time()
    if isinstance(query, wq.Term):
        return _term_mask(searcher, query.fieldname, query.text, size)
    if isinstance(query, wq.Or):
        mask = np.zeros(size, dtype=bool)
        for sub in query.subqueries:
            mask |= query_mask(searcher, sub, size)
        return mask
    if isinstance(query, wq.And):
        positives = [sub for sub in query.subqueries if not isinstance(sub, wq.Not)]
        mask = np.ones(size, dtype=bool)
        for sub in positives:
            mask &= query_mask(searcher, sub, size)
            if not mask.any():  # nothing left to narrow: the other parts need not be read
                return mask
        for sub in query.subqueries:
            if isinstance(sub, wq.Not):
                mask &= ~query_mask(searcher, sub.query, size)
        return mask
    if isinstance(query, wq.AndNot):
        return query_mask(searcher, query.a, size) & ~query_mask(searcher, query.b, size)
    if isinstance(query, wq.Not):
        return ~query_mask(searcher, query.query, size)
    if isinstance(query, wq.Every):
        return np.ones(size, dtype=bool)
    return _whoosh_mask(searcher, query, size)


def _whoosh_mask(searcher: Searcher, query: wq.Query, size: int) -> np.ndarray:
    """The mask from Whoosh's own matcher (phrases, numeric ranges), read in chunks between clock checks."""
    mask = np.zeros(size, dtype=bool)
    docs = searcher.docs_for_query(query)
    while chunk := list(itertools.islice(docs, _CHUNK)):
        mask[chunk] = True
        check_time()
    return mask


def _term_mask(searcher: Searcher, field: str, text, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for reader, offset in searcher.reader().leaf_readers():
        check_time()
        if (field, text) in reader:
            mask[_posting_ids(reader, field, text) + offset] = True
    return mask


def _posting_ids(reader, field: str, text) -> np.ndarray:
    return posting_arrays(reader, field, text)[0]


def posting_arrays(reader, field: str, text, weights: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """A term's document numbers in one segment (and weights: frequency times field boost), block by block."""
    return read_postings(reader, field, text, weights)
