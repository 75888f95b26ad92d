"""The search model: a SearchRequest in, a ResultPage out, over the live index generation.

Whoosh finds and ranks the documents that match the query text; everything
counted over all matches (total, facets, timeline) and date ordering comes
from the facet columns with numpy, so it costs the same at 10 or 100,000 matches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq

from .analysis import fold_value
from .bodies import ArticleBodies
from .characters import BigramTable
from .columns import Columns, date_of, day_number, load_columns
from .event import Event, Source
from .expansion import bound_query
from .facet_table import TAG_FACET, facet_specs
from .facets import list_facets, significant_tags, timeline, value_counts
from .highlight import highlight
from .limits import SEARCH_SECONDS, SearchTimeout, time_budget
from .matching import query_mask
from .ordering import page_slice
from .postings import POSTINGS_DIR, BulkPostings
from .query import TEXT_FIELDS, make_parser, parse_text
from .request import Args, SearchRequest, normalise_query_text, request_from_args
from .results import Hit, ResultPage
from .schema import check_schema_version, event_of, make_schema
from .scoring import Scorer
from .spelling import read_words, suggest
from .store import Store
from .tallies import Tallies, load_tallies


class SearchIndex:
    """The live index of an index directory; reopens itself when a build or update publishes."""

    def __init__(self, index_dir: Path | str, search_seconds: float = SEARCH_SECONDS) -> None:
        self.store = Store(index_dir)
        self.search_seconds = search_seconds  # time budget of one search's matching and ranking
        self._lock = threading.RLock()
        self._version: tuple | None = None  # Store.version() when last opened
        self._searcher = None
        self.columns: Columns | None = None
        self.tallies: Tallies | None = None
        self.refresh()

    def refresh(self) -> None:
        """Open the live generation afresh if it changed (a fresh searcher: never a stale one)."""
        version = self.store.version()
        if version == self._version and self._searcher is not None:
            return
        with self._lock:
            if version == self._version and self._searcher is not None:
                return
            generation = self.store.current()
            check_schema_version(self.store.manifest(generation), self.store.root)
            ix = whoosh_index.open_dir(generation)
            searcher = ix.searcher()
            _open_stored_fields(searcher)
            columns = load_columns(searcher.reader(), generation / "columns")
            tallies = load_tallies(searcher.reader(), generation, columns)
            postings = BulkPostings(searcher, generation / POSTINGS_DIR)
            old, self._searcher = self._searcher, searcher
            self.columns, self.tallies, self._version = columns, tallies, version
            self._generation, self._word_counts = generation, None
            self._postings, self._scorer = postings, Scorer(postings, columns.live)
            self._bigrams = BigramTable(searcher.reader())
            self._bodies = ArticleBodies(searcher.reader())
            # Queries are read with this version's analyzers; the schema version says they index alike.
            schema = make_schema()
            self.parser = make_parser(schema)
            self.analyzer = schema["headline"].analyzer
            if old is not None:
                old.close()

    def close(self) -> None:
        """Close the open searcher (and its files)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- searching -------------------------------------------------------

    def search(self, request: SearchRequest) -> ResultPage:
        """Run one request against the live index."""
        self.refresh()
        with self._lock:
            return self._search(request)

    def search_args(self, args: Args) -> ResultPage:
        """Search with URL-style parameters (web UI, API and CLI alike); what was wrong is in the messages."""
        request, messages = request_from_args(args)
        results = self.search(request)
        return dataclasses.replace(results, messages=messages + results.messages) if messages else results

    def _search(self, request: SearchRequest) -> ResultPage:
        messages: list[str] = []
        parsed = parse_text(self.parser, normalise_query_text(request.text, messages))
        messages += [parsed.message] if parsed.message else []
        query = None
        base = self._base_mask(request)
        selections = self._facet_masks(request)
        try:
            with time_budget(self.search_seconds):
                if parsed.query is not None:
                    bounded = bound_query(parsed.query, self._searcher.reader(), self._bigrams, TEXT_FIELDS)
                    query, messages = bounded.query, messages + bounded.messages
                    base &= self._text_mask(query)
                mask = _all_of(base, selections.values())
                docnums = self._page_docnums(query, mask, request)
        except SearchTimeout:
            return self._timed_out(request, messages)
        matched = np.flatnonzero(mask)
        total = len(matched)
        if request.offset >= total > 0:
            messages.append(f"There are only {total} results; page {request.page_number} is empty.")
        days = self.columns.days[matched]
        page = ResultPage(
            request=request,
            total=total,
            hits=[self._hit(docnum, query) for docnum in docnums],
            facets={},
            timeline=[],
            timeline_unit="year",
            suggestion=suggest(request.text, self._words()) if total < 3 and request.text else None,
            messages=messages,
            explain=self._explain(parsed.query, request),
            first=date_of(days.min()).isoformat() if total else None,
            last=date_of(days.max()).isoformat() if total else None,
        )
        if request.facets:
            self._count(page, days, mask, matched, base, selections)
        return page

    def _count(
        self,
        page: ResultPage,
        days: np.ndarray,
        mask: np.ndarray,
        matched: np.ndarray,
        base: np.ndarray,
        selections: dict,
    ) -> None:
        """The page's facets, significant tags and timeline, counted over every match."""
        request = page.request
        counts = {}
        for spec in facet_specs():
            own = self._count_mask(spec.name, mask, base, selections, request)
            counts[spec.name] = value_counts(self.columns, own, spec.name, matched if own is mask else None)
        page.facets = list_facets(self.columns, counts, request)
        tags = counts[TAG_FACET] if TAG_FACET not in _disjunctive(selections, request) else None
        if request.significant_size:
            tags = value_counts(self.columns, mask, TAG_FACET, matched) if tags is None else tags
            page.significant = {
                TAG_FACET: significant_tags(self.columns, self.tallies, tags, page.total, request)
            }
        page.timeline_unit, page.timeline = timeline(days, request.date_from, request.date_to)

    @staticmethod
    def _count_mask(
        name: str, mask: np.ndarray, base: np.ndarray, selections: dict, request: SearchRequest
    ) -> np.ndarray:
        """The matches a facet's values are counted over.

        Where a facet's selected values combine by OR (tags with tags_mode=any, a topic, outlet or
        language), its counts leave its own selection out (disjunctive faceting): each value's count
        is how many events the search would find with that value added, so the counts add up and
        the other values stay visible. Otherwise they are counted over every match.
        """
        if name not in _disjunctive(selections, request):
            return mask
        return _all_of(base, [selected for other, selected in selections.items() if other != name])

    def _timed_out(self, request: SearchRequest, messages: list[str]) -> ResultPage:
        """An empty page that says the search was stopped (a partial mask would give wrong counts)."""
        messages.append(
            "This search took too long and was stopped. "
            "Try fewer words, fewer wildcards or a narrower date range."
        )
        return ResultPage(
            request=request,
            total=0,
            hits=[],
            facets={},
            timeline=[],
            timeline_unit="year",
            messages=messages,
            timed_out=True,
        )

    def _words(self):
        """The generation's word counts, read on the first search that needs a suggestion."""
        if self._word_counts is None:
            self._word_counts = read_words(self._generation)
        return self._word_counts

    def _base_mask(self, request: SearchRequest) -> np.ndarray:
        """The live documents within the request's dates (and day of the year)."""
        columns = self.columns
        mask = columns.live.copy()
        if request.date_from:
            mask &= columns.days >= day_number(request.date_from)
        if request.date_to:
            mask &= columns.days <= day_number(request.date_to)
        if request.calendar_day:
            month, day = (int(part) for part in request.calendar_day.split("-"))
            mask &= columns.calendar_days() == month * 100 + day
        return mask

    def _facet_masks(self, request: SearchRequest) -> dict[str, np.ndarray]:
        """Each facet with selected values -> the documents its selection lets through."""
        columns = self.columns
        masks = {}
        for spec in facet_specs():
            selected = request.selected(spec.name)
            if selected and request.mode(spec.name) == "all":
                masks[spec.name] = _all_of(
                    columns.live, [columns.docs_with(spec.name, [v]) for v in selected]
                )
            elif selected:
                masks[spec.name] = columns.docs_with(spec.name, selected)
        return masks

    def _text_mask(self, query: wq.Query) -> np.ndarray:
        return query_mask(self._postings, query, self.columns.size)

    def _page_docnums(self, query: wq.Query | None, mask: np.ndarray, request: SearchRequest) -> list[int]:
        candidates = np.flatnonzero(mask)
        days = self.columns.days[candidates]
        if query is not None and request.sort == "relevance":
            keys = [-days, -self._scorer.scores(query)[candidates]]  # best first; equal scores newest first
        elif request.sort == "oldest":
            keys = [days]
        else:  # newest first: the natural order of a news archive when nothing ranks by text
            keys = [-days]
        start = request.offset
        return page_slice(candidates, keys, start, start + request.page_size, self._event_id).tolist()

    def _event_id(self, docnum: int) -> str:
        return self._searcher.stored_fields(docnum)["id"]

    def _hit(self, docnum: int, query: wq.Query | None) -> Hit:
        payload = self._searcher.stored_fields(docnum)["payload"]
        terms = _terms(query)
        return Hit(
            id=payload["id"],
            date=payload["date"],
            headline=payload["headline"],
            summary=payload["summary"],
            topic=payload["topic"],
            tags=payload["tags"],
            sources=[Source(*source) for source in payload["sources"]],
            language=payload["language"],
            highlights={
                "headline": highlight(payload["headline"], terms, self.analyzer),
                "summary": highlight(payload["summary"], terms, self.analyzer, limit=320),
            },
        )

    def _explain(self, query: wq.Query | None, request: SearchRequest) -> str:
        lines = [f"text: {query if query is not None else '(everything)'}"]
        for spec in facet_specs():
            selected = request.selected(spec.name)
            if selected:
                combined = f" ({request.mode(spec.name)} of)" if len(selected) > 1 else ""
                lines.append(f"{spec.name}{combined}: {', '.join(selected)}")
        for label, value in (("from", request.date_from), ("to", request.date_to)):
            if value:
                lines.append(f"{label}: {value}")
        lines.append(f"sort: {request.sort}")
        return "\n".join(lines)

    # -- single events and days -----------------------------------------

    def event(self, event_id: str) -> Event | None:
        """The event with this id, with its article body, or None."""
        self.refresh()
        with self._lock:
            docnum = self._searcher.document_number(id=event_id)
            if docnum is None:
                return None
            return event_of(self._searcher.stored_fields(docnum)["payload"], self._bodies[docnum])

    def day(self, date: dt.date) -> list[Event]:
        """The events of one day, grouped by topic."""
        self.refresh()
        with self._lock:
            events = [
                event_of(fields["payload"]) for fields in self._searcher.documents(day=date.isoformat())
            ]
        return sorted(events, key=lambda e: (e.topic.casefold() or "\uffff", e.headline, e.id))

    def neighbour_days(self, date: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The closest earlier and later days that have events."""
        self.refresh()
        days = np.unique(self.columns.days[self.columns.live])
        number = day_number(date)
        at = np.searchsorted(days, number)
        before = date_of(days[at - 1]) if at > 0 else None
        after_at = at + 1 if at < len(days) and days[at] == number else at
        after = date_of(days[after_at]) if after_at < len(days) else None
        return before, after

    def archive(self) -> tuple[Columns, Tallies]:
        """The live index's facet columns and tallies, as one pair (ids agree between them)."""
        self.refresh()
        with self._lock:
            return self.columns, self.tallies

    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day with events."""
        self.refresh()
        days = self.columns.days[self.columns.live]
        return (date_of(days.min()), date_of(days.max())) if len(days) else None

    def existing(self, ids: list[str]) -> set[str]:
        """Which of these event ids are in the index."""
        self.refresh()
        with self._lock:
            return {i for i in ids if self._searcher.document_number(id=i) is not None}

    def more_like(self, event_id: str, limit: int = 5) -> list[Event]:
        """Events sharing this one's tags and its most distinctive words."""
        self.refresh()
        with self._lock:
            docnum = self._searcher.document_number(id=event_id)
            if docnum is None:
                return []
            payload = self._searcher.stored_fields(docnum)["payload"]
            # The headline's rarest words say what the event is about; shared tags say what it belongs to.
            words = {token.text for token in self.analyzer(payload["headline"])}
            rare = sorted(words, key=lambda word: -self._searcher.idf("headline", word))[:6]
            clauses = [wq.Term(field, word) for word in rare for field in ("headline", "summary")]
            clauses += [
                wq.ConstantScoreQuery(wq.Term("tags", fold_value(tag)), 3.0) for tag in payload["tags"]
            ]
            if not clauses:
                return []
            results = self._searcher.search(wq.Or(clauses), limit=limit + 1)
            return [event_of(hit["payload"]) for hit in results if hit.docnum != docnum][:limit]


def _all_of(mask: np.ndarray, others) -> np.ndarray:
    """A new mask: ``mask`` and every one of ``others``."""
    combined = mask.copy()
    for other in others:
        combined &= other
    return combined


def _disjunctive(selections: dict, request: SearchRequest) -> set[str]:
    """The facets whose selected values combine by OR."""
    return {name for name in selections if request.mode(name) == "any"}


def _terms(query: wq.Query | None) -> set[str]:
    if query is None:
        return set()
    return {text for field, text in query.iter_all_terms() if field in TEXT_FIELDS and isinstance(text, str)}


def _open_stored_fields(searcher) -> None:
    """Open each segment's stored fields now (Whoosh opens them on first read).

    An update that merges segments deletes the merged ones' files while servers
    may still be answering from them; a file already open stays readable, so a
    request that began before the server noticed the update still completes.
    """
    for reader, _ in searcher.reader().leaf_readers():
        if reader.doc_count_all():
            reader.stored_fields(0)
