"""Key from tuned pitch histograms: Temperley's profiles over frames and sections that vote equally.

Why not Krumhansl-Schmuckler on raw chroma (the common recipe): its probe-tone profiles rate the fifth and
third highly, so fifth and relative-key confusions dominate, and a fixed semitone grid smears detuned bands.
The steps: estimate the tuning from the peaks' offsets (``tonal.tuning_cents``); fold the 10-cent histograms
into pitch classes around that tuning; scale every frame to its own maximum (a sustained loud chord must not
outweigh the melody's passing tones, which carry the scale) and every ~12 s section to unit sum (a loud chorus
must not outvote the rest); correlate with Temperley's (1999) profiles, whose tonic and leading-tone weights
separate a key from its relative better. On the labelled synthetic set (``python -m bench.keytempo``) each of
these steps was kept only if it raised the score; a bass-line tonic template was tried and dropped (it lowered
it). Major/minor: a key and its relative share every note, so when the best and the runner-up are that close
the confidence (their margin) is low and the result says "ambiguous" rather than guessing silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.analysis.reduce import F64
from services.analysis.tonal import TonalData, fold_matrix, tuning_cents

NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MAJOR = np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0])
_MINOR = np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0])
SECTION_S = 12.0
AMBIGUOUS_BELOW = 0.3
_MARGIN_FULL = 0.15  # a correlation lead this large is full confidence


@dataclass(frozen=True)
class KeyEstimate:
    key: str  # "A minor"
    confidence: float  # 0..1
    ambiguous: bool
    runner_up: str
    tuning_cents: float


def _section_profiles(chroma: F64, *, per: int) -> F64:
    """Mean over sections of each section's chroma scaled to unit sum (silent sections dropped); frames are
    first scaled to their own maximum."""
    chroma = chroma / np.maximum(1e-12, chroma.max(axis=1, keepdims=True))
    sums = np.add.reduceat(chroma, np.arange(0, len(chroma), per), axis=0)
    totals = sums.sum(axis=1, keepdims=True)
    keep = totals[:, 0] > 1e-9 * max(1e-30, float(totals.max()))
    out: F64 = (sums[keep] / totals[keep]).mean(axis=0)
    return out


def _correlations(profile: F64, templates: tuple[F64, F64]) -> F64:
    """``(24,)`` Pearson correlation with every rotation: 12 major keys, then 12 minor keys."""
    out = np.zeros(24)
    if np.ptp(profile) <= 0:
        return out
    for m, template in enumerate(templates):
        for k in range(12):
            out[m * 12 + k] = np.corrcoef(profile, np.roll(template, k))[0, 1]
    return out


def key_scores(data: TonalData) -> tuple[F64, float] | None:
    """``(24,)`` scores (major C..B, then minor C..B) and the tuning in cents, or ``None`` without pitch."""
    if len(data.pitch) == 0 or float(data.pitch.sum()) <= 0:
        return None
    tuning = tuning_cents(data.pitch)
    fold = fold_matrix(tuning)
    per = max(1, round(SECTION_S / data.hop_s))
    chroma = _section_profiles(data.pitch.astype(np.float64) @ fold, per=per)
    if np.ptp(chroma) <= 1e-9 * chroma.max():
        return None
    return _correlations(chroma, (_MAJOR, _MINOR)), tuning


def key_name(index: int) -> str:
    return f"{NOTES[index % 12]} {'major' if index < 12 else 'minor'}"


def estimate_key(data: TonalData) -> KeyEstimate | None:
    """The most likely key, its confidence, and whether it is too close to call."""
    found = key_scores(data)
    if found is None:
        return None
    scores, tuning = found
    order = np.argsort(scores)[::-1]
    margin = float(scores[order[0]] - scores[order[1]])
    confidence = float(np.clip(margin / _MARGIN_FULL, 0.0, 1.0))
    return KeyEstimate(
        key=key_name(int(order[0])),
        confidence=confidence,
        ambiguous=confidence < AMBIGUOUS_BELOW,
        runner_up=key_name(int(order[1])),
        tuning_cents=tuning,
    )
