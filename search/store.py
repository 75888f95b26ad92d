"""The index directory: generations of a Whoosh index and the pointer to the live one.

    index/
      CURRENT          names the live generation; replaced atomically
      .lock            held by whoever writes (index or update)
      gen-000007/      a complete Whoosh index, its manifest and facet column caches

A full build writes a new generation and only then swaps CURRENT, so readers
never see a half-built index and a killed build leaves the old one serving.
An update writes into the live generation through Whoosh's own commit, which
is atomic too; it then rewrites CURRENT so that readers notice the change.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

MANIFEST = "manifest.json"
FILE_STATES = "files.json"
_PREFIX = "gen-"

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
    """Another index or update holds the index directory."""


class NoIndex(StoreError):
    """There is no index yet."""


class OutdatedIndex(NoIndex):
    """The index was built by a version of eventsearch with another index format."""


class Store:
    """An index directory and its generations."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    # -- reading -------------------------------------------------------

    def current(self) -> Path:
        """The live generation's directory; NoIndex if none was ever published."""
        try:
            name = (self.root / "CURRENT").read_text().split()[0]
        except (FileNotFoundError, IndexError):
            raise NoIndex(f"no index in {self.root}: run `eventsearch index CONTENT_DIR` first") from None
        return self.root / name

    def version(self) -> tuple[int, int]:
        """Changes whenever a build or an update publishes: cheap enough to check per request."""
        try:
            stat = os.stat(self.root / "CURRENT")
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_ino, stat.st_mtime_ns)

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
    def lock(self) -> Iterator[None]:
        """Hold the write lock, or raise IndexBusy at once if another writer has it."""
        self._ensure_root()
        with open(self.root / ".lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusy(f"another index or update is running on {self.root}") from None
            _HELD_LOCKS.add(handle.fileno())
            try:
                yield
            finally:
                _HELD_LOCKS.discard(handle.fileno())

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
            _write_atomic(generation / FILE_STATES, json.dumps(file_states, separators=(",", ":")))
        _write_atomic(generation / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))

    def publish(self, generation: Path) -> None:
        """Make a generation live, atomically, and remove generations no reader needs any more."""
        previous = self._current_name()
        _write_atomic(self.root / "CURRENT", f"{generation.name}\n")
        keep = {generation.name, previous}
        for path in self.root.glob(f"{_PREFIX}*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def touch(self) -> None:
        """Tell readers that the live generation changed in place."""
        _write_atomic(self.root / "CURRENT", f"{self.current().name}\n")

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
            reason = (
                "not writable" if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else error.strerror
            )
            raise StoreError(f"index directory {self.root} is {reason}") from None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
