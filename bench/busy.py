"""The 4-minute comparison with ffmpeg again while another process keeps one core busy.

Why: on a shared or loaded machine our analysis loses its second thread, ffmpeg (single-threaded) does not, so
the honest claim "faster than ffmpeg" must hold in both conditions. The burner is a child process started here
and stopped here, by its own handle.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bench.measure import Run, run_process

_BURN = "while True:\n    pass"


@contextmanager
def one_core_busy() -> Iterator[None]:
    burner = subprocess.Popen([sys.executable, "-c", _BURN])
    try:
        yield
    finally:
        burner.terminate()
        burner.wait(timeout=10)


def busy_runs(*, cold: list[str], warm: list[str], ffmpeg: list[str] | None, rounds: int = 3) -> dict[str, Run]:
    """Best of ``rounds`` interleaved runs of ours, cold and warm (``warm`` prints its own "wall cpu"), and of
    ffmpeg, with one core kept busy."""
    argvs = {
        "cold": (cold, "ours: full analysis, cold, one core busy", False),
        "warm": (warm, "ours: full analysis, warm, one core busy", True),
    }
    if ffmpeg is not None:
        argvs["ffmpeg"] = (ffmpeg, "ffmpeg ebur128=peak=true, one core busy", False)
    best: dict[str, Run] = {}
    with one_core_busy():
        for _ in range(rounds):
            for key, (argv, name, inner) in argvs.items():
                run = run_process(argv, name=name, audio_s=240.0, inner_timing=inner)
                best[key] = min(best.get(key, run), run, key=lambda r: r.wall_s)
    return best
