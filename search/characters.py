"""The indexed Chinese bigrams by the characters in them: a one-character query stands for them.

The text analyzer indexes CJK runs as overlapping bigrams, so a one-character
word such as 雨 (rain) is no term of the index. A query for it becomes every
indexed bigram that contains it (暴雨, 雨季, 下雨 ...): that finds the character
wherever it stands in a run of two or more. Only a character standing alone
between punctuation is not found.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh.reading import IndexReader

# Indexed terms sort by their UTF-8 bytes; CJK terms (text.CJK_CHARS) lie between these.
_FIRST_CJK, _LAST_CJK = "\u3040", "\ufaff\uffff"


class BigramTable:
    """The CJK bigrams of one index generation, by the characters in them; each field read on first use."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._fields: dict[str, dict[str, list[str]]] = {}

    def containing(self, field: str, char: str, limit: int) -> list[str]:
        """The field's indexed bigrams that contain ``char``; past ``limit`` of them, the most used ``limit``.

        A common character (的, 国) is in thousands of bigrams; keeping the ones
        in the most events keeps the most of what the character finds.
        """
        if field not in self._fields:
            self._fields[field] = self._read(field)
        bigrams = self._fields[field].get(char, [])
        if len(bigrams) > limit:
            frequency = self._reader.doc_frequency
            bigrams = sorted(bigrams, key=lambda bigram: (-frequency(field, bigram), bigram))[:limit]
        return bigrams

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
