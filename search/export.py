"""Every match of a search as CSV or JSON Lines, written run by run as it is read (exports, ``search --all``).

The rows carry the JSON API's fields of a hit, without highlights
(``Hit.record``). JSON Lines keeps them as they are, one object per line. CSV
flattens the lists: ``tags``, and the sources as three columns
(``source_names``, ``source_urls``, ``source_domains``) in the same order, one
value per line of the cell (values never hold a line break: one would be a space).

CSV is opened by spreadsheets, which run a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula; archive text is
untrusted, so such a cell gets a leading ``'`` and shows as text (OWASP's
advice on CSV injection). The JSON Lines export keeps the text exactly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from .results import Hit

FORMATS = ("csv", "jsonl")
CSV_COLUMNS = (
    "id",
    "date",
    "headline",
    "summary",
    "topic",
    "tags",
    "source_names",
    "source_urls",
    "source_domains",
    "language",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "\n"  # between the values of a list in one CSV cell


def inert(cell: str) -> str:
    """A cell that a spreadsheet shows as text: one that starts like a formula gets a leading '."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_row(record: dict) -> list[str]:
    """One event's CSV cells, in the order of CSV_COLUMNS, lists flattened and formulas made inert."""
    sources = record["sources"]
    cells = {
        **record,
        "tags": _joined(record["tags"]),
        "source_names": _joined(source["name"] for source in sources),
        "source_urls": _joined(source["url"] for source in sources),
        "source_domains": _joined(source["domain"] for source in sources),
    }
    return [inert(cells[column]) for column in CSV_COLUMNS]


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(value.replace("\r", " ").replace("\n", " ") for value in values)


def csv_chunks(runs: Iterable[list[Hit]]) -> Iterator[str]:
    """The CSV text (RFC 4180: every cell quoted, CRLF line ends): the header, then one chunk per run."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    yield _taken(buffer)
    for run in runs:
        writer.writerows(csv_row(hit.record()) for hit in run)
        if chunk := _taken(buffer):
            yield chunk


def _taken(buffer: io.StringIO) -> str:
    """What the buffer holds, and the buffer emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def jsonl_chunks(runs: Iterable[list[Hit]]) -> Iterator[str]:
    """The JSON Lines text, UTF-8: one JSON object per event and line, one chunk per run."""
    for run in runs:
        if run:
            yield "".join(json.dumps(hit.record(), ensure_ascii=False) + "\n" for hit in run)


def export_chunks(export_format: str, runs: Iterable[list[Hit]]) -> Iterator[str]:
    """The text of an export in one of FORMATS, chunk by chunk."""
    if export_format == "csv":
        return csv_chunks(runs)
    if export_format == "jsonl":
        return jsonl_chunks(runs)
    raise ValueError(f"unknown export format {export_format!r}")
