"""Match the events an update added or changed against the saved searches, as a percolator does.

Elasticsearch's percolator turns search around: the queries are stored, and
each new document is matched against them in a one-document index of its own
(Lucene's MemoryIndex). Here the added and changed events are written to an
in-memory Whoosh index (``RamStorage``, our schema) and every saved search runs
against it with the search's own code: its facet filters and dates
(``searching.filter_mask`` over that index's columns), its query parsed,
bounded (``expansion.bound_query``) and matched (``matching.query_mask``). The
cost follows what changed, never the archive's size.

A saved search corrects its typos as the search does (``SearchIndex.corrected_text``,
against the whole live archive, not the changed events); the live index is opened
for that only when a saved text has a word the archive's word list lacks.

Parsing a query is most of that cost (about half a millisecond), so, as the
percolator does when a query is registered, each saved search keeps a
*prefilter*: index terms of which a document it matches must contain at least
one (``required_terms``). A saved search none of whose terms the changed events
hold is not parsed at all. A prefilter is made by the code that parses queries,
so it records a fingerprint of that code and is recomputed when it changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import whoosh
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage
from whoosh.reading import TermNotFound

from . import analysis, expansion, facet_table, query, text
from .analysis import is_lone_cjk
from .characters import BigramTable
from .columns import load_columns
from .expansion import bound_query
from .matching import query_mask
from .postings import BULK_FIELDS
from .query import TEXT_FIELDS, make_parser, parse_text
from .request import SearchRequest, normalise_query_text
from .results import Hit
from .saved import SavedSearch, SavedSearches
from .schema import SCHEMA_VERSION, make_schema
from .searching import SearchIndex, filter_mask
from .spelling import has_unknown_words, read_words
from .store import Store
from .whoosh_internals import is_null_query

Terms = frozenset[tuple[str, str]]
_PARSING_MODULES = (query, analysis, text, expansion, facet_table)  # what turns query text into terms


@dataclasses.dataclass
class SavedReport:
    """What the saved searches found among an update's added and changed events."""

    matches: dict[str, list[dict]]  # saved search -> its events' records (``Hit.record``) and "change"
    seconds: float = 0.0  # spent matching


@cache
def parser_fingerprint() -> str:
    """A fingerprint of the code that parses queries: a prefilter made by other code is made again."""
    digest = hashlib.blake2b(f"{SCHEMA_VERSION} {whoosh.versionstring()}".encode(), digest_size=8)
    for module in _PARSING_MODULES:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def required_terms(parsed: wq.Query) -> Terms | None:
    """Index terms of which every document the query matches holds one; None when that cannot be told.

    As the percolator's query extraction: a term needs itself; a phrase, any
    one of its words; all of several parts, the terms of any one part (the
    fewest); any of several parts, the terms of all. A prefix, range, date,
    lone Chinese character (it stands for bigrams) or NOT alone cannot be told.
    """
    if is_null_query(parsed):
        return frozenset()  # matches nothing
    kind = type(parsed)
    if kind is wq.Term:
        if parsed.fieldname in BULK_FIELDS and isinstance(parsed.text, str) and not is_lone_cjk(parsed.text):
            return frozenset({(parsed.fieldname, parsed.text)})
        return None
    if kind is wq.Phrase:
        words = [word for word in parsed.words if not is_lone_cjk(word)]
        if parsed.fieldname in BULK_FIELDS and words:
            return frozenset({(parsed.fieldname, max(words, key=len))})
        return None
    if kind in (wq.And, wq.Require):
        parts = parsed.subqueries if kind is wq.And else (parsed.a, parsed.b)
        known = [t for t in (required_terms(p) for p in parts if not isinstance(p, wq.Not)) if t is not None]
        return min(known, key=len) if known else None
    if kind in (wq.Or, wq.DisjunctionMax):
        found = [required_terms(part) for part in parsed.subqueries]
        return None if any(t is None for t in found) else frozenset().union(*found)
    if kind in (wq.AndNot, wq.AndMaybe):
        return required_terms(parsed.a)
    return None


def prefilter_of(text: str, parser=None) -> dict:
    """A saved search's prefilter as data: the fingerprint it was made under and its terms (or None)."""
    parsed = _parse(parser or make_parser(make_schema()), text)
    terms = None if parsed is None else required_terms(parsed)
    return {
        "parser": parser_fingerprint(),
        "terms": None if terms is None else sorted([field, term] for field, term in terms),
    }


def _parse(parser, text: str) -> wq.Query | None:
    return parse_text(parser, normalise_query_text(text, [])).query


