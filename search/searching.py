"""The search model: a SearchRequest in, a ResultPage out, over the live index generation.

Whoosh finds and ranks the documents that match the query text; everything
counted over all matches (total, facets, timeline) and date ordering comes
from the facet columns with numpy, so it costs the same at 10 or 100,000 matches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq

from .analysis import typed_forms
from .bodies import ArticleBodies
from .characters import BigramTable
from .columns import Columns, date_of, day_number, load_columns
from .event import Event
from .expansion import bound_query
from .facet_table import TAG_FACET, facet_specs
from .facets import list_facets, significant_tags, timeline, value_counts
from .highlight import highlight
from .limits import (
    EXPORT_RUN_ROWS,
    EXPORT_RUN_SECONDS,
    SEARCH_SECONDS,
    SearchTimeout,
    check_time,
    time_budget,
)
from .live_words import LiveWords
from .matching import query_mask
from .ordering import ordered_runs, page_slice, tie_order
from .postings import POSTINGS_DIR, BulkPostings
from .query import TEXT_FIELDS, make_parser, parse_text
from .request import Args, SearchRequest, normalise_query_text, request_from_args
from .results import Hit, Matches, ResultPage
from .schema import EXACT_FIELD, check_schema_version, event_of, make_schema
from .scoring import Forms, Scorer
from .similar import similar
from .spelling import Correction, correct_typos, read_words, suggest
from .store import Store
from .tallies import Tallies, load_tallies
from .typos import TypoIndex

TIMED_OUT = (
    "This search took too long and was stopped. Try fewer words, fewer wildcards or a narrower date range."
)


@dataclasses.dataclass
class _Match:
    """What a request's text and filters select: the query as run, its documents, the typo correction."""

    query: wq.Query | None
    mask: np.ndarray  # everything the request selects
    base: np.ndarray  # what its text, dates and day of the year select (facet selections aside)
    selections: dict[str, np.ndarray]  # facet with selected values -> the documents it lets through
    correction: Correction | None
    parsed: wq.Query | None  # the query as parsed, before expansion (for --explain)
    forms: Forms  # its words as typed, by term (the ranking's exactness bonus)


