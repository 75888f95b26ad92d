"""Expensive searches take turns, so that cheap ones keep a core: slots shared by a server's processes.

A search that has worked ``CHEAP_SECONDS`` (``limits.py``) is expensive. In a
server, it runs on only while it holds one of the server's slots, one for every
core but one: however many hostile or heavy queries arrive at once, they share
those cores, and a core stays free for everybody else, the way a search
engine's bounded pool for heavy work keeps the light work flowing. Waiting for
a slot counts against the search's time budget: a search that gets no slot in
time stops and says so, as one that ran out of time does.

A slot is an exclusive ``flock`` on one of the server's slot files. A lock
belongs to an open file, so a worker opens a slot file when it takes the slot
(never before the fork: one file opened by the master would be one lock shared
by every worker), and the kernel frees the slot when its holder closes it,
exits or is killed. Outside a server (the CLI, the tests' Flask client) there
are no slots and a search is bounded by its time budget alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

WAIT_SECONDS = 0.005  # between two looks for a free slot


class Slots:
    """The slot files of one server, in a directory of their own."""

    def __init__(self, directory: Path) -> None:
        self.paths = sorted(directory.glob("slot-*"))

    def take(self, deadline: float) -> int | None:
        """A free slot (the open file holding its lock), waiting for one until ``deadline``; else None."""
        while True:
            for path in self.paths:
                fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                return fd
            if time.monotonic() + WAIT_SECONDS > deadline:
                return None
            time.sleep(WAIT_SECONDS)

    @staticmethod
    def give_back(fd: int) -> None:
        """Free a slot that ``take`` gave (closing the file frees its lock)."""
        os.close(fd)


def default_count() -> int:
    """Slots for every core but one (one, on a single core)."""
    return max(1, (os.cpu_count() or 1) - 1)


_shared: Slots | None = None  # this process's server's slots; None outside a server


def shared() -> Slots | None:
    """The slots of the server this process belongs to, if it is one."""
    return _shared


@contextlib.contextmanager
def server_slots(count: int) -> Iterator[Slots]:
    """Make ``count`` slot files for a server's processes (forked within the block) and share them."""
    global _shared
    directory = Path(tempfile.mkdtemp(prefix="eventsearch-slots-"))
    try:
        for number in range(count):
            (directory / f"slot-{number}").touch()
        _shared = Slots(directory)
        yield _shared
    finally:
        _shared = None
        shutil.rmtree(directory, ignore_errors=True)
