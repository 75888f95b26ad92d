"""Read a content tree into Events: one day directory at a time.

A day is the unit of reading because a day's files explain each other: the
day index names the current version of each event, its topic and context, and
lists events that have no page; older versions of an event sit beside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from .event import Event, Source
from .files import Skipped, day_files, day_problem, find_day_dirs, open_day, read_file, reason
from .parse import (
    IndexEntry,
    ParsedPage,
    ParseError,
    article_markdown,
    current_version,
    event_id,
    event_link,
    make_date,
    parse_day_index,
    parse_event_page,
    related_tags,
)
from .text import dedupe, domain_of, headline_key, plain_text, variant_alternatives

DAY_INDEX_NAMES = ("index.md", "README.md")  # README.md is a copy; read only without index.md
_DAY_PATH = re.compile(r"^news/(\d{4})/(\d{1,2})/(\d{1,2})$")
# "2011 Libyan civil war:European Union leaders ..." - a topic glued to the headline.
_TOPIC_PREFIX = re.compile(
    r"^\s*(?P<topic>[^:\[\]]{3,80}?)\s*(?:::\s*|:(?=[A-Z\u4e00-\u9fff]))(?P<rest>\S.*)$"
)
_MIN_KEY = 20  # shorter headline keys are too common to identify an event


@dataclasses.dataclass
class DayResult:
    """The events of one day directory and the files that could not be read."""

    day: str  # content-relative directory, "news/2015/09/4"
    events: list[Event]
    skipped: list[Skipped]


def day_of_path(rel_path: str) -> str | None:
    """The day directory ("news/Y/M/D") a content-relative file path belongs to."""
    parent = rel_path.replace(os.sep, "/").rsplit("/", 1)[0]
    return parent if _DAY_PATH.match(parent) else None


def date_of_day(day: str) -> dt.date | None:
    """The date of a day directory ("news/2015/09/4"), or None if it names no real date."""
    match = _DAY_PATH.match(day)
    try:
        return dt.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        return None


def read_day(root: Path, day: str) -> DayResult:
    """Parse every file of one day directory and merge them into that day's events."""
    match = _DAY_PATH.match(day)
    if not match:
        return DayResult(day, [], [])
    try:
        with open_day(Path(root), day) as day_fd:
            return _read_open_day(Path(root), day_fd, day, *(int(part) for part in match.groups()))
    except OSError as error:
        problem = day_problem(Path(root), day, error)
        return DayResult(day, [], [problem] if problem else [])


def _read_open_day(root: Path, day_fd: int, day: str, year: int, month: int, mday: int) -> DayResult:
    names, skipped = day_files(root, day_fd, day)
    try:
        date = make_date(year, month, mday, "directory name")
    except ParseError as error:
        return DayResult(day, [], skipped + [Skipped(f"{day}/{name}", str(error)) for name in names])
    entries = _read_index(day_fd, day, names, skipped)
    pages: dict[str, tuple[ParsedPage, str]] = {}
    for name in names:
        if name in DAY_INDEX_NAMES:
            continue
        rel = f"{day}/{name}"
        try:
            pages[name[:-3]] = (parse_event_page(read_file(day_fd, rel, skipped)), rel)
        except (ParseError, UnicodeDecodeError, OSError) as error:
            skipped.append(Skipped(rel, reason(error)))
    index_path = next((f"{day}/{name}" for name in DAY_INDEX_NAMES if name in names), "")
    events = [
        _build_event(date, slug, entry, page, index_path)
        for slug, entry, page in _merge_versions(entries, pages)
    ]
    return DayResult(day, events, skipped)


def _read_index(day_fd: int, day: str, names: list[str], skipped: list[Skipped]) -> dict[str, IndexEntry]:
    """The day index's entries by slug; one event listed under several topics keeps the first."""
    for index_name in DAY_INDEX_NAMES:
        if index_name not in names:
            continue
        try:
            listed = parse_day_index(read_file(day_fd, f"{day}/{index_name}", skipped))
        except (UnicodeDecodeError, OSError) as error:
            skipped.append(Skipped(f"{day}/{index_name}", reason(error)))
            continue
        entries: dict[str, IndexEntry] = {}
        for entry in listed:
            if entry.slug in entries:
                entries[entry.slug].context += entry.context
            else:
                entries[entry.slug] = entry
        return entries
    return {}


