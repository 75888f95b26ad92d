"""Ranking quality on real events hidden in a large synthetic archive: eventsearch, SQLite FTS5, tantivy.

    python -m bench.relevance                      # 20,000 synthetic events + ../shared/corpus (en, zh)
    python -m bench.relevance --real DIR --record  # add other real days (a content tree or a part of it)

The real days are mixed into a synthetic archive (on days the generator leaves
free; a day two real archives share becomes one day directory), and all three
engines index the same events, read by our own parser. For each real event
(a seeded sample per language), known-item queries in several styles (see
bench/known_items.py) are run through each engine; the event is the relevant
answer. Reported per style: MRR@10 and recall@10. "More like this"
(SearchIndex.more_like) is judged against the events' own Related lists:
precision@5, beside a baseline that ranks by shared tags alone.

Prints a Markdown table, writes every query and its ranks as JSON (--json), and
with --record puts the table into bench/RESULTS.md, section "Relevance".
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate
from bench.known_items import (
    STYLES,
    KnownItem,
    SharedTags,
    Vocabulary,
    known_items,
    mean_reciprocal_rank,
    precision_at,
    rank_of,
    recall,
)
from bench.measure import machine
from bench.relevance_report import record, render
from bench.sqlite_ref import SqliteReference
from bench.tantivy_ref import TantivyReference
from search.archive import DAY_INDEX_NAMES, date_of_day, read_day
from search.event import Event
from search.files import iter_day_dirs
from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import Store
from search.writer import build

OUT = Path(__file__).parent / "out"
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ENGINES = ("eventsearch", "sqlite", "tantivy")
TOP = 10
SIMILAR = 5
SIMILAR_METHODS = ("eventsearch", "tags_only", "best_possible")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000, help="synthetic events (default 20000)")
    parser.add_argument("--seed", type=int, default=0, help="archive, sample and query seed")
    parser.add_argument(
        "--real", type=Path, action="append", default=[], help="more real days: a content tree or part of one"
    )
    parser.add_argument("--no-shared", action="store_true", help="leave out ../shared/corpus (en, zh)")
    parser.add_argument("--sample", type=int, default=400, help="real events queried per language")
    parser.add_argument("--work", type=Path, help="working directory (default bench/out/relevance-N)")
    parser.add_argument("--json", type=Path, help="where to write the JSON report (default bench/out/)")
    parser.add_argument("--note", default="", help="a line for the recorded header (e.g. the machine's load)")
    parser.add_argument("--record", action="store_true", help="put the table into bench/RESULTS.md")
    args = parser.parse_args(argv)
    shared = [] if args.no_shared else [SHARED_CORPUS / "en", SHARED_CORPUS / "zh"]
    sources = [path for path in shared if path.is_dir()] + args.real
    if not sources:
        parser.error("no real days: ../shared/corpus is not there and no --real was given")
    try:
        real = real_days(sources)
    except ValueError as error:
        parser.error(str(error))
    work = args.work or OUT / f"relevance-{args.events}-{args.seed}"
    report = evaluate(real, args.events, args.seed, args.sample, work)
    report["machine"] = machine()
    table = render(report, args.note)
    print(table)
    json_path = args.json or OUT / f"relevance-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    log(f"queries and ranks: {json_path}")
    if args.record:
        record(table)
    return 0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the archive ----------------------------------------------------------------


def real_days(paths: list[Path]) -> dict[str, list[Path]]:
    """Each real day ("news/Y/M/D") and the directories that hold it, from content trees or parts of one."""
    days: dict[str, list[Path]] = {}
    for path in paths:
        path = path.resolve()
        parts = path.parts
        if (path / "news").is_dir():
            root, prefix = path, "news"
        elif "news" in parts:
            at = len(parts) - 1 - parts[::-1].index("news")
            root, prefix = Path(*parts[:at]), "/".join(parts[at:])
        else:
            raise ValueError(f"{path} holds no news/YYYY/MM/D day directories")
        found = [day for day in iter_day_dirs(root) if f"{day}/".startswith(f"{prefix}/")]
        if not found:
            raise ValueError(f"{path} holds no news/YYYY/MM/D day directories")
        for day in found:
            days.setdefault(day, []).append(root / day)
    return days


def assemble(content: Path, real: dict[str, list[Path]], events: int, seed: int) -> None:
    """Synthetic events on the days no real archive has, and copies of the real days beside them.

    Copies, not links: the index reads only what is inside the archive, as it should.
    """
    shutil.rmtree(content, ignore_errors=True)
    generate(content, events, seed, avoid={date_of_day(day) for day in real})
    for day, directories in real.items():
        target = content / day
        target.parent.mkdir(parents=True, exist_ok=True)
        if len(directories) == 1:
            shutil.copytree(directories[0], target)
        else:
            _merge_day(target, directories)


def _merge_day(target: Path, directories: list[Path]) -> None:
    """One day from several archives: their pages side by side, their day indexes one after the other."""
    target.mkdir()
    indexes = []
    for directory in directories:
        names = sorted(os.listdir(directory))
        for name in names:
            page = name.endswith(".md") and name not in DAY_INDEX_NAMES
            if page and not (target / name).exists():
                shutil.copyfile(directory / name, target / name)
        index = next((directory / n for n in DAY_INDEX_NAMES if n in names), None)
        if index:
            indexes.append(index.read_text(encoding="utf-8", errors="replace"))
    (target / "index.md").write_text("\n".join(indexes), encoding="utf-8")
    merged = _ids_of_day(target)
    apart = set().union(*(_ids_of_day(directory) for directory in directories))
    if merged != apart:
        raise SystemExit(f"{target}: the real archives' day cannot be merged (differing: {merged ^ apart})")


def _ids_of_day(directory: Path) -> set[str]:
    """The ids of the events of a day directory (…/news/Y/M/D), read as the index reads them."""
    return {e.id for e in read_day(directory.parents[3], "/".join(directory.parts[-4:])).events}


def read_events(content: Path) -> list[Event]:
    return [event for day in iter_day_dirs(content) for event in read_day(content, day).events]


# -- the engines ----------------------------------------------------------------


def open_engines(content: Path, events: list[Event], work: Path) -> tuple[SearchIndex, dict[str, Callable]]:
    """All three engines over the same events; each ranks a known-item query into a list of ids."""
    log(f"building eventsearch ({len(events):,} events)")
    index_dir = work / "index"
    index_dir.mkdir()
    build(content, Store(index_dir))
    index = SearchIndex(index_dir)
    log("building sqlite and tantivy")
    sqlite = SqliteReference()
    sqlite.build(events, work / "reference.db")
    TantivyReference.build(events, work / "tantivy", threads=1)  # one thread: ties fall the same each run
    tantivy = TantivyReference(work / "tantivy")

    def ours(item: KnownItem) -> list[str]:
        page = index.search(SearchRequest(text=item.text, filters={"tags": item.tags}, facets=False))
        return [hit.id for hit in page.hits]

    def reference(engine) -> Callable[[KnownItem], list[str]]:
        return lambda item: engine.search(item.text, item.tags, limit=TOP, facets=False)["hits"]

    return index, {"eventsearch": ours, "sqlite": reference(sqlite), "tantivy": reference(tantivy)}


# -- the evaluation -------------------------------------------------------------


def evaluate(real: dict[str, list[Path]], synthetic: int, seed: int, sample: int, work: Path) -> dict:
    """Build the mixed archive and all engines, run every known-item query and judge More like this."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    content = work / "content"
    log(f"archive: {synthetic:,} synthetic events and {len(real):,} real days")
    assemble(content, real, synthetic, seed)
    events = read_events(content)
    real_ids = {e.id for day in real for e in read_day(content, day).events}
    chosen = _sample([e for e in events if e.id in real_ids], sample, seed)
    vocabulary = Vocabulary(events, [e.headline for e in chosen if e.language == "zh"])
    index, engines = open_engines(content, events, work)
    log(f"known-item queries for {len(chosen):,} real events")
    queries = []
    for item in (item for event in chosen for item in known_items(event, vocabulary, seed)):
        ranks = {name: rank_of(rank(item), item.event_id, TOP) for name, rank in engines.items()}
        queries.append({**dataclasses.asdict(item), "ranks": ranks})
    log("more like this")
    similar = more_like_this(index, events, chosen)
    index.close()
    real_languages = [e.language for e in events if e.id in real_ids]
    return {
        "archive": {
            "synthetic_events": synthetic,
            "real_events": {lang: real_languages.count(lang) for lang in sorted(set(real_languages))},
            "events": len(events),
            "seed": seed,
            "sampled_per_language": sample,
        },
        "styles": style_scores(queries),
        "more_like": similar["scores"],
        "queries": queries,
        "more_like_events": similar["events"],
    }


