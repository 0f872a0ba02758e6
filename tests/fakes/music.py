"""Synthetic songs with known key and tempo: chord progressions, a bass line, a melody and drums, all in numpy.

Why synthetic: a labelled set that any checkout can rebuild in seconds, in every key and both modes, with the
things that make real key finding hard: harmonic partials that decay (each note's third harmonic sounds a fifth
up), progressions that start away from the tonic or lean on the relative key, a detuned band, and drum noise.
``song`` returns mono float64 at ``sr``; ``labelled_set`` enumerates every key in both modes with varied tempi.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tests.fakes.audio import Audio

NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
# (root semitones above the tonic, chord intervals); harmonic-minor V where minor music usually has it
_MAJ, _MIN = (0, 4, 7), (0, 3, 7)
MAJOR_PROGRESSIONS = (
    ((0, _MAJ), (7, _MAJ), (9, _MIN), (5, _MAJ)),  # I V vi IV
    ((0, _MAJ), (5, _MAJ), (7, _MAJ), (0, _MAJ)),  # I IV V I
    ((2, _MIN), (7, _MAJ), (0, _MAJ), (9, _MIN)),  # ii V I vi
    ((0, _MAJ), (9, _MIN), (5, _MAJ), (7, _MAJ)),  # I vi IV V
)
MINOR_PROGRESSIONS = (
    ((0, _MIN), (8, _MAJ), (3, _MAJ), (10, _MAJ)),  # i VI III VII: as much C major as A minor, honestly hard
    ((0, _MIN), (5, _MIN), (7, _MAJ), (0, _MIN)),  # i iv V i
    ((0, _MIN), (10, _MAJ), (8, _MAJ), (7, _MAJ)),  # i VII VI V (Andalusian)
    ((0, _MIN), (8, _MAJ), (5, _MIN), (7, _MAJ)),  # i VI iv V
)


@dataclass(frozen=True)
class Labelled:
    name: str
    key: str  # "F# minor"
    bpm: float
    y: Audio
    sr: int


def _note(freq: float, seconds: float, *, sr: int, partials: int, decay: float, brightness: float) -> Audio:
    """A struck harmonic tone: partial ``h`` at amplitude ``h^-brightness``, higher partials dying faster."""
    t = np.arange(round(seconds * sr)) / sr
    out = np.zeros_like(t)
    for h in range(1, partials + 1):
        if h * freq >= sr / 2:
            break
        out += h**-brightness * np.sin(2 * np.pi * h * freq * t) * np.exp(-t * decay * (1 + 0.4 * (h - 1)))
    attack = np.minimum(1.0, t / 0.005)
    return out * attack


def _add(y: Audio, x: Audio, start_s: float, *, sr: int, gain: float) -> None:
    i = round(start_s * sr)
    n = min(len(x), len(y) - i)
    if n > 0:
        y[i : i + n] += gain * x[:n]


def _drums(y: Audio, *, beat_s: float, sr: int, rng: np.random.Generator) -> None:
    t = np.arange(round(0.25 * sr)) / sr
    kick = np.sin(2 * np.pi * (50 * t + 3.0 * (1 - np.exp(-t / 0.03)))) * np.exp(-t / 0.08)  # 150 -> 50 Hz
    snare = rng.standard_normal(len(t)) * np.exp(-t / 0.05)
    hat = np.diff(rng.standard_normal(len(t) + 1)) * np.exp(-t / 0.015)
    beats = int(len(y) / sr / beat_s)
    for b in range(beats):
        _add(y, kick if b % 2 == 0 else snare, b * beat_s, sr=sr, gain=0.5 if b % 2 == 0 else 0.25)
        for half in (0.0, 0.5):
            _add(y, hat, (b + half) * beat_s, sr=sr, gain=0.06)


def song(*, tonic: int, minor: bool, bpm: float, variant: int = 0, sr: int = 22050, bars: int = 8,
         tuning_cents: float = 0.0, drums: bool = True, seed: int = 0) -> Audio:  # fmt: skip
    """``bars`` bars of 4/4 at ``bpm`` in ``tonic`` (0 = C) major or minor; progression ``variant`` of 4."""
    rng = np.random.default_rng(seed)
    beat_s = 60.0 / bpm
    y = np.zeros(round(bars * 4 * beat_s * sr) + sr // 2)
    prog = (MINOR_PROGRESSIONS if minor else MAJOR_PROGRESSIONS)[variant % 4]
    scale = _MINOR_SCALE if minor else _MAJOR_SCALE
    ref = 440.0 * 2 ** (tuning_cents / 1200.0)

    def hz(midi: float) -> float:
        return float(ref * 2 ** ((midi - 69) / 12.0))

    for bar in range(bars):
        root, chord = prog[bar % 4]
        start = bar * 4 * beat_s
        for interval in chord:  # pad chord in octave 4, struck on beats 1 and 3
            for beat in (0, 2):
                note = _note(hz(60 + (tonic + root + interval) % 12), 2 * beat_s, sr=sr, partials=8, decay=1.5,
                             brightness=1.2)  # fmt: skip
                _add(y, note, start + beat * beat_s, sr=sr, gain=0.08)
        for beat in range(4):  # bass: root, fifth on beat 3
            step = 7 if beat == 2 else 0
            note = _note(hz(36 + (tonic + root + step) % 12), beat_s, sr=sr, partials=6, decay=2.0, brightness=0.9)
            _add(y, note, start + beat * beat_s, sr=sr, gain=0.18)
        for eighth in range(8):  # melody: chord tones on the beat, scale tones between
            if rng.random() < 0.25:
                continue
            degree = chord[rng.integers(3)] + root if eighth % 2 == 0 else scale[rng.integers(7)]
            note = _note(hz(72 + (tonic + degree) % 12), beat_s / 2, sr=sr, partials=5, decay=4.0, brightness=1.5)
            _add(y, note, start + eighth * beat_s / 2, sr=sr, gain=0.07)
    if drums:
        _drums(y, beat_s=beat_s, sr=sr, rng=rng)
    out: Audio = 0.5 * y / np.abs(y).max()
    return out


def labelled_set(*, sr: int = 22050, per_key: int = 2, seed: int = 1234) -> list[Labelled]:
    """Every key in both modes, ``per_key`` songs each (different progression, tempo and tuning)."""
    rng = np.random.default_rng(seed)
    items: list[Labelled] = []
    for minor in (False, True):
        for tonic in range(12):
            for v in range(per_key):
                bpm = float(np.round(rng.uniform(70.0, 175.0)))
                tuning = float(rng.uniform(-30.0, 30.0))
                key = f"{NOTES[tonic]} {'minor' if minor else 'major'}"
                y = song(tonic=tonic, minor=minor, bpm=bpm, variant=(tonic + v) % 4, sr=sr, tuning_cents=tuning,
                         seed=seed + tonic * 10 + v + (100 if minor else 0))  # fmt: skip
                items.append(Labelled(name=f"{key.replace(' ', '_')}_{v}", key=key, bpm=bpm, y=y, sr=sr))
    return items
