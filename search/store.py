"""The index directory: generations of a Whoosh index and the pointer to the live one.

    index/
      CURRENT          "gen-000007 12": the live generation and its Whoosh commit; replaced atomically
      .lock            held by whoever writes (index or update); says who holds it
      gen-000007/      a complete Whoosh index, its manifest and facet column caches
      saved.json       the saved searches (search/saved.py): beside the generations, so rebuilds keep them

A full build writes a new generation and only then swaps CURRENT, so readers
never see a half-built index and a killed build leaves the old one serving.
An update writes into the live generation through Whoosh's own commit, which
is atomic too. Before committing it marks CURRENT "committing"; after, it names
the new commit. Readers watch CURRENT (one stat), and while it is marked also
Whoosh's latest commit, so they see every commit, even one whose update was
killed before it could say so; the next update finishes what it left.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .whoosh_internals import latest_commit

MANIFEST = "manifest.json"
FILE_STATES = "files.json"
POINTER = "CURRENT"
_PREFIX = "gen-"
_COMMITTING = "committing"
# How long `index` and `update` wait for the lock by default: longer than a full build of a million
# events on the reference machine (9 min, bench/RESULTS.md), so an update started during a rebuild
# waits for it instead of being lost; short enough that a lock held by a hung process is reported.
DEFAULT_LOCK_WAIT_S = 900
_LOCK_POLL_S = 0.2

# File descriptors of write locks this process holds. A forked child (a build
# worker) closes its copies: a flock belongs to the open file, so a worker that
# outlives a killed parent by a moment would otherwise keep the index locked.
_HELD_LOCKS: set[int] = set()


def _drop_inherited_locks() -> None:
    for fd in _HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)


class StoreError(Exception):
    """A problem with the index directory that the user can act on."""


class IndexBusy(StoreError):
    """Another index or update holds the index directory (for longer than we wait)."""


class NoIndex(StoreError):
    """There is no index yet."""


class OutdatedIndex(NoIndex):
    """The index was built by a version of eventsearch with another index format."""


@dataclasses.dataclass(frozen=True)
class Pointer:
    """What CURRENT says: the live generation, its Whoosh commit, and whether an update is committing."""

    generation: str
    commit: int  # Whoosh's generation number of the last published commit; -1 if not recorded
    committing: bool


class Store:
    """An index directory and its generations.

    ``lock_wait`` is how many seconds a writer waits for another one to finish; ``on_lock_wait`` is
    told once (with a sentence naming the holder) when it has to wait.
    """

    def __init__(
        self, root: Path | str, lock_wait: float = 0, on_lock_wait: Callable[[str], None] | None = None
    ) -> None:
        self.root = Path(root)
        self.lock_wait = lock_wait
        self.on_lock_wait = on_lock_wait
        self._read: tuple[tuple, Pointer] | None = None  # CURRENT's (inode, mtime, size) and what it said

    # -- reading -------------------------------------------------------

    def current(self) -> Path:
        """The live generation's directory; NoIndex if none was ever published."""
        return self.root / self.pointer().generation

    def pointer(self) -> Pointer:
        """What CURRENT says; NoIndex if no index was ever published."""
        try:
            words = (self.root / POINTER).read_text().split()
            return Pointer(words[0], int(words[1]) if len(words) > 1 else -1, _COMMITTING in words[2:])
        except (FileNotFoundError, IndexError, ValueError):
            raise NoIndex(f"no index in {self.root}: run `eventsearch index CONTENT_DIR` first") from None

    def version(self) -> tuple[str, int]:
        """(generation, Whoosh commit) of the live index: changes whenever the index does.

        One stat of CURRENT per call; CURRENT is read again only when that stat changes. While an
        update is committing (or was killed doing so) Whoosh's latest commit is looked up each time
        too, so a commit is seen even if its update never got to rewrite CURRENT.
        """
        try:
            stat = os.stat(self.root / POINTER)
            key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            read = self._read
            if read is None or read[0] != key:
                read = self._read = (key, self.pointer())
        except (FileNotFoundError, NoIndex):
            return ("", -1)
        pointer = read[1]
        commit = latest_commit(self.root / pointer.generation) if pointer.committing else pointer.commit
        return (pointer.generation, commit)

    def update_interrupted(self) -> bool:
        """Whether an update died before publishing what it did (CURRENT not naming the latest commit)."""
        pointer = self.pointer()
        return pointer.committing or pointer.commit != latest_commit(self.root / pointer.generation)

    def manifest(self, generation: Path | None = None) -> dict:
        """The manifest of a generation (the live one by default)."""
        generation = generation or self.current()
        try:
            return json.loads((generation / MANIFEST).read_text())
        except FileNotFoundError:
            return {}

    def file_states(self, generation: Path) -> dict[str, list[int]]:
        """mtime and size of every content file when last indexed, for a scan."""
        try:
            return json.loads((generation / FILE_STATES).read_text())
        except FileNotFoundError:
            return {}

    # -- writing -------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, purpose: str = "write") -> Iterator[None]:
        """Hold the write lock, waiting up to ``lock_wait`` seconds for another writer to finish.

        ``purpose`` ("index", "update") is written into the lock file for whoever has to wait.
        """
        self._ensure_root()
        # Not opened with "w": that would empty the holder's note before we know we hold the lock.
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            self._acquire(fd)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {purpose} {time.time():.0f}\n".encode(), 0)
            _HELD_LOCKS.add(fd)
            try:
                yield
            finally:
                _HELD_LOCKS.discard(fd)
        finally:
            os.close(fd)

    def _acquire(self, fd: int) -> None:
        deadline = time.monotonic() + self.lock_wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                holder = _lock_holder(fd)
            left = deadline - time.monotonic()
            if left <= 0:
                waited = f" after waiting {self.lock_wait:g} s" if self.lock_wait else ""
                raise IndexBusy(
                    f"the index {self.root} is locked by {holder}{waited}: let it finish "
                    "(or stop it if it hangs) and run again; --wait sets how long to wait"
                ) from None
            if not told and self.on_lock_wait:
                self.on_lock_wait(f"waiting for the index lock held by {holder}…")
                told = True
            time.sleep(min(_LOCK_POLL_S, left))

    def new_generation(self) -> Path:
        """A fresh, empty generation directory (not live until published)."""
        self._ensure_root()
        numbers = [
            int(p.name[len(_PREFIX) :])
            for p in self.root.glob(f"{_PREFIX}*")
            if p.name[len(_PREFIX) :].isdigit()
        ]
        path = self.root / f"{_PREFIX}{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        return path

    def write_manifest(self, generation: Path, manifest: dict, file_states: dict | None = None) -> None:
        """Write a generation's manifest (and file states) atomically."""
        if file_states is not None:
            write_atomic(generation / FILE_STATES, json.dumps(file_states, separators=(",", ":")))
        write_atomic(generation / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))

    def publish(self, generation: Path) -> None:
        """Make a generation live, atomically, and remove generations no reader needs any more."""
        previous = self._current_name()
        self._write_pointer(Pointer(generation.name, latest_commit(generation), False))
        keep = {generation.name, previous}
        for path in self.root.glob(f"{_PREFIX}*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def begin_update(self) -> None:
        """Mark CURRENT before an update commits in place: until end_update, readers watch its commits."""
        self._write_pointer(dataclasses.replace(self.pointer(), committing=True))

    def end_update(self) -> None:
        """Name the live generation's latest commit in CURRENT and clear the mark: the update is published."""
        generation = self.pointer().generation
        self._write_pointer(Pointer(generation, latest_commit(self.root / generation), False))

    def _write_pointer(self, pointer: Pointer) -> None:
        mark = f" {_COMMITTING}" if pointer.committing else ""
        write_atomic(self.root / POINTER, f"{pointer.generation} {pointer.commit}{mark}\n")

    def _current_name(self) -> str | None:
        try:
            return self.current().name
        except NoIndex:
            return None

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                reason = "not writable: run as a user who may write it, or choose another --index-dir"
            else:
                reason = f"unusable: {error.strerror}"
            raise StoreError(f"index directory {self.root} is {reason}") from None


def _lock_holder(fd: int) -> str:
    """Who holds the lock, from the note its holder wrote: "pid 12 (update, since 10:04:31)"."""
    try:
        pid, purpose, since = os.pread(fd, 200, 0).decode().split()
        return f"pid {int(pid)} ({purpose}, since {time.strftime('%H:%M:%S', time.localtime(int(since)))})"
    except (OSError, ValueError):
        return "another process"


def write_atomic(path: Path, text: str) -> None:
    """Replace a file's text all at once: readers see the old text or the new, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()  # a full disk leaves no half-written file behind
        raise
