"""Relevance: BM25F over the text fields, and a bonus when the headline holds the query's words in order.

A document's score for a query is the sum of:

- for each word of the query, BM25F (Robertson and Zaragoza): its occurrences
  in the headline, summary and context, each weighted by its field
  (``FIELD_WEIGHTS``) and normalised by that field's length (``B``), add up to
  one frequency that saturates once (``K1``), times the word's IDF over the
  documents that have it in any field. A word found in three fields is one
  word found well, not three words; a phrase's words count where the phrase
  stands;
- ``HEADLINE_BONUS`` times the query words' summed IDF when the headline holds
  every one of them (two or more), and ``ORDER_BONUS`` times it more when they
  first stand there in the order they were typed: people look for an event by
  the words of its headline, in its order (``bench/relevance.py`` measures it);
- ``EXACT_BONUS`` times a typed word's IDF where the headline has the word as
  it was typed, not only a word of the same stem ("killed", not "kills"), as
  Meilisearch's exactness rule ranks (given the query's ``forms``);
- the constants Whoosh's matchers give the parts that match unscored: a NOT,
  a date range, a term of a facet field (its posting's weight).

Each part is computed for all matching documents at once from the posting
arrays (``postings.py``); ``explain`` takes the same sums apart for a page's
hits. The statistics (documents, document frequency, average field length) are
those of the live documents, so an updated index ranks exactly as a fresh
build of the same content. A prefix or range counts as its terms, each a word
outside the headline bonus.
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict

import numpy as np
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from .expansion import Expansion
from .explain import Explanation, HitExplanation
from .limits import check_time
from .matching import query_mask
from .postings import BulkPostings
from .query import TEXT_FIELDS
from .schema import EXACT_FIELD
from .whoosh_internals import field_length_bytes

# Chosen by bench/relevance.py's figures (README, "Ranking"): the headline is the event; the context
# (tags, topic, outlets) says what it is about, the summary explains it.
FIELD_WEIGHTS = {"headline": 3.0, "summary": 1.0, "context": 2.0}
K1 = 1.2  # how fast a word's weighted frequency saturates
B = 0.5  # how much a field's length discounts its occurrences (0: not at all, 1: in proportion)
HEADLINE_BONUS = 0.25  # times the words' summed IDF, when the headline holds them all
ORDER_BONUS = 0.25  # the same again when they first stand there in the order typed
EXACT_BONUS = 0.25  # times a word's IDF, when the headline has it as typed ("killed", not only "kills")
BONUS_FIELD = "headline"
NOT_WEIGHT = 1.0  # whoosh.matching.InverseMatcher's weight for a NOT, whatever its boost
# A word's BM25F frequencies over the live documents, kept by the Scorer of a generation for the words
# searched most recently, up to this many bytes (8 a document that has the word): a common word's
# frequencies cost a pass over each of its fields' postings, and common words are the ones people type.
MAX_REMEMBERED_FREQUENCY_BYTES = 32 * 2**20
_BYTE_TO_LENGTH = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float32)


Forms = dict[str, frozenset[str]]  # a query term (stem) -> the words that make it, as typed


@dataclasses.dataclass
class Word:
    """A query word over the text fields, or a phrase's word (then counted only where the phrase stands)."""

    text: str
    boost: float
    fields: dict[str, np.ndarray | None]  # text field -> where the word counts (a phrase's matches) or None
    typed: bool  # a word of the query text itself, not one a prefix or range stands for


