"""Which documents match a query, as a boolean array, from posting lists read in bulk.

Whoosh's matchers step through matches one Python call at a time; a common
word matches tens of thousands of events. Terms, the terms a prefix or word
range expands to (``expansion.py``), and their Boolean combinations (what most
queries are) are evaluated here with numpy over each term's postings arrays
(``postings.py``), and so are phrases in the text fields, from the positions
those arrays keep; anything else (a date range in the query text) falls back to
Whoosh for that part of the query only, read in chunks between looks at the clock.
"""

from __future__ import annotations

import itertools

import numpy as np
from whoosh import query as wq

from .limits import check_time
from .postings import PHRASE_FIELDS, BulkPostings

_CHUNK = 4096  # matches read between two looks at the clock, where Whoosh steps through them


def query_mask(postings: BulkPostings, query: wq.Query, size: int, known: dict | None = None) -> np.ndarray:
    """A mask over all documents: True where the query matches (deleted documents not excluded).

    ``known`` keeps the masks of the parts that are not plain terms (phrases, date ranges), by part:
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
    in_arrays = isinstance(query, wq.Phrase) and query.fieldname in PHRASE_FIELDS
    answer = _phrase_mask if in_arrays else _whoosh_mask
    if known is None:
        return answer(postings, query, size)
    if query not in known:
        known[query] = answer(postings, query, size)
    return known[query]


def _terms_mask(postings: BulkPostings, terms, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for field, text in terms:
        check_time()
        mask[postings.ids(field, text)] = True
    return mask


def _phrase_mask(postings: BulkPostings, phrase: wq.Phrase, size: int) -> np.ndarray:
    """The documents where the phrase's words stand in order, each within ``slop`` words of the one before.

    As Whoosh's ``SpanNear2(ordered=True, mindist=1)``, which its phrase query is, computes it: a word
    must stand 1 to ``slop`` positions after where the words before it matched. Read from the positions
    arrays, only in the documents that hold every word.
    """
    candidates = np.ones(size, dtype=bool)
    for word in phrase.words:
        candidates &= _terms_mask(postings, [(phrase.fieldname, word)], size)
        if not candidates.any():
            return candidates
    ends = postings.phrase_keys(phrase.fieldname, phrase.words[0], candidates)
    for word in phrase.words[1:]:
        check_time()
        keys = postings.phrase_keys(phrase.fieldname, word, candidates)
        ends = keys[_follows(ends, keys, phrase.slop)]
    mask = np.zeros(size, dtype=bool)
    mask[ends >> 32] = True
    return mask


def _follows(ends: np.ndarray, keys: np.ndarray, slop: int) -> np.ndarray:
    """Which keys (document << 32 | position, sorted) stand 1 to ``slop`` positions after one of ``ends``."""
    before = np.searchsorted(ends, keys, side="left") - 1  # the last end before each key
    nearest = ends[np.maximum(before, 0)] if len(ends) else np.zeros_like(keys)
    return (before >= 0) & (keys - nearest <= slop) & (nearest >> 32 == keys >> 32)


def _whoosh_mask(postings: BulkPostings, query: wq.Query, size: int) -> np.ndarray:
    """The mask from Whoosh's own matcher (phrases, date ranges), read in chunks between clock checks."""
    mask = np.zeros(size, dtype=bool)
    docs = postings.searcher.docs_for_query(query)
    while chunk := list(itertools.islice(docs, _CHUNK)):
        mask[chunk] = True
        check_time()
    return mask
