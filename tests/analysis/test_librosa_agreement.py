"""Our onsets and tempo follow librosa's recipe without its numba JIT; check they agree with librosa itself.

librosa's tempo is quantised to its frame grid (128 BPM reads as 129.2), ours is refined between frames, so
tempo agreement is within librosa's own grid step.
"""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import pytest

from services.analysis import analyze
from tests.fakes.audio import click_track, write_wav


@pytest.mark.parametrize("bpm", [96.0, 128.0])
def test_onsets_and_tempo_agree_with_librosa(tmp_path: Path, bpm: float) -> None:
    sr = 22050
    y = click_track(bpm, sr=sr, seconds=20.0)
    env = librosa.onset.onset_strength(y=y.astype(np.float32), sr=sr)
    their_tempo = float(librosa.feature.tempo(onset_envelope=env, sr=sr)[0])
    their_onsets = librosa.onset.onset_detect(onset_envelope=env, sr=sr, units="time")
    ours = analyze(write_wav(tmp_path / "c.wav", y, sr))
    assert ours.transients.onset_count == pytest.approx(len(their_onsets), abs=1)
    assert ours.musical.tempo_bpm == pytest.approx(their_tempo, rel=0.025)
    assert ours.musical.tempo_bpm == pytest.approx(bpm, abs=0.5)
