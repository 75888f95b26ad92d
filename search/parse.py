"""Parse one archive file (an event page or a day index) into plain records.

Pure functions of the file text: no file system, no Whoosh. ``archive.py``
merges the records of one day into ``Event`` objects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from .text import has_cjk, plain_text, resolve_variants, split_list

# Section headings, English and the Chinese archive's localised ones.
SOURCE_HEADINGS = {"source", "sources", "信息来源", "信息來源", "来源", "來源"}
RELATED_HEADINGS = {"related", "有关", "有關", "相关", "相關"}
CHANGES_HEADINGS = {"changes", "更改", "变更", "變更"}
CONTEXT_LABELS = ("Context", "消息")
LOCALISED_PREFIX = "/zh/"  # the Chinese archive's links: /zh/news/YYYY/MM/D/...

_DATE_LINE = re.compile(r"^#{2,3}\s*\[(\d{4})-(\d{1,2})-(\d{1,2})\]\(([^)]*)\)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*$")
_ITEM = re.compile(
    r"^\s*\d+\.\s*\[(?P<text>.*)\]\((?P<url>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)\s*(?P<rest>.*)$"
)
_ENTRY = re.compile(r"^###\s*\[(?P<text>.*)\]\((?P<url>[^)\s]*)\)\s*$")
_CONTEXT = re.compile(rf"^_(?:{'|'.join(CONTEXT_LABELS)})\s*[:：]\s*(?P<tags>.*?)_?\s*$")
_INLINE_LINK = re.compile(r"\[(?P<text>[^\[\]]*)\]\((?P<url>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
_EVENT_LINK = re.compile(r"(?:^|/)news/(\d{4})/(\d{1,2})/(\d{1,2})/([^/]+?)\.md$")
_IMAGE_NAMES = {"cover image", "img", "image"}


class ParseError(ValueError):
    """A file that cannot be read as an archive page; the message says why."""


@dataclasses.dataclass(frozen=True)
class Link:
    """A list item ``N. [text](url) rest`` of a page section."""

    text: str
    url: str
    rest: str = ""


@dataclasses.dataclass
class ParsedPage:
    """What one event page says, before merging with its day index and versions."""

    date: dt.date
    headline: str  # as written (Markdown)
    summary: str  # as written (Markdown)
    topic: str = ""
    sources: list[Link] = dataclasses.field(default_factory=list)
    related: list[Link] = dataclasses.field(default_factory=list)
    changes: list[Link] = dataclasses.field(default_factory=list)
    context: list[str] = dataclasses.field(default_factory=list)
    context_lines: list[str] = dataclasses.field(default_factory=list)  # as written, for variant_alternatives
    localised: bool = False  # links carry /zh or headings are Chinese
    raw: str = ""  # the page's Markdown as found (``article_markdown`` makes the event page's body of it)


@dataclasses.dataclass
class IndexEntry:
    """One ``### [headline](link)`` entry of a day index."""

    slug: str
    headline: str
    topic: str = ""
    summary: str = ""
    context: list[str] = dataclasses.field(default_factory=list)
    context_lines: list[str] = dataclasses.field(default_factory=list)  # as written
    localised: bool = False  # its link is to the Chinese archive (/zh/news/...)


