"""No edit is lost and every fault is one line: edits during a build, killed updates, the lock, a full disk.

The commands run as real subprocesses (``python -m search``) on real index directories.
"""

import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate
from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import Store
from search.writer import build

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
RIVER = "news/2019/12/31/the-river-wobegon-bursts-its-banks-for-the-first-time-in-a-century.md"
KINBOTE = "news/2020/01/6/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament.md"
NEW_PAGE = "news/2020/01/6/astronomers-discover-a-cheese-comet.md"

# Runs the command, but dies by SIGKILL at the first thing it does after Whoosh renames its new table
# of contents into place: an update killed between its commit and telling anyone about it.
KILLED_AFTER_COMMIT = """
import os, signal, sys
committed = False
def die_after_commit(event, args):
    global committed
    if event == "os.rename" and str(args[1]).endswith(".toc"):
        committed = True
    elif committed and event != "os.kill":
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(die_after_commit)
from search.cli import main
main()
"""


def eventsearch(*args, **popen) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "search", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, **popen)


def ids(index_dir: Path, text: str = "") -> list[str]:
    with SearchIndex(index_dir) as index:
        return [hit.id for hit in index.search(SearchRequest(text=text, page_size=100)).hits]


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The error line of a failed command, after checking that it is the only thing it printed."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    return result.stderr


def add_page(content: Path, word: str) -> None:
    (content / NEW_PAGE).write_text((content / KINBOTE).read_text().replace("Kinbote", word))


@pytest.fixture
def content(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def index_dir(tmp_path, content):
    build(content, Store(tmp_path / "index"), workers=1)
    return tmp_path / "index"


# -- edits made while writing -------------------------------------------------------------------------


def test_edit_during_a_full_build_is_seen_by_the_next_update(content, tmp_path):
    edited = content / RIVER
    # Dated an hour back, as an edit made early in a long build would be by its end: no file here is
    # recent enough for a scan to distrust its state (the next test is about those).
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(edited, ns=(hour_ago, hour_ago))

    def edit_a_day_already_read(days_done: int) -> None:
        if "Gullwing" not in edited.read_text():
            edited.write_text(edited.read_text().replace("century", "century, says mayor Gullwing"))
            os.utime(edited, ns=(hour_ago + 10**9, hour_ago + 10**9))

    build(content, Store(tmp_path / "index"), progress=edit_a_day_already_read, workers=1)
    assert ids(tmp_path / "index", "gullwing") == []  # the build read that day before the edit
    result = eventsearch("update", content, "--index-dir", tmp_path / "index")
    assert "1 changed" in result.stdout, result.stdout + result.stderr
    assert ids(tmp_path / "index", "gullwing") == [f"2019-12-31/{Path(RIVER).stem}"]


def test_file_rewritten_within_the_clock_tick_of_a_scan_is_read_again(content, tmp_path):
    # A file changed twice in one tick of the file system's clock, at the same size, keeps its
    # recorded state: the scan after the build must not trust a state taken that close to a change.
    edited = content / KINBOTE
    now = time.time_ns() + 60 * 10**9  # as recent as a scan can tell, however slowly this machine runs
    os.utime(edited, ns=(now, now))
    build(content, Store(tmp_path / "index"), workers=1)
    edited.write_text(edited.read_text().replace("poetry", "poems!"))  # same size
    os.utime(edited, ns=(now, now))
    result = eventsearch("update", content, "--index-dir", tmp_path / "index")
    assert "1 changed" in result.stdout, result.stdout + result.stderr


# -- an update killed between its commit and publishing it -------------------------------------------


def test_update_killed_after_commit_is_seen_by_servers_and_finished_by_the_next(content, index_dir, tmp_path):
    server = SearchIndex(index_dir)  # a running server's index, open before the update
    assert server.search(SearchRequest(text="gradus")).total == 0
    add_page(content, "Gradus")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_COMMIT, "update", content, "--index-dir", index_dir],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    assert [hit.id for hit in server.search(SearchRequest(text="gradus")).hits] == [
        "2020-01-06/astronomers-discover-a-cheese-comet"
    ]
    finished = eventsearch("update", content, "--index-dir", index_dir)
    assert "finished an interrupted update" in finished.stdout, finished.stdout + finished.stderr
    again = eventsearch("update", content, "--index-dir", index_dir)
    assert again.stdout.startswith("0 added, 0 changed, 0 removed") and "interrupted" not in again.stdout
    assert not Store(index_dir).update_interrupted()
    fresh = tmp_path / "fresh"
    build(content, Store(fresh), workers=1)
    assert ids(index_dir) == ids(fresh) and ids(index_dir, "gradus") == ids(fresh, "gradus")
    server.close()


