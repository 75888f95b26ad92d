"""Mark the query's terms in a text: HTML-escaped text with <mark> around matches."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from markupsafe import Markup, escape

from .analysis import TextAnalyzer


def matched_spans(text: str, terms: set[str], analyzer: TextAnalyzer) -> Iterator[tuple[int, int]]:
    """Character spans of the tokens of ``text`` that are query terms, overlaps merged, in order.

    Read as the caller reads on: one that stops early does not analyse the rest of the text.
    """
    if not terms or not text:
        return
    merged: tuple[int, int] | None = None
    for _, start, end in analyzer.term_spans(text, terms):
        if merged and start <= merged[1]:
            merged = (merged[0], max(end, merged[1]))
            continue
        if merged:
            yield merged
        merged = (start, end)
    if merged:
        yield merged


def highlight(text: str, terms: set[str], analyzer: TextAnalyzer, limit: int = 0) -> Markup:
    """The text as safe HTML with matches marked; cut to about ``limit`` characters around the first match."""
    spans = matched_spans(text, terms, analyzer)
    start, end = 0, len(text)
    if limit and len(text) > limit:
        first = next(spans, None)
        start = max(0, min((first[0] if first else 0) - limit // 4, len(text) - limit))
        end = start + limit
        spans = itertools.chain([first] if first else [], spans)
    parts = ["…" if start else ""]
    position = start
    for span_start, span_end in spans:
        if span_start >= end:
            break  # past what is shown: the rest of the text is not read
        if span_end <= start:
            continue
        parts += (escape(text[position:span_start]), "<mark>", escape(text[span_start:span_end]), "</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return Markup("".join(parts))  # every piece of the text is escaped above