@dataclasses.dataclass
class ScoredParts:
    """A query taken apart the way it is scored."""

    words: list[Word]
    weighted: list[tuple[str, str, float]]  # (field, text, boost) of unscored fields' terms: their weight
    constants: list[tuple[wq.Query, float, str]]  # (part, value, what it is) added where the part matches


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
        self._frequencies: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._remembered_bytes = 0

    def scores(
        self,
        query: wq.Query,
        known: dict | None = None,
        within: np.ndarray | None = None,
        forms: Forms | None = None,
    ) -> np.ndarray:
        """The score of every document for the query, where it matches (elsewhere partial sums).

        ``known``: the phrase and range masks the matching already read (``matching.query_mask``).
        ``within``: a mask of the documents whose scores are wanted (the matches); the others are
        left out of the sums, which then cost in proportion to the matches, not to the words' postings.
        ``forms``: the query's words as typed, by term (``analysis.typed_forms``): the exactness bonus.
        """
        return _Sum(self, scored_parts(query, self, known), None, known, within, forms).total

    def explain(
        self, query: wq.Query, docnums: list[int], known: dict | None = None, forms: Forms | None = None
    ) -> list[HitExplanation]:
        """The scores of these documents taken apart (the same sums as ``scores``)."""
        parts = scored_parts(query, self, known)
        summed = _Sum(self, parts, np.asarray(docnums, dtype=np.int64), known, None, forms)
        return [summed.explanation(at) for at in range(len(docnums))]

    @property
    def live(self) -> np.ndarray:
        """Which documents are not deleted."""
        return self._live

    def idf(self, frequency: int) -> float:
        """How rare a word is: BM25's IDF (Lucene's form, never negative) over the live documents."""
        return math.log(1 + (self._count - frequency + 0.5) / (frequency + 0.5))

    def live_ids(self, field: str, text, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The live documents (of ``within``, a mask) that have a term, and its weight (occurrences) there."""
        ids, weights = self.postings.arrays(field, text)
        keep = (self._live if within is None else within)[ids]
        return ids[keep], weights[keep]

    def frequencies(self, text: str, fields: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """The live documents that have a word in any of ``fields``, and its BM25F frequency in each.

        The frequency is the word's occurrences in each field, weighted by the field and normalised
        by its length there, summed over the fields in the order given. Remembered for the words
        searched most recently (``MAX_REMEMBERED_FREQUENCY_BYTES``).
        """
        key = (text, fields)
        if key in self._frequencies:
            self._frequencies.move_to_end(key)
            return self._frequencies[key]
        frequency = np.zeros(self.size, dtype=np.float32)
        has = np.zeros(self.size, dtype=bool)
        for field in fields:
            ids, counts = self.live_ids(field, text)
            frequency[ids] += FIELD_WEIGHTS[field] * counts / self._norm(field, ids)
            has[ids] = True
        ids = np.flatnonzero(has).astype(np.int32)
        found = (ids, frequency[ids])
        self._remember(key, found)
        return found

    @property
    def remembered_bytes(self) -> int:
        """What the remembered frequencies take (at most MAX_REMEMBERED_FREQUENCY_BYTES, or one word's)."""
        return self._remembered_bytes

    def _remember(self, key: tuple, found: tuple[np.ndarray, np.ndarray]) -> None:
        self._frequencies[key] = found
        self._remembered_bytes += sum(array.nbytes for array in found)
        while self._remembered_bytes > MAX_REMEMBERED_FREQUENCY_BYTES and len(self._frequencies) > 1:
            _, forgotten = self._frequencies.popitem(last=False)
            self._remembered_bytes -= sum(array.nbytes for array in forgotten)

    def _norm(self, field: str, ids: np.ndarray) -> np.ndarray:
        """How the field's length discounts the occurrences in the documents ``ids`` (BM25's ``B``)."""
        return (1 - B) + B * self._lengths[field][ids] / self._average[field]

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


class _Sum:
    """The score of every document, part by part; with ``docs``, each part's values there are kept too."""

    def __init__(
        self,
        scorer: Scorer,
        parts: ScoredParts,
        docs: np.ndarray | None,
        known: dict | None,
        within: np.ndarray | None = None,
        forms: Forms | None = None,
    ) -> None:
        self.scorer, self.docs = scorer, docs
        self.within = scorer.live if within is None else scorer.live & within  # the documents scored
        self.total = np.zeros(scorer.size, dtype=np.float32)
        self.kept: list[tuple[np.ndarray, Explanation]] = []  # (values at docs, explanation with no value)
        self.matched: list[dict[str, list[str]]] = [{} for _ in range(0 if docs is None else len(docs))]
        idfs = [self._word(word) for word in parts.words]
        typed = [(word, idf) for word, idf in zip(parts.words, idfs, strict=True) if word.typed and idf]
        if len(typed) >= 2:
            self._headline_bonus(typed)
        if forms:
            self._exact_bonus(typed, forms)
        for field, text, boost in parts.weighted:
            ids, weights = scorer.live_ids(field, text, self.within)
            self._add(
                ids, boost * weights, f"{field}:{text} (an unscored field): its weight × boost {boost:g}"
            )
        for part, value, what in parts.constants:
            check_time()
            self._add(np.flatnonzero(query_mask(scorer.postings, part, scorer.size, known)), value, what)

    def _add(self, ids: np.ndarray, values, description: str, details=()) -> None:
        """Add values to the documents ``ids``; when explaining, keep what the page's documents got."""
        self.total[ids] += values
        if self.docs is not None:
            dense = np.zeros(self.scorer.size, dtype=np.float32)
            dense[ids] += values
            self.kept.append((dense[self.docs], Explanation(0.0, description, list(details))))

    def _word(self, word: Word) -> float:
        """Add one word's BM25F; its IDF (0 when no live document has it)."""
        check_time()
        if self.docs is None and all(where is None for where in word.fields.values()):
            return self._plain_word(word)
        scorer, size = self.scorer, self.scorer.size
        frequency = np.zeros(size, dtype=np.float32)  # the weighted, length-normalised occurrences
        has = np.zeros(size, dtype=bool)
        fields = []
        for field, where in word.fields.items():
            ids, counts = scorer.live_ids(field, word.text)
            has[ids] = True  # documents that have the word, before a phrase narrows them
            keep = self.within[ids] if where is None else self.within[ids] & where[ids]
            ids, counts = ids[keep], counts[keep]
            norm = scorer._norm(field, ids)
            frequency[ids] += FIELD_WEIGHTS[field] * counts / norm
            fields.append((field, ids, counts, norm))
        found = int(has.sum())
        if not found:
            return 0.0
        idf = scorer.idf(found)
        # The documents scored, from the fields' postings rather than a pass over every document. One
        # found in several fields comes several times, with the same value each time: a ``+=`` through
        # repeated indices adds once (numpy's buffered fancy indexing), which is what is wanted here.
        ids = np.concatenate([field_ids for _, field_ids, _, _ in fields])
        self._add_bm25(word, idf, ids, frequency[ids])
        if self.docs is not None:
            self._keep_word(word, idf, found, frequency, fields)
        return idf

    def _plain_word(self, word: Word) -> float:
        """A word counted wherever it stands, not explained: from its remembered frequencies."""
        ids, tf = self.scorer.frequencies(word.text, tuple(word.fields))
        if not len(ids):
            return 0.0
        idf = self.scorer.idf(len(ids))
        keep = self.within[ids]
        self._add_bm25(word, idf, ids[keep], tf[keep])
        return idf

    def _add_bm25(self, word: Word, idf: float, ids: np.ndarray, tf: np.ndarray) -> None:
        self.total[ids] += word.boost * idf * tf * (K1 + 1) / (K1 + tf)

    def _headline_bonus(self, typed: list[tuple[Word, float]]) -> None:
        """Add the bonuses where the headline holds every typed word, and where in the order typed."""
        size, postings = self.scorer.size, self.scorer.postings
        holds = np.ones(size, dtype=bool)
        in_order = np.ones(size, dtype=bool)
        previous = np.full(size, -1, dtype=np.int16)  # where the word before first stands
        for word, _ in typed:
            check_time()
            where = word.fields.get(BONUS_FIELD, False)
            if where is False:  # not searched in the headline (a field query)
                return
            ids, firsts = postings.first_positions(BONUS_FIELD, word.text)
            keep = self.within[ids] if where is None else self.within[ids] & where[ids]
            ids, firsts = ids[keep], firsts[keep].astype(np.int16)
            present = np.zeros(size, dtype=bool)
            present[ids] = True
            holds &= present
            in_order[ids] &= firsts > previous[ids]
            previous[ids] = firsts
        in_order &= holds
        summed = sum(idf for _, idf in typed)
        words = ", ".join(f"“{word.text}”" for word, _ in typed)
        self._add(
            np.flatnonzero(holds),
            HEADLINE_BONUS * summed,
            f"the headline holds every word ({words}): {HEADLINE_BONUS:g} × their summed idf {summed:.3f}",
        )
        self._add(
            np.flatnonzero(in_order),
            ORDER_BONUS * summed,
            f"…in the order typed: {ORDER_BONUS:g} × their summed idf {summed:.3f}",
        )

    def _exact_bonus(self, typed: list[tuple[Word, float]], forms: Forms) -> None:
        """Add EXACT_BONUS × a typed word's IDF where the headline has it as typed, not only its stem."""
        for word, idf in typed:
            check_time()
            typed_as = sorted(forms.get(word.text, ()))
            if not typed_as or BONUS_FIELD not in word.fields:
                continue
            found = [self.scorer.live_ids(EXACT_FIELD, form, self.within)[0] for form in typed_as]
            ids = found[0] if len(found) == 1 else np.unique(np.concatenate(found))
            words = ", ".join(f"“{form}”" for form in typed_as)
            self._add(
                ids, EXACT_BONUS * idf, f"the headline has {words} as typed: {EXACT_BONUS:g} × idf {idf:.3f}"
            )

    def _keep_word(self, word: Word, idf: float, found: int, frequency: np.ndarray, fields: list) -> None:
        """Keep the page's documents' share of a word's score, field by field."""
        scorer, docs = self.scorer, self.docs
        tf = frequency[docs]
        values = word.boost * idf * tf * (K1 + 1) / (K1 + tf)
        boost = f" × boost {word.boost:g}" if word.boost != 1 else ""
        rarity = Explanation(
            idf, f"idf: ln(1 + (N - n + 0.5) / (n + 0.5)), n = {found:,} of N = {scorer._count:,}"
        )
        for at in np.flatnonzero(tf):
            parts = []
            for field, ids, counts, norm in fields:
                where = np.searchsorted(ids, docs[at])
                if where < len(ids) and ids[where] == docs[at]:
                    self.matched[at].setdefault(field, []).append(word.text)
                    parts.append(self._field_part(field, docs[at], float(counts[where]), float(norm[where])))
            tf_part = Explanation(float(tf[at]), "tf: its weighted occurrences, sum of:", parts)
            description = f"word “{word.text}” (BM25F): idf × tf × (k1 + 1) / (tf + k1), k1 {K1:g}{boost}"
            only_here = np.zeros(len(docs), dtype=np.float32)
            only_here[at] = values[at]
            self.kept.append((only_here, Explanation(0.0, description, [rarity, tf_part])))

    def _field_part(self, field: str, doc: int, count: float, norm: float) -> Explanation:
        length, average = float(self.scorer._lengths[field][doc]), self.scorer._average[field]
        return Explanation(
            FIELD_WEIGHTS[field] * count / norm,
            f"{field}: {count:g} × weight {FIELD_WEIGHTS[field]:g} / length norm {norm:.3f} "
            f"(length {length:g}, average {average:.1f}, b {B:g})",
        )

    def explanation(self, at: int) -> HitExplanation:
        """The explanation of the ``at``-th document of ``docs``."""
        details = [
            dataclasses.replace(node, value=float(values[at])) for values, node in self.kept if values[at]
        ]
        total = Explanation(float(self.total[self.docs[at]]), "score, sum of:", details)
        matched = {field: self.matched[at][field] for field in TEXT_FIELDS if field in self.matched[at]}
        return HitExplanation(matched, total)


def scored_parts(query: wq.Query, scorer: Scorer, known: dict | None = None) -> ScoredParts:
    """The parts of a query that add to a document's score, as ``_walk`` finds them."""
    words: dict[tuple, Word] = {}
    parts = ScoredParts([], [], [])
    _walk(query, 1.0, True, _Walk(scorer, words, parts, known))
    parts.words = list(words.values())
    return parts


@dataclasses.dataclass
class _Walk:
    """What a walk through a query collects into, and reads from."""

    scorer: Scorer
    words: dict[tuple, Word]
    parts: ScoredParts
    known: dict | None


def _walk(query: wq.Query, boost: float, typed: bool, walk: _Walk) -> None:
    """Collect the scored parts: nothing under NOT, or in the second part of ANDNOT or REQUIRE, is scored."""
    parts = walk.parts
    if isinstance(query, wq.Term):
        _add_term(query.fieldname, query.text, boost * query.boost, None, None, typed, walk)
    elif isinstance(query, wq.Phrase):
        if query.fieldname not in TEXT_FIELDS:
            parts.constants.append((query, boost * query.boost, f"{query} (an unscored field)"))
            return
        where = query_mask(walk.scorer.postings, query, walk.scorer.size, walk.known)
        for text in query.words:
            _add_term(query.fieldname, text, boost * query.boost, where, tuple(query.words), typed, walk)
    elif isinstance(query, Expansion):  # the terms a prefix, range or lone character stands for
        for child in query.subqueries:
            _walk(child, boost * query.boost, False, walk)
    elif isinstance(query, wq.MultiTerm):  # a prefix or range that expansion.bound_query did not resolve
        for field, text in query.expanded_terms(walk.scorer.searcher.reader()):
            _add_term(field, text, boost * query.boost, None, None, False, walk)
    elif isinstance(query, wq.Not):
        parts.constants.append((query, NOT_WEIGHT, f"{query}: a NOT's constant"))
    elif isinstance(query, wq.NumericRange):  # date ranges: a constant-score query
        parts.constants.append((query, boost * query.boost, f"{query}: a range's constant"))
    elif isinstance(query, wq.ConstantScoreQuery):
        parts.constants.append((query.child, boost * query.score, f"{query.child}: a constant"))
    elif isinstance(query, (wq.AndNot, wq.Require)):
        _walk(query.a, boost * query.boost, typed, walk)
    else:
        for child in query.children():
            _walk(child, boost * getattr(query, "boost", 1.0), typed, walk)


def _add_term(field, text, boost, where, phrase, typed, walk: _Walk) -> None:
    """A text field's term joins its word (the same word in the other fields); another field's is weighed."""
    if field not in TEXT_FIELDS:
        walk.parts.weighted.append((field, text, boost))
        return
    word = walk.words.setdefault((text, boost, phrase, typed), Word(text, boost, {}, typed))
    word.fields[field] = where


def _segment_lengths(reader, field: str) -> np.ndarray:
    """Every document's length in a field, from the segment's length column (one byte a document)."""
    return _BYTE_TO_LENGTH[field_length_bytes(reader, field)]
