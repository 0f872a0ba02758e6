"""Runs of consecutive flagged samples, tracked across block boundaries (clip runs, true-peak overs).

Vectorised per block: a hard-clipped master can hold hundreds of thousands of runs, so only the run that
straddles a block boundary is handled as a Python object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from services.analysis.spans import SpanMerger


@dataclass
class Run:
    start: int  # absolute sample index
    length: int
    peak: float


@dataclass
class RunTracker:
    """Counts runs of ``True`` at least ``min_len`` long in one channel's stream; keeps the first ``cap`` runs
    and, in ``spans``, every run merged into time spans over the whole stream."""

    min_len: int
    cap: int
    spans: SpanMerger = field(default_factory=lambda: SpanMerger(gap=0, cap=1000))
    count: int = 0
    samples: int = 0
    kept: list[Run] = field(default_factory=list)
    _open: Run | None = None

    def push(self, mask: npt.NDArray[np.bool_], values: npt.NDArray[np.floating], *, offset: int) -> None:
        n = len(mask)
        edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        if len(starts) == 0:
            self._close()
            return
        padded = np.concatenate([values, [0.0]])
        peaks = np.maximum.reduceat(padded, np.column_stack([starts, ends]).ravel())[::2]
        first = 0
        if starts[0] == 0 and self._open is not None:
            self._open.length += int(ends[0])
            self._open.peak = max(self._open.peak, float(peaks[0]))
            first = 1
            if ends[0] < n:
                self._close()
        else:
            self._close()
        last = len(starts) - (1 if ends[-1] == n else 0)
        if first < last:
            self._add(starts[first:last] + offset, ends[first:last] - starts[first:last], peaks[first:last])
        if ends[-1] == n and last >= first and (first == 0 or len(starts) > 1):
            self._open = Run(start=offset + int(starts[-1]), length=int(n - starts[-1]), peak=float(peaks[-1]))

    def finish(self) -> None:
        self._close()

    def close(self) -> None:
        """The stream had no flagged sample in this stretch: end any open run."""
        self._close()

    def _add(
        self, starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp], peaks: npt.NDArray[np.floating]
    ) -> None:
        keep = lengths >= self.min_len
        self.count += int(keep.sum())
        self.samples += int(lengths[keep].sum())
        self.spans.add(starts[keep], starts[keep] + lengths[keep])
        room = max(0, self.cap - len(self.kept))
        for i in np.flatnonzero(keep)[:room]:
            self.kept.append(Run(start=int(starts[i]), length=int(lengths[i]), peak=float(peaks[i])))

    def _close(self) -> None:
        run, self._open = self._open, None
        if run is not None:
            self._add(np.array([run.start]), np.array([run.length]), np.array([run.peak]))
