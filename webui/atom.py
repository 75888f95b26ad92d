"""Atom 1.0 documents (RFC 4287), written with the standard library's ElementTree, never by hand.

ElementTree escapes text and attributes but writes whatever characters it is
given, and XML 1.0 forbids most control characters: archive text is untrusted,
so those are dropped first (a feed with one would not parse at all).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
# Characters XML 1.0 does not allow (and lone surrogates, which cannot be encoded).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclasses.dataclass(frozen=True)
class Link:
    href: str
    rel: str = "alternate"
    type: str = ""
    title: str = ""


@dataclasses.dataclass(frozen=True)
class Entry:
    id: str  # a permanent IRI: the event page's URL
    title: str
    updated: dt.datetime
    published: dt.datetime
    summary: str
    links: list[Link]
    categories: list[str]
    language: str = ""  # the entry's xml:lang, when not the feed's


@dataclasses.dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: dt.datetime
    author: str
    links: list[Link]
    entries: list[Entry]
    generator: str = "eventsearch"
    language: str = "en"


def atom_document(feed: Feed) -> bytes:
    """The feed as an Atom document, UTF-8."""
    # Atom's namespace as the default one, declared on the root: its elements need no prefix.
    root = ET.Element(_atom("feed"), {"xmlns": ATOM_NS, XML_LANG: feed.language})
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    _add(root, "updated", timestamp(feed.updated))
    author = ET.SubElement(root, _atom("author"))
    _add(author, "name", feed.author)
    _add(root, "generator", feed.generator)
    for link in feed.links:
        _link(root, link)
    for entry in feed.entries:
        _entry(root, entry)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(parent: ET.Element, entry: Entry) -> None:
    element = ET.SubElement(parent, _atom("entry"), {XML_LANG: entry.language} if entry.language else {})
    _add(element, "id", entry.id)
    _add(element, "title", entry.title)
    _add(element, "updated", timestamp(entry.updated))
    _add(element, "published", timestamp(entry.published))
    _add(element, "summary", entry.summary)
    for link in entry.links:
        _link(element, link)
    for term in entry.categories:
        ET.SubElement(element, _atom("category"), {"term": clean(term)})


def _add(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, _atom(name)).text = clean(text)


def _link(parent: ET.Element, link: Link) -> None:
    attributes = {"rel": link.rel, "href": clean(link.href)}
    attributes |= {"type": link.type} if link.type else {}
    attributes |= {"title": clean(link.title)} if link.title else {}
    ET.SubElement(parent, _atom("link"), attributes)


def _atom(name: str) -> str:
    """An Atom element's name (in the default namespace the root declares)."""
    return name


def clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def timestamp(moment: dt.datetime) -> str:
    """An RFC 3339 date-time in UTC, as Atom wants it: 2015-09-04T00:00:00Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
