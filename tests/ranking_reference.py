"""A slow, independent reference of the ranking model (search/scoring.py's docstring), one document at a time.

Everything is read through Whoosh's public readers: a word's occurrences and
positions from its postings matchers, field lengths from the length column,
phrases, date ranges and NOT from Whoosh's own matchers. Only the model's
parameters come from search/scoring.py. For an index without deleted
documents (the tests score an updated index against a fresh build).
"""

from __future__ import annotations

import dataclasses
import itertools
import math

from whoosh import query as wq

from search.expansion import Expansion
from search.postings import LAST_POSITION
from search.query import TEXT_FIELDS
from search.schema import EXACT_FIELD
from search.scoring import (
    BONUS_FIELD,
    EXACT_BONUS,
    FIELD_WEIGHTS,
    HEADLINE_BONUS,
    K1,
    NOT_WEIGHT,
    ORDER_BONUS,
    B,
)


@dataclasses.dataclass
class _Word:
    text: str
    boost: float
    typed: bool
    phrases: dict[str, wq.Phrase | None]  # field -> the phrase it belongs to there (or None)


class Reference:
    """Scores of one searcher's documents, computed the long way."""

    def __init__(self, searcher) -> None:
        assert searcher.doc_count() == searcher.doc_count_all(), "the reference wants no deleted documents"
        self.searcher = searcher
        self.reader = searcher.reader()
        self.count = searcher.doc_count()
        self.average = {field: searcher.field_length(field) / self.count for field in TEXT_FIELDS}
        self._postings: dict[tuple[str, str], dict[int, tuple[float, list[int]]]] = {}
        self._matches: dict[wq.Query, set[int]] = {}

    def score(self, query: wq.Query, docnum: int, forms: dict[str, frozenset[str]] | None = None) -> float:
        words: dict[tuple, _Word] = {}
        constants: list[tuple[wq.Query, float]] = []
        weighted: list[tuple[str, str, float]] = []
        self._collect(query, 1.0, True, words, constants, weighted)
        total, typed = 0.0, []
        for word in words.values():
            value, idf = self._word(word, docnum)
            total += value
            if word.typed and idf:
                typed.append((word, idf))
        total += self._bonus(typed, docnum) + self._exact(typed, forms or {}, docnum)
        for field, text, boost in weighted:
            total += boost * self._occurrences(field, text).get(docnum, (0.0, []))[0]
        for part, value in constants:
            total += value if docnum in self._docs(part) else 0.0
        return total

    def _collect(self, query, boost, typed, words, constants, weighted) -> None:
        if isinstance(query, wq.Term):
            self._term(query.fieldname, query.text, boost * query.boost, None, typed, words, weighted)
        elif isinstance(query, wq.Phrase):
            for text in query.words:
                self._term(query.fieldname, text, boost * query.boost, query, typed, words, weighted)
        elif isinstance(query, Expansion):
            for child in query.subqueries:
                self._collect(child, boost * query.boost, False, words, constants, weighted)
        elif isinstance(query, wq.Not):
            constants.append((query, NOT_WEIGHT))
        elif isinstance(query, wq.NumericRange):
            constants.append((query, boost * query.boost))
        elif isinstance(query, (wq.AndNot, wq.Require)):
            self._collect(query.a, boost * query.boost, typed, words, constants, weighted)
        else:
            for child in query.children():
                self._collect(child, boost * query.boost, typed, words, constants, weighted)

    def _term(self, field, text, boost, phrase, typed, words, weighted) -> None:
        if field not in TEXT_FIELDS:
            weighted.append((field, text, boost))
            return
        key = (text, boost, tuple(phrase.words) if phrase else None, typed)
        words.setdefault(key, _Word(text, boost, typed, {})).phrases[field] = phrase

    def _word(self, word: _Word, docnum: int) -> tuple[float, float]:
        having = set()
        frequency = 0.0
        for field, phrase in word.phrases.items():
            occurrences = self._occurrences(field, word.text)
            having |= set(occurrences)
            if docnum in occurrences and (phrase is None or docnum in self._docs(phrase)):
                length = self.reader.doc_field_length(docnum, field)
                norm = 1 - B + B * length / self.average[field]
                frequency += FIELD_WEIGHTS[field] * occurrences[docnum][0] / norm
        if not having:
            return 0.0, 0.0
        idf = math.log(1 + (self.count - len(having) + 0.5) / (len(having) + 0.5))
        return word.boost * idf * frequency * (K1 + 1) / (K1 + frequency), idf

    def _bonus(self, typed: list[tuple[_Word, float]], docnum: int) -> float:
        if len(typed) < 2 or any(BONUS_FIELD not in word.phrases for word, _ in typed):
            return 0.0
        firsts = []
        for word, _ in typed:
            occurrences = self._occurrences(BONUS_FIELD, word.text)
            phrase = word.phrases[BONUS_FIELD]
            if docnum not in occurrences or (phrase is not None and docnum not in self._docs(phrase)):
                return 0.0
            firsts.append(min(min(occurrences[docnum][1]), LAST_POSITION))
        summed = sum(idf for _, idf in typed)
        in_order = all(a < b for a, b in itertools.pairwise(firsts))
        return HEADLINE_BONUS * summed + (ORDER_BONUS * summed if in_order else 0.0)

    def _exact(self, typed: list[tuple[_Word, float]], forms: dict, docnum: int) -> float:
        """The exactness bonus: for each typed word the headline has as typed (its exact field's terms)."""
        total = 0.0
        for word, idf in typed:
            typed_as = forms.get(word.text, ())
            if BONUS_FIELD in word.phrases and any(
                docnum in self._occurrences(EXACT_FIELD, f) for f in typed_as
            ):
                total += EXACT_BONUS * idf
        return total

    def _occurrences(self, field: str, text) -> dict[int, tuple[float, list[int]]]:
        """docnum -> (weight, positions) of a term, from Whoosh's postings matcher."""
        key = (field, text)
        if key not in self._postings:
            found = {}
            if (field, text) in self.reader:
                matcher = self.reader.postings(field, text)
                positions = self.reader.schema[field].format.supports("positions")
                while matcher.is_active():
                    where = matcher.value_as("positions") if positions else []
                    found[matcher.id()] = (matcher.weight(), where)
                    matcher.next()
            self._postings[key] = found
        return self._postings[key]

    def _docs(self, query: wq.Query) -> set[int]:
        if query not in self._matches:
            self._matches[query] = set(self.searcher.docs_for_query(query))
        return self._matches[query]