def _sample(events: list[Event], size: int, seed: int) -> list[Event]:
    """Up to ``size`` events of each language, seeded; in id order."""
    rng = random.Random(seed)
    chosen = []
    for language in sorted({e.language for e in events}):
        pool = sorted((e for e in events if e.language == language), key=lambda e: e.id)
        chosen += rng.sample(pool, min(size, len(pool)))
    return sorted(chosen, key=lambda e: e.id)


def style_scores(queries: list[dict]) -> dict:
    """Per style: how many queries, and each engine's MRR@10 and recall@10."""
    scores = {}
    for style in STYLES:
        ranks = [q["ranks"] for q in queries if q["style"] == style]
        if ranks:
            scores[style] = {"queries": len(ranks)} | {
                name: {
                    "mrr10": mean_reciprocal_rank([r[name] for r in ranks]),
                    "recall10": recall([r[name] for r in ranks]),
                }
                for name in ENGINES
            }
    return scores


def more_like_this(index: SearchIndex, events: list[Event], chosen: list[Event]) -> dict:
    """Precision@5 of SearchIndex.more_like and of the shared-tags baseline against the Related lists.

    Only events with at least one Related entry in the index are judged; "best
    possible" is what a method showing only Related events would score.
    """
    indexed = {e.id for e in events}
    baseline = SharedTags(events)
    judged = []
    for event in chosen:
        related = set(event.related) & indexed
        if not related:
            continue
        shown = [e.id for e in index.more_like(event.id, limit=SIMILAR)]
        judged.append(
            {
                "event_id": event.id,
                "language": event.language,
                "related": len(related),
                "eventsearch": precision_at(shown, related, SIMILAR),
                "tags_only": precision_at(baseline.similar(event.id, SIMILAR), related, SIMILAR),
                "best_possible": min(SIMILAR, len(related)) / SIMILAR,
            }
        )
    scores = {}
    for language in [*sorted({j["language"] for j in judged}), "all"]:
        rows = [j for j in judged if language in ("all", j["language"])]
        if rows:
            means = {method: sum(j[method] for j in rows) / len(rows) for method in SIMILAR_METHODS}
            scores[language] = {"events": len(rows), **means}
    return {"scores": scores, "events": judged}


if __name__ == "__main__":
    sys.exit(main())
