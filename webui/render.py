"""An event page's archive Markdown as safe HTML: rendered, sanitised, archive links pointed at this site.

The Markdown is third-party text. ``markdown`` renders it (raw HTML included,
because the archive uses ``<sub>`` for CO<sub>2</sub>), then nh3 keeps only a
few harmless tags, ``href`` as the only attribute, and only http(s) links or
links this site made from archive paths. Nothing else reaches the page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Container
from urllib.parse import urlsplit

import markdown
import nh3
from markupsafe import Markup

from search.parse import event_id, event_link

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "sub",
    "sup",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
# "*": no attribute on any tag (nh3 otherwise allows title and lang everywhere); href on links only.
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href"}}
EXTERNAL_REL = "nofollow noopener"

_ARCHIVE_PATH = re.compile(r"(?:/zh)?/news/\d{4}/\d{1,2}/\d{1,2}/[^\s()\"'<>]+?\.md")
_DAY_PATH = re.compile(r"^(?:/zh)?/news/(\d{4})/(\d{1,2})/(\d{1,2})(?:/(?:index|README)\.(?:md|html))?/?$")
# nh3 writes every kept link as exactly <a href="...">, so an external one is recognised by its start.
_EXTERNAL_LINK = re.compile(r'<a href="(?=https?://)', re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Links:
    """How this site links to an event and to a day (url_for in the app, plain functions in tests)."""

    event: Callable[[str], str]
    day: Callable[[dt.date], str]


def archive_event_ids(text: str) -> list[str]:
    """The ids of the events an archive page links to, to ask the index which of them it has."""
    found = (event_link(path) for path in _ARCHIVE_PATH.findall(text))
    return list(dict.fromkeys(event_id(*target) for target in found if target))


def rewrite_href(href: str, known: Container[str], links: Links) -> str | None:
    """Where a link of the archive should point here: None drops it (the text stays, unlinked).

    External http(s) links are kept; archive links become links to this site's
    event or day pages when it has them; anything else (other schemes,
    protocol-relative or dead relative links) is dropped.
    """
    href = href.strip()
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https"):
        return href if parts.netloc else None
    if parts.scheme or parts.netloc:
        return None
    return _archive_href(parts.path, known, links)


def _archive_href(path: str, known: Container[str], links: Links) -> str | None:
    target = event_link(path) if _ARCHIVE_PATH.fullmatch(path) else None
    if target:
        return links.event(event_id(*target)) if event_id(*target) in known else None
    day = _DAY_PATH.match(path)
    if day:
        try:
            return links.day(dt.date(*(int(part) for part in day.groups())))
        except ValueError:
            return None
    return None


def render_markdown(text: str, known: Container[str], links: Links) -> Markup:
    """Archive Markdown as HTML that is safe to put in a page."""
    html = markdown.markdown(text, output_format="html")

    def filter_attribute(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            return rewrite_href(value, known, links)
        return value

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=None,  # nh3 would add rel to every link; only outbound ones get it, below
        attribute_filter=filter_attribute,
        strip_comments=True,
    )
    return Markup(_EXTERNAL_LINK.sub(f'<a rel="{EXTERNAL_REL}" href="', clean))
