"""Queries for a single Chinese character, answered from the indexed bigrams that contain it.

The text analyzer indexes CJK runs as overlapping bigrams, so a one-character
word such as 雨 (rain) is no term of the index. A query for it becomes every
indexed bigram that contains it (暴雨, 雨季, 下雨 ...): that finds the character
wherever it stands in a run of two or more. Only a character standing alone
between punctuation is not found.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from whoosh import query as wq
from whoosh.reading import IndexReader

from .analysis import is_lone_cjk
from .query import TEXT_FIELDS

# Indexed terms sort by their UTF-8 bytes; CJK terms (text.CJK_CHARS) lie between these.
_FIRST_CJK, _LAST_CJK = "\u3040", "\ufaff\uffff"


class BigramTable:
    """The CJK bigrams of one index generation, by the characters in them; each field read on first use."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._fields: dict[str, dict[str, list[str]]] = {}

    def containing(self, field: str, char: str) -> list[str]:
        """The field's indexed bigrams that contain ``char``."""
        if field not in self._fields:
            self._fields[field] = self._read(field)
        return self._fields[field].get(char, [])

    def _read(self, field: str) -> dict[str, list[str]]:
        table: dict[str, list[str]] = defaultdict(list)
        last = _LAST_CJK.encode("utf-8")
        for name, btext in self._reader.terms_from(field, _FIRST_CJK):
            if name != field or btext > last:
                break
            text = btext.decode("utf-8")
            if len(text) == 2:
                for char in set(text):
                    table[char].append(text)
        return dict(table)


def expand_characters(query: wq.Query, table: BigramTable) -> wq.Query:
    """The query with each one-character CJK term replaced by the bigrams that contain it."""
    if isinstance(query, wq.Term) and query.fieldname in TEXT_FIELDS and is_lone_cjk(query.text):
        # The character's own term matches nothing but lets highlighting mark it where it stands alone.
        texts = [query.text, *table.containing(query.fieldname, query.text)]
        return wq.Or([wq.Term(query.fieldname, text, boost=query.boost) for text in texts])
    if isinstance(query, wq.Phrase) and any(is_lone_cjk(word) for word in query.words):
        # Bigrams cannot be placed in a phrase: all the words must be there, in any order.
        words = [wq.Term(query.fieldname, word, boost=query.boost) for word in query.words]
        return wq.And([expand_characters(word, table) for word in words])
    return query.apply(functools.partial(expand_characters, table=table))