def report_saved(
    index_dir: Path, searches: Sequence[SavedSearch], documents: Mapping[str, dict], added: Iterable[str]
) -> SavedReport:
    """Which of ``documents`` (event id -> Whoosh document) each saved search matches, by name.

    ``added`` names the documents that are new; the others changed. A
    prefilter recomputed on the way is stored back.
    """
    started = time.perf_counter()
    if not searches or not documents:
        return SavedReport({}, time.perf_counter() - started)
    added = set(added)
    with _Corrector(index_dir) as corrector:
        found, remade = _percolate(searches, list(documents.values()), corrector)
    matches = {
        name: [
            {**Hit.from_payload(documents[event_id]["payload"]).record(), "change": _change(event_id, added)}
            for event_id in sorted(ids, key=lambda i: (documents[i]["day"], i), reverse=True)
        ]
        for name, ids in found.items()
    }
    if remade:
        SavedSearches(index_dir).store_prefilters(remade)
    return SavedReport(matches, time.perf_counter() - started)


def _change(event_id: str, added: set[str]) -> str:
    return "added" if event_id in added else "changed"


class _Corrector:
    """Saved requests with their typos corrected against the live index, opened on first need."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._index: SearchIndex | None = None
        self._words = None

    def __enter__(self) -> _Corrector:
        return self

    def __exit__(self, *exc) -> None:
        if self._index is not None:
            self._index.close()

    def request(self, request: SearchRequest) -> SearchRequest:
        if request.exact or not request.text:
            return request
        if self._words is None:
            self._words = read_words(Store(self.index_dir).current())
        if not has_unknown_words(request.text, self._words):
            return request
        if self._index is None:
            self._index = SearchIndex(self.index_dir)
        return dataclasses.replace(request, text=self._index.corrected_text(request))


def _percolate(
    searches: Sequence[SavedSearch], documents: list[dict], corrector: _Corrector
) -> tuple[dict[str, list[str]], dict[str, tuple]]:
    """Each saved search's matching ids among the documents, and the prefilters made again on the way."""
    schema = make_schema()
    memory = _MemoryStorage().create_index(schema)
    with memory.writer() as writer:  # one segment, committed when the block ends
        for document in documents:
            writer.add_document(**document)
    found: dict[str, list[str]] = {}
    remade: dict[str, tuple] = {}
    with memory.searcher() as searcher:
        reader = searcher.reader()
        columns = load_columns(reader, None)
        held = _indexed_terms(reader, schema)
        context = (_MemoryPostings(searcher), BigramTable(reader), make_parser(schema), columns.size)
        ids = [searcher.stored_fields(docnum)["id"] for docnum in range(columns.size)]
        for saved in searches:
            as_saved = saved.request()
            request = corrector.request(as_saved)
            mask = filter_mask(columns, request)
            if request.text and mask.any():
                prefilter = saved.prefilter or {}
                if request.text != as_saved.text:  # corrected: the stored prefilter is of the typo
                    prefilter = prefilter_of(request.text, context[2])
                elif prefilter.get("parser") != parser_fingerprint():
                    prefilter = prefilter_of(request.text, context[2])
                    remade[saved.name] = (saved.params, prefilter)
                mask &= _text_mask(request.text, prefilter, held, reader, context)
            if mask.any():
                found[saved.name] = [ids[docnum] for docnum in np.flatnonzero(mask)]
    return found, remade


def _text_mask(text: str, prefilter: Mapping, held: Terms, reader, context) -> np.ndarray:
    """Where a saved query matches the changed events (nowhere, unparsed, if its prefilter says so)."""
    postings, bigrams, parser, size = context
    terms = prefilter.get("terms")
    if terms is not None and not any((field, term) in held for field, term in terms):
        return np.zeros(size, dtype=bool)
    parsed = _parse(parser, text)
    if parsed is None:
        return np.ones(size, dtype=bool)
    return query_mask(postings, bound_query(parsed, reader, bigrams, TEXT_FIELDS).query, size)


def _indexed_terms(reader, schema) -> Terms:
    """The (field, text) of every term the in-memory index holds in the fields queries search."""
    return frozenset(
        (field, schema[field].from_bytes(btext))
        for field, btext in reader.all_terms()
        if field in BULK_FIELDS
    )


class _MemoryStorage(RamStorage):
    """Whoosh's in-memory storage, whose writers' scratch space is in memory too (not a temporary dir)."""

    def temp_storage(self, name: str | None = None) -> RamStorage:
        return RamStorage()


class _MemoryPostings:
    """What ``matching.query_mask`` reads of an index, for the in-memory one: terms' documents, positions."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher

    def ids(self, field: str, term) -> np.ndarray:
        try:
            return np.fromiter(self.searcher.reader().postings(field, term).all_ids(), dtype=np.int64)
        except TermNotFound:
            return np.zeros(0, dtype=np.int64)

    def phrase_keys(self, field: str, term, candidates: np.ndarray) -> np.ndarray:
        """Where a term stands in the candidates, as ``BulkPostings.phrase_keys`` gives it."""
        keys: list[int] = []
        try:
            matcher = self.searcher.reader().postings(field, term)
        except TermNotFound:
            return np.zeros(0, dtype=np.int64)
        while matcher.is_active():
            if candidates[matcher.id()]:
                keys += [matcher.id() << 32 | position for position in matcher.value_as("positions")]
            matcher.next()
        return np.array(keys, dtype=np.int64)
