"""BM25 relevance over all matching documents at once, from posting lists read in bulk.

Whoosh scores matches one Python call at a time, which makes a common word's
top ten cost as much as its whole posting list walked slowly. The same scores
are computed here per query term as numpy arrays (``postings.py``): Whoosh's
BM25F formula and parameters, field boosts included in the stored weights,
summed over the terms as Whoosh's And and Or do; and the constants its
matchers add (an unscored field's term, NOT, a date range) are added where
those parts match.

One difference, on purpose: the statistics (documents, document frequency,
average field length) are those of the live documents. Whoosh counts deleted
documents until a merge, so its scores for an updated index differ from a
fresh build of the same content; these do not (on an index without
deletions they are Whoosh's). A prefix or range is scored as the sum of its
terms everywhere, as Whoosh scores it in segments of over 5,000 documents.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from .limits import check_time
from .matching import query_mask
from .postings import BulkPostings
from .query import TEXT_FIELDS
from .whoosh_internals import field_length_bytes

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults
_BYTE_TO_LENGTH = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float32)


class Scorer:
    """Scores for one searcher (one index generation)."""

    def __init__(self, postings: BulkPostings, live: np.ndarray) -> None:
        self.postings = postings
        self.searcher = postings.searcher
        self.size = len(live)
        self._live = live
        self._count = max(1, int(live.sum()))
        # Read every field's lengths now, while the segment files surely exist: an
        # update that merges segments deletes the files of the ones it merged.
        self._lengths = {field: self._read_lengths(field) for field in TEXT_FIELDS}
        self._average = {field: self._average_length(field) for field in TEXT_FIELDS}

    def scores(self, query: wq.Query) -> np.ndarray:
        """The score of every document for the query, where it matches (elsewhere partial sums)."""
        total = np.zeros(self.size, dtype=np.float32)
        for kind, part, boost in _scored_parts(query):
            check_time()
            if kind == "term":
                self._add_term(total, part.fieldname, part.text, boost)
            elif kind == "phrase":  # its words' scores, where the words make the phrase
                where = query_mask(self.postings, part, self.size)
                for word in part.words:
                    self._add_term(total, part.fieldname, word, boost, where=where)
            elif kind == "expansion":  # a prefix or range that expansion.bound_query did not resolve
                for field, text in part.expanded_terms(self.searcher.reader()):
                    self._add_term(total, field, text, boost * part.boost)
            else:  # a constant where the part matches
                total[query_mask(self.postings, part, self.size)] += boost
        return total

    def _add_term(self, total: np.ndarray, field: str, text, boost: float, where=None) -> None:
        ids, weights = self.postings.arrays(field, text)
        live = self._live[ids]
        ids, weights = ids[live], weights[live]
        frequency = len(ids)  # documents that have the term, before a phrase narrows them
        if where is not None:
            keep = where[ids]
            ids, weights = ids[keep], weights[keep]
        if not self.searcher.schema[field].scorable:  # Whoosh's score is then the posting's weight
            total[ids] += boost * weights
            return
        if not frequency:
            return
        idf = math.log(self._count / (frequency + 1)) + 1  # whoosh.scoring.WeightingModel.idf
        norm = K1 * ((1 - B) + B * self._lengths[field][ids] / self._average[field])
        total[ids] += boost * idf * (weights * (K1 + 1)) / (weights + norm)

    def _read_lengths(self, field: str) -> np.ndarray:
        parts = [_segment_lengths(reader, field) for reader, _ in self.searcher.reader().leaf_readers()]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def _average_length(self, field: str) -> float:
        """The average length of the field in the live documents.

        Whoosh keeps the exact total length of a field; a deleted document's
        share is taken out with its stored one-byte length (exact for short texts).
        """
        total = float(self.searcher.field_length(field))
        deleted = ~self._live
        if deleted.any():
            total -= float(self._lengths[field][deleted].sum(dtype=np.float64))
        return total / self._count or 1.0


def _scored_parts(query: wq.Query, boost: float = 1.0):
    """(kind, part, boost) of the parts of a query that add to a document's score, as Whoosh's matchers do.

    "term", "phrase" and "expansion" (prefix, word range) add their terms'
    scores; "constant" parts add their boost where they match. Nothing under
    NOT, or in the second part of ANDNOT or REQUIRE, adds to the score.
    """
    if isinstance(query, wq.Term):
        yield "term", query, boost * query.boost
    elif isinstance(query, wq.Phrase):
        yield "phrase", query, boost * query.boost
    elif isinstance(query, wq.MultiTerm):
        yield "expansion", query, boost
    elif isinstance(query, wq.Not):
        yield "constant", query, 1.0  # whoosh.matching.InverseMatcher's weight, whatever the boost
    elif isinstance(query, wq.NumericRange):  # date ranges: a constant-score query
        yield "constant", query, boost * query.boost
    elif isinstance(query, wq.ConstantScoreQuery):
        yield "constant", query.child, boost * query.score
    elif isinstance(query, (wq.AndNot, wq.Require)):
        yield from _scored_parts(query.a, boost * query.boost)
    else:
        for child in query.children():
            yield from _scored_parts(child, boost * getattr(query, "boost", 1.0))


def _segment_lengths(reader, field: str) -> np.ndarray:
    """Every document's length in a field, from the segment's length column (one byte a document)."""
    return _BYTE_TO_LENGTH[field_length_bytes(reader, field)]
