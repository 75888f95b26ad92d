"""Facets and active filters in the one shape the templates render (after Datasette's facet results)."""

from __future__ import annotations

import dataclasses

from search.request import SearchRequest
from search.results import Facet, ResultPage

from .urls import Params, path_with_added_args, path_with_removed_args, path_with_replaced_args

# ResultPage.facets name -> (URL parameter, heading); tags take many values, the others one.
FACETS = {
    "tags": ("tag", "Tags"),
    "topic": ("topic", "Topic"),
    "source": ("source", "Source outlet"),
    "language": ("lang", "Language"),
}
LANGUAGES = {"en": "English", "zh": "Chinese"}
MORE_TAGS = 200  # facet_size of the "more tags" view


@dataclasses.dataclass(frozen=True)
class FacetResult:
    """One value of a facet, with the link that selects or unselects it."""

    value: str
    label: str
    count: int
    toggle_url: str
    selected: bool


@dataclasses.dataclass(frozen=True)
class FacetView:
    """A facet ready to render: its values, and links to see more or fewer of them."""

    name: str
    param: str
    label: str
    results: list[FacetResult]
    truncated: bool
    more_url: str | None = None
    fewer_url: str | None = None


@dataclasses.dataclass(frozen=True)
class Chip:
    """An active filter, shown as a removable chip."""

    label: str
    value: str
    remove_url: str


def language_name(code: str) -> str:
    """A language code as people say it (unknown codes as they are)."""
    return LANGUAGES.get(code, code)


def label_of(facet: str, value: str) -> str:
    """How a facet value is shown to people (language codes get their names)."""
    return language_name(value) if facet == "language" else value


def toggle_url(path: str, params: Params, facet: str, value: str, selected: bool) -> str:
    """The link that selects a value (adding a tag, replacing the others) or unselects it."""
    param = FACETS[facet][0]
    if selected:
        return path_with_removed_args(path, params, [(param, value), ("page", None)])
    if facet == "tags":
        return path_with_added_args(path, params, [("page", None), (param, value)])
    return path_with_replaced_args(path, params, {param: value, "page": None})


def facet_view(facet: Facet, path: str, params: Params, request: SearchRequest) -> FacetView:
    """One facet of a result page in the shape ``_facet.html`` renders."""
    param, label = FACETS[facet.name]
    results = [
        FacetResult(
            v.value,
            label_of(facet.name, v.value),
            v.count,
            toggle_url(path, params, facet.name, v.value, v.selected),
            v.selected,
        )
        for v in facet.values
    ]
    more = fewer = None
    if facet.name == "tags":
        if facet.truncated and request.facet_size < MORE_TAGS:
            more = path_with_replaced_args(path, params, {"facet_size": str(MORE_TAGS)})
        if request.facet_size > SearchRequest.facet_size:
            fewer = path_with_removed_args(path, params, {"facet_size": None})
    return FacetView(facet.name, param, label, results, facet.truncated, more, fewer)


def facet_views(results: ResultPage, path: str, params: Params) -> list[FacetView]:
    """Every facet of a result page, in the order of ``FACETS``."""
    return [
        facet_view(results.facets[name], path, params, results.request)
        for name in FACETS
        if name in results.facets
    ]


def chips(request: SearchRequest, path: str, params: Params) -> list[Chip]:
    """The active filters of a request, each with the link that removes it."""

    def chip(label: str, value: str, *removed: tuple[str, str | None]) -> Chip:
        return Chip(label, value, path_with_removed_args(path, params, [*removed, ("page", None)]))

    found = [chip("Tag", tag, ("tag", tag)) for tag in request.tags]
    for facet in ("topic", "source", "language"):
        value = getattr(request, facet)
        if value:
            found.append(chip(FACETS[facet][1], label_of(facet, value), (FACETS[facet][0], value)))
    if request.date_from:
        found.append(chip("From", request.date_from.isoformat(), ("from", None)))
    if request.date_to:
        found.append(chip("To", request.date_to.isoformat(), ("to", None)))
    if request.tag_filter:
        found.append(chip("Tags containing", request.tag_filter, ("tag_filter", None)))
    return found


def clear_all_url(path: str, params: Params) -> str:
    """The same search without any filter (the query text and sort order stay)."""
    keep = {"q", "sort", "size"}
    return path_with_removed_args(path, params, [(key, None) for key, _ in params if key not in keep])
