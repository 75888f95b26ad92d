"""Saved searches: named searches kept beside the index, whose new matches every update reports.

They live in the index directory itself, ``index/saved.json``, not in a
generation, so a rebuild keeps them. A saved search is its canonical request
parameters (``request.params_of``: the query, facets and dates; never a page,
size or order) and its prefilter (``percolate.py``). Writers take
``saved.lock`` and replace the file atomically; readers (an update, the web
app's ``/saved/NAME.atom``) read it without waiting.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from .request import SearchRequest, params_of, request_from_args, selecting_params, without_page
from .store import StoreError, write_atomic

SAVED_FILE = "saved.json"
_LOCK_FILE = "saved.lock"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # a file name and a URL path segment as it is
NAME_RULE = "1-64 letters, digits, - or _, starting with a letter or digit"


class SavedSearchError(StoreError):
    """A saved search that cannot be added, found or read; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class SavedSearch:
    """One saved search: its name, its parameters and the prefilter that spares updates most parses."""

    name: str
    params: Mapping[str, list[str]]  # URL-style parameters that choose events (see ``request.without_page``)
    added: str = ""  # when it was saved, ISO 8601 UTC
    prefilter: Mapping | None = None  # percolate.Prefilter as data; None: none computed yet

    def request(self) -> SearchRequest:
        """The search it stands for (a parameter that no longer reads is dropped, as a URL's would be)."""
        request, _ = request_from_args(self.params)
        return without_page(request, keep_order=False)

    def to_json(self) -> dict:
        params = dict(self.params)
        return {"name": self.name, "params": params, "added": self.added, "prefilter": self.prefilter}


def saved_params(request: SearchRequest) -> dict[str, list[str]]:
    """The parameters a saved search keeps of a request: those that choose events, canonical."""
    selecting = {param.name for param in selecting_params()}
    found: dict[str, list[str]] = {}
    for name, value in params_of(without_page(request, keep_order=False)):
        if name in selecting:
            found.setdefault(name, []).append(value)
    return found


def check_name(name: str) -> str:
    """The name, or a SavedSearchError saying what a name may be."""
    if not NAME_PATTERN.fullmatch(name):
        raise SavedSearchError(f"“{name[:80]}” cannot name a saved search: use {NAME_RULE}")
    return name


class SavedSearches:
    """The saved searches of one index directory."""

    def __init__(self, index_dir: Path | str) -> None:
        self.root = Path(index_dir)
        self.path = self.root / SAVED_FILE

    def load(self) -> list[SavedSearch]:
        """Every saved search, in the order they were added; a broken file is a SavedSearchError."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [_saved_of(item) for item in data["saved_searches"]]
        except FileNotFoundError:
            return []
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SavedSearchError(
                f"{self.path} is not a saved-searches file ({type(error).__name__}: {error}): "
                "fix it or move it away"
            ) from None

    def get(self, name: str) -> SavedSearch | None:
        return next((saved for saved in self.load() if saved.name == name), None)

    def add(self, saved: SavedSearch, replace: bool = False) -> None:
        """Save a search under its name; an existing one of that name is an error unless ``replace``."""
        check_name(saved.name)
        with self._writing() as searches:
            at = next((i for i, old in enumerate(searches) if old.name == saved.name), None)
            if at is not None and not replace:
                raise SavedSearchError(
                    f"a saved search named “{saved.name}” exists: remove it first, or add with --replace"
                )
            stamped = dataclasses.replace(saved, added=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
            if at is None:
                searches.append(stamped)
            else:
                searches[at] = stamped

    def remove(self, name: str) -> None:
        """Forget a saved search; an unknown name is an error."""
        with self._writing() as searches:
            kept = [saved for saved in searches if saved.name != name]
            if len(kept) == len(searches):
                known = ", ".join(saved.name for saved in searches) or "none"
                raise SavedSearchError(f"there is no saved search named “{name[:80]}” (saved: {known})")
            searches[:] = kept

    def store_prefilters(self, prefilters: Mapping[str, tuple[Mapping, Mapping]]) -> None:
        """Keep recomputed prefilters (name -> (the params they were made for, prefilter)).

        A search changed or removed meanwhile keeps what it has. Prefilters
        only save work, so a failure to write them is no error.
        """
        with contextlib.suppress(OSError, SavedSearchError), self._writing() as searches:
            for i, saved in enumerate(searches):
                made_for, prefilter = prefilters.get(saved.name, (None, None))
                if made_for == saved.params:
                    searches[i] = dataclasses.replace(saved, prefilter=prefilter)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[list[SavedSearch]]:
        """The saved searches to change in place, written back atomically when the block ends well."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / _LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise SavedSearchError(
                f"cannot write the saved searches in {self.root}: {error.strerror}: "
                "run as a user who may write the index directory"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held for a moment by the other writers: wait for them
            searches = self.load()
            yield searches
            document = {"saved_searches": [saved.to_json() for saved in searches]}
            write_atomic(self.path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
        finally:
            os.close(fd)


def _saved_of(item: Mapping) -> SavedSearch:
    params = {str(name): [str(value) for value in values] for name, values in item["params"].items()}
    prefilter = item.get("prefilter")
    return SavedSearch(
        name=check_name(str(item["name"])),
        params=params,
        added=str(item.get("added", "")),
        prefilter=prefilter if isinstance(prefilter, dict) else None,
    )
