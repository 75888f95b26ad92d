"""More like this: the events that share an event's rarest tags, then its most distinctive words.

A shared tag counts its IDF (sharing "Dushanbe" says more than sharing
"United States"); the headline's distinctive words add their BM25F score at a
small share (``TEXT_SHARE``), so they mostly order the events that share the
same tags; then the nearest date, then the event id. Measured by
``bench/relevance.py`` against the archive's own Related lists (precision@5,
README "Ranking"). The words are chosen by frequency, then alphabetically: the
same event always gets the same list, in every server process.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from .analysis import fold_value
from .ordering import page_slice
from .query import TEXT_FIELDS
from .scoring import Scorer

TAG_FIELD = "tags"
MAX_WORDS = 12  # the headline's rarest words that the text similarity looks for
TEXT_SHARE = 0.05  # the text similarity's weight beside the shared tags'


def similar(
    scorer: Scorer, analyzer, docnum: int, payload: dict, days: np.ndarray, id_of, limit: int
) -> list[int]:
    """The document numbers of the ``limit`` events most like the event ``docnum`` (its ``payload``)."""
    score = np.zeros(scorer.size, dtype=np.float64)
    for tag in dict.fromkeys(fold_value(tag) for tag in payload["tags"]):
        ids, _ = scorer.live_ids(TAG_FIELD, tag)
        if len(ids):
            score[ids] += scorer.idf(len(ids))
    words = distinctive_words(scorer, analyzer, payload["headline"])
    if words:
        text = wq.Or([wq.Term(field, word) for word in words for field in TEXT_FIELDS])
        score += TEXT_SHARE * scorer.scores(text)
    score[docnum] = 0
    candidates = np.flatnonzero((score > 0) & scorer.live)
    distance = np.abs(days[candidates].astype(np.int64) - int(days[docnum]))
    keys = [distance, -score[candidates]]  # best score first, then the nearest date, then the id
    return page_slice(candidates, keys, 0, limit, id_of).tolist()


def distinctive_words(scorer: Scorer, analyzer, text: str) -> list[str]:
    """The text's rarest terms that some other event has too (rarest first, then alphabetical)."""
    frequency = {}
    for term in dict.fromkeys(token.text for token in analyzer(text)):
        has = np.zeros(scorer.size, dtype=bool)
        for field in TEXT_FIELDS:
            has[scorer.live_ids(field, term)[0]] = True
        frequency[term] = int(has.sum())
    shared = [term for term, count in frequency.items() if count > 1]
    return sorted(shared, key=lambda term: (frequency[term], term))[:MAX_WORDS]
