"""``eventsearch saved``: add, list and remove saved searches, whose new matches every ``update`` reports."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import click

from .cli import index_dir_option, user_errors
from .cli_options import SavedSearchCommand, args_from_options
from .percolate import prefilter_of
from .request import request_from_args
from .saved import SavedSearch, SavedSearches, check_name, saved_params


@click.group()
def saved() -> None:
    """Saved searches: named searches whose added or changed matches every `update` lists.

    They are kept in the index directory (saved.json), so rebuilds keep them;
    the web app serves each as a feed at /saved/NAME.atom.
    """


@saved.command("add", cls=SavedSearchCommand)
@click.argument("name")
@click.argument("query", required=False, default="")
@index_dir_option
@click.option("--replace", is_flag=True, help="Replace the saved search of this name, if there is one.")
@user_errors
def add(name: str, query: str, index_dir: Path, replace: bool, **options) -> None:
    """Save the search for QUERY (and the filters given) as NAME.

    NAME: 1-64 letters, digits, - or _. The options that choose events are
    those of `search`, read and corrected the same way.
    """
    check_name(name)
    request, messages = request_from_args(args_from_options(query, options))
    for message in messages:
        click.echo(f"note: {message}", err=True)
    SavedSearches(index_dir).add(
        SavedSearch(name, saved_params(request), prefilter=prefilter_of(request.text)), replace=replace
    )
    click.echo(f"Saved {name}: {_query_string(name, index_dir) or 'every event'}", err=True)


@saved.command("list")
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the saved searches as JSON.")
@user_errors
def list_saved(index_dir: Path, as_json: bool) -> None:
    """List the saved searches: name, parameters (as in a /search URL) and feed."""
    searches = SavedSearches(index_dir).load()
    if as_json:
        listed = [
            {"name": s.name, "params": dict(s.params), "added": s.added, "feed": _feed_path(s.name)}
            for s in searches
        ]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=1))
        return
    if not searches:
        click.echo("No saved searches: add one with `eventsearch saved add NAME QUERY`.", err=True)
    for search in searches:
        query = urlencode(list(_pairs(search.params))) or "(every event)"
        click.echo(f"{search.name}\t{query}\t{_feed_path(search.name)}")


@saved.command("remove")
@click.argument("name")
@index_dir_option
@user_errors
def remove(name: str, index_dir: Path) -> None:
    """Forget the saved search NAME."""
    SavedSearches(index_dir).remove(name)
    click.echo(f"Removed {name}.", err=True)


def _pairs(params):
    return ((name, value) for name, values in params.items() for value in values)


def _query_string(name: str, index_dir: Path) -> str:
    found = SavedSearches(index_dir).get(name)
    return urlencode(list(_pairs(found.params))) if found else ""


def _feed_path(name: str) -> str:
    return f"/saved/{name}.atom"
