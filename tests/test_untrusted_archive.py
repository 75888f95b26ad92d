"""The archive is the only thing read: links are not followed, odd and unreadable files are named and skipped.

Archives are small copies of the fixture, indexed by the real command in a subprocess
(``python -m search``); what got in is checked on the index it wrote.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import pytest

from search.archive import read_day
from search.limits import PAGE_SIZE_LIMIT
from search.request import SearchRequest
from search.searching import SearchIndex

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
KINBOTE = "news/2020/01/6/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament.md"
FIXTURE_EVENTS = 7
NOBODY = 65534


def eventsearch(*args, as_user: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run the real command, optionally behind a prefix that runs it as another user."""
    command = [*as_user, sys.executable, "-m", "search", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def reports(stderr: str) -> dict[str, str]:
    """{path: reason} of the "skipped PATH: reason" and "cut PATH: reason" lines of a command."""
    found = {}
    for line in stderr.splitlines():
        verb, _, rest = line.partition(" ")
        if verb in ("skipped", "cut"):
            path, _, reason = rest.partition(": ")
            found[path] = reason
    return found


def ids(index_dir: Path, text: str = "") -> list[str]:
    with SearchIndex(index_dir) as index:
        return [hit.id for hit in index.search(SearchRequest(text=text, page_size=100)).hits]


def page_text(word: str) -> str:
    """An event page of the fixture's, its names changed to ``word`` (to find it by)."""
    return (FIXTURE / KINBOTE).read_text().replace("Kinbote", word)


# -- symbolic links ------------------------------------------------------------------------------------

# (link in the archive, what it points to: "OUTSIDE/..." is outside the content directory, why it is skipped)
LINKS = [
    ("news/2020/01/6/gradus.md", "OUTSIDE/gradus.md", "outside the content directory"),
    ("news/2020/01/7", "OUTSIDE/day", "outside the content directory"),
    ("news/2020/02", "OUTSIDE/month", "outside the content directory"),
    ("news/2021", "OUTSIDE/year", "outside the content directory"),
    ("news/2020/01/6/loop.md", "loop.md", "symbolic link loop"),
    ("news/2020/01/8", "8", "symbolic link loop"),
    ("news/2020/01/9", "../../2020", "links are never followed, even inside the archive"),
    (
        "news/2020/01/6/copy.md",
        "charles-kinbote-resigns-as-speaker-of-the-zembla-parliament.md",
        "never followed",
    ),
]


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """Every kind of link of LINKS added to an indexed archive: (scan-mode update, full index, index dir)."""
    base = tmp_path_factory.mktemp("links")
    content, outside, index_dir = base / "content", base / "outside", base / "index"
    shutil.copytree(FIXTURE, content)
    eventsearch("index", content, "--index-dir", index_dir, "--quiet")
    for rel in ("gradus.md", "day/gradus.md", "month/7/gradus.md", "year/01/7/gradus.md"):
        (outside / rel).parent.mkdir(parents=True, exist_ok=True)
        (outside / rel).write_text(page_text("Gradus"))
    for link, target, _ in LINKS:
        os.symlink(target.replace("OUTSIDE", str(outside)), content / link)
    updated = eventsearch("update", content, "--scan", "--index-dir", index_dir)
    built = eventsearch("index", content, "--index-dir", index_dir)
    return updated, built, index_dir


@pytest.mark.parametrize(("link", "reason"), [(link, reason) for link, _, reason in LINKS])
def test_each_symbolic_link_is_named_with_its_reason(linked, link, reason):
    updated, built, _ = linked
    assert reason in reports(updated.stderr)[link]  # the update saw the new links and re-read their days
    assert reason in reports(built.stderr)[link]


def test_index_and_scan_update_finish_despite_links_and_loops(linked):
    updated, built, _ = linked
    assert (built.returncode, updated.returncode) == (0, 0), built.stderr + updated.stderr
    assert "Traceback" not in built.stderr + updated.stderr


def test_nothing_behind_a_link_is_indexed(linked):
    _, _, index_dir = linked
    assert ids(index_dir, "gradus") == []
    assert len(ids(index_dir)) == FIXTURE_EVENTS  # links inside the archive add no second copy


def test_news_directory_that_is_a_link_is_refused_in_one_line(tmp_path):
    shutil.copytree(FIXTURE / "news", tmp_path / "elsewhere")
    (tmp_path / "content").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "content" / "news")
    result = eventsearch("index", tmp_path / "content", "--index-dir", tmp_path / "index")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "symbolic link" in result.stderr


