"""A labelled key/tempo set of synthetic songs, deterministic from a seed: harder than ``music.song``.

Why a second generator: ``music.song`` loops one four-chord progression in root position, which real music
rarely does. Here a song has a verse and a chorus on different progressions, chords in inversion with close
voice leading, borrowed chords (bVII, iv and bVI in major; a Dorian IV and a Neapolitan in minor), a cadence
(ii-V-I, IV-V-I or iv-V-i, the V major in minor as harmonic minor has it) at the end of each phrase, and
a final tonic. Timbres are additive tones with per-partial decay, a chorus detune of a few cents, slight
inharmonicity (piano-like) and a soft attack pad; a walking bass line; drums as a pitched-sweep kick and noise
bursts in one of four patterns (backbeat, four-on-the-floor, half-time, shuffle-free breakbeat). Every key in
both modes; tempo, tuning, timbre and drum pattern drawn from the seed. The known labels are the intended key
and BPM (a half-time groove is still labelled with its written tempo; scoring allows octave errors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tests.fakes.audio import Audio
from tests.fakes.music import NOTES, Labelled

_MAJ, _MIN, _DIM = (0, 4, 7), (0, 3, 7), (0, 3, 6)
Chord = tuple[int, tuple[int, int, int]]  # root semitones above the tonic, intervals
# Verse and chorus progressions (four bars each), then the cadence that closes a phrase.
_MAJOR_PHRASES: tuple[tuple[Chord, ...], ...] = (
    ((0, _MAJ), (9, _MIN), (5, _MAJ), (7, _MAJ)),  # I vi IV V
    ((0, _MAJ), (7, _MAJ), (9, _MIN), (5, _MAJ)),  # I V vi IV
    ((5, _MAJ), (0, _MAJ), (7, _MAJ), (9, _MIN)),  # IV I V vi: starts away from the tonic
    ((0, _MAJ), (10, _MAJ), (5, _MAJ), (0, _MAJ)),  # I bVII IV I: borrowed bVII (mixolydian colour)
    ((0, _MAJ), (4, _MIN), (5, _MAJ), (5, _MIN)),  # I iii IV iv: borrowed iv
    ((9, _MIN), (5, _MAJ), (0, _MAJ), (7, _MAJ)),  # vi IV I V: starts on the relative minor
    ((0, _MAJ), (8, _MAJ), (10, _MAJ), (0, _MAJ)),  # I bVI bVII I: borrowed from the parallel minor
)
_MINOR_PHRASES: tuple[tuple[Chord, ...], ...] = (
    ((0, _MIN), (8, _MAJ), (3, _MAJ), (10, _MAJ)),  # i VI III VII
    ((0, _MIN), (5, _MIN), (7, _MAJ), (0, _MIN)),  # i iv V i
    ((0, _MIN), (10, _MAJ), (8, _MAJ), (7, _MAJ)),  # i VII VI V (Andalusian)
    ((0, _MIN), (5, _MAJ), (0, _MIN), (10, _MAJ)),  # i IV i VII: Dorian IV
    ((8, _MAJ), (10, _MAJ), (0, _MIN), (0, _MIN)),  # VI VII i i
    ((0, _MIN), (3, _MAJ), (1, _MAJ), (7, _MAJ)),  # i III bII V: Neapolitan
    ((5, _MIN), (0, _MIN), (2, _DIM), (7, _MAJ)),  # iv i ii° V
)
_MAJOR_CADENCES: tuple[tuple[Chord, ...], ...] = (
    ((2, _MIN), (7, _MAJ), (0, _MAJ)),  # ii V I
    ((5, _MAJ), (7, _MAJ), (0, _MAJ)),  # IV V I
    ((5, _MAJ), (5, _MIN), (0, _MAJ)),  # IV iv I (plagal, borrowed)
)
_MINOR_CADENCES: tuple[tuple[Chord, ...], ...] = (
    ((5, _MIN), (7, _MAJ), (0, _MIN)),  # iv V i
    ((2, _DIM), (7, _MAJ), (0, _MIN)),  # ii° V i
    ((8, _MAJ), (7, _MAJ), (0, _MIN)),  # VI V i
)
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
DRUM_PATTERNS = ("backbeat", "four", "half", "break")


@dataclass(frozen=True)
class _Timbre:
    partials: int
    brightness: float  # partial h at h^-brightness
    decay: float  # 1/s for the fundamental; partial h decays (1 + 0.5 (h-1)) times faster
    detune_cents: float  # a second voice this far up (a chorus)
    inharmonicity: float  # partial h at h sqrt(1 + B h^2), piano-like
    attack_s: float


def _tone(freq: float, seconds: float, *, sr: int, timbre: _Timbre) -> Audio:
    t = np.arange(round(seconds * sr)) / sr
    out = np.zeros_like(t)
    for detune in (0.0, timbre.detune_cents):
        f0 = freq * 2 ** (detune / 1200.0)
        for h in range(1, timbre.partials + 1):
            fh = h * f0 * np.sqrt(1.0 + timbre.inharmonicity * h * h)
            if fh >= 0.45 * sr:
                break
            decay = np.exp(-t * timbre.decay * (1.0 + 0.5 * (h - 1)))
            out += h**-timbre.brightness * np.sin(2 * np.pi * fh * t + h) * decay
    release = np.minimum(1.0, (seconds - t) / 0.02).clip(0.0)
    shaped: Audio = out * np.minimum(1.0, t / timbre.attack_s) * release
    return shaped


def _add(y: Audio, x: Audio, start_s: float, *, sr: int, gain: float) -> None:
    i = round(start_s * sr)
    n = min(len(x), len(y) - i)
    if n > 0:
        y[i : i + n] += gain * x[:n]


def _voicing(root: int, chord: tuple[int, int, int], *, previous: list[int]) -> list[int]:
    """MIDI notes of the chord near the previous voicing (so inversions appear, as in real voice leading)."""
    pcs = [(root + i) % 12 for i in chord]
    centre = float(np.mean(previous)) if previous else 62.0
    options = []
    for inversion in range(3):
        notes = [pcs[(inversion + k) % 3] for k in range(3)]
        midi = [55 + notes[0]]
        for pc in notes[1:]:
            midi.append(midi[-1] + (pc - midi[-1]) % 12)
        while np.mean(midi) < centre - 6:
            midi = [m + 12 for m in midi]
        while np.mean(midi) > centre + 6:
            midi = [m - 12 for m in midi]
        options.append(midi)
    return min(options, key=lambda m: abs(float(np.mean(m)) - centre))


def _drums(y: Audio, *, beat_s: float, sr: int, pattern: str, rng: np.random.Generator) -> None:
    t = np.arange(round(0.3 * sr)) / sr
    kick = np.sin(2 * np.pi * (45 * t + 4.0 * (1 - np.exp(-t / 0.03)))) * np.exp(-t / 0.09)
    snare = (rng.standard_normal(len(t)) + 0.5 * np.sin(2 * np.pi * 190 * t)) * np.exp(-t / 0.06)
    hat = np.diff(rng.standard_normal(len(t) + 1)) * np.exp(-t / 0.012)
    kicks, snares = {
        "backbeat": ((0.0, 2.0, 2.5), (1.0, 3.0)),
        "four": ((0.0, 1.0, 2.0, 3.0), (1.0, 3.0)),
        "half": ((0.0,), (2.0,)),
        "break": ((0.0, 0.75, 2.5), (1.0, 3.0, 3.75)),
    }[pattern]
    for bar in range(int(len(y) / sr / (4 * beat_s))):
        t0 = bar * 4 * beat_s
        for b in kicks:
            _add(y, kick, t0 + b * beat_s, sr=sr, gain=0.5)
        for b in snares:
            _add(y, snare, t0 + b * beat_s, sr=sr, gain=0.2)
        for e in range(8):
            _add(y, hat, t0 + e * beat_s / 2, sr=sr, gain=0.05 if e % 2 else 0.08)


@dataclass(frozen=True)
class SongSpec:
    tonic: int
    minor: bool
    bpm: float
    tuning_cents: float
    seed: int
    pattern: str = "backbeat"


def keyset_song(spec: SongSpec, *, sr: int = 22050) -> Audio:
    """Intro, verse, chorus, verse, closing cadence (about 18 bars) of ``spec``, mono float64 at ``sr``."""
    rng = np.random.default_rng(spec.seed)
    phrases, cadences = (_MINOR_PHRASES, _MINOR_CADENCES) if spec.minor else (_MAJOR_PHRASES, _MAJOR_CADENCES)
    verse, chorus = (phrases[i] for i in rng.choice(len(phrases), size=2, replace=False))
    cadence = cadences[int(rng.integers(len(cadences)))]
    bars: list[Chord] = [*verse[:2], *verse, *cadence, *chorus, *chorus[:2], *verse, *cadence, (0, cadence[-1][1])]
    scale = _MINOR_SCALE if spec.minor else _MAJOR_SCALE
    beat_s = 60.0 / spec.bpm
    y = np.zeros(round(len(bars) * 4 * beat_s * sr) + sr)
    ref = 440.0 * 2 ** (spec.tuning_cents / 1200.0)
    pad = _Timbre(
        partials=int(rng.integers(6, 12)),
        brightness=float(rng.uniform(0.8, 1.6)),
        decay=float(rng.uniform(0.3, 1.5)),
        detune_cents=float(rng.uniform(3.0, 9.0)),
        inharmonicity=float(rng.uniform(0.0, 4e-4)),
        attack_s=float(rng.uniform(0.005, 0.08)),
    )
    bass = _Timbre(6, 1.0, 1.5, 0.0, 0.0, 0.005)
    lead = _Timbre(5, float(rng.uniform(1.0, 2.0)), 3.0, 4.0, 0.0, 0.01)

    def hz(midi: float) -> float:
        return float(ref * 2 ** ((midi - 69) / 12.0))

    voicing: list[int] = []
    for b, (root, chord) in enumerate(bars):
        start = b * 4 * beat_s
        voicing = _voicing((spec.tonic + root) % 12, chord, previous=voicing)
        for beat in (0, 2) if rng.random() < 0.7 else (0,):
            for m in voicing:
                _add(y, _tone(hz(m), 2 * beat_s, sr=sr, timbre=pad), start + beat * beat_s, sr=sr, gain=0.07)
        bass_root = 36 + (spec.tonic + root) % 12
        for beat, step in enumerate((0, 7, 12, 7) if b % 2 else (0, 0, 7, 5 if chord == _MAJ else 3)):
            note = _tone(hz(bass_root + step), beat_s, sr=sr, timbre=bass)
            _add(y, note, start + beat * beat_s, sr=sr, gain=0.16)
        for eighth in range(8):
            if rng.random() < 0.35:
                continue
            on_beat = eighth % 2 == 0
            degree = root + chord[int(rng.integers(3))] if on_beat else scale[int(rng.integers(7))]
            note = _tone(hz(72 + (spec.tonic + degree) % 12), beat_s / 2, sr=sr, timbre=lead)
            _add(y, note, start + eighth * beat_s / 2, sr=sr, gain=0.06)
    _drums(y, beat_s=beat_s, sr=sr, pattern=spec.pattern, rng=rng)
    out: Audio = 0.5 * y / np.abs(y).max()
    return out


def keyset_specs(*, seed: int, per_key: int = 1) -> list[SongSpec]:
    """Every key in both modes, ``per_key`` songs each; tempo 60-180 BPM, tuning +-35 cents, a drum pattern."""
    rng = np.random.default_rng(seed)
    specs = []
    for minor in (False, True):
        for tonic in range(12):
            for _ in range(per_key):
                specs.append(SongSpec(tonic=tonic, minor=minor, bpm=float(np.round(rng.uniform(60.0, 180.0))),
                                      tuning_cents=float(rng.uniform(-35.0, 35.0)), seed=int(rng.integers(1 << 30)),
                                      pattern=DRUM_PATTERNS[int(rng.integers(len(DRUM_PATTERNS)))]))  # fmt: skip
    return specs


def keyset(*, seed: int, per_key: int = 1, sr: int = 22050) -> list[Labelled]:
    """The labelled songs of ``keyset_specs`` (mono, ``sr``); about 30 s each, built in well under a second."""
    out = []
    for i, s in enumerate(keyset_specs(seed=seed, per_key=per_key)):
        key = f"{NOTES[s.tonic]} {'minor' if s.minor else 'major'}"
        out.append(
            Labelled(name=f"{i:02d}_{key.replace(' ', '_')}", key=key, bpm=s.bpm, y=keyset_song(s, sr=sr), sr=sr)
        )
    return out
