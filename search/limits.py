"""What one request may cost: every bound on a search, declared once, and the per-request time budget.

The site faces the public, so no query text may make a search unbounded, the
way Lucene and Elasticsearch bound theirs (``max_expansions``,
``max_clause_count``, search timeouts). The caps say how much work a query may
ask for; the time budget stops whatever the caps let through and still runs long.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
import time
from collections.abc import Iterator

from . import slots

MAX_QUERY_CHARS = 1_000  # query text, counted after Unicode normalisation (which can expand it 18-fold)
MAX_EXPANSIONS = 256  # index terms one prefix, range or one-character Chinese query may stand for
MAX_QUERY_TERMS = 1_024  # index terms in a whole query after expansion (a word counts once per field)
MAX_FILTER_VALUES = 20  # selected values of one facet (tags, ...)
MAX_FILTER_VALUE_CHARS = 200  # one selected value
MAX_TAG_FILTER_CHARS = 200  # the "find a tag" text
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100
MAX_FACET_SIZE = 1_000  # values one facet may list
MAX_SIGNIFICANT_SIZE = 100  # significant tags one result page may list
MAX_COMPARE_SERIES = 5  # queries or tags one comparison draws
MAX_SPELLING_WORDS = 8  # query words a typo correction or spelling suggestion looks at
MAX_SPELLING_WORD_CHARS = 24  # longer words get no correction or suggestion
MAX_TYPO_LOOKUPS = 1_000  # archive words whose distance to one query word is measured
MAX_TYPO_CANDIDATES = 8  # corrections of one query word tried against the rest of the query
# Stored for display and highlighting; the whole text is indexed and shown on the event page.
MAX_HEADLINE_CHARS = 500
MAX_SUMMARY_CHARS = 2_000
# Bytes read of one archive file. The largest real page is under 200 KB; a bigger one is indexed cut
# and reported, so one hostile file cannot make the build (or every search that shows it) huge.
PAGE_SIZE_LIMIT = 1_000_000
SEARCH_SECONDS = 0.5  # time budget of the text matching and ranking of one search
# A search still running after this long is expensive: in a server it runs on only while it holds one of the
# slots that expensive searches share (search/slots.py), so a core stays free for the cheap ones.
CHEAP_SECONDS = 0.02
# An export (CSV, JSON Lines) of every match is bounded per run, not as a whole: its matching and
# ordering have a search's budget, then its rows are read in runs of EXPORT_RUN_ROWS (plus the rest of a
# tie, at most one day's events), each within EXPORT_RUN_SECONDS while it holds the index's lock.
EXPORT_RUN_ROWS = 500
EXPORT_RUN_SECONDS = 2.0


class SearchTimeout(Exception):
    """The search ran past its time budget (or, in a server, waited for a slot until then)."""


@dataclasses.dataclass
class _Budget:
    deadline: float  # time.monotonic() by which the search stops
    expensive_at: float  # from then on, in a server, it runs only while it holds a slot (slots.py)
    slot: int | None = None  # the slot it holds


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("search_budget", default=None)


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Within the block, ``check_time`` raises SearchTimeout once ``seconds`` have passed.

    In a server, a search still running after CHEAP_SECONDS waits for one of the server's slots.
    """
    now = time.monotonic()
    budget = _Budget(now + seconds, now + CHEAP_SECONDS if slots.shared() else math.inf)
    token = _budget.set(budget)
    try:
        yield
    finally:
        _budget.reset(token)
        if budget.slot is not None:
            slots.Slots.give_back(budget.slot)


def check_time() -> None:
    """Raise SearchTimeout if the current search is over its budget (no-op outside ``time_budget``).

    An expensive search in a server takes a slot here first, waiting for one within its budget.
    """
    budget = _budget.get()
    if budget is None:
        return
    now = time.monotonic()
    if now > budget.deadline:
        raise SearchTimeout
    if now >= budget.expensive_at and budget.slot is None:
        shared = slots.shared()
        budget.slot = shared.take(budget.deadline) if shared else None
        if budget.slot is None:
            raise SearchTimeout


def cut(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
