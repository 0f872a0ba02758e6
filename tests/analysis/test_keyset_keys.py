"""Key on the sectioned keyset songs, the bass's major/minor vote, tempo confidence and the half/double choice."""

from __future__ import annotations

import numpy as np
import pytest

from services.analysis.key import estimate_key, relative_choice
from services.analysis.key_profiles import KRUMHANSL, correlations
from services.analysis.musical import tempo, tempo_for_genre
from services.analysis.onsets import OnsetAccumulator
from services.analysis.result import Musical
from services.analysis.spectral import fft_size
from services.analysis.tonal import TonalAccumulator
from tests.fakes.keyset import SongSpec, keyset_song

SR = 22050


def _key(y: np.ndarray) -> tuple[str, bool]:
    acc = TonalAccumulator(SR, n_fft=fft_size(SR))
    acc.push(y[None].astype(np.float32))
    found = estimate_key(acc.finish())
    assert found is not None
    return found.key, found.ambiguous


@pytest.mark.parametrize(
    ("spec", "expected"),
    [(SongSpec(tonic=0, minor=False, bpm=128.0, tuning_cents=-20.0, seed=3, pattern="four"), "C major"),
     (SongSpec(tonic=6, minor=True, bpm=96.0, tuning_cents=30.0, seed=4, pattern="backbeat"), "F# minor"),
     (SongSpec(tonic=10, minor=False, bpm=150.0, tuning_cents=0.0, seed=5, pattern="break"), "Bb major"),
     (SongSpec(tonic=4, minor=True, bpm=140.0, tuning_cents=10.0, seed=6, pattern="half"), "E minor")],
)  # fmt: skip
def test_key_of_sectioned_songs_with_inversions_and_borrowed_chords(spec: SongSpec, expected: str) -> None:
    key, ambiguous = _key(keyset_song(spec, sr=SR))
    assert key == expected
    assert not ambiguous


def test_keyset_song_is_deterministic_from_its_seed() -> None:
    spec = SongSpec(tonic=2, minor=True, bpm=120.0, tuning_cents=5.0, seed=9)
    np.testing.assert_array_equal(keyset_song(spec, sr=8000), keyset_song(spec, sr=8000))


def test_correlations_find_the_key_a_profile_was_rotated_to() -> None:
    scores = correlations(np.roll(KRUMHANSL[1], 9), KRUMHANSL)  # A minor's own profile
    assert int(np.argmax(scores)) == 12 + 9
    assert scores[12 + 9] == pytest.approx(1.0)


def _scores(**values: float) -> np.ndarray:
    out = np.zeros(24)
    for index, value in values.items():
        out[int(index[1:])] = value
    return out


def test_bass_on_the_minor_tonic_turns_the_relative_major_to_minor() -> None:
    scores = _scores(k0=0.80, k21=0.78, k7=0.70)  # C major just ahead of A minor, G major third
    bass = np.zeros(12)
    bass[9] = 0.5  # the bass sits on A
    moved = relative_choice(scores, bass, weight=2.0)
    assert int(np.argmax(moved)) == 21
    assert moved[21] == pytest.approx(0.80)  # the winner keeps the best score: no third key is lifted


def test_bass_on_the_major_tonic_keeps_major() -> None:
    bass = np.zeros(12)
    bass[0] = 0.5
    moved = relative_choice(_scores(k0=0.80, k21=0.78), bass, weight=2.0)
    assert int(np.argmax(moved)) == 0
    assert moved[0] - moved[21] > 0.02  # the bass widened the lead, so confidence rises


def _onsets(y: np.ndarray) -> OnsetAccumulator:
    acc = OnsetAccumulator(SR)
    acc.push(y[None].astype(np.float32))
    return acc


def _bursts(times_s: np.ndarray, gains: np.ndarray) -> np.ndarray:
    burst = np.random.default_rng(0).standard_normal(800) * np.exp(-np.arange(800) / 150.0)
    y = np.zeros(20 * SR)
    for t, g in zip(times_s, gains, strict=True):
        y[round(t * SR) :][:800] += g * burst
    return y


def test_tempo_confidence_is_high_for_a_steady_groove_and_low_for_random_hits() -> None:
    steady = _bursts(np.arange(38) * 0.5, np.ones(38))  # 120 BPM
    scattered = _bursts(np.random.default_rng(1).uniform(0.0, 19.0, size=38), np.ones(38))
    sure, unsure = tempo(_onsets(steady).finish()), tempo(_onsets(scattered).finish())
    assert sure is not None and unsure is not None
    assert sure.bpm == pytest.approx(120.0, rel=0.02)
    assert sure.confidence > 0.5
    assert unsure.confidence < 0.3


def test_accented_groove_offers_half_time_as_the_alternative() -> None:
    """Hits at 140 BPM, every other one at half level (kick and snare of a half-time feel): 70 and 140 both
    fit, so the reading names the other octave for the genre to settle."""
    beats = np.arange(44) * 0.43
    accented = tempo(_onsets(_bursts(beats, np.where(np.arange(44) % 2 == 0, 1.0, 0.5))).finish())
    assert accented is not None and accented.alternative_bpm is not None
    assert accented.bpm == pytest.approx(139.5, rel=0.02)
    assert accented.alternative_bpm == pytest.approx(69.8, rel=0.02)


def _musical(bpm: float, alternative: float | None) -> Musical:
    return Musical(tempo_bpm=bpm, tempo_confidence=0.8, key="E minor", key_confidence=0.7,
                   tempo_alternative_bpm=alternative)  # fmt: skip


@pytest.mark.parametrize(
    ("bpm", "alternative", "typical", "expected"),
    [(70.0, 140.0, (135.0, 150.0), 140.0),  # dubstep read at half time
     (150.0, 75.0, (60.0, 115.0), 75.0),  # a slow r&b groove read at double time
     (140.0, 70.0, (135.0, 150.0), 140.0),  # already in range
     (100.0, 200.0, (135.0, 150.0), 100.0),  # neither in range: keep what the audio said
     (70.0, None, (135.0, 150.0), 70.0)],  # the audio was clear: the genre does not override it
)  # fmt: skip
def test_genre_settles_half_or_double_time(
    bpm: float, alternative: float | None, typical: tuple[float, float], expected: float
) -> None:
    settled = tempo_for_genre(_musical(bpm, alternative), typical_bpm=typical)
    assert settled.tempo_bpm == expected
    if expected != bpm:
        assert settled.tempo_alternative_bpm == bpm
