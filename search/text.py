"""Plain-text helpers: turn the archive's Markdown fragments into clean text."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from urllib.parse import urlsplit

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WIKI_EMPHASIS = re.compile(r"'{2,}")
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is str.isalnum() plus "_"
# Kana, CJK ideographs and compatibility ideographs: scripts written without spaces between words.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{CJK_CHARS}]")


def decode_entities(text: str) -> str:
    """Decode HTML entities, also when the archive double-encoded them (``&amp;quot;``)."""
    for _ in range(2):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


_VARIANTS = re.compile(r"-\{(.*?)\}-", re.DOTALL)
_VARIANT = re.compile(r"\s*(zh(?:-[A-Za-z]+)?)\s*:(.*)", re.DOTALL)
# The tail of markup whose opening was lost: ";zh-hk:<text>;zh-tw:<text>;}-".
_ORPHAN_VARIANTS = re.compile(r"(?:;\s*zh(?:-[A-Za-z]+)?\s*:[^;{}]*)+;?\s*\}-")
# Simplified first: the text of the zh archive is mostly Simplified, and search folds to it anyway.
_PREFERRED_VARIANTS = ("zh-hans", "zh-cn", "zh", "zh-sg", "zh-my", "zh-hant", "zh-tw", "zh-hk", "zh-mo")


def resolve_variants(text: str) -> str:
    """MediaWiki language-conversion markup, as the zh archive carries it, resolved to one text.

    ``-{zh-cn:<Simplified>; zh-tw:<Taiwan>;}-`` gives the Simplified variant (the
    first given, when there is none); ``-{<text>}-`` (text protected from
    conversion) gives the text itself.
    """
    if "-{" not in text and "}-" not in text:
        return text
    return _ORPHAN_VARIANTS.sub("", _VARIANTS.sub(_one_variant, text))


def variant_alternatives(text: str) -> list[str]:
    """The variants ``resolve_variants`` leaves out that differ from the kept one by more than script.

    Taiwan and Hong Kong often name people and things differently (a different
    transliteration, not just Traditional characters): search should know those names too.
    """
    if "-{" not in text:
        return []
    alternatives: dict[str, None] = {}
    for match in _VARIANTS.finditer(text):
        variants = _variants_of(match.group(1))
        if variants:
            kept = to_simplified(_preferred(variants))
            for variant in variants.values():
                if variant and to_simplified(variant) != kept:
                    alternatives[variant] = None
    return list(alternatives)


def _variants_of(inner: str) -> dict[str, str]:
    """{"zh-cn": text, "zh-tw": text, ...} of one markup's inside; empty when it names no variants."""
    variants: dict[str, str] = {}
    for part in inner.split(";"):
        found = _VARIANT.fullmatch(part)
        if found:
            variants.setdefault(found.group(1).lower(), found.group(2).strip())
    return variants


def _preferred(variants: dict[str, str]) -> str:
    return next(
        (variants[code] for code in _PREFERRED_VARIANTS if code in variants), next(iter(variants.values()))
    )


def _one_variant(match: re.Match) -> str:
    variants = _variants_of(match.group(1))
    return _preferred(variants) if variants else match.group(1)


def plain_text(markdown: str) -> str:
    """Markdown or wiki-marked text as one line of plain text."""
    text = resolve_variants(markdown)
    # Most lines have no markup: the substring tests spare them the regular expressions.
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "''" in text:
        text = _WIKI_EMPHASIS.sub("", text)
    if "*" in text or "_" in text:
        text = _MD_EMPHASIS.sub("", text)
    if "&" in text:
        text = decode_entities(text)
    return " ".join(text.split())  # str.split and re's \s agree on what whitespace is


def split_list(line: str) -> list[str]:
    """Split a context line ``a, b, c`` into cleaned, non-empty values."""
    values = (plain_text(part) for part in resolve_variants(line).split(","))
    return [value for value in values if value]


def domain_of(url: str) -> str:
    """The registrable-looking host of a URL, without ``www.``: what users call the outlet's site."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def strip_accents(text: str) -> str:
    """NFC text without combining accents: "Nicolás" -> "Nicolas"."""
    if text.isascii():  # most words; normalising them changes nothing
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def to_simplified(text: str) -> str:
    """Traditional Chinese as Simplified ("俄羅斯" -> "俄罗斯"); text without CJK characters unchanged.

    The zh archive writes the same names both ways, often within one event, so
    search folds both to one form, as it folds accents.
    """
    return _simplifier().convert(text) if has_cjk(text) else text


@functools.cache
def _simplifier():
    import opencc  # loaded on first use: English archives never need it

    return opencc.OpenCC("t2s")


def has_cjk(text: str) -> bool:
    """True when the text contains Chinese or Japanese characters."""
    return _CJK.search(text) is not None


def headline_key(text: str) -> str:
    """A spelling-insensitive key used to recognise two versions of one headline."""
    return _NOT_ALNUM.sub("", text.casefold())


def dedupe(values: list[str]) -> tuple[str, ...]:
    """Values in first-seen order, without case-insensitive repeats (first spelling kept)."""
    seen: set[str] = set()
    kept = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)
