"""The head and tail of the file: digital silence before the first and after the last sound, and clicks.

Why: distributors reject a master that opens with seconds of digital silence, or that starts or stops mid-waveform
(the jump from or to zero is an audible click). Only the first and last ``_KEEP_S`` of samples are kept, so memory
does not grow with duration.
"""

from __future__ import annotations

import numpy as np

from services.analysis.numbers import finite
from services.analysis.reduce import F32
from services.analysis.result import Edges

_KEEP_S = 10.0  # longer head or tail silence reads as 10 s: already far past any delivery limit
_SILENCE = 10 ** (-90.0 / 20.0)  # below -90 dBFS: digital silence (dither included)


class EdgeMeter:
    """Keeps the per-frame peak over channels for the first and last ``_KEEP_S`` seconds."""

    def __init__(self, sr: int) -> None:
        self._sr = sr
        self._keep = round(_KEEP_S * sr)
        self._head: list[F32] = []
        self._head_n = 0
        self._tail: list[F32] = []
        self._tail_n = 0
        self._first: float | None = None
        self._last = 0.0

    def push(self, xt: F32) -> None:
        """Channel-first block ``(channels, frames)``."""
        if xt.shape[1] == 0:
            return
        peak = np.abs(xt).max(axis=0)
        if self._first is None:
            self._first = float(peak[0])
        self._last = float(peak[-1])
        if self._head_n < self._keep:
            self._head.append(peak[: self._keep - self._head_n])
            self._head_n += len(self._head[-1])
        self._tail.append(peak)
        self._tail_n += len(peak)
        while self._tail_n - len(self._tail[0]) >= self._keep:
            self._tail_n -= len(self._tail.pop(0))

    def result(self) -> Edges:
        head = np.concatenate(self._head) if self._head else np.zeros(0, dtype=np.float32)
        loud_head = np.flatnonzero(head > _SILENCE)
        tail = np.concatenate(self._tail)[-self._keep :] if self._tail else np.zeros(0, dtype=np.float32)
        loud_tail = np.flatnonzero(tail > _SILENCE)
        head_s = (loud_head[0] if len(loud_head) else len(head)) / self._sr
        tail_s = (len(tail) - 1 - loud_tail[-1] if len(loud_tail) else len(tail)) / self._sr
        return Edges(
            head_silence_s=round(float(head_s), 3),
            tail_silence_s=round(float(tail_s), 3),
            first_sample_dbfs=finite(_dbfs(self._first or 0.0)),
            last_sample_dbfs=finite(_dbfs(self._last)),
        )


def _dbfs(peak: float) -> float:
    return max(-120.0, 20.0 * float(np.log10(max(peak, 1e-6))))
