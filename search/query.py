"""Query text: its syntax, and its parsing into a Whoosh query.

Query syntax (Whoosh's, with our fields):
    words               all must match (headline, summary, tags, topic, outlets)
    "exact phrase"      words in this order
    a OR b, a AND b, NOT a, (grouping), -a
    tags:"Syrian Civil War"   topic:"Arab Spring"   source:telegraph.co.uk   language:zh
    (a facet's field is its name in ``facet_table``; ``tag:`` and ``lang:`` are kept as aliases)
    date:2015   date:2015-09   date:[2015-01-01 TO 2015-06-30]   date:[2019 TO]
"""

from __future__ import annotations

import dataclasses
import re

from whoosh import query as wq
from whoosh.qparser import MultifieldParser
from whoosh.qparser.plugins import FieldAliasPlugin

from .facet_table import facet_specs
from .whoosh_internals import is_null_query

TEXT_FIELDS = ("headline", "summary", "context")


def make_parser(schema) -> MultifieldParser:
    """The query-text parser: all words must match, over headline, summary and context."""
    parser = MultifieldParser(list(TEXT_FIELDS), schema)
    parser.add_plugin(
        FieldAliasPlugin({spec.name: [*spec.aliases, *spec.query_aliases] for spec in facet_specs()})
    )
    return parser


@dataclasses.dataclass
class ParsedText:
    """The Whoosh query for a request's text, and what the user should be told about it."""

    query: wq.Query | None  # None: no text, match everything
    message: str = ""


# A "-" that starts a word outside quotes ("putin -syria"), not one inside it ("al-Assad").
_QUOTED_OR_MINUS = re.compile(r'"[^"]*"|(?<![^\s(])-(?=[^\s-])')


def _minus_as_not(text: str) -> str:
    """Whoosh's parser knows NOT but not the "-word" that users type: say it its way."""
    return _QUOTED_OR_MINUS.sub(lambda match: match.group() if match.group() != "-" else "NOT ", text)


def parse_text(parser: MultifieldParser, text: str) -> ParsedText:
    """Parse query text; broken syntax falls back to searching its words, with a message."""
    if not text.strip():
        return ParsedText(None)
    # Lone surrogates (undecodable bytes in a command-line argument) cannot become index terms.
    text = _minus_as_not(text.encode("utf-8", "replace").decode("utf-8"))
    if (plain := plain_words_query(parser, text)) is not None:
        return ParsedText(plain)
    try:
        parsed = parser.parse(text)
    except Exception:  # Whoosh raises assorted errors on pathological input
        parsed = wq.NullQuery
    if parsed is wq.NullQuery or _has_errors(parsed):
        words = re.findall(r"\w+", text)
        words = [w for w in words if w.upper() not in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")]
        if not words:
            return ParsedText(wq.NullQuery, f"The query “{text[:80]}” has nothing to search for.")
        # Bare words carry no syntax, so the same parser reads them as "all of these words".
        fallback = parser.parse(" ".join(words))
        if fallback is wq.NullQuery:  # every word is a stop word ("the", "of")
            return ParsedText(
                wq.NullQuery, f"The query “{text[:80]}” has only words too common to search for."
            )
        return ParsedText(fallback, "The query syntax was not understood; searched for its words instead.")
    return ParsedText(parsed)


# Plain words and "quoted phrases" of them: what most queries are. Whoosh's parser takes about a
# millisecond to read even these.
_PLAIN_PART = r'"[A-Za-z0-9]+(?:\s+[A-Za-z0-9]+)*"|[A-Za-z0-9]+'
_PLAIN_PARTS = re.compile(_PLAIN_PART)
_PLAIN_TEXT = re.compile(rf"\s*(?:{_PLAIN_PART})(?:\s+(?:{_PLAIN_PART}))*\s*")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def plain_words_query(parser: MultifieldParser, text: str) -> wq.Query | None:
    """The query the parser makes of plain ASCII words and quoted phrases of them, made directly; else None.

    Each word that the fields' analyzers turn into one term (stop words into none) becomes an
    OR of that term over the fields; a quoted phrase, an OR over the fields of its terms as a
    phrase (slop 1; a term alone if one is left, nothing if none). The parts are ANDed, repeats
    dropped: exactly the parser's query (``tests/test_query.py`` compares them). Anything else
    (syntax, punctuation, a bare word that becomes several terms, only stop words) is left to
    the parser.
    """
    if not _PLAIN_TEXT.fullmatch(text):
        return None
    parts: list[wq.Query] = []
    for piece in _PLAIN_PARTS.findall(text):
        quoted = piece.startswith('"')
        if not quoted and piece in _OPERATORS:
            return None
        fields = []
        for field in TEXT_FIELDS:  # the fields make_parser searches
            terms = [token.text for token in parser.schema[field].analyzer(piece.strip('"'), mode="query")]
            if len(terms) > 1 and not quoted:
                return None
            if terms:
                fields.append(
                    wq.Term(field, terms[0]) if len(terms) == 1 else wq.Phrase(field, terms, slop=1)
                )
        if fields and (part := wq.Or(fields) if len(fields) > 1 else fields[0]) not in parts:
            parts.append(part)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _has_errors(parsed: wq.Query) -> bool:
    return any(is_null_query(q) or type(q).__name__ == "ErrorQuery" for q in parsed.leaves())
