"""The facets, declared once (after Datasette's registered facet classes).

Each facet has one name, used everywhere: the key in a result page's
``facets`` (and the JSON), the URL parameter (repeat it for several values),
the CLI option (``--name``) and the query-syntax field (``name:value``).
Former spellings stay accepted as aliases. The index schema, the stored facet
column, the request, the counting, the filters, the URLs, the templates and
the CLI all read this table: adding a facet is adding a row to ``FACETS``
(and rebuilding the index).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from .event import Event

# Names the index already uses for other fields: a facet cannot take them.
RESERVED_NAMES = frozenset(
    {"id", "day", "date", "days", "live", "headline", "summary", "context", "payload", "facets", "body"}
)


@dataclasses.dataclass(frozen=True)
class FacetSpec:
    """One facet: its name, how people see it, and how its values are read from an Event."""

    name: str  # the one name: result-page key, URL parameter, CLI option (--name), query field
    label: str  # heading on the search page
    values: Callable[[Event], Sequence[str]]  # the event's values, as counted and filtered
    help: str  # what selecting a value does, for the CLI and the README
    multi: bool = False  # several values per event (tags, outlets); else at most one
    # How several selected values combine, the default first; with modes the page selects several
    # values at once (a mode parameter ``<name>_mode`` chooses), without them one replaces another.
    modes: tuple[str, ...] = ()
    long_list: bool = False  # thousands of values: ``facet_size`` and ``tag_filter`` size and narrow its list
    aliases: tuple[str, ...] = ()  # former names, still accepted in URLs, on the CLI and in the query syntax
    query_aliases: tuple[str, ...] = ()  # more names, for the query syntax only
    searchable: Callable[[Event], Sequence[str]] | None = None  # what its query field matches if not `values`
    value_names: Mapping[str, str] = dataclasses.field(default_factory=dict)  # "en" reads "English"
    chip_label: str = ""  # an active filter's label, when not `label` ("Tag: Syria")

    @property
    def mode_param(self) -> str | None:
        """The request parameter that chooses how several selected values combine, if they may."""
        return f"{self.name}_mode" if len(self.modes) > 1 else None

    def default_mode(self) -> str:
        return self.modes[0] if self.modes else "any"

    def value_name(self, value: str) -> str:
        """A value as people read it (a language code as its name)."""
        return self.value_names.get(value, value)

    def query_values(self, event: Event) -> Sequence[str]:
        """What the facet's query-syntax field indexes for an event."""
        return (self.searchable or self.values)(event)


def _tags(event: Event) -> Sequence[str]:
    return event.tags


def _topic(event: Event) -> Sequence[str]:
    return (event.topic,) if event.topic else ()


def _source_domains(event: Event) -> Sequence[str]:
    return tuple(dict.fromkeys(source.domain for source in event.sources if source.domain))


def _source_names_and_domains(event: Event) -> Sequence[str]:
    # `source:Reuters` and `source:reuters.com` both find an outlet; the facet counts domains.
    return [value for source in event.sources for value in (source.name, source.domain) if value]


def _language(event: Event) -> Sequence[str]:
    return (event.language,) if event.language else ()


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec(
        "tags",
        "Tags",
        _tags,
        help="Only events with this tag (repeat for several: all must match, or any with tags_mode).",
        multi=True,
        modes=("all", "any"),
        long_list=True,
        aliases=("tag",),
        chip_label="Tag",
    ),
    FacetSpec("topic", "Topic", _topic, help="Only events under this topic (repeat: any of them)."),
    FacetSpec(
        "source",
        "Source outlet",
        _source_domains,
        help="Only events reported by this outlet's domain, e.g. bbc.co.uk (repeat: any of them).",
        multi=True,
        query_aliases=("sources", "outlet"),
        searchable=_source_names_and_domains,
    ),
    FacetSpec(
        "language",
        "Language",
        _language,
        help="Only events in this language: en, zh (repeat: any of them).",
        aliases=("lang",),
        value_names={"en": "English", "zh": "Chinese"},
    ),
)


# The facet whose values are the archive's stories, people and places: each has its own page
# (/tag/<value>), its counts by month are tallied at index time, and its values that stand out in a
# result set are listed as significant.
TAG_FACET = "tags"


def facet_specs() -> tuple[FacetSpec, ...]:
    """Every facet, in the order pages list them.

    Read when used, never copied at import time: the table stays the one place
    a facet is declared (a test registers one more by replacing ``FACETS``).
    """
    return FACETS


def check_facet_names() -> None:
    """Refuse a facet whose name another index field or column array already uses."""
    for spec in facet_specs():
        if spec.name in RESERVED_NAMES or not spec.name.isidentifier():
            raise ValueError(f"facet name {spec.name!r} is taken or not a plain name")


def facet_spec(name: str) -> FacetSpec:
    """The facet of this name; KeyError if there is none."""
    for spec in facet_specs():
        if spec.name == name:
            return spec
    raise KeyError(name)
