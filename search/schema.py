"""The Whoosh schema of an event, and how an Event becomes a document."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from whoosh import columns
from whoosh.fields import COLUMN, DATETIME, ID, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from .analysis import FACET_SEPARATOR, exact_analyzer, facet_analyzer, text_analyzer
from .columns import column_value
from .event import Event, Source
from .facet_table import check_facet_names, facet_specs
from .limits import MAX_HEADLINE_CHARS, MAX_SUMMARY_CHARS, cut
from .store import OutdatedIndex

# Raise it whenever the same event would be indexed differently (3: Chinese folded to Simplified;
# 4: facet fields and column from the facet table, language from the archive; 5: article body in a
# column; 6: headline and summary stored cut for display; 7: possessive "'s" dropped, no field boosts
# in the postings (the ranking's field weights are in scoring.py), headline words' first positions kept;
# 8: the headline's words as written, for the ranking's exactness bonus).
SCHEMA_VERSION = 8
# The headline's words as written (lower-cased, not stemmed): which events have a query word as typed.
EXACT_FIELD = "headline_exact"
BODY_FIELD = "body"  # the article body's column: read by the event page only, never with a hit


def check_schema_version(manifest: dict, index_dir) -> None:
    """Refuse an index built with another schema: its terms would not match this version's queries."""
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise OutdatedIndex(
            f"the index in {index_dir} was built by another version of eventsearch "
            f"(index format {version}, this version uses {SCHEMA_VERSION}): "
            "rebuild it with `eventsearch index CONTENT_DIR`"
        )


class WORDS(FieldType):
    """Which documents have a term (no counts, no positions): searchable, unscored, not stored.

    Unless told another analyzer, the headline's words as written (``EXACT_FIELD``).
    """

    def __init__(self, analyzer=None) -> None:
        self.analyzer = analyzer or exact_analyzer()
        self.format = Existence()
        self.scorable = False
        self.stored = False
        self.unique = False


class FACET(WORDS):
    """Several exact values in one field (tags, sources): searchable, unscored, not stored."""

    def __init__(self) -> None:
        super().__init__(facet_analyzer())
        self.multitoken_query = "phrase"


def make_schema() -> Schema:
    """Fields for search (text, date, one per facet) plus one stored payload and one facet column."""
    check_facet_names()
    text = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        day=ID(stored=True),
        date=DATETIME(),
        # No field boosts: the ranking weighs the fields (scoring.FIELD_WEIGHTS), the postings count words.
        headline=TEXT(analyzer=text, multitoken_query="phrase"),
        summary=TEXT(analyzer=text, multitoken_query="phrase"),
        # Tags, topic, outlets and other regions' names as words: a plain query finds an event by its context.
        context=TEXT(analyzer=text, multitoken_query="phrase"),
        **{EXACT_FIELD: WORDS()},
        payload=STORED(),
        # One compact per-document value that facet counting reads per segment, in bulk.
        facets=COLUMN(columns.VarBytesColumn()),
        # Not in the payload: a result page loads every hit's payload, and one archive page is 20 MB.
        **{BODY_FIELD: COLUMN(columns.CompressedBytesColumn())},
        # A field per facet, for the query syntax (`tags:Syria`).
        **{spec.name: FACET() for spec in facet_specs()},
    )


def payload_of(event: Event) -> dict:
    """What a result page needs of an event (all but the body), stored with its document."""
    data = {
        "id": event.id,
        "date": event.day,
        "headline": event.headline,
        "summary": event.summary,
        "topic": event.topic,
        "tags": list(event.tags),
        "sources": [[s.name, s.url, s.domain] for s in event.sources],
        "related": list(event.related),
        "language": event.language,
        "path": event.path,
        "aliases": list(event.aliases),
    }
    # Fingerprinted whole (the body too, though it is stored apart), so that an update sees an edit
    # anywhere; stored cut, so that a huge page cannot make every result page that shows it huge.
    fingerprint = hashlib.blake2b(json.dumps(data, sort_keys=True).encode(), digest_size=8)
    fingerprint.update(event.body.encode("utf-8"))
    data["fingerprint"] = fingerprint.hexdigest()
    data["headline"] = cut(event.headline, MAX_HEADLINE_CHARS)
    data["summary"] = cut(event.summary, MAX_SUMMARY_CHARS)
    return data


def event_of(payload: dict, body: str = "") -> Event:
    """The Event a stored payload describes (with its body, when it was read from the body column)."""
    return Event(
        id=payload["id"],
        date=dt.date.fromisoformat(payload["date"]),
        headline=payload["headline"],
        summary=payload["summary"],
        body=body,
        topic=payload["topic"],
        tags=tuple(payload["tags"]),
        sources=tuple(Source(*source) for source in payload["sources"]),
        related=tuple(payload["related"]),
        language=payload["language"],
        path=payload["path"],
        aliases=tuple(payload.get("aliases", ())),
    )


def facet_column_value(event: Event) -> bytes:
    """The event's date and facet values, keyed by facet name, as the ``facets`` column stores them."""
    values = {
        spec.name: spec.values(event) if spec.multi else spec.values(event)[:1] for spec in facet_specs()
    }
    return column_value({"date": [event.day], **values})


def document_of(event: Event) -> dict:
    """The Whoosh document for an event."""
    sources = [value for s in event.sources for value in (s.name, s.domain) if value]
    return {
        "id": event.id,
        "day": event.day,
        "date": dt.datetime.combine(event.date, dt.time()),
        "headline": event.headline,
        "summary": event.summary,
        "context": "\n".join([event.topic, *event.tags, *sources, *event.aliases]),
        EXACT_FIELD: event.headline,
        "payload": payload_of(event),
        "facets": facet_column_value(event),
        BODY_FIELD: event.body.encode("utf-8"),
        **{spec.name: FACET_SEPARATOR.join(spec.query_values(event)) for spec in facet_specs()},
    }
