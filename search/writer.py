"""Write events into the index: a full build into a new generation, or an in-place update."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from .archive import DayResult, date_of_day, day_of_path, read_day
from .changes import ChangeSet, detect_changes, git_head, scan_files
from .columns import drop_stale_caches, load_columns
from .files import Skipped, link_reason
from .percolate import report_saved
from .postings import POSTINGS_DIR, warm_postings
from .saved import SavedSearches
from .schema import SCHEMA_VERSION, check_schema_version, document_of, make_schema
from .segments import commit_segments, write_segments
from .spelling import read_words, words_of, write_words
from .store import Store, StoreError
from .tallies import TALLIES_DIR, drop_stale_tallies, load_tallies
from .whoosh_internals import remove_uncommitted_files

Progress = Callable[[int], None]
_MAX_SEGMENTS = 8  # past this many segments an update merges the small ones


@dataclasses.dataclass
class BuildReport:
    """What a full build did."""

    events: int
    days: int
    skipped: list[Skipped]
    seconds: float
    generation: str


@dataclasses.dataclass
class UpdateReport:
    """What an update did, in events."""

    added: int
    changed: int
    removed: int
    kept: int  # events left as they were because their page is now unreadable
    days: int  # day directories re-read
    method: str  # how changes were found: git, paths or scan
    skipped: list[Skipped]
    seconds: float
    finished_interrupted: bool = False  # an earlier update had died before publishing; this one did
    # Saved search -> the added or changed events it matches (``Hit.record`` and "change"), newest first.
    saved: dict[str, list[dict]] = dataclasses.field(default_factory=dict)
    saved_seconds: float = 0.0  # spent matching them (percolate.py)


def check_content_dir(content_dir: Path) -> Path:
    """The content directory, or a StoreError saying why it cannot be indexed."""
    content_dir = Path(content_dir)
    news = content_dir / "news"
    if not content_dir.is_dir():
        raise StoreError(f"content directory {content_dir} does not exist")
    if news.is_symlink():
        raise StoreError(f"{news}: {link_reason(content_dir, news)}; index the directory it points to")
    if not news.is_dir():
        raise StoreError(f"{content_dir} has no news/ directory: is it an event archive?")
    try:
        os.scandir(news).close()
    except OSError as error:
        raise StoreError(
            f"cannot read {news}: {error.strerror}: run as a user who may read the archive"
        ) from None
    return content_dir


def read_days(content_dir: Path, days: list[str]) -> Iterator[DayResult]:
    """Parse day directories one after another (updates read a few days only)."""
    for day in days:
        yield read_day(content_dir, day)


def build(
    content_dir: Path, store: Store, progress: Progress | None = None, workers: int | None = None
) -> BuildReport:
    """Index a whole content tree into a new generation, then make it live atomically."""
    started = time.monotonic()
    content_dir = check_content_dir(content_dir)
    workers = workers or os.cpu_count() or 1
    with store.lock("index"):
        generation = store.new_generation()
        try:
            return _build_generation(content_dir, store, generation, progress, workers, started)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)  # never published: nobody reads it
            raise


def _build_generation(
    content_dir: Path, store: Store, generation: Path, progress: Progress | None, workers: int, started: float
) -> BuildReport:
    # The git HEAD and every file's state are taken before any file is read: a file edited while the
    # build runs then differs from its recorded state, and the next update reads it again.
    head = git_head(content_dir)
    scan = scan_files(content_dir)
    whoosh_index.create_in(generation, make_schema())
    results = write_segments(content_dir, generation, scan.days, workers, progress)
    commit_segments(generation, [result.segment for result in results if result.events])
    skipped = _unique(scan.skipped + [item for result in results for item in result.skipped])
    write_words(generation, sum((result.words for result in results), Counter()))
    _warm_columns(whoosh_index.open_dir(generation), generation)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "content_dir": str(content_dir.resolve()),
        "git_commit": head,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "days": len(scan.days),
        "skipped": {s.path: s.reason for s in skipped},
    }
    store.write_manifest(generation, manifest, scan.states)
    store.publish(generation)
    events = sum(result.events for result in results)
    return BuildReport(events, len(scan.days), skipped, time.monotonic() - started, generation.name)


def _unique(skipped: list[Skipped]) -> list[Skipped]:
    """One report per path (a directory the scan could not list is not read either), in order."""
    return list({item.path: item for item in skipped}.values())


def _warm_columns(ix, generation: Path) -> None:
    """Decode facet columns and tallies now: the first search after a build or update does not pay for it."""
    with ix.reader() as reader:
        columns = load_columns(reader, generation / "columns")
        load_tallies(reader, generation, columns)  # the tallies of new and merged segments
        warm_postings(reader, generation / POSTINGS_DIR)  # the arrays of new and merged segments
        live = {sub.segment().segment_id() for sub, _ in reader.leaf_readers()}
    drop_stale_caches(generation / "columns", live)
    drop_stale_tallies(generation / TALLIES_DIR, live)


def update(
    content_dir: Path,
    store: Store,
    paths: list[str] | None = None,
    scan: bool = False,
    progress: Progress | None = None,
) -> UpdateReport:
    """Apply the content changes since the last build or update to the live index, in place."""
    started = time.monotonic()
    content_dir = check_content_dir(content_dir)
    with store.lock("update"):
        generation = store.current()
        manifest = store.manifest(generation)
        check_schema_version(manifest, store.root)
        saved_searches = SavedSearches(store.root).load()  # a broken file stops the update before it starts
        interrupted = store.update_interrupted()
        old_states = (
            None
            if paths is not None or (not scan and manifest.get("git_commit"))
            else store.file_states(generation)
        )
        changes = detect_changes(content_dir, manifest.get("git_commit"), old_states, paths, scan)
        ix = whoosh_index.open_dir(generation)
        _remove_uncommitted(ix, generation)
        days = sorted(changes.days)
        old = _indexed_fingerprints(ix, days)
        words = read_words(generation)
        new, skipped = _read_changed_days(content_dir, days, words, progress)
        skipped = _unique(changes.skipped + skipped)
        # An event whose page (or directory) broke keeps its indexed version: bad input loses nothing.
        broken = {item.path for item in skipped if not item.indexed}
        kept = {i for i, (_, path) in old.items() if path in broken or day_of_path(path) in broken}
        new = {i: doc for i, doc in new.items() if i not in kept}
        added = [i for i in new if i not in old]
        changed = [i for i in new if i in old and old[i][0] != new[i]["payload"]["fingerprint"]]
        removed = [i for i in old if i not in new and i not in kept]
        applied = bool(added or changed or removed)
        if applied:
            store.begin_update()  # from here until end_update, servers watch Whoosh's commits
            _apply(ix, new, added, changed, removed)
            write_words(generation, words)
        if applied or interrupted:
            _warm_columns(ix, generation)
        # Recorded only after the commit: a failed update must not claim the new git commit as indexed.
        _record_update(store, generation, manifest, changes, skipped)
        if applied or interrupted:
            store.end_update()  # only a real change (or one left unpublished) makes servers reopen
    fresh = {event_id: new[event_id] for event_id in added + changed}
    saved = report_saved(store.root, saved_searches, fresh, added)
    return UpdateReport(
        len(added),
        len(changed),
        len(removed),
        len(kept),
        len(days),
        changes.method,
        skipped,
        time.monotonic() - started,
        interrupted,
        saved.matches,
        saved.seconds,
    )


def _remove_uncommitted(ix, generation: Path) -> None:
    """Delete the files of an earlier update that failed (a full disk) or was killed before committing.

    Whoosh removes unreferenced files only after its next successful commit, so without this a disk
    that filled up would stay full of the failed attempts' segments.
    """
    remove_uncommitted_files(ix)
    shutil.rmtree(generation / f"{ix.indexname}.tmp", ignore_errors=True)  # a writer's scratch directory


def _read_changed_days(
    content_dir: Path, days: list[str], words: Counter, progress: Progress | None
) -> tuple[dict[str, dict], list[Skipped]]:
    """The documents of some days' events (by id) and the files skipped; ``words`` learns their words."""
    documents: dict[str, dict] = {}
    skipped: list[Skipped] = []
    for result in read_days(content_dir, days):
        skipped += result.skipped
        for event in result.events:
            documents[event.id] = document_of(event)
            words.update(words_of(event))
        if progress:
            progress(1)
    return documents, skipped


