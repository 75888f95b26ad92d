"""Measuring helpers: wall time and peak memory of whole processes, percentiles, sizes."""

from __future__ import annotations

import dataclasses
import os
import platform
import subprocess
import sys
import time
from pathlib import Path


@dataclasses.dataclass
class Run:
    """One finished process: wall seconds, peak RSS (MiB, itself and its children) and output."""

    seconds: float
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str


def run_process(args: list[str], env: dict | None = None, cwd: Path | None = None) -> Run:
    """Run a command to completion; peak RSS is the largest of the process and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})}, cwd=cwd)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    # ru_maxrss of RUSAGE_CHILDREN is the maximum over all waited-for descendants so far, in KiB.
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return Run(seconds, peak, process.returncode, stdout, stderr)


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
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        mem_gib = int(mem.split()[1]) / 2**20
    except (OSError, StopIteration):
        mem_gib = 0
    return f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {platform.python_version()}, {platform.system()}"
