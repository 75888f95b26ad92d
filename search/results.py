"""A result page: what every front end (HTML, JSON, CLI) renders."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from .event import Source
from .explain import HitExplanation
from .request import SearchRequest
from .spelling import Correction


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

    @classmethod
    def from_payload(cls, payload: dict, highlights: dict[str, str] | None = None) -> Hit:
        """The hit of an event's stored payload (``schema.payload_of``)."""
        return cls(
            id=payload["id"],
            date=payload["date"],
            headline=payload["headline"],
            summary=payload["summary"],
            topic=payload["topic"],
            tags=payload["tags"],
            sources=[Source(*source) for source in payload["sources"]],
            language=payload["language"],
            highlights=highlights or {},
        )

    def record(self) -> dict:
        """The event's fields as data: the JSON API's without the highlights (exports, update reports)."""
        return {
            "id": self.id,
            "date": self.date,
            "headline": self.headline,
            "summary": self.summary,
            "topic": self.topic,
            "tags": self.tags,
            "sources": [
                {"name": source.name, "url": source.url, "domain": source.domain} for source in self.sources
            ],
            "language": self.language,
        }

    def to_json(self) -> dict:
        return {
            **self.record(),
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
    explain: str = ""  # how the query was understood
    timed_out: bool = False  # the search ran past its time budget and was stopped
    correction: Correction | None = None  # what was searched instead of misspelled words
    explanations: dict[str, HitExplanation] = dataclasses.field(default_factory=dict)  # hit id -> (explain=1)
    # Facet (tags) -> its values that stand out in the matches against the archive, most significant first.
    significant: dict[str, list[SignificantValue]] = dataclasses.field(default_factory=dict)
    first: str | None = None  # the first and last day of the matches, YYYY-MM-DD
    last: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.page_size))

    def to_json(self) -> dict:
        """The JSON shape shared by ``/api/search`` and ``eventsearch search --json``."""
        hits = [hit.to_json() for hit in self.hits]
        if self.request.explain:
            for hit, found in zip(self.hits, hits, strict=True):
                why = self.explanations.get(hit.id)
                found["explanation"] = why.to_json() if why else None
        page = {
            "total": self.total,
            "page": self.request.page_number,
            "pages": self.pages,
            "hits": hits,
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
            "correction": self.correction.to_json() if self.correction else None,
            "messages": self.messages,
            "timed_out": self.timed_out,
        }
        return page | {"explain": self.explain} if self.request.explain else page


@dataclasses.dataclass
class Matches:
    """Every match of a request, in the order of its pages, as runs of hits read as they are asked for.

    What an export renders (``SearchIndex.every_match``); hits carry no highlights. ``runs`` holds the
    index open until it is exhausted or closed.
    """

    total: int
    runs: Iterator[list[Hit]]
    messages: list[str] = dataclasses.field(default_factory=list)
    timed_out: bool = False  # matching ran past the search's time budget: nothing to export

    def hits(self) -> Iterator[Hit]:
        """Every hit, one after another."""
        for run in self.runs:
            yield from run

    def close(self) -> None:
        """Stop reading (releases the index the runs read)."""
        close = getattr(self.runs, "close", None)
        if close:
            close()
