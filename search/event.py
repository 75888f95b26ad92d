"""The Event record: what one news event is, independent of files and indexes."""

from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class Source:
    """One outlet that reported the event."""

    name: str
    url: str
    domain: str


@dataclasses.dataclass(frozen=True)
class Event:
    """One news event, merged from its page, its superseded versions and its day index entry."""

    id: str  # "YYYY-MM-DD/<slug of the current version>"
    date: dt.date
    headline: str  # plain text
    summary: str = ""  # plain text: entities decoded, markup stripped
    body: str = ""  # the article as the event page renders it: Markdown below the headline, no Sources
    topic: str = ""
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    related: tuple[str, ...] = ()  # ids of related events
    language: str = "en"
    path: str = ""  # content-relative path of the file it came from ("" if index-only)
    aliases: tuple[str, ...] = ()  # other regions' names for what it mentions (searchable, not shown)

    @property
    def day(self) -> str:
        return self.date.isoformat()
