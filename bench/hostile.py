"""Hostile requests against the served product, the documented way and with gunicorn alone.

    python -m bench.hostile                      # 100,000 events, both ways of serving
    python -m bench.hostile --events 10000 --modes nginx --record

Generates (or reuses, in bench/out/) a synthetic archive with one planted 20 MB page,
indexes it, and serves it with nginx in front of `eventsearch serve` (deploy/nginx/) and
with `eventsearch serve` alone. Against each, it sends every hostile request class of
issue 7 once, alone, with a client time limit; then measures the p95 of cheap queries
(plain one-word searches) at rest, while four hostile requests run at once, and while 50
slow clients trickle requests a byte a second; and samples the workers' memory
throughout. A request the client gave up on may still run in the server, so the server
is restarted after one. Only 127.0.0.1 is sent anything.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import random
import signal
import string
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.generate import generate
from bench.measure import WorkerMemory, machine, percentile, python_command, run_process
from bench.queries import BenchQuery
from bench.serving import NGINX, Answer, Served, SlowClients, fetch, gunicorn, nginx, upstream_of
from bench.vocab import ADJS, NOUNS, SYLL, VERBS
from bench.web import search_path

OUT = Path(__file__).parent / "out"
RESULTS = Path(__file__).parent / "RESULTS.md"
MODES = {"nginx": "nginx + gunicorn", "gunicorn": "gunicorn alone"}
HUGE_DAY = dt.date(2002, 12, 31)  # before the generated days, so not the front page's latest day
HUGE_WORD = "zyzzyva"
HUGE_BYTES = 20 * 2**20
CHEAP_WORDS = sorted(w for w in NOUNS if w.isalpha())
# Each server process may map this much memory: a runaway request fails instead of taking the
# shared machine down with it (and is counted as a failure).
MEMORY_LIMIT_MIB = 6144


def search(text: str, api: bool = False, **params: str) -> str:
    """The path of a search for ``text`` (and further URL parameters)."""
    return ("/api/search?" if api else "/search?") + urllib.parse.urlencode({"q": text, **params})


def hostile_requests(seed: int) -> dict[str, str]:
    """Each hostile request class of issue 7, by name, as a URL path."""
    rng = random.Random(seed)
    letters = string.ascii_lowercase
    words = " ".join(rng.choice(NOUNS + VERBS + ADJS) for _ in range(400))[:1000].rsplit(" ", 1)[0]
    ors = " OR ".join(rng.choice(NOUNS) for _ in range(200))[:1000].rsplit(" OR ", 1)[0]
    return {
        "prefixes a* b* … z* (77 chars)": search(" ".join(f"{c}*" for c in letters)),
        "ranges [a TO z] [a TO y] … (224 chars)": search(" ".join(f"[a TO {c}]" for c in letters[:0:-1])),
        "U+FDFA ×300": search("\ufdfa" * 300),
        "the 20 MB page, search page": search(HUGE_WORD),
        "the 20 MB page, JSON API": search(HUGE_WORD, api=True),
        "1,000 characters of random words": search(words),
        "parentheses nested 400 deep": search("(" * 400 + "war" + ")" * 400),
        "many ORs (1,000 chars)": search(ors),
        "date:[0001 TO 9999]": search("date:[0001 TO 9999]"),
        "long tag: values": search('tag:"' + "x" * 500 + '"', tag="y" * 500),
        "huge page and size": search("war", page="999999999", size="999999999"),
    }


# The four run at once under load: the costliest classes of the issue, short of memory hogs.
LOAD = (
    "prefixes a* b* … z* (77 chars)",
    "ranges [a TO z] [a TO y] … (224 chars)",
    "the 20 MB page, JSON API",
    "1,000 characters of random words",
)


def archive(events: int, seed: int) -> Path:
    """The generated archive plus the planted 20 MB page, made once and kept in bench/out/."""
    content = OUT / f"hostile-archive-{events}-{seed}"
    if not (content / "news").is_dir():
        log(f"generating {events:,} events into {content}")
        generate(content, events, seed)
    day = content / f"news/{HUGE_DAY.year}/{HUGE_DAY.month:02d}/{HUGE_DAY.day}"
    if not (day / "index.md").exists():
        log(f"planting a {HUGE_BYTES / 2**20:.0f} MB page in {day}")
        plant_huge_page(day, random.Random(seed))
    return content


def plant_huge_page(day: Path, rng: random.Random) -> None:
    """One event whose page is HUGE_BYTES of Markdown paragraphs, the search word here and there.

    Its words are made up (``zy`` and two syllables), so only searches meant to find it show it.
    """
    day.mkdir(parents=True)
    slug = f"{HUGE_WORD}-the-archive-s-largest-page"
    date = f"{HUGE_DAY.year}-{HUGE_DAY.month:02d}-{HUGE_DAY.day}"
    link = f"/news/{HUGE_DAY.year}/{HUGE_DAY.month:02d}/{HUGE_DAY.day}"
    words = [f"zy{a}{b}" for a in SYLL for b in SYLL]
    paragraphs, size = [], 0
    while size < HUGE_BYTES:
        paragraph = " ".join(rng.choice(words) for _ in range(120)) + f" {HUGE_WORD}."
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    page = (
        f"### [{date}]({link}/index.md)\n\n# The {HUGE_WORD} page is the archive's largest. \n\n"
        + "\n\n".join(paragraphs)
        + "\n\n\n### Source:\n\n1. [Example](https://example.org/huge)\n"
    )
    (day / f"{slug}.md").write_text(page)
    (day / "index.md").write_text(
        f"## [{date}]({link}/index.md)\n\n##### Hostile pages\n"
        f"### [The {HUGE_WORD} page is the archive's largest. ]({link}/{slug}.md)\n_Context: Hostile pages_\n"
    )


@contextlib.contextmanager
def serving(mode: str, index_dir: Path) -> Iterator[Served]:
    """The server as ``mode`` says; yields the URL clients use and the pid of gunicorn's master."""
    with gunicorn(index_dir, memory_limit_mib=MEMORY_LIMIT_MIB) as server:
        if mode == "gunicorn":
            yield server
        else:
            with nginx(upstream_of(server)) as proxy:
                yield Served(proxy.url, server.pid)


