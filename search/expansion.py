"""Queries that stand for many index terms (``syri*``, ``[a TO f]``, a lone Chinese character), made finite.

Whoosh expands such a query into every matching term of the index and walks
each one's postings one match at a time: ``a* b* … z*`` took 24 s on a 20k
archive. Here each expansion is resolved against the index once, into at most
``MAX_EXPANSIONS`` terms (in index order, as Elasticsearch's
``max_expansions`` does), and the whole query into at most
``MAX_QUERY_TERMS``; whatever is cut is said in a message.
"""

from __future__ import annotations

import dataclasses
import itertools

from whoosh import query as wq
from whoosh.reading import IndexReader

from .analysis import is_lone_cjk
from .characters import BigramTable
from .limits import MAX_EXPANSIONS, MAX_QUERY_TERMS, check_time


class Expansion(wq.Or):
    """The index terms one pattern stands for. Unscored, as Whoosh scores its multi-term queries."""

    def __init__(self, subqueries: list[wq.Query], boost: float = 1.0, label: str = "", **kwargs) -> None:
        super().__init__(subqueries, boost=boost, **kwargs)
        self.label = label  # what the user typed, for messages

    def normalize(self) -> wq.Query:
        # Its terms are distinct already; Whoosh's normalize would drop the class (and the label).
        return self


@dataclasses.dataclass
class BoundedQuery:
    """A query whose every part names index terms, and what the user should be told about its cuts."""

    query: wq.Query
    messages: list[str]


def bound_query(query: wq.Query, reader: IndexReader, bigrams: BigramTable, text_fields) -> BoundedQuery:
    """Expand multi-term parts into capped lists of terms, within a budget of terms for the whole query."""
    expander = _Expander(reader, bigrams, frozenset(text_fields))
    bounded = expander.expand(query)
    bounded = bounded.normalize() if bounded is not wq.NullQuery else bounded
    return BoundedQuery(bounded, expander.messages())


class _Expander:
    """Walks a query once, spending the query's term budget in reading order."""

    def __init__(self, reader: IndexReader, bigrams: BigramTable, text_fields: frozenset[str]) -> None:
        self.reader, self.bigrams, self.text_fields = reader, bigrams, text_fields
        self.budget = MAX_QUERY_TERMS
        self.over_budget = False
        self.cut: dict[str, None] = {}  # labels of expansions that were cut, in order

    def messages(self) -> list[str]:
        found = []
        if self.cut:
            labels = ", ".join(f"“{label}”" for label in list(self.cut)[:3])
            more = f" and {len(self.cut) - 3} more" if len(self.cut) > 3 else ""
            verb = "stands" if len(self.cut) == 1 else "stand"
            found.append(
                f"{labels}{more} {verb} for more than {MAX_EXPANSIONS:,} indexed words; "
                f"searched for {MAX_EXPANSIONS:,} of them."
            )
        if self.over_budget:
            found.append(f"The query has more than {MAX_QUERY_TERMS:,} terms; the rest were left out.")
        return found

    def expand(self, query: wq.Query) -> wq.Query:
        check_time()
        text_fields = self.text_fields
        if isinstance(query, wq.Term) and query.fieldname in text_fields and is_lone_cjk(query.text):
            # The character's own term matches nothing but lets highlighting mark it where it stands alone.
            limit = min(MAX_EXPANSIONS, max(0, self.budget))
            texts = [query.text, *self.bigrams.containing(query.fieldname, query.text, limit + 1)]
            return self._expansion(query.fieldname, texts, query.text, query.boost)
        if (
            isinstance(query, wq.Phrase)
            and query.fieldname in text_fields
            and any(map(is_lone_cjk, query.words))
        ):
            # Bigrams cannot be placed in a phrase: all the words must be there, in any order.
            return wq.And(
                [self.expand(wq.Term(query.fieldname, word, boost=query.boost)) for word in query.words]
            )
        if isinstance(query, wq.MultiTerm):  # prefix, wildcard, word range (a date range is no MultiTerm)
            return self._expand_terms(query)
        if isinstance(query, (wq.Term, wq.Phrase)):
            return self._spend(query, len(getattr(query, "words", [query])))
        return query.apply(self.expand)

    def _expand_terms(self, query: wq.MultiTerm) -> wq.Query:
        """A prefix or range as the first index terms it matches (up to MAX_EXPANSIONS, within budget)."""
        field = query.field()
        if field not in self.reader.schema or self.budget <= 0:
            self.over_budget = self.over_budget or self.budget <= 0
            return wq.NullQuery
        texts = []
        for _, btext in itertools.islice(
            query.expanded_terms(self.reader), min(MAX_EXPANSIONS, self.budget) + 1
        ):
            check_time()
            texts.append(self.reader.schema[field].from_bytes(btext))
        return self._expansion(field, texts, _label(query), query.boost)

    def _expansion(self, field: str, texts: list[str], label: str, boost: float) -> wq.Query:
        if len(texts) > MAX_EXPANSIONS:
            self.cut[label] = None
            texts = texts[:MAX_EXPANSIONS]
        if len(texts) > self.budget:
            self.over_budget = True
            texts = texts[: max(0, self.budget)]
        self.budget -= len(texts)
        if not texts:
            return wq.NullQuery
        return Expansion([wq.Term(field, text, boost=boost) for text in texts], label=label)

    def _spend(self, query: wq.Query, terms: int) -> wq.Query:
        if terms > self.budget:
            self.over_budget = True
            return wq.NullQuery
        self.budget -= terms
        return query


def _label(query: wq.MultiTerm) -> str:
    if isinstance(query, wq.Prefix):
        return f"{query.text}*"
    if isinstance(query, wq.TermRange):
        return f"[{query.start or ''} TO {query.end or ''}]"
    return str(query.text)