# -- the lock -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["index", "update"])
def test_writer_waits_for_the_lock_and_then_runs(content, index_dir, command):
    add_page(content, "Gradus")
    store = Store(index_dir)
    with store.lock("test"):
        waiting = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "search",
                command,
                str(content),
                "--index-dir",
                str(index_dir),
                "--wait",
                "60",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready, _, _ = select.select([waiting.stderr], [], [], 60)
        said = waiting.stderr.readline() if ready else ""
        assert re.fullmatch(
            rf"waiting for the index lock held by pid {os.getpid()} \(test, since \d\d:\d\d:\d\d\)…\n", said
        ), said
        assert waiting.poll() is None
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert ids(index_dir, "gradus") == ["2020-01-06/astronomers-discover-a-cheese-comet"]


def test_lock_held_too_long_is_one_line(content, index_dir):
    with Store(index_dir).lock("test"):
        started = time.monotonic()
        result = eventsearch("update", content, "--index-dir", index_dir, "--wait", "0.5")
        waited = time.monotonic() - started
    assert result.returncode == 1 and "Traceback" not in result.stderr
    said, error = result.stderr.splitlines()
    assert said.startswith("waiting for the index lock held by")
    assert error.startswith("Error: ") and f"locked by pid {os.getpid()} (test, since" in error
    assert "after waiting 0.5 s" in error and waited >= 0.5


# -- one-line errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["update", "search", "stats"])
def test_missing_index_is_one_line_saying_how_to_build_one(content, tmp_path, command):
    args = {"update": [content], "search": ["zembla"], "stats": []}[command]
    line = one_line_error(eventsearch(command, *args, "--index-dir", tmp_path / "nothing"))
    assert "run `eventsearch index CONTENT_DIR` first" in line


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs to hold an index directory (mounting needs root; skipped where it is not allowed)."""
    point = tmp_path / "disk"
    point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], capture_output=True, text=True
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_full_disk_during_a_build_is_one_line_and_the_old_index_answers(content, small_disk, tmp_path):
    index_dir = small_disk / "index"
    assert eventsearch("index", content, "--index-dir", index_dir, "--quiet").returncode == 0
    before = ids(index_dir, "zembla")
    generate(tmp_path / "bigger", events=300, seed=0)  # its index is over 1 MB
    line = one_line_error(eventsearch("index", tmp_path / "bigger", "--index-dir", index_dir, "--quiet"))
    assert "no space left" in line and "free some space" in line
    assert ids(index_dir, "zembla") == before and before
    assert len(list(index_dir.glob("gen-*"))) == 1  # the failed generation is gone, its space free again


def test_full_disk_during_an_update_is_one_line_and_the_next_update_finishes(content, small_disk):
    index_dir = small_disk / "index"
    assert eventsearch("index", content, "--index-dir", index_dir, "--quiet").returncode == 0
    add_page(content, " ".join(f"Gradus{number}" for number in range(500)))
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize - 30_000))
    line = one_line_error(eventsearch("update", content, "--index-dir", index_dir))
    assert "no space left" in line
    assert ids(index_dir, "zembla")  # still answering
    filler.unlink()
    result = eventsearch("update", content, "--index-dir", index_dir)
    assert result.returncode == 0, result.stderr
    assert ids(index_dir, "gradus77") == ["2020-01-06/astronomers-discover-a-cheese-comet"]
