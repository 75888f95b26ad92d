"""A search request, and its parameters: declared once, read from URLs (web UI, API) and the CLI alike.

Each parameter is one ``Param`` in ``request_params()``: its URL name, its CLI
option (``--name``, old spellings kept as aliases), its bounds and its help.
The URL parsing (``request_from_args``), the canonical URL of a request
(``params_of``) and the CLI's options are all made from that list; a facet of
``facet_table`` brings its own parameters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from .facet_table import FacetSpec, facet_spec, facet_specs
from .limits import (
    MAX_FACET_SIZE,
    MAX_FILTER_VALUE_CHARS,
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    MAX_SIGNIFICANT_SIZE,
    MAX_TAG_FILTER_CHARS,
)

SORTS = ("relevance", "newest", "oldest")

Args = Mapping[str, Sequence[str]]  # URL-style parameters: name -> every value given


@dataclasses.dataclass(frozen=True)
class SearchRequest:
    """Everything that decides a result page; the web UI, the API and the CLI all build one."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # facet -> selected
    modes: Mapping[str, str] = dataclasses.field(default_factory=dict)  # facet -> how its selection combines
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    calendar_day: str = ""  # "09-04": only events on this day of the year, in any year ("on this day")
    sort: str = "relevance"
    page_number: int = 1
    page_size: int = 10
    facet_size: int = 20  # how many values the long-list facet (tags) lists; the others list 20
    tag_filter: str = ""  # only list tags containing this text (the "find a tag" box)
    significant_size: int = 10  # how many of the tags that stand out in the matches to list (0: none)
    facets: bool = True  # False: hits and total only (no facet counts, no timeline)
    exact: bool = False  # search the words as typed: no typo correction
    explain: bool = False  # take each hit's score apart (scoring.Scorer.explain)

    def __post_init__(self) -> None:
        # One form per request, so that equal requests compare equal: no empty selections, no default modes.
        filters = {name: tuple(v for v in values if v) for name, values in self.filters.items()}
        filters = {name: values for name, values in filters.items() if values}
        modes = {name: mode for name, mode in self.modes.items() if mode != facet_spec(name).default_mode()}
        object.__setattr__(self, "filters", filters)
        object.__setattr__(self, "modes", modes)

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size

    def selected(self, facet: str) -> tuple[str, ...]:
        """The values of a facet this request filters by."""
        return self.filters.get(facet, ())

    def mode(self, facet: str) -> str:
        """How several selected values of a facet combine: all must match, or any."""
        return self.modes.get(facet) or facet_spec(facet).default_mode()

    def has_filters(self) -> bool:
        return bool(self.filters or self.date_from or self.date_to or self.calendar_day)


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


def parse_calendar_day(value: str) -> tuple[int, int]:
    """A day of the year, MM-DD (or M-D) as (month, day); 02-29 is one. RequestError if it is not one."""
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", (value or "").strip())
    try:
        if match:
            month, day = (int(part) for part in match.groups())
            dt.date(2000, month, day)  # a leap year: 29 February is a day of the year
            return month, day
    except ValueError:
        pass
    raise RequestError(f"“{value[:40]}” is not a day of the year like 09-04")


def calendar_day_text(month: int, day: int) -> str:
    """A day of the year as the URLs write it: 09-04."""
    return f"{month:02d}-{day:02d}"


_DEFAULTS = SearchRequest()


