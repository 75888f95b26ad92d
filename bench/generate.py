"""Deterministic synthetic news-events archive, in the on-disk shape of the real one.

Benchmarks need archives of 10k..1M events that look like the real archive to the
parser and the indexer (same Markdown layout, quirks, tag/topic skew, text lengths)
without shipping any real text. Everything is drawn from one random.Random(seed) in a
fixed order, so a seed gives a byte-identical tree; days are written one at a time and
only a few recent events per tag are remembered (for Related links), so memory stays
bounded at 1M events.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import random
import re
import sys
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import NamedTuple

from bench.vocab import (
    ADJS,
    DETS,
    EVENT_KINDS,
    NOUNS,
    ORG_KINDS,
    OUTLET_KINDS,
    PLACE_KINDS,
    PREPS,
    QUOTES,
    SYLL,
    TLDS,
    UNITS,
    VERBS,
)

FIRST_DAY, LAST_DAY = dt.date(2003, 1, 1), dt.date(2025, 12, 31)
SLUG_MAX = 140
RECENT_PER_TAG = 8  # candidates kept per tag for Related links: bounds memory


@dataclasses.dataclass
class GeneratedArchive:
    """What was written, so benchmarks and tests can check a parse against it."""

    out_dir: Path
    events: int  # distinct events: pages + index-only, superseded files not counted
    days: int
    files: int  # every file written: pages, superseded versions, index.md, README.md
    tags: int  # distinct tags visible in some `_Context:` line
    pages: int = 0
    superseded: int = 0
    index_only: int = 0
    top_tags: list[str] = dataclasses.field(default_factory=list)  # most used first


class _Ref(NamedTuple):
    """An earlier event as a Related link needs it; kept only while in a per-tag window."""

    seq: int
    link: str
    headline: str
    tags: tuple[str, ...]


@dataclasses.dataclass
class _Draft:
    """One event as drawn, before it becomes Markdown; lives only while its day is written."""

    day: dt.date
    slug: str
    headline: str
    summary: str
    topic: str
    tags: list[str]
    lead: str  # " " for the archive's occasional leading space in headlines
    sources: list[tuple[str, str]]
    related: list[_Ref]
    index_only: bool
    old_slug: str  # "" unless a superseded "Topic. headline" version is written too
    changes: bool  # whether the current page lists its versions under "### Changes:"
    stamp: str

    @property
    def link(self) -> str:
        return f"/{_dir(self.day)}/{self.slug}.md"

    def visible_tags(self) -> list[str]:
        """Tags a parser can see: the index context line (no summary) and Related contexts."""
        seen = dict.fromkeys([] if self.summary else self.tags)  # a dict: ordered, unlike a set
        if not self.index_only:
            seen.update(dict.fromkeys(t for r in self.related for t in r.tags if t in self.tags))
        return list(seen)


def slugify(text: str) -> str:
    """The archive's file-name rule: lower-case, non-alphanumeric runs to '-', ~140 chars."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:SLUG_MAX].rstrip("-")


def _cum(n: int, s: float = 1.0) -> list[float]:
    """Cumulative Zipf weights, so rng.choices draws rank r with weight 1/r**s."""
    acc, out = 0.0, []
    for rank in range(1, n + 1):
        acc += rank**-s
        out.append(acc)
    return out


