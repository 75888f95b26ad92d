"""The ``eventsearch`` command: index, update, search, stats and serve."""

from __future__ import annotations

import dataclasses
import errno
import functools
import json
import os
import signal
import sys
from pathlib import Path

import click

from .cli_options import RequestCommand, args_from_options, output_options
from .config import DEFAULT_INDEX_DIR, ENV_INDEX_DIR, SERVE_TIMEOUT
from .export import FORMATS as EXPORT_FORMATS
from .request import RequestError
from .store import DEFAULT_LOCK_WAIT_S, Store, StoreError


def index_dir_option(command):
    """The shared ``--index-dir`` option (also from $EVENTSEARCH_INDEX_DIR)."""
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=ENV_INDEX_DIR,
        default=DEFAULT_INDEX_DIR,
        show_default=True,
        show_envvar=True,
        help="Directory holding the index generations.",
    )(command)


def quiet_option(command):
    """The shared ``--quiet`` option."""
    return click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors and requested output.")(
        command
    )


def wait_option(command):
    """The shared ``--wait`` option of the commands that write the index."""
    return click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=DEFAULT_LOCK_WAIT_S,
        show_default=True,
        metavar="SECONDS",
        help="How long to wait for another index or update to finish (0: fail at once).",
    )(command)


def user_errors(command):
    """Turn our own errors and the system's into one clear line and exit code 1, never a traceback."""
    writes = command.__name__ in ("index", "update")

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (StoreError, RequestError) as error:
            raise click.ClickException(str(error)) from None
        except BrokenPipeError:
            # The reader of our output went away (`| head`): nothing more to tell it, nor a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as error:
            raise click.ClickException(_system_error(error, kwargs.get("index_dir"), writes)) from None

    return wrapper


def _system_error(error: OSError, index_dir: Path | None, writes: bool) -> str:
    """One line saying what failed and what to do; a failed index or update leaves the live index serving."""
    where = f" ({error.filename})" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        message = (
            f"no space left on the disk of the index directory {index_dir}{where}: free some space "
            "(a full build needs room for a second index beside the live one) and run again"
        )
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        needs = "read the archive and write the index directory" if writes else "read the index directory"
        message = f"permission denied{where}: run as a user who may {needs} {index_dir}"
    else:
        message = f"{error.strerror or error}{where}"
    return f"{message}; the live index keeps answering" if writes else message


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="eventsearch")
def main() -> None:
    """Search a news-events archive of Markdown pages.

    Build an index with `index`, keep it current with `update`, query it with
    `search` or in a browser with `serve`.
    """
    # A terminated build unwinds like an interrupted one: workers stop, the unpublished generation is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def _progress(total: int, label: str, quiet: bool):
    """A progress bar on stderr for interactive runs; silent for --quiet or when not a terminal."""
    if quiet or not sys.stderr.isatty():  # click would still print the label once, then the errors
        return _NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


def _report_skipped(skipped) -> None:
    """Name every skipped (or cut) file and why, even with --quiet: it is data the user did not get."""
    for item in skipped:
        click.echo(f"{'cut' if item.indexed else 'skipped'} {item.path}: {item.reason}", err=True)


def _store(index_dir: Path, wait: float, quiet: bool) -> Store:
    """The index directory, for a command that writes it: waits for the lock, and says so."""
    say = None if quiet else functools.partial(click.echo, err=True)
    return Store(index_dir, lock_wait=wait, on_lock_wait=say)


@main.command()
@click.argument("content_dir", type=click.Path(path_type=Path))
@index_dir_option
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Parser processes [default: one per CPU]."
)
@wait_option
@quiet_option
@user_errors
def index(content_dir: Path, index_dir: Path, workers: int | None, wait: float, quiet: bool) -> None:
    """Build the index of CONTENT_DIR from scratch.

    The new index is written beside the old one and replaces it atomically when
    complete: searches keep answering from the old one until then, and an
    interrupted build leaves it in place. Symbolic links in CONTENT_DIR are not
    followed; unreadable files and directories are named and skipped.
    """
    from .files import find_day_dirs
    from .writer import build, check_content_dir

    days = len(find_day_dirs(check_content_dir(content_dir)).days)
    store = _store(index_dir, wait, quiet)
    with _progress(days, "Indexing days", quiet) as bar:
        report = build(content_dir, store, progress=bar.update, workers=workers)
    _report_skipped(report.skipped)
    if not quiet:
        rate = report.events / report.seconds if report.seconds else 0
        cut = sum(item.indexed for item in report.skipped)
        click.echo(
            f"Indexed {report.events:,} events from {report.days:,} days in {report.seconds:.1f} s "
            f"({rate:,.0f} events/s); {len(report.skipped) - cut} files skipped, {cut} cut. "
            f"Index: {index_dir}"
        )