class ServerUnderTest:
    """The server for one mode, warmed up, its workers' memory watched; restartable."""

    def __init__(self, mode: str, index_dir: Path) -> None:
        self.mode, self.index_dir = mode, index_dir
        self.baseline = self.growth = 0.0  # MiB: the warm workers' RSS, and the most any rose above it
        self.restarts = 0
        self._stack = contextlib.ExitStack()
        self._memory: WorkerMemory | None = None

    def __enter__(self) -> ServerUnderTest:
        self._start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def restart(self) -> None:
        self._stop()
        self.restarts += 1
        self._start()

    def _start(self) -> None:
        self._stack = contextlib.ExitStack()
        served = self._stack.enter_context(serving(self.mode, self.index_dir))
        self.url = served.url
        warm_up(self.url)
        self._memory = self._stack.enter_context(WorkerMemory(served.pid))

    def _stop(self) -> None:
        self._stack.close()
        if self._memory is not None:
            self.baseline = max(self.baseline, self._memory.baseline)
            self.growth = max(self.growth, self._memory.peak - self._memory.baseline)
            self._memory = None


def warm_up(url: str) -> None:
    """Every worker opens the index and meets the cheap words: each of them searched, eight at a time."""
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda path: fetch(url + path, timeout=120), [cheap_path(w) for w in CHEAP_WORDS * 2]))


def cheap_path(word: str) -> str:
    """The search page of a plain one-word query, as bench.run's web path requests it."""
    return search_path(BenchQuery(word))


