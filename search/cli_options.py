"""The ``search`` command's options, made from the request parameters (``request.request_params``).

Every API parameter is an option of the same name (``--tags-mode`` for
``tags_mode``), read as plain text and handed to the same validation as a
URL, so the CLI corrects what the web corrects, with the same messages.
Old spellings stay as aliases (``--tag``, ``--lang``, ``--limit``, ``--any-tag``).
"""

from __future__ import annotations

from collections.abc import Mapping

import click

from .export import FORMATS as EXPORT_FORMATS
from .request import Args, Param, request_params, selecting_params

QUERY_PARAM = "q"  # the QUERY argument, not an option
OUTPUT_FORMATS = ("text", "json", *EXPORT_FORMATS)  # how `search` prints: a page, or rows of events


def option_name(name: str) -> str:
    """The CLI spelling of a URL parameter: ``tags_mode`` -> ``--tags-mode``."""
    return "--" + name.replace("_", "-")


def _flag_dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _help(param: Param) -> str:
    default = param.default
    shown = f" [default: {default}]" if default not in ("", None, (), {}) else ""
    return param.help + shown


def param_options(param: Param) -> list[click.Option]:
    """The option of one request parameter, with its aliases, and the flags that stand for a value."""
    decls = [option_name(param.name), *(option_name(alias) for alias in param.aliases), *param.cli_aliases]
    if param.is_flag:
        return [click.Option([*decls, param.name], is_flag=True, default=False, help=param.help)]
    options = [
        click.Option(
            [*decls, param.name],
            multiple=param.repeated,
            default=None,
            metavar=param.metavar,
            help=_help(param),
        )
    ]
    for flag, value in param.cli_flags.items():
        options.append(
            click.Option([flag, _flag_dest(flag)], is_flag=True, help=f"Same as {decls[0]} {value}.")
        )
    return options


def request_options(params: list[Param] | None = None) -> list[click.Option]:
    """The options of every request parameter (or of ``params``) but the query text, in the table's order."""
    return [
        option
        for param in (request_params() if params is None else params)
        if param.name != QUERY_PARAM
        for option in param_options(param)
    ]


def output_options(command):
    """How ``search`` prints: ``--format`` (``--json`` is its old spelling) and ``--all`` for exports."""
    command = click.option(
        "--all",
        "all_matches",
        is_flag=True,
        help="Every match, not one page, in the order asked for (needs --format csv or jsonl).",
    )(command)
    command = click.option(
        "--json", "as_json", is_flag=True, help="Same as --format json (the page as /api/search gives it)."
    )(command)
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(OUTPUT_FORMATS),
        default="text",
        show_default=True,
        help="text or json: the result page; csv or jsonl: its events as rows (all of them with --all).",
    )(command)


def args_from_options(query: str, options: Mapping[str, object]) -> Args:
    """The URL-style parameters that a command line's QUERY and options amount to."""
    args: dict[str, list[str]] = {QUERY_PARAM: [query]}
    for param in request_params():
        if param.name == QUERY_PARAM:
            continue
        given = options.get(param.name)
        if param.is_flag:
            args[param.name] = ["1"] if given else []
            continue
        values = list(given or ()) if param.repeated else ([] if given is None else [str(given)])
        # A flag comes after an explicit value: `--tags-mode all --any-tag` keeps "all".
        values += [value for flag, value in param.cli_flags.items() if options.get(_flag_dest(flag))]
        args[param.name] = values
    return args


class RequestCommand(click.Command):
    """A click command whose request options are made from the parameter table whenever it runs.

    Made at run time, not at import, so the table is the only place a
    parameter is declared: a facet added to the table is an option at once.
    """

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [*request_options(), *super().get_params(ctx)]


class SavedSearchCommand(click.Command):
    """A command taking the request options that choose events (``saved add``): no page, size or order."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [*request_options(selecting_params()), *super().get_params(ctx)]
