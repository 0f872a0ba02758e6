"""Key from tuned harmonic pitch-class profiles: two modern key profiles, sections that vote equally, and the
bass to tell a minor key from its relative major.

Why not Krumhansl-Schmuckler on raw chroma (the common recipe): its probe-tone profiles rate the fifth and
third highly, so fifth and relative-key confusions dominate, and a fixed semitone grid smears detuned bands.
The steps, each kept only if it raised the score on the labelled synthetic sets (``python -m bench.keytempo``):

1. Tuning: the circular mean of the spectral peaks' offsets within a semitone (``tonal.tuning_cents``).
2. Harmonic pitch-class profile (HPCP-like), with harmonic weighting: a note's third harmonic sounds a
   twelfth up and folds onto its fifth, so every peak takes ``_THIRD_HARMONIC`` of its weight away from the
   bin 702 cents above it (clipped at zero); then the 10-cent histogram folds into pitch classes around the
   tuning with a cos^2 bell. (Essentia's HPCP instead spreads each peak to its subharmonics; on these sets that
   lowered the score, as it adds the fourth degree, while removing the predicted harmonic raised it slightly.)
3. Aggregation: each frame is scaled to its own maximum (a loud sustained chord must not outweigh the passing
   tones, which carry the scale), each ~12 s section to unit sum (a loud chorus must not outvote the rest).
4. Profiles: the mean of the correlations with Temperley's and Albrecht-Shanahan's profiles
   (``key_profiles``), whose major/minor biases run opposite ways.
5. Major/minor: a key and its relative share every note, so the profiles alone often cannot choose. The bass
   can: it plays the tonic's root more than any other note, and its dominant next (V-I). The bass's share of
   each candidate tonic plus ``_BASS_FIFTH`` of its fifth's share, weighted by ``_BASS_WEIGHT``, moves the
   choice between the best key and its relative.

Confidence is the lead of the best key over the runner-up after step 5 (``_MARGIN_FULL`` is full confidence);
below ``AMBIGUOUS_BELOW`` the result says "ambiguous" rather than guessing silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.analysis.key_profiles import ALBRECHT_SHANAHAN, TEMPERLEY, Profile, correlations
from services.analysis.reduce import F64
from services.analysis.tonal import BINS, TonalData, fold_matrix, tuning_cents

NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
PROFILES: tuple[Profile, ...] = (TEMPERLEY, ALBRECHT_SHANAHAN)
SECTION_S = 12.0
AMBIGUOUS_BELOW = 0.3
_MARGIN_FULL = 0.15  # a correlation lead this large is full confidence
_THIRD_HARMONIC = 0.2  # share of a peak's weight removed from where its third harmonic would fold
_BASS_WEIGHT = 2.0  # correlation points per unit of bass share between the two candidate tonics
_BASS_FIFTH = 0.6  # a bass note on a candidate's dominant counts this much of one on its tonic
# Bass-register peaks over the rest: songs with a bass line measure 0.2-0.5; a piece with none (a noise bed
# only) under 0.01. The vote fades in between, so noise in an empty bass register never picks the mode.
_BASS_PRESENT = (0.02, 0.1)


@dataclass(frozen=True)
class KeyEstimate:
    key: str  # "A minor"
    confidence: float  # 0..1
    ambiguous: bool
    runner_up: str
    tuning_cents: float


def harmonic_weighted(pitch: F64, *, third: float) -> F64:
    """``(frames, BINS)`` with ``third`` of each bin subtracted from the bin of its third harmonic (+702 cents,
    octave-folded), clipped at zero."""
    shift = round(1200.0 * np.log2(3.0) / 10.0) % BINS
    out: F64 = np.maximum(pitch - third * np.roll(pitch, shift, axis=1), 0.0)
    return out


def _frame_scaled(x: F64) -> F64:
    out: F64 = x / np.maximum(1e-12, x.max(axis=1, keepdims=True))
    return out


def section_profile(chroma: F64, *, per: int) -> F64:
    """``(12,)`` mean over sections of each section's chroma scaled to unit sum (silent sections dropped);
    frames are first scaled to their own maximum."""
    sums = np.add.reduceat(_frame_scaled(chroma), np.arange(0, len(chroma), per), axis=0)
    totals = sums.sum(axis=1, keepdims=True)
    keep = totals[:, 0] > 1e-9 * max(1e-30, float(totals.max()))
    out: F64 = (sums[keep] / totals[keep]).mean(axis=0)
    return out


def bass_share(data: TonalData, fold: F64) -> F64:
    """``(12,)`` how often each pitch class sounds in the bass (50-140 Hz), frames scaled, summing to 1 when
    there is a bass line and fading to 0 as the bass register empties (``_BASS_PRESENT``)."""
    if len(data.bass) == 0:
        return np.zeros(12)
    low, full = _BASS_PRESENT
    presence = float(data.bass.sum(dtype=np.float64)) / max(1e-12, float(data.pitch.sum(dtype=np.float64)))
    total = _frame_scaled(data.bass.astype(np.float64) @ fold).sum(axis=0)
    out: F64 = total / max(1e-12, float(total.sum())) * float(np.clip((presence - low) / (full - low), 0.0, 1.0))
    return out


def relative_choice(scores: F64, bass: F64, *, weight: float) -> F64:
    """The scores with the bass's vote between the best key and its relative (major ``M``, minor ``M - 3``).

    The vote is ``weight * (tonic_evidence[minor] - tonic_evidence[major])`` added to the minor's lead over the
    major, where a tonic's evidence is the bass's share of it plus ``_BASS_FIFTH`` of its fifth's.
    The winner of the two keeps the best score and the other trails it by the voted lead, so the vote never
    lifts a third key to the top.
    """
    best = int(np.argmax(scores))
    major = best if best < 12 else (best - 12 + 3) % 12
    minor = 12 + (major + 9) % 12
    evidence = bass + _BASS_FIFTH * np.roll(bass, -7)  # pitch class p gets its fifth p + 7 too
    lead = float(scores[minor] - scores[major]) + weight * float(evidence[minor - 12] - evidence[major])
    out = scores.copy()
    winner, loser = (minor, major) if lead > 0 else (major, minor)
    out[winner] = scores[best]
    out[loser] = scores[best] - abs(lead)
    return out


def key_scores(data: TonalData) -> tuple[F64, float] | None:
    """``(24,)`` scores (major C..B, then minor C..B) and the tuning in cents, or ``None`` without pitch."""
    if len(data.pitch) == 0 or float(data.pitch.sum()) <= 0:
        return None
    tuning = tuning_cents(data.pitch)
    fold = fold_matrix(tuning)
    hpcp = harmonic_weighted(data.pitch.astype(np.float64), third=_THIRD_HARMONIC) @ fold
    chroma = section_profile(hpcp, per=max(1, round(SECTION_S / data.hop_s)))
    if np.ptp(chroma) <= 1e-9 * chroma.max():
        return None
    scores = np.mean([correlations(chroma, p) for p in PROFILES], axis=0)
    return relative_choice(scores, bass_share(data, fold), weight=_BASS_WEIGHT), tuning


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
