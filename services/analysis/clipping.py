"""Clipping: runs of full-scale samples and true-peak overs, per channel, streamed across blocks."""

from __future__ import annotations

import numpy as np

from services.analysis.config import AnalysisConfig
from services.analysis.reduce import F32
from services.analysis.result import ClipEvent, Clipping, EventSpan, OverEvent
from services.analysis.runs import RunTracker
from services.analysis.spans import SpanMerger, event_spans, merge_channels


def full_scale_threshold(bit_depth: int | None) -> float:
    """|x| at or above this is full scale: within 1.5 LSB of 1.0 for integer PCM, -0.0001 dB otherwise."""
    if bit_depth is not None and bit_depth <= 24:
        return 1.0 - 1.5 * 2.0 ** -(bit_depth - 1)
    return 0.99999


class ClipDetector:
    def __init__(self, sr: int, *, channels: int, bit_depth: int | None, config: AnalysisConfig) -> None:
        self._sr = sr
        self._thr = full_scale_threshold(bit_depth)
        self._cap = config.max_events
        self._gap, self._max_spans = round(config.event_gap_s * sr), config.max_event_spans

        def tracker(min_len: int) -> RunTracker:
            merger = SpanMerger(gap=self._gap, cap=self._max_spans)
            return RunTracker(min_len=min_len, cap=config.max_events, spans=merger)

        self._clips = [tracker(config.clip_run_min_samples) for _ in range(channels)]
        self._overs = [tracker(1) for _ in range(channels)]
        self._offset = 0

    def push(self, xt: F32, *, interp_peak: F32) -> None:
        """Channel-first block ``(channels, frames)`` and its interpolated peaks."""
        sample_peak = np.maximum(xt.max(axis=1), -xt.min(axis=1))  # cheap; lets quiet blocks skip the run search
        over_peak = interp_peak.max(axis=1)
        for c in range(xt.shape[0]):
            if sample_peak[c] >= self._thr:
                mag = np.abs(xt[c])
                self._clips[c].push(mag >= self._thr, mag, offset=self._offset)
            else:
                self._clips[c].close()
            if over_peak[c] > 1.0:
                self._overs[c].push(interp_peak[c] > 1.0, interp_peak[c], offset=self._offset)
            else:
                self._overs[c].close()
        self._offset += xt.shape[1]

    def result(self) -> Clipping:
        for t in (*self._clips, *self._overs):
            t.finish()
        clips = sorted((r.start, c, r.length) for c, t in enumerate(self._clips) for r in t.kept)[: self._cap]
        overs = sorted((r.start, c, r.peak) for c, t in enumerate(self._overs) for r in t.kept)[: self._cap]
        runs = sum(t.count for t in self._clips)
        over_count = sum(t.count for t in self._overs)
        return Clipping(
            clipped_samples=sum(t.samples for t in self._clips),
            clip_runs=runs,
            clip_events=[ClipEvent(time_s=round(s / self._sr, 4), channel=c, length_samples=n) for s, c, n in clips],
            true_peak_overs=over_count,
            over_events=[
                OverEvent(time_s=round(s / self._sr, 4), channel=c, level_dbtp=round(20 * np.log10(p), 2))
                for s, c, p in overs
            ],
            events_capped=runs > len(clips) or over_count > len(overs),
            clip_spans=self._spans(self._clips),
            over_spans=self._spans(self._overs),
        )

    def _spans(self, trackers: list[RunTracker]) -> list[EventSpan]:
        merged = merge_channels([t.spans for t in trackers], gap=self._gap, cap=self._max_spans)
        return event_spans(merged, sr=self._sr)
