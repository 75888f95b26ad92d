"""BM25 relevance over all matching documents at once, from posting lists read in bulk.

Whoosh scores matches one Python call at a time, which makes a common word's
top ten cost as much as its whole posting list walked slowly. The same BM25
(Whoosh's formula, idf and parameters, field boosts included in the stored
weights) is computed here per query term as numpy arrays, summed over the
terms as Whoosh's And and Or do, and the best documents are picked with one
partial sort.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .expansion import Expansion
from .limits import check_time
from .matching import posting_arrays
from .query import TEXT_FIELDS
from .whoosh_internals import field_length_bytes

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F defaults
_BYTE_TO_LENGTH = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float32)


class Scorer:
    """Scores for one searcher (one index generation)."""

    def __init__(self, searcher: Searcher, live: np.ndarray) -> None:
        self.searcher = searcher
        self.size = len(live)
        # Statistics of the live documents only, unlike Whoosh's, which count deleted ones
        # until a merge: an updated index then scores exactly as a fresh build of the same
        # content. Field lengths are Whoosh's one-byte ones, whole numbers, so their sum is exact.
        self._live = live
        self._count = max(1, int(live.sum()))
        # Read every field's lengths now, while the segment files surely exist: an
        # update that merges segments deletes the files of the ones it merged.
        self._lengths = {field: self._read_lengths(field) for field in TEXT_FIELDS}
        self._average = {
            field: float(lengths[live].sum(dtype=np.float64)) / self._count or 1.0
            for field, lengths in self._lengths.items()
        }

    def scores(self, query: wq.Query) -> np.ndarray:
        """BM25 score of every document for the query's positive terms (0 where none match)."""
        total = np.zeros(self.size, dtype=np.float32)
        for field, text, boost in _positive_terms(query):
            check_time()
            if field in TEXT_FIELDS:
                self._add_term(total, field, text, boost)
        return total

    def _add_term(self, total: np.ndarray, field: str, text: str, boost: float) -> None:
        ids, weights = self._postings(field, text)
        if not len(ids):
            return
        idf = math.log(self._count / (len(ids) + 1)) + 1  # whoosh.scoring.WeightingModel.idf
        norm = K1 * ((1 - B) + B * self._lengths[field][ids] / self._average[field])
        total[ids] += boost * idf * (weights * (K1 + 1)) / (weights + norm)

    def _postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's live documents (global numbers) and weights, over every segment."""
        id_parts, weight_parts = [], []
        for reader, offset in self.searcher.reader().leaf_readers():
            if (field, text) in reader:
                ids, weights = posting_arrays(reader, field, text, weights=True)
                id_parts.append(ids + offset)
                weight_parts.append(weights)
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids, weights = np.concatenate(id_parts), np.concatenate(weight_parts)
        live = self._live[ids]
        return ids[live], weights[live]

    def _read_lengths(self, field: str) -> np.ndarray:
        parts = [_segment_lengths(reader, field) for reader, _ in self.searcher.reader().leaf_readers()]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _positive_terms(query: wq.Query, boost: float = 1.0):
    """(field, text, boost) of the terms that add to a document's score: not those under NOT."""
    if isinstance(query, (wq.Not, Expansion)):  # expansions match without scoring
        return
    if isinstance(query, wq.AndNot):
        yield from _positive_terms(query.a, boost)
        return
    if isinstance(query, wq.Term):
        yield query.fieldname, query.text, boost * query.boost
        return
    if isinstance(query, wq.Phrase):
        for word in query.words:
            yield query.fieldname, word, boost * query.boost
        return
    for child in query.children():
        yield from _positive_terms(child, boost * getattr(query, "boost", 1.0))


def _segment_lengths(reader, field: str) -> np.ndarray:
    """Every document's length in a field, from the segment's length column (one byte a document)."""
    return _BYTE_TO_LENGTH[field_length_bytes(reader, field)]
