"""Mark the query's terms in a text: HTML-escaped text with <mark> around matches."""

from __future__ import annotations

from markupsafe import Markup, escape

from .analysis import TextAnalyzer


def matched_spans(text: str, terms: set[str], analyzer: TextAnalyzer) -> list[tuple[int, int]]:
    """Character spans of the tokens of ``text`` that are query terms, overlaps merged."""
    spans: list[tuple[int, int]] = []
    if not terms or not text:
        return spans
    for _, start, end in analyzer.term_spans(text, terms):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def highlight(text: str, terms: set[str], analyzer: TextAnalyzer, limit: int = 0) -> Markup:
    """The text as safe HTML with matches marked; cut to about ``limit`` characters around the first match."""
    spans = matched_spans(text, terms, analyzer)
    start, end = 0, len(text)
    if limit and len(text) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - limit // 4, len(text) - limit))
        end = start + limit
    parts = ["…" if start else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        parts += (escape(text[position:span_start]), "<mark>", escape(text[span_start:span_end]), "</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return Markup("".join(parts))  # every piece of the text is escaped above
