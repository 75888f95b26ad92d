"""Measuring helpers: wall time and peak memory of whole processes, percentiles, sizes."""

from __future__ import annotations

import dataclasses
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path


@dataclasses.dataclass
class Run:
    """One finished process: wall seconds, peak RSS (MiB) of the process tree, and output."""

    seconds: float
    peak_mib: float  # the largest sum of RSS over the process and its descendants, sampled every 0.1 s
    returncode: int
    stdout: str
    stderr: str


def run_process(args: list[str], env: dict | None = None, cwd: Path | None = None) -> Run:
    """Run a command to completion, sampling the memory of it and its worker processes."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    peak = [0]
    sampler = threading.Thread(target=_sample_rss, args=(process, peak), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    return Run(seconds, peak[0] / 1024, process.returncode, stdout, stderr)


def _sample_rss(process: subprocess.Popen, peak: list[int]) -> None:
    while process.poll() is None:
        peak[0] = max(peak[0], sum(_rss_kib(pid) for pid in _tree(process.pid)))
        time.sleep(0.1)


def _tree(root: int) -> list[int]:
    """A process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def python_command(*args: str) -> list[str]:
    """A command running this interpreter, so the bench measures the installed package."""
    return [sys.executable, *args]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def directory_mib(path: Path) -> float:
    """Size of the files under a directory, in MiB."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def machine() -> str:
    """One line describing this machine, for the results table."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        rows = Path("/proc/meminfo").read_text().splitlines()
        mem = next(row for row in rows if row.startswith("MemTotal"))
        mem_gib = int(mem.split()[1]) / 2**20
    except (OSError, StopIteration):
        mem_gib = 0
    python = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {python}, {platform.system()}"


def descendants_rss_mib(root: int) -> dict[int, float]:
    """RSS (MiB) of each process below ``root``, ``root`` itself left out (a server's workers)."""
    return {pid: _rss_kib(pid) / 1024 for pid in _tree(root) if pid != root}


class WorkerMemory:
    """The largest RSS (MiB) of any process below ``pid``, sampled ten times a second while the block runs.

    ``baseline`` is the largest when the block starts (workers warmed up), ``peak`` the largest seen.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline = max(descendants_rss_mib(pid).values(), default=0.0)
        self.peak = self.baseline
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stopping.wait(0.1):
            self.peak = max(self.peak, *descendants_rss_mib(self.pid).values(), 0.0)
