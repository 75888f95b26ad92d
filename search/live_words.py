"""The archive's words as typo correction asks about them: from the live documents' postings.

A word is analysed as a query word (folded, stemmed) and looked up in every
text field; only live documents count. A word is known when it is also in the
generation's word list as written (its stem alone could be another word's).
An update adds the words of the events it writes to that list but removes
none: until the next full build, a word only removed events had stays listed
(it still counts as known only where its stem is in a live event).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from .query import TEXT_FIELDS
from .scoring import Scorer
from .spelling import fold


class LiveWords:
    """Which events have a word, within one request's filters (``spelling.Archive``)."""

    def __init__(self, scorer: Scorer, analyzer, within: np.ndarray, words: Collection[str]) -> None:
        self.scorer, self.analyzer, self.within = scorer, analyzer, within
        self.words = words  # the generation's word list: the words as written (spelling.words_of)
        self._masks: dict[str, np.ndarray | None] = {}

    def knows(self, word: str) -> bool:
        terms = self._terms(word)
        if not terms:
            return True
        return fold(word) in self.words and all(self._in_a_live_event(term) for term in terms)

    def frequency(self, word: str) -> int:
        """How often the word occurs: in how many live events' fields (cheaper than in how many events)."""
        terms = self._terms(word)
        return sum(len(self.scorer.live_ids(field, term)[0]) for term in terms for field in TEXT_FIELDS)

    def finds(self, words: list[str]) -> bool:
        found = self.within.copy()
        for word in words:
            mask = self._mask(word)
            if mask is not None:
                found &= mask
        return bool(found.any())

    def _mask(self, word: str) -> np.ndarray | None:
        """The live events having every term of the word, in any text field (None: a stop word)."""
        if word not in self._masks:
            mask = None
            for term in self._terms(word):
                has = np.zeros(self.scorer.size, dtype=bool)
                for field in TEXT_FIELDS:
                    has[self.scorer.live_ids(field, term)[0]] = True
                mask = has if mask is None else mask & has
            self._masks[word] = mask
        return self._masks[word]

    def _in_a_live_event(self, term: str) -> bool:
        for field in TEXT_FIELDS:
            ids = self.scorer.postings.ids(field, term)
            if len(ids) and self.scorer.live[ids].any():
                return True
        return False

    def _terms(self, word: str) -> list[str]:
        return [token.text for token in self.analyzer(word, mode="query")]
