"""Run one measurement in a fresh process: wall time and that child's own peak RSS (``os.wait4`` rusage)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    name: str
    audio_s: float
    wall_s: float  # whole process, or the in-process seconds the child printed (warm runs)
    peak_rss_mb: float
    cpu_s: float  # user + system CPU of the whole child process (less sensitive to a busy machine than wall)

    @property
    def realtime_x(self) -> float:
        return self.audio_s / self.wall_s if self.wall_s > 0 else float("inf")


def run_process(argv: list[str], *, name: str, audio_s: float, inner_timing: bool = False) -> Run:
    """Run ``argv``; with ``inner_timing`` the child prints its own seconds on the last stdout line (wall, and
    optionally the CPU seconds of that same span, which then replace the whole child's)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed ({proc.returncode}): {stderr.strip()[-500:]}")
    cpu = usage.ru_utime + usage.ru_stime
    if inner_timing:
        figures = [float(v) for v in stdout.strip().splitlines()[-1].split()]
        wall, cpu = figures[0], figures[1] if len(figures) > 1 else cpu
    return Run(name=name, audio_s=audio_s, wall_s=wall, peak_rss_mb=usage.ru_maxrss / 1024.0, cpu_s=cpu)


def python(code: str, *args: str) -> list[str]:
    """argv running ``code`` in a fresh interpreter of this venv."""
    return [sys.executable, "-c", code, *args]
