"""A tag's page: one context tag over the whole archive.

It is a search with that tag (a SearchRequest with the tag selected; with no
query text its events come newest first), narrowed by whatever else the URL
asks (words, dates, other filters, a page), plus what the page adds: the tag's
own count and first and last day over the whole archive. The tags that stand
out with it are the search's significant tags, with their exact co-occurrence
counts; its outlets and languages are the search's facets.
"""

from __future__ import annotations

import dataclasses
import difflib

import numpy as np

from .facet_table import TAG_FACET
from .request import Args, SearchRequest, request_from_args
from .results import ResultPage
from .searching import SearchIndex

NEAREST_TAGS = 8  # tags a page for an unknown tag offers instead


@dataclasses.dataclass
class TagPage:
    """A tag over the whole archive (``count``, ``first``, ``last``) and the search within it."""

    tag: str  # as the archive spells it
    count: int  # events with the tag in the whole archive
    first: str | None  # its first and last day, YYYY-MM-DD
    last: str | None
    results: ResultPage  # the tag's events, narrowed as the URL asks; significant tags = co-occurring

    @property
    def narrowed(self) -> bool:
        """Whether the search within the tag asks for more than the tag (words, dates, other filters)."""
        rest = without_tag(self.results.request, self.tag)
        return bool(rest.text or rest.has_filters())

    def to_json(self) -> dict:
        """``/api/tag/<tag>``: the tag's figures, the tags that stand out with it, the search within it."""
        return {
            "tag": self.tag,
            "count": self.count,
            "first": self.first,
            "last": self.last,
            "co_occurring": [value.to_json() for value in self.results.significant.get(TAG_FACET, [])],
            "results": self.results.to_json(),
        }


def tag_request(tag: str) -> SearchRequest:
    """The search of a tag alone."""
    return SearchRequest(filters={TAG_FACET: (tag,)})


def with_tag(request: SearchRequest, tag: str) -> SearchRequest:
    """A request narrowed to a tag: the tag first among the selected ones, all of which must match."""
    others = tuple(value for value in request.selected(TAG_FACET) if value.casefold() != tag.casefold())
    filters = {**request.filters, TAG_FACET: (tag, *others)}
    modes = {name: mode for name, mode in request.modes.items() if name != TAG_FACET}
    return dataclasses.replace(request, filters=filters, modes=modes)


def without_tag(request: SearchRequest, tag: str) -> SearchRequest:
    """The request as the tag page's links carry it: the page's own tag is in its address, not its query."""
    others = tuple(value for value in request.selected(TAG_FACET) if value.casefold() != tag.casefold())
    return dataclasses.replace(request, filters={**request.filters, TAG_FACET: others})


def tag_name(index: SearchIndex, text: str) -> str | None:
    """The archive's spelling of a tag (found whatever its case), None if no live event has it."""
    columns, tallies = index.archive()
    tag_id = columns.value_id(TAG_FACET, text.strip())
    if tag_id < 0 or tallies.tag_totals[tag_id] == 0:
        return None
    return columns.vocab[TAG_FACET][tag_id]


def tag_page(index: SearchIndex, text: str, args: Args) -> TagPage | None:
    """The page of a tag, narrowed by URL-style parameters; None if no event has the tag."""
    tag = tag_name(index, text)
    if tag is None:
        return None
    request, messages = request_from_args(args)
    results = index.search(with_tag(request, tag))
    if messages:
        results = dataclasses.replace(results, messages=messages + results.messages)
    page = TagPage(tag, results.total, results.first, results.last, results)
    if page.narrowed:  # the tag's own figures are over the whole archive
        whole = index.search(dataclasses.replace(tag_request(tag), page_size=1, facets=False))
        page.count, page.first, page.last = whole.total, whole.first, whole.last
    return page


def nearest_tags(index: SearchIndex, text: str, limit: int = NEAREST_TAGS) -> list[tuple[str, int]]:
    """The tags nearest to some text, with their events: those containing it (most used first), then
    those spelled most like it. For the page of a tag that does not exist."""
    columns, tallies = index.archive()
    vocab = columns.vocab[TAG_FACET]
    live = np.flatnonzero(tallies.tag_totals[: len(vocab)])
    needle = text.strip().casefold()
    if not needle:
        return []
    by_use = live[np.argsort(-tallies.tag_totals[live], kind="stable")]
    containing = [i for i in by_use if needle in vocab[i].casefold()][:limit]
    folded = {vocab[i].casefold(): i for i in reversed(by_use)}  # the most used spelling of each
    alike = [folded[name] for name in difflib.get_close_matches(needle, folded, n=limit, cutoff=0.6)]
    found = list(dict.fromkeys([*containing, *alike]))[:limit]
    return [(vocab[i], int(tallies.tag_totals[i])) for i in found]
