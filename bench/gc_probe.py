"""``python -m bench.gc_probe STATS_FILE <mixcoach args>``: run a ``mixcoach`` command with a GC callback that
times every collection, so the read bench can report the longest pause the server took under load.

The bench sends SIGUSR1 after its warm-up (forget the start-up collections) and SIGUSR2 to have the figures
written to ``STATS_FILE`` as JSON: ``{"max_ms", "max_cpu_ms", "count", "total_ms", "by_generation": {gen: max_ms}}``.
Wall time is what a request waiting on the loop sees; CPU time (this thread's) is the collection's own cost, which
stays meaningful on a machine so busy that the wall time includes waiting for a core.
"""

from __future__ import annotations

import gc
import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any


class PauseRecorder:
    """Times each collection between gc's "start" and "stop" callbacks."""

    def __init__(self) -> None:
        self._started = 0.0
        self._started_cpu = 0.0
        self.reset()

    def reset(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self.cpu_pauses: list[float] = []

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            self._started_cpu = time.thread_time()
        else:
            self.pauses.append((int(info["generation"]), (time.perf_counter() - self._started) * 1000))
            self.cpu_pauses.append((time.thread_time() - self._started_cpu) * 1000)

    def summary(self) -> dict[str, object]:
        by_generation: dict[str, float] = {}
        for generation, ms in self.pauses:
            by_generation[str(generation)] = max(by_generation.get(str(generation), 0.0), ms)
        return {
            "max_ms": max((ms for _, ms in self.pauses), default=0.0),
            "max_cpu_ms": max(self.cpu_pauses, default=0.0),
            "count": len(self.pauses),
            "total_ms": sum(ms for _, ms in self.pauses),
            "by_generation": by_generation,
        }


def main() -> int:
    stats_file = Path(sys.argv[1])
    recorder = PauseRecorder()
    gc.callbacks.append(recorder)

    def reset(signum: int, frame: FrameType | None) -> None:
        recorder.reset()

    def dump(signum: int, frame: FrameType | None) -> None:
        stats_file.write_text(json.dumps(recorder.summary()))

    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, dump)
    from api.cli import main as mixcoach

    return mixcoach(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
