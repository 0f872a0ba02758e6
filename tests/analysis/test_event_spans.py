"""Events over the whole track: merged spans with counts, never capped to the first seconds, never zero-length."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from services.analysis import analyze
from services.analysis.spans import SpanMerger, event_spans
from tests.fakes.audio import pink_noise, sine, write_wav


def test_a_track_clipped_throughout_gets_one_span_covering_all_of_it(tmp_path: Path) -> None:
    y = np.clip(sine(100.0, sr=44100, seconds=40.0, level_dbfs=6.0, channels=2), -1.0, 1.0)
    clip = analyze(write_wav(tmp_path / "c.wav", y, 44100, subtype="FLOAT")).clipping
    assert clip.clip_runs > 1000 and clip.events_capped
    assert len(clip.clip_spans) == 1
    span = clip.clip_spans[0]
    assert span.start_s < 0.1 and span.end_s > 39.9  # the whole track, not "0:00-0:00"
    assert span.count == clip.clip_runs


def test_clips_far_apart_stay_separate_spans_and_a_lone_clip_is_not_zero_length(tmp_path: Path) -> None:
    sr = 44100
    y = pink_noise(sr=sr, seconds=30.0, rms_dbfs=-30.0, seed=2)
    for t in (5.0, 23.0):
        i = round(t * sr)
        y[i : i + 4] = 1.0
    clip = analyze(write_wav(tmp_path / "c.wav", y, sr, subtype="FLOAT")).clipping
    assert [round(s.start_s) for s in clip.clip_spans] == [5, 23]
    assert all(s.end_s > s.start_s and s.count == 1 for s in clip.clip_spans)


def test_span_merger_joins_events_within_the_gap_and_splits_beyond_it() -> None:
    merger = SpanMerger(gap=10, cap=100)
    merger.add(np.array([0, 15, 100]), np.array([5, 20, 103]))
    merger.add(np.array([110]), np.array([111]))
    assert merger.spans == [[0, 20, 2], [100, 111, 2]]


def test_span_merger_past_its_cap_keeps_covering_to_the_end() -> None:
    merger = SpanMerger(gap=0, cap=2)
    merger.add(np.array([0, 10, 20, 30]), np.array([1, 11, 21, 31]))
    assert merger.spans == [[0, 1, 1], [10, 31, 3]]


def test_event_spans_in_seconds_have_a_minimum_length() -> None:
    (span,) = event_spans([[44100, 44103, 1]], sr=44100)
    assert span.start_s == 1.0 and span.end_s >= 1.05
