"""A result page: what every front end (HTML, JSON, CLI) renders."""

from __future__ import annotations

import dataclasses

from .event import Source
from .request import SearchRequest


@dataclasses.dataclass
class Hit:
    """One event on a result page."""

    id: str
    date: str  # YYYY-MM-DD
    headline: str
    summary: str
    topic: str
    tags: list[str]
    sources: list[Source]
    language: str
    highlights: dict[str, str]  # field -> safe HTML with <mark>ed matches

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "date": self.date,
            "headline": self.headline,
            "summary": self.summary,
            "topic": self.topic,
            "tags": self.tags,
            "sources": [dataclasses.asdict(source) for source in self.sources],
            "language": self.language,
            "highlights": {field: str(html) for field, html in self.highlights.items()},
        }


@dataclasses.dataclass
class FacetValue:
    """One value of a facet, with its count over all matches."""

    value: str
    count: int
    selected: bool = False


@dataclasses.dataclass
class Facet:
    """The counted values of one facet; ``distinct`` says how many values there are in all."""

    name: str
    values: list[FacetValue]
    distinct: int

    @property
    def truncated(self) -> bool:
        return self.distinct > len(self.values)


@dataclasses.dataclass
class SignificantValue:
    """A facet value that stands out in the matches: in ``count`` of them, in ``background`` events of
    the whole archive, and its significance ``score`` (JLH, ``search/significance.py``)."""

    value: str
    count: int
    background: int
    score: float

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "count": self.count,
            "background": self.background,
            "score": round(self.score, 6),
        }


@dataclasses.dataclass
class Bucket:
    """One bar of the timeline: a year, month or day and its count of matching events."""

    bucket: str  # "2015", "2015-09" or "2015-09-04"
    start: str  # first day, YYYY-MM-DD
    end: str  # last day, YYYY-MM-DD
    count: int


@dataclasses.dataclass
class ResultPage:
    """The answer to a SearchRequest."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, Facet]
    timeline: list[Bucket]
    timeline_unit: str  # "year", "month" or "day"
    suggestion: str | None = None
    messages: list[str] = dataclasses.field(default_factory=list)
    explain: str = ""
    timed_out: bool = False  # the search ran past its time budget and was stopped
    # Facet (tags) -> its values that stand out in the matches against the archive, most significant first.
    significant: dict[str, list[SignificantValue]] = dataclasses.field(default_factory=dict)
    first: str | None = None  # the first and last day of the matches, YYYY-MM-DD
    last: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.page_size))

    def to_json(self) -> dict:
        """The JSON shape shared by ``/api/search`` and ``eventsearch search --json``."""
        return {
            "total": self.total,
            "page": self.request.page_number,
            "pages": self.pages,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {
                name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in facet.values]
                for name, facet in self.facets.items()
            },
            "facet_distinct": {name: facet.distinct for name, facet in self.facets.items()},
            "significant": {
                name: [value.to_json() for value in values] for name, values in self.significant.items()
            },
            "first": self.first,
            "last": self.last,
            "timeline": [dataclasses.asdict(bucket) for bucket in self.timeline],
            "timeline_unit": self.timeline_unit,
            "suggestion": self.suggestion,
            "messages": self.messages,
            "timed_out": self.timed_out,
        }
