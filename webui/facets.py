"""Facets and active filters in the one shape the templates render (after Datasette's facet results)."""

from __future__ import annotations

import dataclasses

from search.facet_table import facet_spec, facet_specs
from search.on_this_day import calendar_day_label
from search.request import SearchRequest
from search.results import Facet, ResultPage, SignificantValue

from .urls import Params, path_with_added_args, path_with_removed_args, path_with_replaced_args

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

    name: str  # the facet's one name, also its URL parameter
    label: str
    results: list[FacetResult]
    truncated: bool
    long_list: bool = False  # thousands of values: a find box and more/fewer links
    more_url: str | None = None
    fewer_url: str | None = None


@dataclasses.dataclass(frozen=True)
class SignificantView:
    """A tag that stands out in the results, and the link that filters by it (None: already does)."""

    value: SignificantValue
    filter_url: str | None


@dataclasses.dataclass(frozen=True)
class Chip:
    """An active filter, shown as a removable chip."""

    label: str
    value: str
    remove_url: str


def language_name(code: str) -> str:
    """A language code as people say it (unknown codes as they are)."""
    return facet_spec("language").value_name(code)


def toggle_url(path: str, params: Params, facet: str, value: str, selected: bool) -> str:
    """The link that selects a value, beside the others selected (a topic, outlet or language more widens
    the search, a tag more narrows it unless tags_mode=any), or unselects it."""
    if selected:
        return path_with_removed_args(path, params, [(facet, value), ("page", None)])
    return path_with_added_args(path, params, [("page", None), (facet, value)])


def facet_view(facet: Facet, path: str, params: Params, request: SearchRequest) -> FacetView:
    """One facet of a result page in the shape ``_facet.html`` renders."""
    spec = facet_spec(facet.name)
    results = [
        FacetResult(
            v.value,
            spec.value_name(v.value),
            v.count,
            toggle_url(path, params, facet.name, v.value, v.selected),
            v.selected,
        )
        for v in facet.values
    ]
    more = fewer = None
    if spec.long_list:
        if facet.truncated and request.facet_size < MORE_TAGS:
            more = path_with_replaced_args(path, params, {"facet_size": str(MORE_TAGS)})
        if request.facet_size > SearchRequest.facet_size:
            fewer = path_with_removed_args(path, params, {"facet_size": None})
    return FacetView(facet.name, spec.label, results, facet.truncated, spec.long_list, more, fewer)


def facet_views(results: ResultPage, path: str, params: Params) -> list[FacetView]:
    """Every facet of a result page, in the order of the facet table."""
    return [
        facet_view(results.facets[spec.name], path, params, results.request)
        for spec in facet_specs()
        if spec.name in results.facets
    ]


def chips(request: SearchRequest, path: str, params: Params) -> list[Chip]:
    """The active filters of a request, each with the link that removes it."""

    def chip(label: str, value: str, *removed: tuple[str, str | None]) -> Chip:
        return Chip(label, value, path_with_removed_args(path, params, [*removed, ("page", None)]))

    found = [
        chip(spec.chip_label or spec.label, spec.value_name(value), (spec.name, value))
        for spec in facet_specs()
        for value in request.selected(spec.name)
    ]
    if request.date_from:
        found.append(chip("From", request.date_from.isoformat(), ("from", None)))
    if request.date_to:
        found.append(chip("To", request.date_to.isoformat(), ("to", None)))
    if request.calendar_day:
        found.append(chip("Every year on", calendar_day_label(request.calendar_day), ("calendar_day", None)))
    if request.tag_filter:
        found.append(chip("Tags containing", request.tag_filter, ("tag_filter", None)))
    return found


def clear_all_url(path: str, params: Params) -> str:
    """The same search without any filter (the query text and sort order stay)."""
    keep = {"q", "sort", "size"}
    return path_with_removed_args(path, params, [(key, None) for key, _ in params if key not in keep])
