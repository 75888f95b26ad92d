"""The same search job done by tantivy (Lucene's design in Rust, through its official Python binding).

The stronger of the two references: the engine a user would pick for speed. It
indexes what the SQLite reference and eventsearch index (headline, summary,
context as stemmed text; tags as exact strings; date) and answers the same
request shape: total, top-N by BM25 (newest first when there is no text), and
with facets the top tags and per-year counts over every match. Tag and year
counts come from tantivy's aggregations (a ``terms`` aggregation over the tags
and year fast fields); the binding exposes no facet collector.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

from bench.queries import quoted_query
from bench.sqlite_ref import TOP_TAGS, context_of
from search.event import Event

TEXT_FIELDS = ["headline", "summary", "context"]
HEAP_BYTES = 128_000_000  # the binding's default writer heap


def make_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("day", tokenizer_name="raw")  # an update replaces a day's events
    for field in TEXT_FIELDS:
        builder.add_text_field(field, stored=field != "context", tokenizer_name="en_stem")
    builder.add_text_field("tags", fast=True, tokenizer_name="raw")
    builder.add_date_field("date", indexed=True, fast=True)
    builder.add_integer_field("year", fast=True)
    return builder.build()


def document_of(event: Event) -> tantivy.Document:
    return tantivy.Document(
        id=event.id,
        day=event.day,
        headline=event.headline,
        summary=event.summary,
        context=context_of(event),
        tags=list(dict.fromkeys(event.tags)),
        date=dt.datetime.combine(event.date, dt.time()),
        year=event.date.year,
    )


class TantivyReference:
    """A tantivy index of events with the search() the SQLite reference offers."""

    def __init__(self, index_dir: Path) -> None:
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    @staticmethod
    def build(events: Iterable[Event], index_dir: Path, threads: int = 0) -> int:
        """Create index_dir afresh from events; return how many were stored.

        threads=0 lets tantivy choose (one per core); threads=1 keeps the document
        order, and so the order of tied scores, the same from run to run.
        """
        index_dir = Path(index_dir)
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        index = tantivy.Index(make_schema(), path=str(index_dir))
        writer = index.writer(HEAP_BYTES, threads)
        count = 0
        for event in events:
            writer.add_document(document_of(event))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return count

    @staticmethod
    def replace_days(index_dir: Path, days: Sequence[str], events: Iterable[Event]) -> int:
        """Delete every event of these days (YYYY-MM-DD) and add their events as read now."""
        index = tantivy.Index.open(str(index_dir))
        writer = index.writer(HEAP_BYTES)
        for day in days:
            writer.delete_documents_by_term("day", day)
        count = 0
        for event in events:
            writer.add_document(document_of(event))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return count

    def query(
        self,
        text: str,
        tags: Sequence[str] = (),
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> tantivy.Query:
        """Every word and phrase required (in any text field), every tag, the date range."""
        quoted = quoted_query(text)
        clauses = []
        if quoted:
            parsed = self.index.parse_query(quoted, TEXT_FIELDS, conjunction_by_default=True)
            clauses.append((tantivy.Occur.Must, parsed))
        for tag in dict.fromkeys(tags):
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "tags", tag)))
        if date_from or date_to:
            bounds = [dt.datetime.combine(d, dt.time()) if d else None for d in (date_from, date_to)]
            date_range = tantivy.Query.range_query(self.schema, "date", tantivy.FieldType.Date, *bounds)
            clauses.append((tantivy.Occur.Must, date_range))
        if not clauses:
            return tantivy.Query.all_query()
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def search(
        self,
        text: str,
        tags: Sequence[str] = (),
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        limit: int = 10,
        facets: bool = True,
    ) -> dict:
        """Total, top `limit` ids by BM25 and, with facets, top tags and per-year counts."""
        query = self.query(text, tags, date_from, date_to)
        searcher = self.searcher
        if quoted_query(text):
            found = searcher.search(query, limit)
        else:  # no words: everything matches, newest first (as eventsearch and SQLite order it)
            found = searcher.search(query, limit, order_by_field="date", order=tantivy.Order.Desc)
        result: dict = {
            "total": found.count,
            "hits": [searcher.doc(address)["id"][0] for _, address in found.hits],
        }
        if facets:
            counts = searcher.aggregate(
                query,
                {
                    "tags": {"terms": {"field": "tags", "size": TOP_TAGS}},
                    "years": {"terms": {"field": "year", "size": 100, "order": {"_key": "asc"}}},
                },
            )
            result["tags"] = [(b["key"], b["doc_count"]) for b in counts["tags"]["buckets"]]
            result["timeline"] = [(b["key"], b["doc_count"]) for b in counts["years"]["buckets"]]
        return result
