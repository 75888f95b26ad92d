"""Find which content files changed since the index was built: ask git, take a list, or scan."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from pathlib import Path

from .archive import day_of_path
from .files import Skipped, find_day_dirs

# A file changed this soon before a scan may change again within the same tick of the file system's
# clock, keeping its recorded time and size: it is recorded as unknown (size -1) and read again next time.
RACY_NS = 2_000_000_000


@dataclasses.dataclass
class ChangeSet:
    """The day directories to re-read, and how they were found."""

    days: set[str]
    method: str  # "git", "paths" or "scan"
    commit: str | None = None  # the content's git HEAD, when it is a repository
    file_states: dict[str, list[int]] | None = None  # after a scan: the new states to remember
    skipped: list[Skipped] = dataclasses.field(default_factory=list)  # after a scan: what it could not enter


@dataclasses.dataclass
class FileScan:
    """Every day directory and the state of each of its Markdown files, taken before any is read."""

    days: list[str]
    states: dict[str, list[int]]  # content-relative path -> [mtime ns, size]
    skipped: list[Skipped]  # links not followed, directories that could not be listed
    unlisted: list[str]  # directories whose files' states are unknown


def git_head(content_dir: Path) -> str | None:
    """The HEAD commit of the git repository holding the content, if it is one."""
    out = _git(content_dir, "rev-parse", "HEAD")
    return out.strip() if out else None


def _git(content_dir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(content_dir), *args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def git_changed_paths(content_dir: Path, since: str, head: str) -> list[str] | None:
    """Content-relative paths changed between two commits, or None if git cannot tell."""
    out = _git(content_dir, "diff", "--name-only", "-z", "--no-renames", "--relative", since, head, "--", ".")
    if out is None:
        return None
    return [path for path in out.split("\0") if path]


def scan_files(content_dir: Path) -> FileScan:
    """mtime (ns) and size of every Markdown file (or link) in every day directory, links not followed."""
    found = find_day_dirs(content_dir)
    scan = FileScan(found.days, {}, found.skipped, found.unlisted)
    racy_after = time.time_ns() - RACY_NS
    for day in found.days:
        try:
            with os.scandir(content_dir / day) as entries:
                for entry in entries:
                    if entry.name.endswith(".md"):
                        state = entry.stat(follow_symlinks=False)
                        size = -1 if state.st_mtime_ns >= racy_after else state.st_size
                        scan.states[f"{day}/{entry.name}"] = [state.st_mtime_ns, size]
        except FileNotFoundError:
            continue
        except OSError as error:
            scan.skipped.append(Skipped(day, f"cannot read: {error.strerror}"))
            scan.unlisted.append(day)
    return scan


def changed_days(paths: list[str]) -> set[str]:
    """The day directories a list of content-relative paths touches."""
    return {day for day in map(day_of_path, paths) if day}


def detect_changes(
    content_dir: Path,
    indexed_commit: str | None,
    old_states: dict[str, list[int]] | None,
    paths: list[str] | None = None,
    scan: bool = False,
) -> ChangeSet:
    """What changed: the given paths, else git's answer, else a scan of every file's state."""
    head = git_head(content_dir)
    if paths is not None:
        return ChangeSet(changed_days([_relative(content_dir, p) for p in paths]), "paths", head)
    if not scan and head and indexed_commit:
        changed = git_changed_paths(content_dir, indexed_commit, head)
        if changed is not None:
            return ChangeSet(changed_days(changed), "git", head)
    scan = scan_files(content_dir)
    old_states = old_states or {}
    # Files of a directory that cannot be listed now are taken as they were: unknown is not deleted.
    unknown = tuple(f"{path}/" for path in scan.unlisted)
    states = {**{p: s for p, s in old_states.items() if p.startswith(unknown)}, **scan.states}
    differing = [
        path for path in states.keys() | old_states.keys() if _differs(old_states.get(path), states.get(path))
    ]
    return ChangeSet(changed_days(differing), "scan", head, states, scan.skipped)


def _differs(old: list[int] | None, new: list[int] | None) -> bool:
    """Whether a file may have changed: its state did, or it was recorded as unknown (racy)."""
    return old != new or (old is not None and old[1] == -1)


def _relative(content_dir: Path, path: str) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(content_dir.resolve()).as_posix()
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix()