@main.command()
@click.argument("content_dir", type=click.Path(path_type=Path))
@click.argument("paths", nargs=-1)
@index_dir_option
@click.option("--scan", is_flag=True, help="Compare every file's size and time instead of asking git.")
@wait_option
@quiet_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as JSON, with each saved search's new matches."
)
@user_errors
def update(
    content_dir: Path,
    paths: tuple[str, ...],
    index_dir: Path,
    scan: bool,
    wait: float,
    quiet: bool,
    as_json: bool,
) -> None:
    """Apply the changes in CONTENT_DIR since the last index or update.

    PATHS (relative to CONTENT_DIR) name the changed files; without them, git
    says what changed since the indexed commit when CONTENT_DIR is a git
    repository (committed changes only), and otherwise every file is checked.
    Only the days whose files changed are read again. An update started while
    another index or update runs waits for it (--wait). The added and changed
    events that saved searches match are listed after, even with --quiet.
    """
    from .writer import update as apply_update

    store = _store(index_dir, wait, quiet)
    report = apply_update(content_dir, store, paths=list(paths) if paths else None, scan=scan)
    _report_skipped(report.skipped)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=1))
        return
    if not quiet:
        kept = f", {report.kept} kept as indexed (their file is broken)" if report.kept else ""
        finished = "; finished an interrupted update" if report.finished_interrupted else ""
        click.echo(
            f"{report.added} added, {report.changed} changed, {report.removed} removed{kept} "
            f"({report.days} days re-read, changes found by {report.method}, {report.seconds:.2f} s)"
            f"{finished}"
        )
    _print_saved_matches(report.saved)


def _print_saved_matches(saved: dict[str, list[dict]]) -> None:
    """Each saved search's added or changed events: requested output, printed even with --quiet."""
    for name, events in saved.items():
        noun = "event" if len(events) == 1 else "events"
        click.echo(f"\nSaved search {name}: {len(events)} {noun} added or changed")
        for event in events:
            click.echo(f"  {event['date']}  {event['change']:<7}  {event['headline']}  [{event['id']}]")


@main.command(cls=RequestCommand)
@click.argument("query", required=False, default="")
@index_dir_option
@output_options
@user_errors
def search(
    query: str,
    index_dir: Path,
    output_format: str,
    as_json: bool,
    all_matches: bool,
    **options,
) -> None:
    """Search the index for QUERY (words, "phrases", AND/OR/NOT, tags:"…", date:2015…).

    Every parameter of /api/search is an option of the same name; a bad value
    is corrected as on the web, and said so on stderr. With --all and --format
    csv or jsonl, every match is printed (as /search.csv and /search.jsonl give them).
    """
    from .searching import SearchIndex

    if as_json and output_format not in ("text", "json"):
        raise click.UsageError(f"--json and --format {output_format} ask for two formats: give one")
    output_format = "json" if as_json else output_format
    if all_matches and output_format not in EXPORT_FORMATS:
        raise click.UsageError("--all prints every match as rows: add --format csv or --format jsonl")
    args = args_from_options(query, options)
    with SearchIndex(index_dir) as index:
        if all_matches:
            _export_all(index, args, output_format)
            return
        result = index.search_args(args)
    for message in result.messages:
        click.echo(f"note: {message}", err=True)
    if output_format in EXPORT_FORMATS:
        _write_export(output_format, [result.hits])
        return
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return
    if result.request.explain:
        click.echo(click.style(result.explain, fg="cyan"), err=True)
    _print_page(result)


