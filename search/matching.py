"""Which documents match a query, as a boolean array, from posting lists read in bulk.

Whoosh's matchers step through matches one Python call at a time; a common
word matches tens of thousands of events. Terms, the terms a prefix, wildcard
or word range expands to, and their Boolean combinations (what most queries
are) are evaluated here with numpy over each term's postings arrays
(``postings.py``); anything else (phrases, date ranges) falls back to Whoosh
for that part of the query only.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from .postings import BulkPostings


def query_mask(postings: BulkPostings, query: wq.Query, size: int) -> np.ndarray:
    """A mask over all documents: True where the query matches (deleted documents not excluded)."""
    if isinstance(query, wq.Term):
        return _terms_mask(postings, [(query.fieldname, query.text)], size)
    if isinstance(query, wq.Or):
        mask = np.zeros(size, dtype=bool)
        for sub in query.subqueries:
            mask |= query_mask(postings, sub, size)
        return mask
    if isinstance(query, wq.And):
        positives = [sub for sub in query.subqueries if not isinstance(sub, wq.Not)]
        mask = np.ones(size, dtype=bool)
        for sub in positives:
            mask &= query_mask(postings, sub, size)
        for sub in query.subqueries:
            if isinstance(sub, wq.Not):
                mask &= ~query_mask(postings, sub.query, size)
        return mask
    if isinstance(query, wq.AndNot):
        return query_mask(postings, query.a, size) & ~query_mask(postings, query.b, size)
    if isinstance(query, wq.AndMaybe):
        return query_mask(postings, query.a, size)
    if isinstance(query, wq.Require):
        return query_mask(postings, query.a, size) & query_mask(postings, query.b, size)
    if isinstance(query, wq.Not):
        return ~query_mask(postings, query.query, size)
    if isinstance(query, wq.Every):
        return np.ones(size, dtype=bool)
    if isinstance(query, wq.MultiTerm):  # prefix, wildcard, word range: the terms of the index it names
        return _terms_mask(postings, expanded_terms(postings, query), size)
    mask = np.zeros(size, dtype=bool)
    mask[np.fromiter(postings.searcher.docs_for_query(query), dtype=np.int64)] = True
    return mask


def expanded_terms(postings: BulkPostings, query: wq.MultiTerm) -> list[tuple[str, bytes]]:
    """The index's terms that a prefix, wildcard or range query stands for."""
    return list(query.expanded_terms(postings.searcher.reader()))


def _terms_mask(postings: BulkPostings, terms, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for field, text in terms:
        mask[postings.ids(field, text)] = True
    return mask