def _indexed_fingerprints(ix, days: list[str]) -> dict[str, tuple[str, str]]:
    """id -> (fingerprint, file path) of the indexed events of some day directories."""
    found = {}
    with ix.searcher() as searcher:
        for day in days:
            date = date_of_day(day)
            if date is None:
                continue
            for fields in searcher.documents(day=date.isoformat()):
                found[fields["id"]] = (fields["payload"]["fingerprint"], fields["payload"]["path"])
    return found


def _apply(ix, new: dict[str, dict], added: list[str], changed: list[str], removed: list[str]) -> None:
    writer: IndexWriter = ix.writer(compound=False)
    try:
        for event_id in changed + removed:
            writer.delete_by_term("id", event_id)
        for event_id in added + changed:
            writer.add_document(**new[event_id])
    except BaseException:
        writer.cancel()
        raise
    # Merging rewrites segment files that open searchers still read; only do it when segments pile up.
    with ix.reader() as reader:
        merge = len(reader.leaf_readers()) >= _MAX_SEGMENTS
    writer.commit(merge=merge)


def _record_update(
    store: Store, generation: Path, manifest: dict, changes: ChangeSet, skipped: list[Skipped]
) -> None:
    """The manifest after an update: skipped files of the re-read days replaced, the new git commit.

    A scan walks the whole tree again, so it also replaces what was reported of the directories.
    """
    previous = {
        path: reason
        for path, reason in manifest.get("skipped", {}).items()
        if (day_of_path(path) or path) not in changes.days
        and not (changes.method == "scan" and day_of_path(path) is None)
    }
    previous.update({s.path: s.reason for s in skipped})
    manifest["skipped"] = previous
    manifest["updated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if changes.commit:
        manifest["git_commit"] = changes.commit
    store.write_manifest(generation, manifest, changes.file_states)
