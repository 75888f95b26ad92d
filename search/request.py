"""A search request, and its validation from URL-style parameters (the web UI's, the API's and the CLI's)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence

SORTS = ("relevance", "newest", "oldest")
TAG_MODES = ("all", "any")
MAX_QUERY_CHARS = 1000
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000


@dataclasses.dataclass(frozen=True)
class SearchRequest:
    """Everything that decides a result page; the web UI, the API and the CLI all build one."""

    text: str = ""
    tags: tuple[str, ...] = ()
    tags_mode: str = "all"
    topic: str = ""
    source: str = ""
    language: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page_number: int = 1
    page_size: int = 10
    facet_size: int = 20  # how many tags the tag facet lists (the other facets list 20)
    tag_filter: str = ""  # only list tags containing this text (the "find a tag" box)
    facets: bool = True  # False: hits and total only (no facet counts, no timeline)

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size

    def has_filters(self) -> bool:
        return bool(self.tags or self.topic or self.source or self.language or self.date_from or self.date_to)


class RequestError(ValueError):
    """A request parameter that cannot be used; the message is meant for the user."""


def parse_date(value: str, name: str) -> dt.date | None:
    """A YYYY-MM-DD date (day may be one digit), None if empty, RequestError if not a date."""
    value = (value or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    try:
        if match:
            return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        pass
    raise RequestError(f"{name} date “{value[:40]}” is not a date like 2015-09-04")


def request_from_args(args: Mapping[str, Sequence[str]]) -> tuple[SearchRequest, list[str]]:
    """Build a request from URL-style parameters; returns it with messages about what was ignored or fixed.

    Never raises: a bad parameter is dropped or corrected and said so.
    """
    messages: list[str] = []

    def first(name: str, default: str = "") -> str:
        values = args.get(name) or [default]
        return (values[0] or default).strip()

    text = first("q")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        messages.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    dates = {}
    for name, label in (("from", "From"), ("to", "To")):
        try:
            dates[name] = parse_date(first(name), label)
        except RequestError as error:
            dates[name] = None
            messages.append(f"{error}; it was ignored.")
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        dates["from"], dates["to"] = dates["to"], dates["from"]
        messages.append("The dates were reversed; they were swapped.")
    request = SearchRequest(
        text=text,
        tags=tuple(dict.fromkeys(t.strip() for t in args.get("tag", []) if t and t.strip())),
        tags_mode=_choice(first("tags_mode", "all"), TAG_MODES, "tags_mode", messages),
        topic=first("topic"),
        source=first("source"),
        language=first("lang"),
        date_from=dates["from"],
        date_to=dates["to"],
        sort=_choice(first("sort", "relevance"), SORTS, "sort", messages),
        page_number=_number(first("page", "1"), "page", 1, MAX_PAGE, messages),
        page_size=_number(first("size", "10"), "size", 1, MAX_PAGE_SIZE, messages),
        facet_size=_number(first("facet_size", "20"), "facet_size", 1, 100_000, messages),
        tag_filter=first("tag_filter")[:200],
    )
    return request, messages


def _choice(value: str, allowed: Sequence[str], name: str, messages: list[str]) -> str:
    if value in allowed:
        return value
    messages.append(
        f"Unknown {name} “{value[:40]}”; using “{allowed[0]}” (choose from {', '.join(allowed)})."
    )
    return allowed[0]


def _number(value: str, name: str, low: int, high: int, messages: list[str]) -> int:
    try:
        number = int(value)
    except ValueError:
        messages.append(f"{name} “{value[:40]}” is not a number; using {low}.")
        return low
    if not low <= number <= high:
        clamped = min(max(number, low), high)
        messages.append(f"{name} must be between {low} and {high}; using {clamped}.")
        return clamped
    return number