@dataclasses.dataclass(frozen=True)
class Param:
    """One request parameter: how it is read from a URL and written back, and its CLI option."""

    name: str  # the URL parameter; the CLI option is --name (with - for _)
    field: str  # the SearchRequest attribute it sets
    help: str
    aliases: tuple[str, ...] = ()  # other URL names, also CLI options (--alias)
    cli_aliases: tuple[str, ...] = ()  # CLI-only spellings kept from before (--limit)
    cli_flags: Mapping[str, str] = dataclasses.field(default_factory=dict)  # flag -> the value it stands for
    metavar: str = "TEXT"
    repeated: bool = False  # each occurrence is one more value
    is_flag: bool = False  # on the command line, a flag that gives the value "1"

    @property
    def default(self) -> Any:
        return getattr(_DEFAULTS, self.field)

    def given(self, args: Args) -> list[str]:
        """Every value the parameter has in ``args``, under its name or an alias."""
        return [value for name in (self.name, *self.aliases) for value in args.get(name, ())]

    def first(self, values: Sequence[str]) -> str:
        """The value that counts when it may appear once: the first, stripped ("" when none)."""
        return (values[0] or "").strip() if values else ""

    def read(self, values: Sequence[str], messages: list[str]) -> Any:
        """The request value for what was given; what had to be fixed is told in ``messages``."""
        raise NotImplementedError

    def write(self, request: SearchRequest) -> list[str]:
        """The URL values of a request's setting ([] for the default, so links stay short)."""
        value = self.value_of(request)
        return [] if value == self.default or value in ("", None) else [str(value)]

    def value_of(self, request: SearchRequest) -> Any:
        return getattr(request, self.field)

    def store(self, fields: dict[str, Any], value: Any) -> None:
        fields[self.field] = value


@dataclasses.dataclass(frozen=True)
class TextParam(Param):
    """Free text, cut to a length."""

    max_chars: int = 1000
    noun: str = ""  # what the cut message calls it

    def read(self, values: Sequence[str], messages: list[str]) -> str:
        text = self.first(values)
        if len(text) > self.max_chars:
            messages.append(f"{self.noun or self.name} was cut to its first {self.max_chars} characters.")
            text = text[: self.max_chars]
        return text


@dataclasses.dataclass(frozen=True)
class QueryParam(Param):
    """The query text, in Unicode's compatibility form (NFKC) and cut to MAX_QUERY_CHARS after it."""

    def read(self, values: Sequence[str], messages: list[str]) -> str:
        return normalise_query_text(self.first(values), messages)


def normalise_query_text(text: str, messages: list[str]) -> str:
    """Query text in Unicode's compatibility form (NFKC), cut to MAX_QUERY_CHARS after normalising.

    Normalisation can make one character eighteen (U+FDFA), so the length is
    measured after it; the raw text is cut first so normalising stays cheap.
    """
    text = unicodedata.normalize("NFKC", text[: MAX_QUERY_CHARS * 2]).strip()
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        messages.append(f"The query was cut to its first {MAX_QUERY_CHARS:,} characters.")
    return text


@dataclasses.dataclass(frozen=True)
class DateParam(Param):
    """A day, YYYY-MM-DD; one that is not a date is ignored."""

    label: str = ""
    metavar: str = "YYYY-MM-DD"

    def read(self, values: Sequence[str], messages: list[str]) -> dt.date | None:
        try:
            return parse_date(self.first(values), self.label)
        except RequestError as error:
            messages.append(f"{error}; it was ignored.")
            return None

    def write(self, request: SearchRequest) -> list[str]:
        value = self.value_of(request)
        return [value.isoformat()] if value else []


@dataclasses.dataclass(frozen=True)
class CalendarDayParam(Param):
    """A day of the year, MM-DD; one that is not a day of the year is ignored."""

    metavar: str = "MM-DD"

    def read(self, values: Sequence[str], messages: list[str]) -> str:
        value = self.first(values)
        if not value:
            return ""
        try:
            return calendar_day_text(*parse_calendar_day(value))
        except RequestError as error:
            messages.append(f"{self.name}: {error}; it was ignored.")
            return ""


@dataclasses.dataclass(frozen=True)
class ChoiceParam(Param):
    """One of a few words; another word gives the default."""

    choices: tuple[str, ...] = ()

    def read(self, values: Sequence[str], messages: list[str]) -> str:
        value = self.first(values) or self.default
        if value in self.choices:
            return value
        allowed = ", ".join(self.choices)
        messages.append(
            f"Unknown {self.name} “{value[:40]}”; using “{self.default}” (choose from {allowed})."
        )
        return self.default