def _export_all(index, args, output_format: str) -> None:
    """Every match of the search, as rows (the web's /search.csv and /search.jsonl), streamed run by run."""
    from .limits import SearchTimeout
    from .request import request_from_args, without_page

    request, messages = request_from_args(args)
    matches = index.every_match(without_page(request))
    for message in messages + matches.messages:
        click.echo(f"note: {message}", err=True)
    if matches.timed_out:
        raise click.ClickException("the search took too long and was stopped: nothing was exported")
    try:
        _write_export(output_format, matches.runs)
    except SearchTimeout:
        raise click.ClickException(
            "the export was stopped: reading a run of its rows took too long (is the machine overloaded?)"
        ) from None
    finally:
        matches.close()


def _write_export(output_format: str, runs) -> None:
    """Rows of events on stdout, UTF-8, chunk by chunk."""
    from .export import export_chunks

    out = sys.stdout.buffer
    for chunk in export_chunks(output_format, runs):
        out.write(chunk.encode("utf-8"))
    out.flush()


def _print_page(result) -> None:
    first = result.request.offset + 1
    noun = "event" if result.total == 1 else "events"
    click.echo(
        f"{result.total:,} {noun}"
        + (f", {first}–{first + len(result.hits) - 1} shown" if result.hits else "")
    )
    for hit in result.hits:
        click.echo(f"\n{hit.date}  {click.style(hit.headline, bold=True)}")
        if hit.topic or hit.tags:
            click.echo(f"  {hit.topic}  [{', '.join(hit.tags[:6])}]")
        click.echo(f"  {hit.id}")
        if hit.id in result.explanations:
            click.echo(
                click.style(
                    "\n".join(f"    {line}" for line in result.explanations[hit.id].lines()), fg="cyan"
                )
            )
    if result.suggestion:
        click.echo(f"\nDid you mean: {result.suggestion}")
    tags = result.facets["tags"].values[:10] if "tags" in result.facets else []
    if tags:
        click.echo("\nTags: " + ", ".join(f"{v.value} ({v.count})" for v in tags))
    standing_out = result.significant.get("tags", [])
    if standing_out:
        click.echo(
            "Stands out: "
            + ", ".join(f"{v.value} ({v.count} here, {v.background} in all)" for v in standing_out)
        )


@main.command()
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@user_errors
def stats(index_dir: Path, as_json: bool) -> None:
    """Show what the index holds: events, days, tags, date span, languages, skipped files."""
    from .stats import index_stats

    figures = index_stats(index_dir)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    for key in (
        "events",
        "days",
        "distinct_tags",
        "first_day",
        "last_day",
        "content_dir",
        "git_commit",
        "built_at",
        "updated_at",
    ):
        if figures.get(key) is not None:
            click.echo(f"{key.replace('_', ' ')}: {figures[key]}")
    click.echo("languages: " + ", ".join(f"{k} {v:,}" for k, v in figures["languages"].items()))
    click.echo(f"skipped files: {len(figures['skipped'])}")
    for path, reason in figures["skipped"].items():
        click.echo(f"  {path}: {reason}")


@main.command()
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on."
)
@click.option(
    "--socket",
    "socket_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Listen on this unix socket instead of --host/--port (for nginx in front).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Server processes, each answering one request at a time [default: two per CPU, plus one].",
)
@click.option(
    "--timeout",
    type=click.IntRange(1, 3600),
    default=SERVE_TIMEOUT,
    show_default=True,
    help="Seconds a request may run before it is stopped (503) and its process replaced.",
)
@user_errors
def serve(
    index_dir: Path, host: str, port: int, socket_path: Path | None, workers: int | None, timeout: int
) -> None:
    """Serve the web UI and JSON API with the gunicorn WSGI server.

    For the public, put nginx in front (deploy/nginx/, README "Serving publicly"): the
    server's processes must not wait on slow clients.
    """
    from webui.server import serve as run_server

    Store(index_dir).current()  # fail early and clearly when there is no index
    bind = f"unix:{socket_path}" if socket_path else f"{host}:{port}"
    click.echo(f"Serving {index_dir} on {bind if socket_path else f'http://{bind}/'}", err=True)
    # gunicorn's advice for sync workers: while some wait on the disk or run a long search, the
    # others keep the cores busy with the quick ones.
    run_server(str(index_dir), bind, workers or 2 * (os.cpu_count() or 1) + 1, timeout)


from .cli_saved import saved  # noqa: E402 (the saved-search commands use the shared options above)

main.add_command(saved)

if __name__ == "__main__":  # pragma: no cover
    main()