def test_update_of_a_named_path_does_not_follow_a_linked_day(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "content")
    eventsearch("index", tmp_path / "content", "--index-dir", tmp_path / "index", "--quiet")
    (tmp_path / "day").mkdir()
    (tmp_path / "day" / "gradus.md").write_text(page_text("Gradus"))
    os.symlink(tmp_path / "day", tmp_path / "content/news/2020/01/7")
    result = eventsearch(
        "update", tmp_path / "content", "news/2020/01/7/gradus.md", "--index-dir", tmp_path / "index"
    )
    assert "outside the content directory" in reports(result.stderr)["news/2020/01/7"]
    assert ids(tmp_path / "index", "gradus") == []


# -- odd files ----------------------------------------------------------------------------------------

HUGE = "news/2020/01/6/huge.md"
BOM_PAGE = "news/2020/01/6/bom.md"
FIFO = "news/2020/01/6/fifo.md"


def write_huge_page(path: Path, size: int) -> None:
    """An event page of ``size`` bytes: a normal head, then one enormous paragraph of CJK text."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            page_text("Hugeman").replace("\n\n### Source:", "\n\nEnd of the head.\n\n### Source:", 1)
        )
        handle.write("\n\n" + "巨" * (size // 3))  # three bytes each: the limit cuts one in half


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    """An archive with a page and a day index that start with a BOM, a 20 MB page and a FIFO, indexed."""
    base = tmp_path_factory.mktemp("odd")
    content = base / "content"
    shutil.copytree(FIXTURE, content)
    (content / BOM_PAGE).write_bytes(b"\xef\xbb\xbf" + page_text("Bommer").encode())
    day_index = content / "news/2020/01/5/index.md"
    day_index.write_bytes(b"\xef\xbb\xbf" + day_index.read_bytes())
    write_huge_page(content / HUGE, 20_000_000)
    os.mkfifo(content / FIFO)
    result = eventsearch("index", content, "--index-dir", base / "index")
    return result, base / "index", content


def test_page_and_day_index_starting_with_a_bom_are_read(odd):
    result, index_dir, _ = odd
    assert result.returncode == 0 and BOM_PAGE not in reports(result.stderr)
    assert ids(index_dir, "bommer") == ["2020-01-06/bom"]
    with SearchIndex(index_dir) as index:  # the day index gave day 5 its topics
        assert index.event("2020-01-05/ruritania-and-zembla-sign-a-trade-agreement-on-cheese-exports").topic


def test_huge_page_is_indexed_cut_and_reported(odd):
    result, index_dir, _ = odd
    assert result.stderr.count(f"cut {HUGE}: larger than 1 MB") == 1
    assert ids(index_dir, "hugeman") == ["2020-01-06/huge"]
    with SearchIndex(index_dir) as index:
        body = index.event("2020-01-06/huge").body  # the page below its date line and headline
    assert PAGE_SIZE_LIMIT - 1_000 <= len(body.encode()) <= PAGE_SIZE_LIMIT


def test_huge_page_is_read_in_bounded_memory(odd):
    _, _, content = odd
    tracemalloc.start()
    try:
        result = read_day(content, "news/2020/01/6")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "2020-01-06/huge" in {event.id for event in result.events}
    assert peak < 12 * PAGE_SIZE_LIMIT  # the file is 20 MB; text of 1 MB and what parsing makes of it


def test_fifo_named_like_a_page_is_skipped_without_blocking(odd):
    result, _, _ = odd
    assert reports(result.stderr)[FIFO] == "not a regular file"


# -- as an unprivileged user --------------------------------------------------------------------------


@pytest.fixture
def unprivileged(tmp_path):
    """(command prefix, a directory that user owns) to run the indexer without root's powers.

    CI runs as root, which reads everything; permissions only bite a normal user, so the
    command runs as nobody (setpriv) in a directory nobody owns. Already unprivileged: as we are.
    """
    if os.geteuid() != 0:
        yield (), tmp_path
        return
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is missing: cannot drop root to run as an unprivileged user")
    base = Path(tempfile.mkdtemp(prefix="eventsearch-unprivileged-"))
    try:
        os.chown(base, NOBODY, NOBODY)
        prefix = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
        check = "import os, sys, search; sys.exit(not os.access(sys.argv[1], os.W_OK))"
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", check, str(base)], capture_output=True, text=True
        )
        if probe.returncode:
            pytest.skip(f"cannot run eventsearch as uid {NOBODY} here: {probe.stderr.strip() or 'no access'}")
        yield prefix, base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def copy_owned(base: Path, name: str = "content") -> Path:
    """A copy of the fixture archive owned by the directory's owner (nobody, when we are root)."""
    content = base / name
    shutil.copytree(FIXTURE, content)
    owner = base.stat()
    for path in [content, *content.rglob("*")]:
        os.chown(path, owner.st_uid, owner.st_gid)
    return content