class SearchIndex:
    """The live index of an index directory; reopens itself when a build or update publishes."""

    def __init__(self, index_dir: Path | str, search_seconds: float = SEARCH_SECONDS) -> None:
        self.store = Store(index_dir)
        self.search_seconds = search_seconds  # time budget of one search's matching and ranking
        self._lock = threading.RLock()
        self._version: tuple | None = None  # Store.version() when last opened
        self._searcher = None
        self._held: dict[int, int] = {}  # id of a searcher that exports still read -> how many
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
            self._generation, self._word_counts, self._typos = generation, None, None
            self._postings, self._scorer = postings, Scorer(postings, columns.live)
            self._bigrams = BigramTable(searcher.reader())
            self._bodies = ArticleBodies(searcher.reader())
            # Queries are read with this version's analyzers; the schema version says they index alike.
            schema = make_schema()
            self.parser = make_parser(schema)
            self.analyzer = schema["headline"].analyzer
            self.exact_analyzer = schema[EXACT_FIELD].analyzer
            if old is not None and id(old) not in self._held:
                old.close()  # one that an export still reads is closed when the export ends

    def close(self) -> None:
        """Close the open searcher (and its files); one that an export still reads, when the export ends."""
        with self._lock:
            if self._searcher is not None and id(self._searcher) not in self._held:
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
        text = normalise_query_text(request.text, messages)
        explained: list = []
        known: dict = {}  # the phrase and range masks the matching reads, for the ranking to reuse
        try:
            with time_budget(self.search_seconds):
                match = self._match(text, request, messages, known)
                docnums = self._page_docnums(match, request, known)
                if request.explain and match.query is not None:
                    explained = self._scorer.explain(match.query, docnums, known, match.forms)
        except SearchTimeout:
            return self._timed_out(request, messages)
        query, correction = match.query, match.correction
        matched = np.flatnonzero(match.mask)
        total = len(matched)
        terms = _terms(query)
        hits = [self._hit(docnum, terms) for docnum in docnums]
        if request.offset >= total > 0:
            messages.append(f"There are only {total} results; page {request.page_number} is empty.")
        days = self.columns.days[matched]
        page = ResultPage(
            request=request,
            total=total,
            hits=hits,
            facets={},
            timeline=[],
            timeline_unit="year",
            suggestion=self._suggestion(request) if total < 3 and not correction else None,
            messages=messages,
            explain=self._explain(match.parsed, request),
            correction=correction,
            explanations={hit.id: why for hit, why in zip(hits, explained, strict=False)},
            first=date_of(days.min()).isoformat() if total else None,
            last=date_of(days.max()).isoformat() if total else None,
        )
        if request.facets:
            self._count(page, days, match, matched)
        return page

    def _count(self, page: ResultPage, days: np.ndarray, match: _Match, matched: np.ndarray) -> None:
        """The page's facets, significant tags and timeline, counted over every match."""
        request = page.request
        counts = {}
        for spec in facet_specs():
            own = _count_mask(spec.name, match, request)
            matched_own = matched if own is match.mask else None
            counts[spec.name] = value_counts(self.columns, own, spec.name, matched_own)
        page.facets = list_facets(self.columns, counts, request)
        tags = counts[TAG_FACET] if TAG_FACET not in _disjunctive(match.selections, request) else None
        if request.significant_size:
            tags = value_counts(self.columns, match.mask, TAG_FACET, matched) if tags is None else tags
            page.significant = {
                TAG_FACET: significant_tags(self.columns, self.tallies, tags, page.total, request)
            }
        page.timeline_unit, page.timeline = timeline(days, request.date_from, request.date_to)

    def _timed_out(self, request: SearchRequest, messages: list[str]) -> ResultPage:
        """An empty page that says the search was stopped (a partial mask would give wrong counts)."""
        messages.append(TIMED_OUT)
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

    def _typo_index(self) -> TypoIndex:
        """The deletion index of the generation's words, built on the first search that needs it."""
        if self._typos is None:
            self._typos = TypoIndex(self._words())
        return self._typos

    def _correction(self, text: str, request: SearchRequest, within: np.ndarray) -> Correction | None:
        """The query with its unknown words corrected, unless the request asks for the words as typed."""
        if request.exact or not text:
            return None
        archive = LiveWords(self._scorer, self.analyzer, within, self._words())
        return correct_typos(text, self._typo_index, archive)

    def corrected_text(self, request: SearchRequest) -> str:
        """The request's text as its search searches it: normalised, its typos corrected (saved searches)."""
        self.refresh()
        with self._lock:
            text = normalise_query_text(request.text, [])
            correction = self._correction(text, request, filter_mask(self.columns, request))
            return correction.corrected if correction else text

    def _suggestion(self, request: SearchRequest) -> str | None:
        return suggest(request.text, self._words(), self._typo_index()) if request.text else None

    def _match(self, text: str, request: SearchRequest, messages: list[str], known: dict) -> _Match:
        """The request's text, typos corrected and expansions bounded, and the documents it selects."""
        base = base_mask(self.columns, request)
        selections = facet_masks(self.columns, request)
        correction = self._correction(text, request, _all_of(base, selections.values()))
        if correction is not None:
            text = correction.corrected
            messages.append(correction.message)
        parsed = parse_text(self.parser, text)
        messages += [parsed.message] if parsed.message else []
        query = None
        if parsed.query is not None:
            bounded = bound_query(parsed.query, self._searcher.reader(), self._bigrams, TEXT_FIELDS)
            query = bounded.query
            messages += bounded.messages
            base &= query_mask(self._postings, query, self.columns.size, known)
        mask = _all_of(base, selections.values())
        forms = typed_forms(text, self.analyzer, self.exact_analyzer) if query is not None else {}
        return _Match(query, mask, base, selections, correction, parsed.query, forms)

    def _sort_keys(self, match: _Match, candidates: np.ndarray, request: SearchRequest, known: dict) -> list:
        """The keys that put candidates in page order, the last sorting first (ties: ``ordering``)."""
        days = self.columns.days[candidates]
        if match.query is not None and request.sort == "relevance":
            # Best first; equal scores newest first.
            within = np.zeros(self.columns.size, dtype=bool)
            within[candidates] = True
            return [-days, -self._scorer.scores(match.query, known, within, match.forms)[candidates]]
        if request.sort == "oldest":
            return [days]
        return [-days]  # newest first: the natural order of a news archive when nothing ranks by text

    def _page_docnums(self, match: _Match, request: SearchRequest, known: dict) -> list[int]:
        candidates = np.flatnonzero(match.mask)
        keys = self._sort_keys(match, candidates, request, known)
        start = request.offset
        return page_slice(candidates, keys, start, start + request.page_size, self._event_id).tolist()

    def _event_id(self, docnum: int) -> str:
        return self._searcher.stored_fields(docnum)["id"]

    def _hit(self, docnum: int, terms: set[str]) -> Hit:
        """The hit of a document, the query's ``terms`` marked in its headline and summary."""
        payload = self._searcher.stored_fields(docnum)["payload"]
        return Hit.from_payload(
            payload,
            highlights={
                "headline": highlight(payload["headline"], terms, self.analyzer),
                "summary": highlight(payload["summary"], terms, self.analyzer, limit=320),
            },
        )

    # -- every match, for exports ---------------------------------------

    def every_match(self, request: SearchRequest) -> Matches:
        """Every match of a request in its pages' order (page and size aside), read run by run (exports).

        Matching and ordering have a search's time budget; then each run of
        rows is read as the caller asks for it, each within its own budget,
        from the searcher the export began with (kept open until it ends,
        whatever updates publish meanwhile).
        """
        self.refresh()
        with self._lock:
            messages: list[str] = []
            text = normalise_query_text(request.text, messages)
            known: dict = {}
            try:
                with time_budget(self.search_seconds):
                    match = self._match(text, request, messages, known)
                    candidates = np.flatnonzero(match.mask)
                    keys = self._sort_keys(match, candidates, request, known)
            except SearchTimeout:
                return Matches(total=0, runs=iter(()), messages=[*messages, TIMED_OUT], timed_out=True)
            searcher = self._searcher
            self._held[id(searcher)] = self._held.get(id(searcher), 0) + 1
        runs = self._runs(searcher, ordered_runs(candidates, keys, EXPORT_RUN_ROWS))
        next(runs)  # into its try block: closing it now or later releases the searcher
        return Matches(total=len(candidates), runs=runs, messages=messages)

    def _runs(self, searcher, runs) -> Iterator[list[Hit]]:
        """The hits of each run, ties in event id order; the searcher is released when this ends."""
        try:
            yield []
            for docnums, groups in runs:
                # Whoosh reads stored fields by seek and read on shared files: one thread at a time.
                with self._lock, time_budget(EXPORT_RUN_SECONDS):
                    payloads = _payloads(searcher, docnums)
                yield [Hit.from_payload(payloads[i]) for i in tie_order(groups, [p["id"] for p in payloads])]
        finally:
            self._release(searcher)

    def _release(self, searcher) -> None:
        with self._lock:
            left = self._held.pop(id(searcher), 0) - 1
            if left > 0:
                self._held[id(searcher)] = left
            elif searcher is not self._searcher:  # replaced (or the index closed) while the export ran
                searcher.close()

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

    def archive(self) -> tuple[Columns, Tallies]:
        """The live index's facet columns and tallies, as one pair (ids agree between them)."""
        self.refresh()
        with self._lock:
            return self.columns, self.tallies

    def more_like(self, event_id: str, limit: int = 5) -> list[Event]:
        """The events most like this one: sharing its rarest tags, then its distinctive words (similar.py)."""
        self.refresh()
        with self._lock:
            docnum = self._searcher.document_number(id=event_id)
            if docnum is None:
                return []
            payload = self._searcher.stored_fields(docnum)["payload"]
            days = self.columns.days
            docnums = similar(self._scorer, self.analyzer, docnum, payload, days, self._event_id, limit)
            return [event_of(self._searcher.stored_fields(other)["payload"]) for other in docnums]


