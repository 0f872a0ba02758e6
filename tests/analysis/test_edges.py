"""Head and tail of the file: digital silence and clicks, for the delivery check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from tests.fakes.audio import sine, write_wav

SR = 44100


def test_leading_silence_and_an_abrupt_end_are_measured(tmp_path: Path) -> None:
    tone = sine(1000.0, sr=SR, seconds=5.0, level_dbfs=-6.0, phase_rad=np.pi / 2)  # starts and ends near a crest
    y = np.concatenate([np.zeros(3 * SR), tone])
    edges = analyze(write_wav(tmp_path / "e.wav", y, SR, subtype="FLOAT")).edges
    assert edges is not None
    assert edges.head_silence_s == pytest.approx(3.0, abs=0.01)
    assert edges.tail_silence_s < 0.01
    assert edges.first_sample_dbfs is not None and edges.first_sample_dbfs <= -119.0
    assert edges.last_sample_dbfs is not None and edges.last_sample_dbfs > -10.0


def test_a_faded_file_has_no_clicks_and_counts_trailing_silence(tmp_path: Path) -> None:
    tone = sine(1000.0, sr=SR, seconds=5.0, level_dbfs=-6.0)
    fade = np.minimum(1.0, np.minimum(np.arange(len(tone)), np.arange(len(tone))[::-1]) / (0.05 * SR))
    y = np.concatenate([tone * fade, np.zeros(6 * SR)])
    edges = analyze(write_wav(tmp_path / "f.wav", y, SR, subtype="FLOAT")).edges
    assert edges is not None
    assert edges.head_silence_s < 0.01 and edges.tail_silence_s == pytest.approx(6.0, abs=0.01)
    assert edges.last_sample_dbfs is not None and edges.last_sample_dbfs <= -119.0