@dataclasses.dataclass(frozen=True)
class NumberParam(Param):
    """A whole number within bounds; one out of bounds is clamped, one that is not a number is the lowest."""

    low: int = 1
    high: int = 1
    metavar: str = "N"

    def read(self, values: Sequence[str], messages: list[str]) -> int:
        value = self.first(values) or str(self.default)
        try:
            number = int(value)
        except ValueError:
            messages.append(f"{self.name} “{value[:40]}” is not a number; using {self.low}.")
            return self.low
        if not self.low <= number <= self.high:
            clamped = min(max(number, self.low), self.high)
            messages.append(f"{self.name} must be between {self.low} and {self.high}; using {clamped}.")
            return clamped
        return number


@dataclasses.dataclass(frozen=True)
class FlagParam(Param):
    """On or off: ``1`` (or true, yes, on) turns it on; a flag on the command line."""

    is_flag: bool = True
    metavar: str = "1"

    def read(self, values: Sequence[str], messages: list[str]) -> bool:
        value = self.first(values).lower()
        if value in ("1", "true", "yes", "on"):
            return True
        if value not in ("", "0", "false", "no", "off"):
            messages.append(f"{self.name} “{value[:40]}” is neither 1 nor 0; using 0.")
        return False

    def write(self, request: SearchRequest) -> list[str]:
        return ["1"] if self.value_of(request) else []


@dataclasses.dataclass(frozen=True)
class FacetParam(Param):
    """The selected values of a facet (repeat the parameter for several)."""

    spec: FacetSpec | None = None
    repeated: bool = True
    metavar: str = "VALUE"

    def read(self, values: Sequence[str], messages: list[str]) -> tuple[str, ...]:
        kept = tuple(dict.fromkeys(v.strip()[:MAX_FILTER_VALUE_CHARS] for v in values if v and v.strip()))
        if len(kept) > MAX_FILTER_VALUES:
            messages.append(f"Only the first {MAX_FILTER_VALUES} {self.name} values were used.")
            kept = kept[:MAX_FILTER_VALUES]
        return kept

    def write(self, request: SearchRequest) -> list[str]:
        return list(request.selected(self.spec.name))

    def store(self, fields: dict[str, Any], value: Any) -> None:
        fields["filters"][self.spec.name] = value


@dataclasses.dataclass(frozen=True)
class ModeParam(ChoiceParam):
    """How several selected values of a facet combine."""

    spec: FacetSpec | None = None

    @property
    def default(self) -> str:
        return self.spec.default_mode()

    def value_of(self, request: SearchRequest) -> str:
        return request.mode(self.spec.name)

    def store(self, fields: dict[str, Any], value: Any) -> None:
        fields["modes"][self.spec.name] = value


# Spellings the CLI had before its options were made from this table, kept working.
_LEGACY_MODE_FLAGS = {"tags": {"--any-tag": "any"}}

