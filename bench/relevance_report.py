"""The relevance runner's table, and its own section of bench/RESULTS.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.known_items import STYLES

RESULTS = Path(__file__).parent / "RESULTS.md"
ENGINE_NAMES = {"eventsearch": "eventsearch", "sqlite": "SQLite FTS5", "tantivy": "tantivy"}
SECTION = """## Relevance

Newest first. Produced by `python -m bench.relevance --record`: real events (the
shared corpus's en and zh archives, or the days given with `--real`) mixed into a
synthetic archive, indexed alike by eventsearch, SQLite FTS5 (`bm25()` over
headline, summary and context) and tantivy (BM25 over the same fields). Each
real event is looked for with known-item queries made from its headline (styles
in `bench/known_items.py`); MRR@10 and recall@10 say where the event ranks. The
peers index a run of Chinese characters as one word and correct no typos, so
their Chinese-substring and misspelled-word figures are what a default setup
of them gives. "More like this" is judged against the events' own Related lists.

"""
BEFORE = "## Targets"  # the section goes before this one when it is not there yet


def render(report: dict, note: str = "") -> str:
    """Markdown: the known-item table per query style, then More like this."""
    archive = report["archive"]
    real = archive["real_events"]
    lines = [
        f"### {archive['synthetic_events']:,} synthetic + {sum(real.values()):,} real events "
        f"({', '.join(f'{lang} {n:,}' for lang, n in real.items())}) — {dt.date.today().isoformat()}",
        "",
    ]
    if note:
        lines += [note, ""]
    lines += [
        f"Machine: {report['machine']}. Seed {archive['seed']}; up to {archive['sampled_per_language']:,} "
        f"real events queried per language; {archive['events']:,} events in every engine.",
        "",
        "| query style | queries | "
        + " | ".join(f"{n} MRR@10" for n in ENGINE_NAMES.values())
        + " | "
        + " | ".join(f"{n} recall@10" for n in ENGINE_NAMES.values())
        + " | MRR ratio to SQLite | MRR ratio to tantivy |",
        "|---|---:|" + "---:|" * 8,
    ]
    for style, scores in report["styles"].items():
        mrr = [scores[name]["mrr10"] for name in ENGINE_NAMES]
        recall = [scores[name]["recall10"] for name in ENGINE_NAMES]
        ratios = [f"{mrr[0] / ref:.2f}" if ref else "–" for ref in mrr[1:]]
        cells = [STYLES[style], f"{scores['queries']:,}", *(f"{v:.3f}" for v in mrr + recall), *ratios]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| More like this, precision@5 against the Related lists | events judged | eventsearch "
        "| shared tags only | best possible |",
        "|---|---:|---:|---:|---:|",
    ]
    for language, scores in report["more_like"].items():
        cells = [
            language,
            f"{scores['events']:,}",
            *(f"{scores[m]:.3f}" for m in ("eventsearch", "tags_only", "best_possible")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def record(table: str, results: Path = RESULTS) -> None:
    """Put a run's table first in the Relevance section of RESULTS.md (made before "Targets" if missing)."""
    text = results.read_text() if results.exists() else ""
    if SECTION not in text:
        at = text.find(f"\n{BEFORE}")
        text = text + "\n" + SECTION if at < 0 else text[: at + 1] + SECTION + text[at + 1 :]
    at = text.index(SECTION) + len(SECTION)
    results.write_text(text[:at] + table + "\n" + text[at:])