class _World:
    """The fixed pools (names, tags, topics, outlets) an archive draws from, Zipf-weighted."""

    def __init__(self, rng: random.Random, events: int) -> None:
        self.rng = rng
        names = self._unique(
            lambda: "".join(rng.choice(SYLL) for _ in range(rng.randint(2, 3))).capitalize(), 6000
        )
        self.places, self.first, self.last = names[:3000], names[3000:4000], names[4000:]
        self.people = [self._person() for _ in range(3000)]
        self.tags = self._unique(self._tag, min(20000, max(200, events // 5)))
        self.topics = self._unique(self._topic, min(3000, max(50, events // 30)))
        self.outlets = [
            (n, f"www.{slugify(n)}.{rng.choice(TLDS)}")
            for n in self._unique(lambda: f"{rng.choice(names)} {rng.choice(OUTLET_KINDS)}", 300)
        ]
        self.tag_cum, self.topic_cum = _cum(len(self.tags)), _cum(len(self.topics))
        self.noun_cum, self.verb_cum = _cum(len(NOUNS), 0.8), _cum(len(VERBS), 0.8)
        self.outlet_cum = _cum(len(self.outlets), 1.1)

    @staticmethod
    def _unique(make: Callable[[], str], n: int) -> list[str]:
        """n distinct strings in draw order (a dict keeps the order deterministic)."""
        seen: dict[str, None] = {}
        while len(seen) < n:
            seen.setdefault(make(), None)
        return list(seen)

    def _person(self) -> str:
        return f"{self.rng.choice(self.first)} {self.rng.choice(self.last)}"

    def _tag(self) -> str:
        """Places, people, organisations, named events, a few common-noun tags."""
        rng, place = self.rng, self.rng.choice(self.places)
        return rng.choices(
            (
                place,
                f"{place} {rng.choice(PLACE_KINDS)}",
                self._person(),
                f"{place} {rng.choice(ORG_KINDS)}",
                f"{rng.randint(2003, 2025)} {place} {rng.choice(EVENT_KINDS)}",
                f"{rng.choice(ADJS)} {rng.choice(NOUNS)}",
            ),
            (25, 10, 35, 20, 7, 3),
        )[0]

    def _topic(self) -> str:
        """Topics as the archive has them: a place, an ongoing story, a dated one."""
        rng, place, kind = self.rng, self.rng.choice(self.places), self.rng.choice(EVENT_KINDS)
        year = rng.randint(2003, 2024)
        return rng.choices(
            (place, f"{place} {kind}", f"{place} {kind} ({year}-present)", f"{year} {place} {kind}"),
            (40, 30, 15, 15),
        )[0]


class _Drafter:
    """Draws events (words, tags, sources, links) and keeps the window of Related candidates."""

    def __init__(self, world: _World) -> None:
        self.w, self.rng = world, world.rng
        self.recent: dict[str, collections.deque[_Ref]] = collections.defaultdict(
            lambda: collections.deque(maxlen=RECENT_PER_TAG)
        )
        self.seq = 0

    def _phrase(self, ents: list[str]) -> list[str]:
        """A noun phrase: often an entity (the event's tags first), else det+adj+noun."""
        rng, w = self.rng, self.w
        r = rng.random()
        if r < 0.35:
            ent = ents.pop(0) if ents else rng.choice(w.places if r < 0.2 else w.people)
            return [f"{ent}'s", rng.choice(NOUNS)] if rng.random() < 0.08 else [ent]
        if r < 0.45:
            return ["at least", str(rng.randint(2, 900)), rng.choice(UNITS)]
        noun = rng.choices(NOUNS, cum_weights=w.noun_cum)[0]
        adj = [rng.choice(ADJS)] if rng.random() < 0.4 else []
        return [rng.choice(DETS), *adj, noun]

    def sentences(self, n_words: int, ents: list[str], quotes: bool = False) -> str:
        """Subject-verb-object sentences with prepositional tails, about n_words long."""
        rng, out, words = self.rng, [], 0
        while words < n_words:
            s = [*self._phrase(ents), rng.choices(VERBS, cum_weights=self.w.verb_cum)[0]]
            s += self._phrase(ents)
            while len(" ".join(s).split()) < min(14, n_words - words) and rng.random() < 0.8:
                s += [rng.choice(PREPS), *self._phrase(ents)]
            if quotes and rng.random() < 0.3:
                q = rng.choice(QUOTES)
                s[-1] = f"{q}{s[-1]}{q}"
            text = " ".join(s)
            words += len(text.split())
            out.append(text[0].upper() + text[1:] + ".")
        return " ".join(out)

    def event(self, day: dt.date, taken: set[str]) -> _Draft:
        """One event, drawn in a fixed order so the seed fixes every byte; slugs stay unique."""
        rng, w = self.rng, self.w
        n_tags = rng.choices(range(1, 7), (20, 30, 25, 13, 8, 4))[0]
        tags = list(dict.fromkeys(rng.choices(w.tags, cum_weights=w.tag_cum, k=n_tags)))
        topic = rng.choices(w.topics, cum_weights=w.topic_cum)[0]
        headline = ""
        while not headline or slugify(headline) in taken:
            headline = self.sentences(int(rng.triangular(10, 40, 18)), tags[:])
        summary = (
            ""
            if rng.random() < 0.4
            else self.sentences(int(rng.triangular(6, 60, 22)), tags[1:], quotes=rng.random() < 0.1)
        )
        e = _Draft(
            day,
            slugify(headline),
            headline,
            summary,
            topic,
            tags,
            " " if rng.random() < 0.03 else "",
            self._sources(day),
            self._related(tags),
            rng.random() < 0.015,
            "",
            rng.random() < 0.5,
            "",
        )
        old_slug = slugify(f"{topic} {headline}")
        if rng.random() < 0.03 and not e.index_only and old_slug not in taken and old_slug != e.slug:
            e.old_slug, e.stamp = old_slug, self._stamp(day)
        taken.update((e.slug, e.old_slug))
        return e

    def _sources(self, day: dt.date) -> list[tuple[str, str]]:
        rng, w, out = self.rng, self.w, []
        for name, host in dict.fromkeys(
            rng.choices(w.outlets, cum_weights=w.outlet_cum, k=rng.choices((1, 2, 3), (60, 30, 10))[0])
        ):
            scheme = "https" if day.year >= 2014 or rng.random() < 0.2 else "http"
            path = f"{day:%Y/%m/%d}/{'-'.join(rng.sample(NOUNS, 4))}-{rng.randint(1000, 999999)}"
            out.append((name, f"{scheme}://{host}/{path}.html"))
        if rng.random() < 0.08:
            out.append(
                ("Cover Image", f"https://img.{out[0][1].split('/')[2][4:]}/{rng.getrandbits(48):012x}.jpg")
            )
        return out

    def _related(self, tags: list[str]) -> list[_Ref]:
        """Earlier events sharing a tag, taken tag by tag so most of the event's tags show."""
        want = 0 if self.rng.random() < 0.08 else self.rng.randint(2, 10)
        pools = [list(self.recent.get(t, ())) for t in tags]
        picked: dict[int, _Ref] = {}
        while len(picked) < want and any(pools):
            for pool in (p for p in pools if p and len(picked) < want):
                ref = pool.pop(self.rng.randrange(len(pool)))
                picked[ref.seq] = ref
        return sorted(picked.values(), key=lambda r: -r.seq)  # newest first, as the archive lists them

    def _stamp(self, day: dt.date) -> str:
        t = dt.datetime(day.year, day.month, day.day) + dt.timedelta(
            seconds=self.rng.randint(86400, 86400 * 900)
        )
        return t.strftime("%Y-%m-%d %H:%M:%S")

    def remember(self, e: _Draft) -> None:
        """Make a written page a Related candidate for later events sharing a tag."""
        ref = _Ref(self.seq, e.link, e.headline, tuple(e.tags))
        self.seq += 1
        for t in e.tags:
            self.recent[t].append(ref)


def _dir(day: dt.date) -> str:
    return f"news/{day.year}/{day.month:02d}/{day.day}"


def _page(e: _Draft, headline: str, changes: str) -> bytes:
    """An event page; the header date keeps the archive's unpadded day ('2015-09-4')."""
    d, tags = e.day, set(e.tags)
    src = "".join(f"{1 if n == 'Cover Image' else i + 1}. [{n}]({u})\n" for i, (n, u) in enumerate(e.sources))
    rel = "".join(
        f"{i + 1}. [{r.headline} ]({r.link}) _Context: {', '.join(t for t in r.tags if t in tags)}_\n"
        for i, r in enumerate(e.related)
    )
    out = (
        f"### [{d.year}-{d.month:02d}-{d.day}](/{_dir(d)}/index.md)\n\n# {e.lead}{headline} \n\n"
        f"{e.summary}\n\n\n### Source:\n\n{src}"
    )
    return (out + (f"\n### Related:\n\n{rel}" if rel else "") + changes).encode()


def _index_entry(e: _Draft) -> str:
    """A day-index entry: topic, linked headline, then the summary or else the tags."""
    tail = e.summary if e.summary else f"_Context: {', '.join(e.tags)}_"
    return f"##### {e.topic}\n### [{e.lead}{e.headline} ]({e.link})\n{tail}\n"


def _write_day(root: Path, day: dt.date, evs: list[_Draft]) -> int:
    """Write a day's pages, superseded versions, index.md and README.md; return file count."""
    ddir, files = root / _dir(day), 2
    ddir.mkdir(parents=True, exist_ok=True)
    for e in (e for e in evs if not e.index_only):
        changes = ""
        if e.old_slug:
            old = f"{e.topic}. {e.headline}"
            (ddir / f"{e.old_slug}.md").write_bytes(_page(e, old, ""))
            files += 1
            if e.changes:  # the real archive lists versions on only some current pages
                changes = (
                    f"\n### Changes:\n\n1. [{old} ](/{_dir(day)}/{e.old_slug}.md) _{e.stamp} "
                    f"(First version)_\n1. [{e.headline} ]({e.link}) _(Current version)_\n"
                )
        (ddir / f"{e.slug}.md").write_bytes(_page(e, e.headline, changes))
        files += 1
    prev, rel = day - dt.timedelta(days=1), f"{day.year}/{day.month:02d}/{day.day}"
    index = (
        f"\nFormats: [HTML]({rel}/index.html)  [JSON]({rel}/index.json)  [XML]({rel}/index.xml)  \n\n"
        f"## [{day.year}-{day.month:02d}-{day.day}](/{_dir(day)}/index.md)\n\n"
        + "\n".join(_index_entry(e) for e in evs)
        + f"\n## [Previous Day...](/{_dir(prev)}/index.md)\n\n"
    )
    (ddir / "index.md").write_bytes(index.encode())
    (ddir / "README.md").write_bytes(index.encode())  # the real archive keeps a copy under this name
    return files


def plan_days(rng: random.Random, events: int, avoid: Collection[dt.date] = ()) -> list[tuple[dt.date, int]]:
    """Spread events over 2003..2025: ~25 a day (10-40) on random days, denser if it must.

    Days in ``avoid`` get no events (a real archive's days are mixed in there).
    """
    span = (LAST_DAY - FIRST_DAY).days + 1
    free = [d for d in range(span) if FIRST_DAY + dt.timedelta(days=d) not in avoid] if avoid else range(span)
    n_days = min(len(free), max(1, round(events / 25)), events)
    picked = sorted(rng.sample(free, n_days))
    mean = events / n_days
    lo, hi = max(1, int(mean * 0.4)), max(1, int(mean * 1.6) + 1)
    counts = [rng.randint(lo, hi) for _ in picked]
    diff = events - sum(counts)
    while diff:
        i, step = rng.randrange(n_days), 1 if diff > 0 else -1
        if counts[i] + step >= 1:
            counts[i] += step
            diff -= step
    return [(FIRST_DAY + dt.timedelta(days=p), c) for p, c in zip(picked, counts, strict=False)]


def generate(
    out_dir: Path,
    events: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    avoid: Collection[dt.date] = (),
) -> GeneratedArchive:
    """Write `events` synthetic events under out_dir/news/, on no day of ``avoid``; same seed, same bytes."""
    if events < 1:
        raise ValueError("events must be at least 1")
    rng, out_dir = random.Random(seed), Path(out_dir)
    drafter = _Drafter(_World(rng, events))
    result = GeneratedArchive(out_dir, events=0, days=0, files=0, tags=0)
    used: collections.Counter[str] = collections.Counter()
    for day, count in plan_days(rng, events, avoid):
        taken: set[str] = set()
        evs = [drafter.event(day, taken) for _ in range(count)]
        result.files += _write_day(out_dir, day, evs)
        for e in evs:
            used.update(e.visible_tags())
            result.index_only += e.index_only
            result.superseded += bool(e.old_slug)
            if not e.index_only:
                drafter.remember(e)
        result.events, result.days = result.events + count, result.days + 1
        if progress:
            progress(result.events, events)
    result.pages = result.events - result.index_only
    result.tags, result.top_tags = len(used), [t for t, _ in used.most_common(50)]
    return result


def main(argv: list[str] | None = None) -> int:
    """CLI: python -m bench.generate OUT_DIR --events N [--seed S]."""
    ap = argparse.ArgumentParser(description="Generate a synthetic news-events archive.")
    ap.add_argument("out_dir", type=Path, help="directory to write news/YYYY/MM/D/ into")
    ap.add_argument("--events", type=int, required=True, help="number of distinct events")
    ap.add_argument("--seed", type=int, default=0, help="random seed (same seed, same tree)")
    args = ap.parse_args(argv)
    start = time.monotonic()

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total} events, {time.monotonic() - start:.0f}s", end="", file=sys.stderr)

    res = generate(args.out_dir, args.events, args.seed, progress)
    print(file=sys.stderr)
    print(
        f"{res.events} events ({res.pages} pages, {res.index_only} index-only, {res.superseded} "
        f"superseded), {res.days} days, {res.tags} tags, {res.files} files in "
        f"{time.monotonic() - start:.1f}s -> {res.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
