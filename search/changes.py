"""Find which content files changed since the index was built: ask git, take a list, or scan."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

from .archive import day_of_path, iter_day_dirs


@dataclasses.dataclass
class ChangeSet:
    """The day directories to re-read, and how they were found."""

    days: set[str]
    method: str  # "git", "paths" or "scan"
    commit: str | None = None  # the content's git HEAD, when it is a repository
    file_states: dict[str, list[int]] | None = None  # after a scan: the new states to remember


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


def scan_file_states(content_dir: Path) -> dict[str, list[int]]:
    """mtime (ns) and size of every Markdown file in every day directory."""
    states = {}
    for day in iter_day_dirs(content_dir):
        with os.scandir(content_dir / day) as entries:
            for entry in entries:
                if entry.name.endswith(".md") and entry.is_file():
                    stat = entry.stat()
                    states[f"{day}/{entry.name}"] = [stat.st_mtime_ns, stat.st_size]
    return states


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
    states = scan_file_states(content_dir)
    old_states = old_states or {}
    differing = [
        path for path in states.keys() | old_states.keys() if states.get(path) != old_states.get(path)
    ]
    return ChangeSet(changed_days(differing), "scan", head, states)


def _relative(content_dir: Path, path: str) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(content_dir.resolve()).as_posix()
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix()
