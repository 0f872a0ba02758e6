"""Merged time spans of events (clip runs, true-peak overs), kept over the whole track however many events.

Why merge instead of keeping the first N events: a master clipped from start to end holds hundreds of thousands
of runs; the first 50 all sit in the first second, so a capped list says "0:00-0:00". Events closer than a gap
join one span with a count, so the list stays short and still covers the whole track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from services.analysis.result import EventSpan

_MIN_SPAN_S = 0.05  # a single 3-sample clip still shows as a span you can find on a timeline


@dataclass
class SpanMerger:
    """Accumulates events ``[start, end)`` (sample indices, arriving in time order) into merged spans."""

    gap: int  # samples: events closer than this join one span
    cap: int  # spans kept; past it the last span absorbs the rest, so coverage never stops early
    spans: list[list[int]] = field(default_factory=list)  # [start, end, count]

    def add(self, starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]) -> None:
        if len(starts) == 0:
            return
        breaks = np.flatnonzero(starts[1:] - ends[:-1] > self.gap) + 1
        firsts = np.concatenate([[0], breaks])
        lasts = np.concatenate([breaks, [len(starts)]])
        for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True):
            self._push(int(starts[a]), int(ends[a:b].max()), b - a)

    def _push(self, start: int, end: int, count: int) -> None:
        last = self.spans[-1] if self.spans else None
        if last is not None and (start - last[1] <= self.gap or len(self.spans) >= self.cap):
            last[1] = max(last[1], end)
            last[2] += count
        else:
            self.spans.append([start, end, count])


def merge_channels(mergers: list[SpanMerger], *, gap: int, cap: int) -> list[list[int]]:
    """One span list for all channels: each channel's spans re-merged in time order."""
    rows = sorted((s for m in mergers for s in m.spans), key=lambda s: s[0])
    out = SpanMerger(gap=gap, cap=cap)
    for start, end, count in rows:
        out._push(start, end, count)
    return out.spans


def event_spans(spans: list[list[int]], *, sr: int) -> list[EventSpan]:
    """Sample spans as seconds; never zero-length (at least ``_MIN_SPAN_S``)."""
    out = []
    for start, end, count in spans:
        a = start / sr
        b = max(end / sr, a + _MIN_SPAN_S)
        out.append(EventSpan(start_s=round(a, 2), end_s=round(b, 2), count=count))
    return out
