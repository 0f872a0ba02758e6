"""Sustained resonances: narrow peaks that stay put while the music changes, told apart from the music's notes.

Why not peaks of the long-term spectrum: in tonal music the loudest narrow peaks are the notes (E5 and E6 in a
song in E). A resonance (a room mode, a ringing drum, a boxy mic) is there whatever is playing: in about 1 s
windows we measure each ~1/48-octave group's excess over the local floor (the median over the surrounding
2/3 octave, so sparse partials do not raise it), and keep peaks that

- stand out in at least 90 % of the non-silent windows (``_PERSIST``), by ``_MIN_DB`` or more at the median;
- stand out by about the same amount all the time (``_STEADY_DB``): a fixed filter lifts every window alike, while
  a note's partials (and their window leakage) come and go with the chords and decay;
- do not follow the harmony: their excess does not rise and fall with the chroma of their pitch class;
- do not sit on a note the music plays (within 35 cents, on the track's own tuning): a note of its key when the
  key is clear, a note both candidate keys share when it is not (the estimate's best key and its runner-up,
  usually relative or a fifth apart, share six of seven notes), or a pitch class that carries a clearly larger
  share of the chroma than the others (``_PROMINENT_SHARE``): partials of several chords can keep such a spot lit
  all the time, and notching the tonic would be worse than missing a resonance there. The tuning matters: game
  and folk recordings sit 30-50 cents off A = 440 Hz, where a grid at 440 Hz would call every note "between notes".
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from services.analysis.reduce import F64
from services.analysis.result import Resonance
from services.analysis.spectral import COL_CHROMA, FINE_PER_OCTAVE, SpectralData

NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLATS = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}  # the key estimate names these keys flat
_MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11)
_MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10)
_MIN_DB = 5.0
_PRESENT_DB = 3.0
_PERSIST = 0.9
_FOLLOWS = 0.5  # correlation with the pitch class's chroma share above which a peak is a note
_NOTE_CENTS = 35.0
_TONAL = 0.5  # key confidence from which the music counts as tonal
_STEADY_DB = 3.0  # inter-quartile range of the excess: a fixed filter lifts every window alike
_MEDIAN_ROWS = 512  # windows whose neighbourhood medians are taken at once (``excess_db``)
_PROMINENT_SHARE = 1.5 / 12  # a pitch class with half again the uniform share of the chroma is played a lot


def scale_pitch_classes(key: str | None) -> set[int]:
    """Pitch classes of a key such as ``"E major"``; empty when the key is unknown."""
    if not key or " " not in key:
        return set()
    tonic, mode = key.split(" ", 1)
    tonic = _FLATS.get(tonic, tonic)
    if tonic not in NOTES:
        return set()
    steps = _MINOR_STEPS if mode.startswith("minor") else _MAJOR_STEPS
    return {(NOTES.index(tonic) + s) % 12 for s in steps}


def nearest_note(freq_hz: float, *, tuning_cents: float = 0.0) -> tuple[int, float]:
    """(pitch class 0 = C, cents from it) of the nearest equal-tempered note, A4 = 440 Hz moved by the tuning."""
    midi = 69.0 + 12.0 * np.log2(freq_hz / 440.0) - tuning_cents / 100.0
    nearest = round(midi)
    return int(nearest) % 12, float(100.0 * (midi - nearest))


def excess_db(windows: F64) -> F64:
    """Per window and group: level above the surrounding 2/3 octave, dB (less the group's own 1/12 octave, so a
    resonance's own skirt does not lift its floor).

    The floor is the higher of the medians below and above the group: a resonance stands above both sides, while
    the edge of a low-pass (a lossy encode's cut-off, a steep roll-off) stands above only the side past the edge."""
    level = 10.0 * np.log10(windows + 1e-30)
    half = FINE_PER_OCTAVE // 3
    padded = np.pad(level, ((0, 0), (half, half)), mode="edge")
    around = sliding_window_view(padded, 2 * half + 1, axis=1)
    floor = np.empty_like(level)
    # ``median`` copies its strided window view (12 values per group and window): a few hundred windows at a
    # time keep that copy near 20 MB where an hour's 3600 windows at once made it 150 MB, twice.
    for start in range(0, len(level), _MEDIAN_ROWS):
        rows = around[start : start + _MEDIAN_ROWS]
        below = np.median(rows[:, :, 0 : half - 4], axis=-1)
        above = np.median(rows[:, :, half + 5 : 2 * half + 1], axis=-1)
        floor[start : start + _MEDIAN_ROWS] = np.maximum(below, above)
    out: F64 = level - floor
    return out


def sustained_resonances(
    data: SpectralData,
    *,
    key: str | None,
    key_confidence: float | None,
    limit: int,
    tuning_cents: float | None = None,
    runner_up: str | None = None,
) -> list[Resonance]:
    """Fixed narrow peaks, strongest first (see the module docstring); notes of the music are left out."""
    per = max(1, round(1.0 / data.hop_s))
    n = len(data.fine) // per
    if n < 4 or data.fine.shape[1] < FINE_PER_OCTAVE:
        return []
    win = data.fine[: n * per].reshape(n, per, -1).sum(axis=1, dtype=np.float64)  # no float64 copy of every frame
    chroma = data.rows[: n * per, COL_CHROMA].reshape(n, per, 12).sum(axis=1)
    total = win.sum(axis=1)
    active = total > total.max() * 1e-4
    if active.sum() < 4:
        return []
    exc, chroma = excess_db(win[active]), chroma[active]
    median = np.median(exc, axis=0)
    q75, q25 = np.percentile(exc, [75, 25], axis=0)
    fixed = (median >= _MIN_DB) & ((exc >= _PRESENT_DB).mean(axis=0) >= _PERSIST) & (q75 - q25 <= _STEADY_DB)
    shares = chroma / np.maximum(chroma.sum(axis=1, keepdims=True), 1e-30)
    scale = scale_pitch_classes(key)
    if (key_confidence or 0.0) < _TONAL:
        scale &= scale_pitch_classes(runner_up)
    scale |= {int(pc) for pc in np.flatnonzero(shares.mean(axis=0) >= _PROMINENT_SHARE)}
    tuning = tuning_cents or 0.0
    keep = [
        int(g) for g in np.flatnonzero(fixed)
        if not _is_note(exc[:, g], shares, freq_hz=float(data.fine_freqs[g]), scale=scale, tuning_cents=tuning)
    ]  # fmt: skip
    found = []
    for run in _runs(keep):
        g = max(run, key=lambda k: median[k])
        found.append(
            Resonance(frequency_hz=round(float(data.fine_freqs[g]), 1), prominence_db=round(float(median[g]), 1))
        )
    return sorted(found, key=lambda r: -r.prominence_db)[:limit]


def _runs(groups: list[int]) -> list[list[int]]:
    """Adjacent groups joined: one resonance spans a few 1/48-octave groups."""
    out: list[list[int]] = []
    for g in groups:
        if out and g - out[-1][-1] <= 1:
            out[-1].append(g)
        else:
            out.append([g])
    return out


def _is_note(exc: F64, shares: F64, *, freq_hz: float, scale: set[int], tuning_cents: float) -> bool:
    pc, cents = nearest_note(freq_hz, tuning_cents=tuning_cents)
    share = shares[:, pc]
    if np.std(exc) > 1e-6 and np.std(share) > 1e-6 and float(np.corrcoef(exc, share)[0, 1]) > _FOLLOWS:
        return True
    return abs(cents) <= _NOTE_CENTS and pc in scale
