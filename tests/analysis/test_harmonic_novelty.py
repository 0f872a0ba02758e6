"""The chord-change envelope beside the onset flux: known answers on a click track and on held chords that change
on every beat with no attack but the change (and a slow tremolo, like a sampled choir's loop)."""

from __future__ import annotations

import numpy as np
import pytest

from services.analysis.musical import tempo
from services.analysis.onsets import OnsetAccumulator, OnsetData, harmonic_novelty

SR = 22050
# Triads as MIDI notes, a new one on every beat; neighbours share at most one note.
_CHORDS = ((60, 64, 67), (65, 69, 72), (62, 67, 71), (57, 60, 64), (62, 65, 69), (64, 68, 71))


def _onsets(y: np.ndarray) -> OnsetData:
    acc = OnsetAccumulator(SR)
    acc.push(y[None].astype(np.float32))
    return acc.finish()


def _clicks(bpm: float, seconds: float) -> np.ndarray:
    y = np.zeros(round(seconds * SR))
    click = np.hanning(64) * np.cos(2 * np.pi * 3000.0 * np.arange(64) / SR)
    for t in np.arange(0.1, seconds - 0.1, 60.0 / bpm):
        y[round(t * SR) :][:64] += click
    return y


def _changing_chords(bpm: float, seconds: float, *, tremolo_hz: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Sustained harmonic tones, each note faded in and out over 40 ms where the chord changes (every beat), so
    the only onsets are the changes; the whole mix swells and fades with a ``tremolo_hz`` tremolo. Returns the
    audio and the change times."""
    n = round(seconds * SR)
    t = np.arange(n) / SR
    beat = np.minimum((t / (60.0 / bpm)).astype(int), 10_000)
    fade = np.hanning(round(0.04 * SR))
    fade /= fade.sum()
    y = np.zeros(n)
    for note in sorted({p for chord in _CHORDS for p in chord}):
        on = np.array([note in _CHORDS[b % len(_CHORDS)] for b in range(int(beat.max()) + 1)], dtype=float)[beat]
        gain = np.convolve(on, fade, mode="same")
        f0 = 440.0 * 2 ** ((note - 69) / 12)
        y += gain * sum(np.sin(2 * np.pi * h * f0 * t) / h for h in (1, 2, 3))
    y *= 0.1 * (1.0 + 0.5 * np.sin(2 * np.pi * tremolo_hz * t))
    return y, np.arange(1, int(beat.max()) + 1) * 60.0 / bpm


def test_a_held_chord_has_no_chord_change() -> None:
    chroma = np.tile(np.array([1.0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]), (200, 1))
    chroma *= np.linspace(0.2, 1.0, 200)[:, None]  # a swell changes the level, not the harmony
    assert np.abs(harmonic_novelty(chroma, width=8)).max() < 1e-9


def test_an_abrupt_change_peaks_where_it_happens() -> None:
    chroma = np.zeros((100, 12))
    chroma[:40, [0, 4, 7]] = 1.0  # C major
    chroma[40:, [2, 5, 9]] = 1.0  # D minor: no common note
    novelty = harmonic_novelty(chroma, width=8)
    assert int(np.argmax(novelty)) == 40
    assert novelty[40] == pytest.approx(1.0)
    assert novelty[:32].max() < 1e-9 and novelty[49:].max() < 1e-9


@pytest.mark.parametrize("bpm", [72.0, 100.0, 138.0])
def test_click_track_tempo_is_unchanged_by_the_chord_envelope(bpm: float) -> None:
    data = _onsets(_clicks(bpm, 20.0))
    assert data.harmony.mean() < 0.01  # identical clicks: no harmony changes (chords changing each beat: 0.05-0.09)
    found = tempo(data)
    assert found is not None
    assert found.bpm == pytest.approx(bpm, rel=0.02)


@pytest.mark.parametrize("bpm", [66.0, 84.0, 112.0])
def test_chords_changing_on_every_beat_give_the_beat(bpm: float) -> None:
    y, changes = _changing_chords(bpm, 30.0)
    data = _onsets(y)
    frames = np.round(changes / data.hop_s).astype(int)
    frames = frames[frames < len(data.harmony) - 2]
    # Every change is a local peak of the chord envelope (within a frame), far above the held stretches between.
    for f in frames:
        assert int(np.argmax(data.harmony[f - 3 : f + 4])) in (2, 3, 4)
    held = data.harmony[(frames[:-1] + frames[1:]) // 2]
    assert data.harmony[frames].min() > 5 * held.max()
    found = tempo(data)
    assert found is not None
    assert found.bpm == pytest.approx(bpm, rel=0.02)


def test_a_held_chord_swelling_like_a_sample_loop_has_no_chord_change() -> None:
    """One chord held for 20 s with a deep 0.8 Hz swell (a sampled choir's loop repeats like this): the onset
    flux rises with every swell, the chord envelope stays flat."""
    t = np.arange(20 * SR) / SR
    y = sum(np.sin(2 * np.pi * 440.0 * 2 ** ((p - 69) / 12) * t) for p in _CHORDS[0])
    data = _onsets(0.1 * y * (1.0 + 0.9 * np.sin(2 * np.pi * 0.8 * t)))
    assert data.flux[20:-20].max() > 0.1
    assert data.harmony[20:-20].max() < 0.01
