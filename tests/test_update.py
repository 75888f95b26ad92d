"""Incremental updates, atomic rebuilds and their failure modes, on real index directories."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import IndexBusy, OutdatedIndex, Store, StoreError
from search.writer import build, update

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
NEW_EVENT = """### [2020-01-6](/news/2020/01/6/index.md)

# Astronomers in Ruritania discover a comet shaped like a cheese wheel. 

The comet will be visible next month.


### Source:

1. [Strelsau Times](https://www.strelsau-times.example/science/comet)
"""
KINBOTE = "news/2020/01/6/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament.md"
CHEESE = "news/2020/01/5/ruritania-and-zembla-sign-a-trade-agreement-on-cheese-exports.md"


@pytest.fixture
def content(tmp_path):
    """A writable copy of the fixture archive."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def store(tmp_path, content):
    """An index of the content copy."""
    store = Store(tmp_path / "index")
    build(content, store)
    return store


def _edit(content: Path) -> None:
    """Add one event page, change one, delete one."""
    (content / "news/2020/01/6/astronomers-discover-a-cheese-comet.md").write_text(NEW_EVENT)
    edited = content / KINBOTE
    edited.write_text(edited.read_text().replace("studies of poetry", "studies of pale fire"))
    (content / CHEESE).unlink()
    index = content / "news/2020/01/5/index.md"
    index.write_text(
        re.sub(r"##### [^\n]*\n### \[Ruritania and Zembla[^\n]*\n_Context[^\n]*\n", "", index.read_text())
    )


def _ids(store: Store, text: str) -> list[str]:
    index = SearchIndex(store.root)
    try:
        return [hit.id for hit in index.search(SearchRequest(text=text, page_size=100)).hits]
    finally:
        index.close()


def test_update_by_scan_applies_added_changed_and_removed(content, store):
    _edit(content)
    report = update(content, store)
    assert (report.method, report.added, report.changed, report.removed) == ("scan", 1, 1, 1)


def test_update_changes_exactly_those_events(content, store):
    before = {hit for hit in _ids(store, "zembla OR wobegon OR bridge OR freedonia")}
    _edit(content)
    update(content, store)
    assert _ids(store, "comet") == ["2020-01-06/astronomers-discover-a-cheese-comet"]
    assert _ids(store, '"pale fire"') == [
        "2020-01-06/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament"
    ]
    assert _ids(store, "tariffs") == []
    after = set(_ids(store, "zembla OR wobegon OR bridge OR freedonia"))
    assert before - after == {"2020-01-05/ruritania-and-zembla-sign-a-trade-agreement-on-cheese-exports"}


def test_update_with_nothing_changed_reports_zero(content, store):
    report = update(content, store)
    assert (report.added, report.changed, report.removed, report.days) == (0, 0, 0, 0)


def test_update_with_explicit_paths_reads_only_their_days(content, store):
    _edit(content)
    report = update(content, store, paths=[KINBOTE])
    assert (report.method, report.days, report.added, report.changed, report.removed) == ("paths", 1, 1, 1, 0)


def _git(content: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(content), *args],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
        },
    )


def test_update_in_a_git_repository_asks_git(content, tmp_path):
    _git(content, "init", "-q")
    _git(content, "add", "-A")
    _git(content, "commit", "-qm", "first")
    store = Store(tmp_path / "git-index")
    build(content, store)
    _edit(content)
    _git(content, "add", "-A")
    _git(content, "commit", "-qm", "second")
    report = update(content, store)
    assert (report.method, report.days, report.added, report.changed, report.removed) == ("git", 2, 1, 1, 1)
    assert update(content, store).days == 0  # the new commit was recorded


def test_open_index_answers_after_its_segment_files_are_deleted(store):
    # An update that merges segments deletes the merged files; a request that a
    # server began before it noticed the update must still complete.
    with SearchIndex(store.root) as index:
        for path in store.current().glob("MAIN_*"):
            path.unlink()
        page = index.search(SearchRequest(text="zembla"))
        assert page.total > 0
        assert all(hit.headline for hit in page.hits)
        assert index.event(page.hits[0].id) is not None


