"""The files of a content tree: its day directories, and one file's text, never leaving the tree.

Archive files are untrusted. Symbolic links are not followed (a link's target can change without
git or a scan seeing its day change, and would duplicate the event it points to); directories are
opened one step at a time with O_NOFOLLOW, so none swapped for a link meanwhile is followed; at most
PAGE_SIZE_LIMIT bytes of a file are read. What cannot be read is reported as ``Skipped``, with why.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import errno
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from .limits import PAGE_SIZE_LIMIT
from .parse import ParseError

_YEAR = re.compile(r"^\d{4}$")
_MONTH_OR_DAY = re.compile(r"^\d{1,2}$")


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A file left out of the index, and why."""

    path: str
    reason: str
    indexed: bool = False  # True for a page cut at PAGE_SIZE_LIMIT: indexed in part, reported all the same


@dataclasses.dataclass
class DayDirs:
    """The day directories of a content tree, in date order, and the directories the walk left out."""

    days: list[str]
    skipped: list[Skipped]  # symbolic links and directories that could not be listed
    unlisted: list[str]  # directories that are there but could not be listed: their files are unknown


def find_day_dirs(root: Path) -> DayDirs:
    """Every day directory under ``root/news`` (``news/YYYY/M/D``), never following a symbolic link."""
    root, found = Path(root), DayDirs([], [], [])
    if (root / "news").is_symlink():
        found.skipped.append(Skipped("news", link_reason(root, root / "news")))
        return found
    for year in _subdirs(root, "news", _YEAR, found):
        for month in _subdirs(root, f"news/{year}", _MONTH_OR_DAY, found):
            for day in _subdirs(root, f"news/{year}/{month}", _MONTH_OR_DAY, found):
                found.days.append(f"news/{year}/{month}/{day}")
    return found


def iter_day_dirs(root: Path) -> Iterator[str]:
    """Every day directory under ``root/news``, in date order (``find_day_dirs`` says what it left out)."""
    yield from find_day_dirs(root).days


def _subdirs(root: Path, rel: str, pattern: re.Pattern, found: DayDirs) -> list[str]:
    """The numbered subdirectories of one archive directory, in numeric order; links are reported."""
    names = []
    try:
        with os.scandir(root / rel) as entries:
            for entry in entries:
                if not pattern.match(entry.name):
                    continue
                if entry.is_symlink():
                    found.skipped.append(Skipped(f"{rel}/{entry.name}", link_reason(root, Path(entry.path))))
                elif entry.is_dir(follow_symlinks=False):
                    names.append(entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        found.skipped.append(Skipped(rel, reason(error)))
        found.unlisted.append(rel)
        return []
    return sorted(names, key=int)


def link_reason(root: Path, link: Path) -> str:
    """Why a symbolic link of the archive was not followed: where it leads, or that it loops."""
    try:
        os.stat(link)
    except OSError as error:
        return "symbolic link loop: not followed" if error.errno == errno.ELOOP else "broken symbolic link"
    target = os.path.realpath(link)
    if os.path.commonpath([os.path.realpath(root), target]) != os.path.realpath(root):
        return f"symbolic link to {target}, outside the content directory: not followed"
    return "symbolic link: not followed (links are never followed, even inside the archive)"


@contextlib.contextmanager
def open_day(root: Path, day: str) -> Iterator[int]:
    """A descriptor of a day directory, reached from ``root`` without following a link at any step.

    Opening each step with O_NOFOLLOW (not checking first, then opening) leaves no moment in which a
    directory swapped for a link would be followed out of the archive.
    """
    fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        parts = day.split("/")
        for number, part in enumerate(parts, 1):
            access = os.O_RDONLY if number == len(parts) else os.O_PATH  # only the day is listed
            step = os.open(part, access | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = step
        yield fd
    finally:
        os.close(fd)


def day_problem(root: Path, day: str, error: OSError) -> Skipped | None:
    """What kept a day directory from being read: a link on its way, else the error; None if it is gone."""
    parts = day.split("/")
    for number in range(1, len(parts) + 1):
        rel = "/".join(parts[:number])
        if (root / rel).is_symlink():
            return Skipped(rel, link_reason(root, root / rel))
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return None  # a day directory removed since it was listed: it has no events
    return Skipped(day, reason(error))


def day_files(root: Path, day_fd: int, day: str) -> tuple[list[str], list[Skipped]]:
    """The Markdown files of a day directory, sorted; links and other non-files among them reported."""
    names: list[str] = []
    skipped: list[Skipped] = []
    with os.scandir(day_fd) as entries:
        for entry in entries:
            if not entry.name.endswith(".md"):
                continue
            if entry.is_symlink():
                skipped.append(Skipped(f"{day}/{entry.name}", link_reason(root, root / day / entry.name)))
            elif entry.is_file(follow_symlinks=False):
                names.append(entry.name)
            else:
                skipped.append(Skipped(f"{day}/{entry.name}", "not a regular file"))
    return sorted(names), skipped


def read_file(day_fd: int, rel: str, skipped: list[Skipped]) -> str:
    """A file's text, at most PAGE_SIZE_LIMIT bytes of it (a longer file is reported in ``skipped``).

    Only that much is read, so a huge file costs no more memory than the limit. A UTF-8 byte order mark
    is dropped. O_NONBLOCK keeps a FIFO from blocking the open; it is then refused as not a file.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    with open(os.open(rel.rsplit("/", 1)[1], flags, dir_fd=day_fd), "rb") as handle:
        state = os.fstat(handle.fileno())
        if not stat.S_ISREG(state.st_mode):
            raise ParseError("not a regular file")
        data = handle.read(min(state.st_size, PAGE_SIZE_LIMIT) + 1)  # +1: to know that it is longer
    cut = len(data) > PAGE_SIZE_LIMIT
    if cut:
        limit = f"{PAGE_SIZE_LIMIT / 1e6:g} MB"
        skipped.append(Skipped(rel, f"larger than {limit}: only its first {limit} is indexed", indexed=True))
    # final=False drops a character cut in half at the limit instead of calling it an encoding error.
    return codecs.getincrementaldecoder("utf-8-sig")().decode(data[:PAGE_SIZE_LIMIT], final=not cut)


def reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text (binary or wrong encoding)"
    if isinstance(error, OSError) and error.errno == errno.ELOOP:
        return "symbolic link: not followed"
    if isinstance(error, OSError):
        return f"cannot read: {error.strerror or error}"
    return str(error)