def _merge_versions(
    entries: dict[str, IndexEntry], pages: dict[str, tuple[ParsedPage, str]]
) -> list[tuple[str, IndexEntry | None, tuple[ParsedPage, str] | None]]:
    """Group a day's files into events: (current slug, index entry, page) for each event.

    The current version of an event is the one the day index links, else the
    one a ``Changes`` list names current; other versions are recognised by that
    list or by a headline that ends with the current one (older versions carry
    a "Topic. " prefix or a different truncation of the slug).
    """
    superseded: dict[str, str] = {}
    for slug, (page, _) in pages.items():
        current = current_version(page) or slug
        if current != slug:
            superseded[slug] = current
        for link in page.changes:
            target = event_link(link.url)
            if target and target[1] != current:
                superseded.setdefault(target[1], current)
    canonical = list(entries)
    keys = {slug: headline_key(plain_text(entry.headline)) for slug, entry in entries.items()}
    # Pages with a Changes list first, then shorter (un-prefixed) headlines: they win as current.
    loose = sorted(
        (slug for slug in pages if slug not in entries and slug not in superseded),
        key=lambda slug: (not pages[slug][0].changes, len(pages[slug][0].headline), slug),
    )
    for slug in loose:
        key = headline_key(plain_text(pages[slug][0].headline))
        match = next((other for other in canonical if _same_headline(key, keys[other])), None)
        if match:
            superseded[slug] = match
        else:
            canonical.append(slug)
            keys[slug] = key
    merged = []
    for slug in canonical:
        page = pages.get(slug) or next(
            (pages[old] for old, cur in superseded.items() if cur == slug and old in pages), None
        )
        merged.append((slug, entries.get(slug), page))
    return merged


def _same_headline(key: str, other: str) -> bool:
    if min(len(key), len(other)) < _MIN_KEY:
        return key == other
    return key.endswith(other) or other.endswith(key)


def _build_event(
    date: dt.date, slug: str, entry: IndexEntry | None, found: tuple[ParsedPage, str] | None, index_path: str
) -> Event:
    page, path = found if found else (None, "")
    headline_md = page.headline if page else entry.headline
    topic, headline = split_topic_prefix(plain_text(headline_md))
    topic = (entry.topic if entry else "") or (page.topic if page else "") or topic
    summary_md = page.summary if page and page.summary else (entry.summary if entry else "")
    tags = (entry.context if entry else []) + (page.context + related_tags(page) if page else [])
    written = [headline_md, summary_md, *(entry.context_lines if entry else [])]
    if page:
        written += page.context_lines + [link.rest for link in page.related]
    return Event(
        id=event_id(date, slug),
        date=date,
        headline=headline,
        summary=plain_text(summary_md),
        body=article_markdown(page.raw) if page else "",
        topic=topic,
        tags=dedupe(tags),
        sources=tuple(_sources(page)) if page else (),
        related=tuple(dict.fromkeys(_related_ids(page))) if page else (),
        language=_language(entry, page),
        path=path or index_path,
        aliases=tuple(variant_alternatives("\n".join(written))),
    )


def _language(entry: IndexEntry | None, page: ParsedPage | None) -> str:
    """The archive's language for an event: its page's or day index's localisation, never its characters.

    An English headline may quote a Chinese name; the Chinese archive says it
    is Chinese by its /zh/ links and its localised headings.
    """
    localised = (page is not None and page.localised) or (entry is not None and entry.localised)
    return "zh" if localised else "en"


def split_topic_prefix(headline: str) -> tuple[str, str]:
    """("Topic", "Headline") for the archive's "Topic:Headline" artefact, else ("", headline)."""
    match = _TOPIC_PREFIX.match(headline)
    if not match:
        return "", headline
    return match["topic"].strip(), match["rest"].strip()


def _sources(page: ParsedPage) -> Iterator[Source]:
    seen = set()
    for link in page.sources:
        url = link.url
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        yield Source(name=plain_text(link.text) or domain_of(url), url=url, domain=domain_of(url))


def _related_ids(page: ParsedPage) -> Iterator[str]:
    for link in page.related:
        target = event_link(link.url)
        if target:
            yield event_id(*target)


@dataclasses.dataclass
class Archive:
    """Everything read from a content tree."""

    events: list[Event]
    skipped: list[Skipped]
    days: int


def read_archive(root: Path, progress: Callable[[int], None] | None = None) -> Archive:
    """Read every day of a content tree (sequentially; the index writer reads in parallel)."""
    events: list[Event] = []
    found = find_day_dirs(Path(root))
    skipped: list[Skipped] = list(found.skipped)
    days = 0
    for day in found.days:
        result = read_day(Path(root), day)
        events += result.events
        skipped += result.skipped
        days += 1
        if progress:
            progress(1)
    return Archive(events, skipped, days)