def cheap_queries(url: str, seconds: float, timeout: float, count: int = 60) -> list[Answer]:
    """Plain one-word searches one after another: ``count`` of them, or as many as ``seconds`` allow."""
    answers: list[Answer] = []
    deadline = time.monotonic() + seconds
    while len(answers) < count and time.monotonic() < deadline:
        answers.append(fetch(url + cheap_path(CHEAP_WORDS[len(answers) % len(CHEAP_WORDS)]), timeout))
    return answers


def cheap_under_hostile_load(url: str, paths: list[str], seconds: float, timeout: float) -> list[Answer]:
    """Cheap queries while each of ``paths`` is requested again and again, all four at once."""
    stopping = threading.Event()

    def attack(path: str) -> None:
        while not stopping.is_set():
            fetch(url + path, timeout)

    with ThreadPoolExecutor(len(paths)) as pool:
        for path in paths:
            pool.submit(attack, path)
        time.sleep(1)  # they are running
        answers = cheap_queries(url, seconds, timeout)
        stopping.set()
    return answers


def given_up(answer: Answer) -> bool:
    """The client (no answer) or nginx (502, 504) stopped waiting: the server may still be working on it."""
    return answer.status in (None, 502, 504)


@dataclasses.dataclass
class ModeResult:
    """What one way of serving gave: each hostile request's answer, cheap queries, memory (MiB).

    Cheap queries under a load are compared with cheap queries at rest on the same fresh server
    just before (``*_rest``): the machine is shared, so the reference is taken as close as can be.
    """

    hostile: dict[str, Answer]
    at_rest: list[Answer]
    load_rest: list[Answer]
    under_load: list[Answer]
    slow_rest: list[Answer]
    slow_clients: list[Answer]
    baseline_mib: float
    growth_mib: float
    restarts: int


def run_mode(mode: str, index_dir: Path, args: argparse.Namespace) -> ModeResult:
    """Hostile requests one at a time, then cheap queries under hostile load and among slow clients."""
    hostile = hostile_requests(args.seed)
    answers: dict[str, Answer] = {}
    seconds, timeout = args.load_seconds, args.request_timeout
    with ServerUnderTest(mode, index_dir) as server:
        log(f"{mode}: cheap queries at rest")
        at_rest = cheap_queries(server.url, seconds, timeout)
        for name, path in hostile.items():
            answers[name] = answer = fetch(server.url + path, timeout)
            log(f"{mode}: {name}: {_answer(answer)}")
            if given_up(answer):
                server.restart()
        server.restart()
        log(f"{mode}: cheap queries at rest, then while four hostile ones run ({seconds} s at most)")
        load_rest = cheap_queries(server.url, seconds, timeout)
        under_load = cheap_under_hostile_load(server.url, [hostile[name] for name in LOAD], seconds, timeout)
        server.restart()
        log(f"{mode}: cheap queries at rest, then while 50 slow clients trickle ({args.slow_seconds} s)")
        slow_rest = cheap_queries(server.url, seconds, timeout)
        with SlowClients(server.url, count=50, interval=1.0, seconds=args.slow_seconds + 10):
            time.sleep(3)  # all connected, mid-request
            slow = cheap_queries(server.url, args.slow_seconds, timeout, count=10**6)
    return ModeResult(
        answers,
        at_rest,
        load_rest,
        under_load,
        slow_rest,
        slow,
        server.baseline,
        server.growth,
        server.restarts,
    )


