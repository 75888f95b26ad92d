"""Which documents match a query, as a boolean array, from posting lists read in bulk.

Whoosh's matchers step through matches one Python call at a time; a common
word matches tens of thousands of events. Terms, the terms a prefix or word
range expands to (``expansion.py``), and their Boolean combinations (what most
queries are) are evaluated here with numpy over each term's postings arrays
(``postings.py``); anything else (phrases, date ranges) falls back to Whoosh
for that part of the query only, read in chunks between looks at the clock.
"""

from __future__ import annotations

import itertools

import numpy as np
from whoosh import query as wq

from .limits import check_time
from .postings import BulkPostings

_CHUNK = 4096  # matches read between two looks at the clock, where Whoosh steps through them


def query_mask(postings: BulkPostings, query: wq.Query, size: int, known: dict | None = None) -> np.ndarray:
    """A mask over all documents: True where the query matches (deleted documents not excluded).

    ``known`` keeps the masks of the parts Whoosh's matchers answer (phrases, date ranges), by part:
    the ranking asks again for the phrases the matching read, and they are read once.
    """
    check_time()
    if isinstance(query, wq.Term):
        return _terms_mask(postings, [(query.fieldname, query.text)], size)
    if isinstance(query, wq.Or):
        mask = np.zeros(size, dtype=bool)
        for sub in query.subqueries:
            mask |= query_mask(postings, sub, size, known)
        return mask
    if isinstance(query, wq.And):
        positives = [sub for sub in query.subqueries if not isinstance(sub, wq.Not)]
        mask = np.ones(size, dtype=bool)
        for sub in positives:
            mask &= query_mask(postings, sub, size, known)
            if not mask.any():  # nothing left to narrow: the other parts need not be read
                return mask
        for sub in query.subqueries:
            if isinstance(sub, wq.Not):
                mask &= ~query_mask(postings, sub.query, size, known)
        return mask
    if isinstance(query, wq.AndNot):
        return query_mask(postings, query.a, size, known) & ~query_mask(postings, query.b, size, known)
    if isinstance(query, wq.AndMaybe):
        return query_mask(postings, query.a, size, known)
    if isinstance(query, wq.Require):
        return query_mask(postings, query.a, size, known) & query_mask(postings, query.b, size, known)
    if isinstance(query, wq.Not):
        return ~query_mask(postings, query.query, size, known)
    if isinstance(query, wq.Every):
        return np.ones(size, dtype=bool)
    if isinstance(query, wq.MultiTerm):
        # Left unexpanded only by callers that skip expansion.bound_query (which caps them).
        return _terms_mask(postings, query.expanded_terms(postings.searcher.reader()), size)
    if known is None:
        return _whoosh_mask(postings, query, size)
    if query not in known:
        known[query] = _whoosh_mask(postings, query, size)
    return known[query]


def _terms_mask(postings: BulkPostings, terms, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for field, text in terms:
        check_time()
        mask[postings.ids(field, text)] = True
    return mask


def _whoosh_mask(postings: BulkPostings, query: wq.Query, size: int) -> np.ndarray:
    """The mask from Whoosh's own matcher (phrases, date ranges), read in chunks between clock checks."""
    mask = np.zeros(size, dtype=bool)
    docs = postings.searcher.docs_for_query(query)
    while chunk := list(itertools.islice(docs, _CHUNK)):
        mask[chunk] = True
        check_time()
    return mask
