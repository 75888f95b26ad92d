"""What the search template needs besides the ResultPage: its links, built from the canonical parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from search.facet_table import TAG_FACET, FacetSpec, facet_specs
from search.request import SORTS, SearchRequest, params_of
from search.results import ResultPage

from . import facets, timeline
from .urls import Params, path_with_replaced_args

PAGE_WINDOW = 2  # page links shown either side of the current one


@dataclasses.dataclass(frozen=True)
class Choice:
    """One of a set of links of which exactly one is current (sort order, facet mode, page number)."""

    label: str
    url: str
    current: bool


@dataclasses.dataclass(frozen=True)
class Pagination:
    """Links to the previous, next and nearby pages."""

    previous_url: str | None
    next_url: str | None
    pages: list[Choice | None]  # None: a gap ("…")


@dataclasses.dataclass(frozen=True)
class SearchView:
    """The links and controls of one search page."""

    path: str
    params: Params
    facets: list[facets.FacetView]
    chips: list[facets.Chip]
    clear_url: str
    bars: list[timeline.Bar]
    sorts: list[Choice]
    modes: dict[str, list[Choice]]  # facet -> how its selected values combine, where they may two ways
    pagination: Pagination
    suggestion_url: str | None
    exact_url: str | None  # the query searched as typed, when its misspelled words were corrected
    fixed: Mapping[str, str] = dataclasses.field(default_factory=dict)  # facet -> value the page is about

    def hidden(self, *excluded: str) -> list[tuple[str, str]]:
        """The parameters a form must carry along, besides its own fields (and the page, which restarts)."""
        return [(key, value) for key, value in self.params if key not in excluded and key != "page"]

    def filter_url(self, facet: str, value: str) -> str | None:
        """A hit's facet value (a tag, its topic) as a link filtering by it; None when it already does."""
        if (facet, value) in self.params or _is_fixed(self.fixed, facet, value):
            return None
        return facets.toggle_url(self.path, self.params, facet, value, selected=False)

    def significant(self, results: ResultPage) -> list[facets.SignificantView]:
        """The tags that stand out in the results, each with its page and the link filtering by it."""
        return [
            facets.SignificantView(value, self.filter_url(TAG_FACET, value.value))
            for value in results.significant.get(TAG_FACET, [])
        ]


def search_view(results: ResultPage, path: str, fixed: Mapping[str, str] | None = None) -> SearchView:
    """The controls of a result page, each a link to another state of the search.

    ``fixed`` is what the page is about and its address says (a tag page's tag): its links leave it out.
    """
    fixed = dict(fixed or {})
    request = _without(results.request, fixed)
    params = params_of(request)
    return SearchView(
        path=path,
        params=params,
        facets=[_drop_fixed(view, fixed) for view in facets.facet_views(results, path, params)],
        chips=facets.chips(request, path, params),
        clear_url=facets.clear_all_url(path, params),
        bars=timeline.bars(results.timeline_unit, results.timeline, path, params),
        sorts=[
            Choice(
                sort.capitalize(),
                path_with_replaced_args(path, params, {"sort": sort, "page": None}),
                sort == request.sort,
            )
            for sort in SORTS
        ],
        modes={
            spec.name: mode_choices(spec, request, path, params) for spec in facet_specs() if spec.mode_param
        },
        pagination=pagination(results, path, params),
        suggestion_url=path_with_replaced_args(path, params, {"q": results.suggestion, "page": None})
        if results.suggestion
        else None,
        exact_url=path_with_replaced_args(path, params, {"exact": "1", "page": None})
        if results.correction
        else None,
        fixed=fixed,
    )


def _is_fixed(fixed: Mapping[str, str], facet: str, value: str) -> bool:
    return facet in fixed and fixed[facet].casefold() == value.casefold()


def _without(request: SearchRequest, fixed: Mapping[str, str]) -> SearchRequest:
    filters = {
        name: tuple(value for value in values if not _is_fixed(fixed, name, value))
        for name, values in request.filters.items()
    }
    return dataclasses.replace(request, filters=filters)


def _drop_fixed(view: facets.FacetView, fixed: Mapping[str, str]) -> facets.FacetView:
    kept = [result for result in view.results if not _is_fixed(fixed, view.name, result.value)]
    return dataclasses.replace(view, results=kept) if len(kept) != len(view.results) else view


def mode_choices(spec: FacetSpec, request: SearchRequest, path: str, params: Params) -> list[Choice]:
    """Links choosing how a facet's selected values combine: "all of these tags" or "any of them"."""
    return [
        Choice(
            f"all of these {spec.name}" if mode == "all" else f"{mode} of them",
            path_with_replaced_args(path, params, {spec.mode_param: mode, "page": None}),
            mode == request.mode(spec.name),
        )
        for mode in spec.modes
    ]


def pagination(results: ResultPage, path: str, params: Params) -> Pagination:
    """Previous and next links and a window of page numbers, with the first and last always shown."""
    current, last = results.request.page_number, results.pages

    def url(number: int) -> str:
        return path_with_replaced_args(path, params, {"page": str(number) if number > 1 else None})

    numbers = sorted({1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)})
    pages: list[Choice | None] = []
    for number in numbers:
        if pages and pages[-1] is not None and number > int(pages[-1].label) + 1:
            pages.append(None)
        pages.append(Choice(str(number), url(number), number == current))
    return Pagination(
        previous_url=url(min(current - 1, last)) if current > 1 else None,
        next_url=url(current + 1) if current < last else None,
        pages=pages if last > 1 else [],
    )