RIVER = "news/2019/12/31/the-river-wobegon-bursts-its-banks-for-the-first-time-in-a-century.md"


def test_unreadable_directory_and_file_are_named_and_the_rest_indexed(unprivileged):
    prefix, base = unprivileged
    content = copy_owned(base)
    (content / "news/2020/01/5").chmod(0)
    (content / RIVER).chmod(0)
    result = eventsearch("index", content, "--index-dir", base / "index", as_user=prefix)
    assert result.returncode == 0, result.stderr
    found = reports(result.stderr)
    assert found["news/2020/01/5"] == found[RIVER] == "cannot read: Permission denied"
    indexed = ids(base / "index")
    assert "2020-01-06/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament" in indexed
    assert not [event_id for event_id in indexed if event_id.startswith(("2020-01-05", "2019-12-31"))]


def test_update_keeps_the_events_of_a_directory_it_can_no_longer_read(unprivileged):
    prefix, base = unprivileged
    content = copy_owned(base)
    eventsearch("index", content, "--index-dir", base / "index", "--quiet", as_user=prefix)
    before = ids(base / "index")
    (content / "news/2020/01/5").chmod(0)
    result = eventsearch("update", content, "--scan", "--index-dir", base / "index", as_user=prefix)
    assert result.returncode == 0, result.stderr
    assert reports(result.stderr)["news/2020/01/5"] == "cannot read: Permission denied"
    assert ids(base / "index") == before


@pytest.mark.parametrize(
    ("command", "setup", "message"),
    [
        ("index", lambda content, index: (content / "news").chmod(0), "cannot read"),
        ("index", lambda content, index: index.mkdir(mode=0o555), "is not writable"),
        ("update", lambda content, index: index.mkdir(mode=0o555), "is not writable"),
    ],
    ids=["unreadable archive", "index dir not writable", "index dir not writable (update)"],
)
def test_permission_denied_is_one_line_with_what_to_do(unprivileged, command, setup, message):
    prefix, base = unprivileged
    content, index_dir = copy_owned(base), base / "index"
    setup(content, index_dir)
    result = eventsearch(command, content, "--index-dir", index_dir, as_user=prefix)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert message in result.stderr and "run as a user who may" in result.stderr