def test_index_of_another_schema_version_is_refused_until_rebuilt(content, store):
    store.write_manifest(store.current(), {**store.manifest(), "schema_version": 1})
    with pytest.raises(OutdatedIndex, match="rebuild it with `eventsearch index"):
        update(content, store)
    with pytest.raises(OutdatedIndex, match="index format 1, this version uses"):
        SearchIndex(store.root)
    build(content, store)
    assert _ids(store, "zembla")


def test_second_concurrent_writer_is_refused(content, store):
    with store.lock(), pytest.raises(IndexBusy):
        update(content, store)


def test_forked_worker_does_not_keep_the_lock_after_its_writer_is_done(store):
    # A build's workers are forked while the lock is held; if the build is killed,
    # a worker that lives on for a moment must not keep the index locked.
    started_read, started_write = os.pipe()
    release_read, release_write = os.pipe()
    with store.lock():
        child = os.fork()
        if child == 0:  # pragma: no cover - the child only says it runs and waits
            os.write(started_write, b"1")
            os.read(release_read, 1)
            os._exit(0)
        os.read(started_read, 1)
    try:
        with store.lock():
            pass  # would raise IndexBusy if the child still held the lock
    finally:
        os.write(release_write, b"1")
        os.waitpid(child, 0)
        for fd in (started_read, started_write, release_read, release_write):
            os.close(fd)


def test_missing_content_dir_is_a_clear_error(tmp_path, store):
    with pytest.raises(StoreError, match="does not exist"):
        update(tmp_path / "nowhere", store)


def test_index_dir_that_cannot_be_created_is_a_clear_error(content, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="index directory"):
        build(content, Store(blocker / "index"))


def test_update_of_a_broken_file_names_it_and_keeps_its_indexed_event(content, store):
    (content / KINBOTE).write_bytes(b"\xff\xfe not text")
    report = update(content, store)
    assert [(s.path, "UTF-8" in s.reason) for s in report.skipped] == [(KINBOTE, True)]
    assert (report.kept, report.changed, report.removed) == (1, 0, 0)
    assert store.manifest()["skipped"] == {KINBOTE: report.skipped[0].reason}
    assert _ids(store, "poetry") == ["2020-01-06/charles-kinbote-resigns-as-speaker-of-the-zembla-parliament"]


def test_running_app_index_sees_an_update_without_reopening(content, store):
    index = SearchIndex(store.root)
    assert index.search(SearchRequest(text="comet")).total == 0
    _edit(content)
    update(content, store)
    page = index.search(SearchRequest(text="comet OR zembla", page_size=100))
    ids = [hit.id for hit in page.hits]
    assert len(ids) == len(set(ids)) == page.total
    assert "2020-01-06/astronomers-discover-a-cheese-comet" in ids
    index.close()


@pytest.mark.skipif(not (CORPUS / "zh").is_dir(), reason="needs the zh corpus to have a build worth killing")
@pytest.mark.parametrize("signum", (signal.SIGKILL, signal.SIGTERM))
def test_killed_full_build_leaves_the_previous_index_answering(content, store, tmp_path, signum):
    before = _ids(store, "zembla")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search",
            "index",
            str(CORPUS / "zh"),
            "--index-dir",
            str(store.root),
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    # Wait until the new generation is being written, then kill the build mid-way.
    while time.monotonic() < deadline and len(list(store.root.glob("gen-*"))) < 2:
        time.sleep(0.05)
    time.sleep(1.0)
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signum)
    process.wait(timeout=30)
    assert _ids(store, "zembla") == before
    # The next build still works and cleans up what the killed one left.
    build(content, store)
    assert len(list(store.root.glob("gen-*"))) == 2
