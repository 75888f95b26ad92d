"""BM25 relevance over all matching documents at once, from posting lists read in bulk.

Whoosh scores matches one Python call at a time, which makes a common word's
top ten cost as much as its whole posting list walked slowly. The same scores
are computed here per query term as numpy arrays (``postings.py``): Whoosh's
BM25F formula, idf and parameters, field boosts included in the stored
weights, summed over the terms as Whoosh's And and Or do; and the constants
its matchers add (an unscored field's term, NOT, a date range, a prefix that
expands to many terms) are added where those parts match. The best documents
are picked with one partial sort.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from .matching import query_mask
from .postings import BulkPostings
from .query import TEXT_FIELDS
from .whoosh_internals import field_length_bytes

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults
_BYTE_TO_LENGTH = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float32)


class Scorer:
    """Scores for one searcher (one index generation)."""

    def __init__(self, postings: BulkPostings, size: int) -> None:
        self.postings = postings
        self.searcher = postings.searcher
        self.size = size
        # Read every field's lengths now, while the segment files surely exist: an
        # update that merges segments deletes the files of the ones it merged.
        self._lengths = {field: self._read_lengths(field) for field in TEXT_FIELDS}

    def top(self, query: wq.Query, mask: np.ndarray, stop: int) -> np.ndarray:
        """The document numbers of the best ``stop`` matches in ``mask``, best first."""
        candidates = np.flatnonzero(mask)
        if not len(candidates):
            return candidates
        scores = self.scores(query)[candidates]
        if stop < len(candidates):
            # Keep every document tied with the last one kept, so that pages agree on how ties fall.
            threshold = -np.partition(-scores, stop - 1)[stop - 1]
            keep = scores >= threshold
            candidates, scores = candidates[keep], scores[keep]
        # Ties go to the newer document number, as in an archive that grows at the end.
        order = np.lexsort((-candidates, -scores))
        return candidates[order][:stop]

    def scores(self, query: wq.Query) -> np.ndarray:
        """Whoosh's score of every document for the query, where it matches (elsewhere partial sums)."""
        total = np.zeros(self.size, dtype=np.float32)
        for kind, part, boost in _scored_parts(query):
            if kind == "term":
                self._add_term(total, part.fieldname, part.text, boost)
            elif kind == "phrase":  # its words' scores, where the words make the phrase
                where = query_mask(self.postings, part, self.size)
                for word in part.words:
                    self._add_term(total, part.fieldname, word, boost, where=where)
            elif kind == "expansion":
                self._add_expansion(total, part, boost)
            else:  # a constant where the part matches
                total[query_mask(self.postings, part, self.size)] += boost
        return total

    def _add_term(self, total: np.ndarray, field: str, text, boost: float, where=None, segments=None) -> None:
        ids, weights = self.postings.arrays(field, text, segments=segments)
        if where is not None:
            keep = where[ids]
            ids, weights = ids[keep], weights[keep]
        if not self.searcher.schema[field].scorable:  # Whoosh's score is then the posting's weight
            total[ids] += boost * weights
            return
        searcher = self.searcher
        df = searcher.doc_frequency(field, text)
        if not df:
            return
        idf = math.log(searcher.doc_count_all() / (df + 1)) + 1  # whoosh.scoring.WeightingModel.idf
        average = searcher.avg_field_length(field) or 1
        norm = K1 * ((1 - B) + B * self._lengths[field][ids] / average)
        total[ids] += boost * idf * (weights * (K1 + 1)) / (weights + norm)

    def _add_expansion(self, total: np.ndarray, query: wq.MultiTerm, boost: float) -> None:
        """A prefix, wildcard or word range, scored as Whoosh scores it: segment by segment.

        Whoosh expands it to each segment's terms: one is matched as a plain Term
        (without the query's boost); more with an Or (whoosh.query.compound.Or)
        which scores them when there are two or the segment has over 5,000
        documents, and below 1,024 terms; otherwise each match scores the boost.
        """
        for segment in self.postings.segments:
            terms = list(query.expanded_terms(segment.reader))
            count, documents = len(terms), segment.reader.doc_count_all()
            if count == 1 or (count < 1024 and (count == 2 or documents > 5000)):
                for field, text in terms:
                    self._add_term(
                        total, field, text, boost if count == 1 else boost * query.boost, None, [segment]
                    )
            elif terms:
                ids = [self.postings.ids_in(segment, field, text) for field, text in terms]
                total[np.unique(np.concatenate(ids))] += boost * query.boost

    def _read_lengths(self, field: str) -> np.ndarray:
        parts = [_segment_lengths(reader, field) for reader, _ in self.searcher.reader().leaf_readers()]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _scored_parts(query: wq.Query, boost: float = 1.0):
    """(kind, part, boost) of the parts of a query that add to a document's score, as Whoosh's matchers do.

    "term", "phrase" and "expansion" (prefix, wildcard, word range) add their
    terms' scores; "constant" parts add their boost where they match. Nothing
    under NOT, or in the second part of ANDNOT or REQUIRE, adds to the score.
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
