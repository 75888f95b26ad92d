"""Pure URL helpers: every state of the search page is a URL, and these build the links between states.

After Datasette's ``path_with_added_args`` / ``path_with_removed_args``, but
over plain (key, value) pairs instead of a request, so they are trivial to test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlencode

Params = Sequence[tuple[str, str]]
Changes = Mapping[str, str | None] | Iterable[tuple[str, str | None]]


def path_with_query(path: str, params: Iterable[tuple[str, str]]) -> str:
    """``path?query`` from pairs; pairs with an empty value are left out, so links stay short."""
    query = urlencode([(key, value) for key, value in params if value != ""])
    return f"{path}?{query}" if query else path


def path_with_added_args(path: str, params: Params, added: Changes) -> str:
    """Add pairs (a repeated key gains a value); a None value removes that key entirely."""
    added = _pairs(added)
    dropped = {key for key, value in added if value is None}
    kept = [(key, value) for key, value in params if key not in dropped]
    kept += [(key, value) for key, value in added if value is not None and (key, value) not in kept]
    return path_with_query(path, kept)


def path_with_removed_args(path: str, params: Params, removed: Changes) -> str:
    """Remove one (key, value) pair, or every value of a key given with None."""
    removed = _pairs(removed)
    whole = {key for key, value in removed if value is None}
    pairs = {(key, value) for key, value in removed if value is not None}
    return path_with_query(path, [(k, v) for k, v in params if k not in whole and (k, v) not in pairs])


def path_with_replaced_args(path: str, params: Params, replaced: Changes) -> str:
    """Give keys new values (a None value removes the key); other pairs keep their order."""
    replaced = _pairs(replaced)
    keys = {key for key, _ in replaced}
    kept = [(key, value) for key, value in params if key not in keys]
    return path_with_query(path, kept + [(key, value) for key, value in replaced if value is not None])


def _pairs(changes: Changes) -> list[tuple[str, str | None]]:
    return list(changes.items()) if isinstance(changes, Mapping) else list(changes)