def make_date(year: int, month: int, day: int, where: str) -> dt.date:
    """A date, or a ParseError naming the impossible one."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(f"impossible date {year}-{month}-{day} in {where}") from None


def event_link(url: str) -> tuple[dt.date, str] | None:
    """(date, slug) of a link to an event page, or None for any other link."""
    match = _EVENT_LINK.search(url.split("#")[0])
    if not match or match.group(4) in ("index", "README"):
        return None
    year, month, day, slug = match.groups()
    try:
        return dt.date(int(year), int(month), int(day)), slug
    except ValueError:
        return None


def event_id(date: dt.date, slug: str) -> str:
    """The stable id of an event: its date and the slug of its current version."""
    return f"{date.isoformat()}/{slug}"


def _is_localised(url: str) -> bool:
    """True for a link into the Chinese archive: it is what makes a page or an index entry Chinese."""
    return url.startswith(LOCALISED_PREFIX)


def _section_name(title: str) -> str:
    return title.rstrip(":：").strip().casefold()


def _context_of(rest: str) -> list[str]:
    match = _CONTEXT.match(rest.strip())
    return split_list(match.group("tags")) if match else []


def _is_image(link: Link) -> bool:
    return link.text.strip().casefold() in _IMAGE_NAMES


def parse_event_page(text: str) -> ParsedPage:
    """Parse an event page; raise ParseError when it has no date line or no headline."""
    if "\x00" in text:
        raise ParseError("binary content")
    reader = _PageReader()
    for line in text.splitlines():
        reader.read(line)
    return reader.page(text)


class _PageReader:
    """An event page read line by line: the section a line is in says what it is."""

    def __init__(self) -> None:
        self.date: dt.date | None = None
        self.headline: str | None = None
        self.topic = ""
        self.section: str | None = None  # "summary" after the headline, then the kind of each ### section
        self.summary: list[str] = []
        self.links: dict[str, list[Link]] = {"source": [], "related": [], "changes": []}
        self.context: list[str] = []
        self.context_lines: list[str] = []
        self.localised = False

    def read(self, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            if self.section == "summary":
                self.summary.append(line)  # keeps the summary's paragraphs apart
        elif self.date is None and self._date_line(stripped):
            return
        elif stripped.startswith("#"):
            self._heading(stripped)
        elif self.section == "summary":
            self._summary_line(line, stripped)
        elif self.section in self.links:
            self._section_line(line)

    def _date_line(self, stripped: str) -> bool:
        match = _DATE_LINE.match(stripped)
        if match:
            year, month, day, url = match.groups()
            self.date = make_date(int(year), int(month), int(day), "date line")
            self.localised = self.localised or _is_localised(url)
        return match is not None

    def _heading(self, stripped: str) -> None:
        marks, title = _HEADING.match(stripped).groups()
        level = len(marks)
        if level == 1 and self.headline is None:
            self.headline, self.section = title, "summary"
        elif level == 5 and self.headline is None:
            self.topic = plain_text(title)
        elif level == 3 and self.headline is not None:
            self.section = _classify_section(title)
            self.localised = self.localised or has_cjk(title)

    def _summary_line(self, line: str, stripped: str) -> None:
        if _CONTEXT.match(stripped):
            self.context += _context_of(stripped)
            self.context_lines.append(stripped)
        else:
            self.summary.append(line)

    def _section_line(self, line: str) -> None:
        item = _ITEM.match(line)
        if not item:
            return
        if self.section == "source":
            # One source line may carry several links: "[CNN](url) [IMG](image url)".
            self.links["source"] += [
                Link(m["text"].strip(), m["url"].strip()) for m in _INLINE_LINK.finditer(line)
            ]
        else:
            self.links[self.section].append(
                Link(item["text"].strip(), item["url"].strip(), item["rest"].strip())
            )

    def page(self, text: str) -> ParsedPage:
        """What was read, or a ParseError when the page lacks its date line or its headline."""
        if self.date is None:
            raise ParseError("no date line")
        if not self.headline:
            raise ParseError("no headline")
        return ParsedPage(
            date=self.date,
            headline=self.headline,
            summary="\n".join(self.summary).strip(),
            topic=self.topic,
            sources=[link for link in self.links["source"] if not _is_image(link)],
            related=self.links["related"],
            changes=self.links["changes"],
            context=self.context,
            context_lines=self.context_lines,
            localised=self.localised,
            raw=text,
        )


def _classify_section(title: str) -> str:
    name = _section_name(title)
    if name in SOURCE_HEADINGS:
        return "source"
    if name in RELATED_HEADINGS:
        return "related"
    if name in CHANGES_HEADINGS:
        return "changes"
    return "other"


def article_markdown(text: str) -> str:
    """The part of an event page its web page renders below the header the index provides.

    The date line, topic and headline (everything up to the first ``#``
    heading) are shown from the index; the Source section is shown as a list
    with each outlet's domain. The summary and the Related and Changes
    sections stay, language-conversion markup resolved.
    """
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if _heading_level(line) == 1), 0)
    kept, skipping = [], False
    for line in lines[start:]:
        level = _heading_level(line)
        if level:
            skipping = level <= 3 and _classify_section(_HEADING.match(line.strip()).group(2)) == "source"
        if not skipping:
            kept.append(line)
    return resolve_variants("\n".join(kept).strip())


def _heading_level(line: str) -> int:
    stripped = line.strip()
    return len(_HEADING.match(stripped).group(1)) if stripped.startswith("#") else 0


def related_tags(page: ParsedPage) -> list[str]:
    """The contexts on a page's Related entries: the tags the two events share."""
    tags: list[str] = []
    for link in page.related:
        tags += _context_of(link.rest)
    return tags


def current_version(page: ParsedPage) -> str | None:
    """The slug a page's ``Changes`` list names as the current version, if any."""
    for link in page.changes:
        if "current version" in link.rest.casefold():
            target = event_link(link.url)
            if target:
                return target[1]
    return None


def parse_day_index(text: str) -> list[IndexEntry]:
    """The event entries of a day index, each with its topic and its summary or context line."""
    entries: list[IndexEntry] = []
    topic = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#####"):
            topic = plain_text(stripped.lstrip("#"))
            continue
        entry = _ENTRY.match(stripped)
        if entry:
            target = event_link(entry["url"])
            if target:
                localised = _is_localised(entry["url"])
                entries.append(IndexEntry(target[1], entry["text"].strip(), topic, localised=localised))
            continue
        if stripped.startswith("#"):
            topic = "" if stripped.startswith("## ") else topic
            continue
        if entries and stripped and not stripped.startswith("Formats:"):
            last = entries[-1]
            if _CONTEXT.match(stripped):
                last.context += _context_of(stripped)
                last.context_lines.append(stripped)
            elif not last.summary:
                last.summary = stripped
    return entries