_QUERY = QueryParam(
    "q", "text", f"Query text (see the query syntax); cut to {MAX_QUERY_CHARS:,} characters.", metavar="QUERY"
)
_AFTER_FACETS = (
    DateParam("from", "date_from", "Only events on or after this day.", label="From"),
    DateParam("to", "date_to", "Only events on or before this day (reversed dates are swapped).", label="To"),
    CalendarDayParam(
        "calendar_day", "calendar_day", "Only events on this day of the year, MM-DD, in any year."
    ),
    ChoiceParam("sort", "sort", "Result order: relevance, newest or oldest.", choices=SORTS, metavar="ORDER"),
    NumberParam("page", "page_number", f"Page of hits to show (1-{MAX_PAGE:,}).", high=MAX_PAGE),
    NumberParam(
        "size",
        "page_size",
        f"Hits per page (1-{MAX_PAGE_SIZE}).",
        cli_aliases=("--limit",),
        high=MAX_PAGE_SIZE,
    ),
    NumberParam("facet_size", "facet_size", "How many tags the tag facet lists.", high=MAX_FACET_SIZE),
    TextParam(
        "tag_filter", "tag_filter", "List only the tags containing this text.", max_chars=MAX_TAG_FILTER_CHARS
    ),
    NumberParam(
        "significant_size",
        "significant_size",
        f"How many tags that stand out in the matches to list (0-{MAX_SIGNIFICANT_SIZE}; 0: none).",
        low=0,
        high=MAX_SIGNIFICANT_SIZE,
    ),
    FlagParam("exact", "exact", "Search the words as typed: no typo correction."),
    FlagParam(
        "explain", "explain", "Show why each hit ranks where it does: fields matched, parts of its score."
    ),
)


def facet_params(spec: FacetSpec) -> list[Param]:
    """The parameters a facet brings: its selected values and, if they may combine two ways, the mode."""
    params: list[Param] = [
        FacetParam(spec.name, "filters", spec.help, aliases=spec.aliases, spec=spec),
    ]
    if spec.mode_param:
        params.append(
            ModeParam(
                spec.mode_param,
                "modes",
                f"How several {spec.name} combine: {' or '.join(spec.modes)}.",
                cli_flags=_LEGACY_MODE_FLAGS.get(spec.name, {}),
                choices=spec.modes,
                metavar="MODE",
                spec=spec,
            )
        )
    return params


def request_params() -> list[Param]:
    """Every request parameter, in the order of the README, the CLI's help and canonical URLs."""
    return [_QUERY, *(param for spec in facet_specs() for param in facet_params(spec)), *_AFTER_FACETS]


def request_from_args(args: Args) -> tuple[SearchRequest, list[str]]:
    """Build a request from URL-style parameters; returns it with messages about what was ignored or fixed.

    Never raises: a bad parameter is dropped or corrected and said so.
    """
    messages: list[str] = []
    fields: dict[str, Any] = {"filters": {}, "modes": {}}
    for param in request_params():
        param.store(fields, param.read(param.given(args), messages))
    if fields["date_from"] and fields["date_to"] and fields["date_from"] > fields["date_to"]:
        fields["date_from"], fields["date_to"] = fields["date_to"], fields["date_from"]
        messages.append("The dates were reversed; they were swapped.")
    return SearchRequest(**fields), messages


# The fields that only shape a result page (which page, how long, how many facet values it lists), not
# which events match nor their order: an export, a feed or a saved search is the search without them.
PAGE_FIELDS = (
    "page_number",
    "page_size",
    "facet_size",
    "tag_filter",
    "significant_size",
    "facets",
    "explain",
)
ORDER_FIELDS = ("sort",)


def without_page(request: SearchRequest, keep_order: bool = True) -> SearchRequest:
    """The same search with what only shapes its page (and, unless ``keep_order``, its order) at defaults."""
    reset = PAGE_FIELDS if keep_order else PAGE_FIELDS + ORDER_FIELDS
    return dataclasses.replace(request, **{field: getattr(_DEFAULTS, field) for field in reset})


def selecting_params() -> list[Param]:
    """The parameters that choose which events match (query, facets, dates): a saved search's."""
    return [param for param in request_params() if param.field not in PAGE_FIELDS + ORDER_FIELDS]


def params_of(request: SearchRequest) -> list[tuple[str, str]]:
    """The canonical URL parameters of a request: the inverse of ``request_from_args``.

    Links are built from these rather than from the raw query string, so a
    bad value the parser dropped (or a 10 KB query it cut) is not repeated in
    every link on the page. Defaults are left out.
    """
    return [(param.name, value) for param in request_params() for value in param.write(request) if value]
