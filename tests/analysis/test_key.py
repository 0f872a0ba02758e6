"""Key: tuning estimation, key of synthetic songs in both modes, and the ambiguity flag."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from services.analysis.key import estimate_key
from services.analysis.spectral import fft_size
from services.analysis.tonal import TonalAccumulator
from tests.fakes.audio import write_wav
from tests.fakes.music import song

SR = 22050


def _tonal_key(y: np.ndarray) -> tuple[str, float, bool]:
    acc = TonalAccumulator(SR, n_fft=fft_size(SR))
    for i in range(0, len(y), 10_007):  # odd block size: the framer must carry remainders across pushes
        acc.push(y[None, i : i + 10_007].astype(np.float32))
    found = estimate_key(acc.finish())
    assert found is not None
    return found.key, found.tuning_cents, found.ambiguous


@pytest.mark.parametrize("cents", [-30.0, 0.0, 25.0, 45.0])
def test_tuning_is_estimated_within_3_cents(cents: float) -> None:
    _, tuning, _ = _tonal_key(song(tonic=7, minor=False, bpm=110.0, variant=1, tuning_cents=cents, sr=SR))
    assert tuning == pytest.approx(cents, abs=3.0)


@pytest.mark.parametrize(
    ("tonic", "minor", "variant", "expected"),
    [(0, False, 1, "C major"), (9, True, 1, "A minor"), (2, False, 0, "D major"), (4, True, 3, "E minor"),
     (10, False, 3, "Bb major"), (6, True, 1, "F# minor")],
)  # fmt: skip
def test_key_of_synthetic_songs_with_bass_melody_and_drums(
    tmp_path: Path, tonic: int, minor: bool, variant: int, expected: str
) -> None:
    y = song(tonic=tonic, minor=minor, bpm=120.0, variant=variant, tuning_cents=20.0, sr=SR)
    result = analyze(write_wav(tmp_path / "song.wav", y, SR))
    assert result.musical.key == expected
    assert not result.musical.key_ambiguous
    assert result.musical.tuning_cents == pytest.approx(20.0, abs=3.0)


def test_detuned_band_keeps_its_key() -> None:
    """A band 45 cents sharp sits between two semitone grids; the tuned fold still names the key."""
    key, tuning, _ = _tonal_key(song(tonic=9, minor=True, bpm=96.0, variant=1, tuning_cents=45.0, sr=SR))
    assert key == "A minor"
    assert tuning == pytest.approx(45.0, abs=3.0)


def test_bare_fifth_is_ambiguous_between_major_and_minor() -> None:
    """C and G alone fit C major and C minor equally: the result must say it cannot tell."""
    t = np.arange(8 * SR) / SR
    y = sum(np.sin(2 * np.pi * f * t) / (1 + i) for i, f in enumerate((261.63, 392.0, 523.25, 783.99)))
    key, _, ambiguous = _tonal_key(0.2 * np.asarray(y))
    assert ambiguous
    assert key.startswith("C ")


@pytest.mark.parametrize("bpm", [150.0, 165.0])
def test_fast_kick_snare_groove_is_not_read_at_half_time(tmp_path: Path, bpm: float) -> None:
    """Kick and snare alternate, so the kick repeats at half the tempo; eighth-note onsets would be four a beat
    at half time, which the onset-density prior rules out."""
    y = song(tonic=2, minor=False, bpm=bpm, variant=1, sr=SR, seed=5)
    result = analyze(write_wav(tmp_path / "groove.wav", y, SR))
    assert result.musical.tempo_bpm == pytest.approx(bpm, rel=0.03)
    assert result.musical.tempo_confidence is not None and result.musical.tempo_confidence > 0.3