def render(results: dict[str, ModeResult], events: int, timeout: float) -> str:
    """A Markdown table, one column per way of serving."""
    modes = list(results)
    lines = [
        f"### Hostile requests, {events:,} events — {dt.date.today().isoformat()}",
        "",
        f"Machine: {machine()}. Client time limit {timeout:g} s per request (`>`: no answer by then); "
        "status and size in brackets.",
        "",
        "| figure | " + " | ".join(MODES[m] for m in modes) + " |",
        "|---|" + "---:|" * len(modes),
    ]

    def row(name: str, cell) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(results[m]) for m in modes) + " |")

    for name in next(iter(results.values())).hostile:
        row(f"{name}, s", lambda r, name=name: _answer(r.hostile[name]))
    row("slowest hostile request, s", lambda r: _slowest(r.hostile))
    row(
        "hostile requests given up on (no answer, 502, 504)",
        lambda r: f"{sum(map(given_up, r.hostile.values()))}",
    )
    row("server restarts (after a request given up on, and between parts)", lambda r: f"{r.restarts}")
    row("workers' RSS when warm, MB", lambda r: f"{r.baseline_mib:,.0f}")
    row("peak worker RSS growth over the run, MB", lambda r: f"{r.growth_mib:,.0f}")
    row("cheap-query p95 at rest, ms", lambda r: _p95(r.at_rest))
    row(
        "cheap-query p95, four hostile running, ms (at rest just before; ×)",
        lambda r: _p95(r.under_load, r.load_rest),
    )
    row(
        "cheap-query p95, 50 slow clients, ms (at rest just before; ×)",
        lambda r: _p95(r.slow_clients, r.slow_rest),
    )
    row("cheap queries failed: at rest / four hostile / slow clients", _failures)
    return "\n".join(lines) + "\n"


def _answer(answer: Answer) -> str:
    if answer.status is None:
        return f"> {answer.seconds:.1f} ({answer.error or 'no answer'})"
    return f"{answer.seconds:.2f} ({answer.status}, {answer.size / 2**20:.1f} MB)"


def _slowest(hostile: dict[str, Answer]) -> str:
    name, answer = max(hostile.items(), key=lambda item: item[1].seconds)
    return f"{'> ' if answer.status is None else ''}{answer.seconds:.1f} ({name})"


def _p95(answers: list[Answer], reference: list[Answer] | None = None) -> str:
    p95 = percentile([a.seconds * 1000 for a in answers], 95)
    if reference is None:
        return f"{p95:,.0f} (n={len(answers)})"
    rest = percentile([a.seconds * 1000 for a in reference], 95)
    return f"{p95:,.0f} ({rest:,.0f}; {p95 / rest:,.1f}×, n={len(answers)})"


def _failures(result: ModeResult) -> str:
    runs = (result.at_rest, result.under_load, result.slow_clients)
    return " / ".join(f"{sum(a.status != 200 for a in run)}" for run in runs)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="archive size (default 100000)")
    parser.add_argument("--seed", type=int, default=0, help="archive and query seed")
    parser.add_argument(
        "--modes", default="nginx,gunicorn", help="ways of serving, comma-separated: nginx, gunicorn"
    )
    parser.add_argument(
        "--request-timeout", type=float, default=40, help="client time limit per request, s (nginx's is 30)"
    )
    parser.add_argument("--load-seconds", type=float, default=60, help="longest cheap-query run, s")
    parser.add_argument("--slow-seconds", type=float, default=30, help="cheap queries among slow clients, s")
    parser.add_argument("--record", action="store_true", help="prepend the table to bench/RESULTS.md")
    args = parser.parse_args(argv)
    # Stopped with SIGTERM, it still stops the servers it started (the with blocks unwind).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    modes = [m for m in args.modes.split(",") if m]
    if unknown := set(modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    if "nginx" in modes and not NGINX.exists():
        parser.error(f"{NGINX} is not installed (apt-get install nginx), or leave out --modes nginx")

    content = archive(args.events, args.seed)
    index_dir = OUT / f"hostile-work-{args.events}" / "index"
    log(f"indexing {content}")
    built = run_process(
        python_command("-m", "search", "index", str(content), "--index-dir", str(index_dir), "-q")
    )
    if built.returncode != 0:
        raise SystemExit(f"indexing failed:\n{built.stderr[-2000:]}")
    results = {mode: run_mode(mode, index_dir, args) for mode in modes}
    table = render(results, args.events, args.request_timeout)
    print(table)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"hostile-{args.events}-{stamp}.md").write_text(table)
    if args.record:
        # Imported here: bench.run needs the bench extra, and the tests import this module.
        from bench.run import record

        record(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