def filter_mask(columns: Columns, request: SearchRequest) -> np.ndarray:
    """The live documents that the request's facet filters, dates and day of the year select."""
    return _all_of(base_mask(columns, request), facet_masks(columns, request).values())


def base_mask(columns: Columns, request: SearchRequest) -> np.ndarray:
    """The live documents within the request's dates (and day of the year)."""
    mask = columns.live.copy()
    if request.date_from:
        mask &= columns.days >= day_number(request.date_from)
    if request.date_to:
        mask &= columns.days <= day_number(request.date_to)
    if request.calendar_day:
        month, day = (int(part) for part in request.calendar_day.split("-"))
        mask &= columns.calendar_days() == month * 100 + day
    return mask


def facet_masks(columns: Columns, request: SearchRequest) -> dict[str, np.ndarray]:
    """Each facet with selected values -> the documents its selection lets through."""
    masks = {}
    for spec in facet_specs():
        selected = request.selected(spec.name)
        if selected and request.mode(spec.name) == "all":
            masks[spec.name] = _all_of(columns.live, [columns.docs_with(spec.name, [v]) for v in selected])
        elif selected:
            masks[spec.name] = columns.docs_with(spec.name, selected)
    return masks


def _count_mask(name: str, match: _Match, request: SearchRequest) -> np.ndarray:
    """The matches a facet's values are counted over.

    Where a facet's selected values combine by OR (tags with tags_mode=any, a topic, outlet or
    language), its counts leave its own selection out (disjunctive faceting): each value's count
    is how many events the search would find with that value added, so the counts add up and
    the other values stay visible. Otherwise they are counted over every match.
    """
    if name not in _disjunctive(match.selections, request):
        return match.mask
    return _all_of(match.base, [selected for other, selected in match.selections.items() if other != name])


def _all_of(mask: np.ndarray, others) -> np.ndarray:
    """A new mask: ``mask`` and every one of ``others``."""
    combined = mask.copy()
    for other in others:
        combined &= other
    return combined


def _disjunctive(selections: dict, request: SearchRequest) -> set[str]:
    """The facets whose selected values combine by OR."""
    return {name for name in selections if request.mode(name) == "any"}


def _payloads(searcher, docnums: np.ndarray) -> list[dict]:
    """The stored payloads of some documents, read in document order (the order of the file)."""
    found: list[dict] = [{}] * len(docnums)
    for i in np.argsort(docnums, kind="stable"):
        check_time()
        found[i] = searcher.stored_fields(int(docnums[i]))["payload"]
    return found


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
