"""Tempo from the onset-envelope autocorrelation with a tempo prior and an onset-density prior; key from
``key.estimate_key``.

Why not ``librosa.beat.beat_track``: its numba JIT costs seconds on a cold CLI run; an FFT autocorrelation
with librosa's log-normal tempo prior (centred on 120 BPM, one octave wide) gives the same tempo estimate in
milliseconds. Half/double-time is sanity-checked against the 70-180 BPM range most music is felt in, and the
onset density (one or two onsets a beat) picks between octaves. What the audio cannot settle, the genre can:
when the reading an octave away is nearly as periodic (``tempo_alternative_bpm``), ``tempo_for_genre`` takes
whichever of the two lies in the genre's typical range once the genre is known (as ``labels`` does for
section names).

The envelope is the onset flux plus the chord-change novelty (``onsets.harmonic_novelty``), each over its
mean, the novelty weighted ``_HARMONY_WEIGHT``: with drums the flux dominates its periodicity; without them
(choir, organ, strings) the chord changes carry the beat, where the flux alone locked onto eighth notes or a
sample's loop. Measured on rendered chorales and the synthetic sets in ``docs/keytempo.md``.

Confidence is the envelope's autocorrelation at the beat period over its value at lag 0: near 1 for a steady
groove, near 0 for rubato or beatless audio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.analysis.key import estimate_key
from services.analysis.numbers import finite
from services.analysis.onsets import OnsetData
from services.analysis.reduce import F64
from services.analysis.result import Musical
from services.analysis.tonal import TonalData

_MIN_TEMPO_S = 5.0
_ALTERNATIVE_AT = 0.6  # an octave reading this periodic, relative to the chosen one, is worth reporting
_HARMONY_WEIGHT = 2.0  # chord-change novelty against onset flux, each over its mean (docs/keytempo.md)
_CHANGE_TYPICAL = 0.03  # mean chord-change novelty of music changing chord every beat or bar: 0.03-0.14


@dataclass(frozen=True)
class Tempo:
    bpm: float
    confidence: float  # 0..1
    alternative_bpm: float | None  # half or double, nearly as periodic; None when the octave is clear


def autocorrelation(x: F64) -> F64:
    n = len(x)
    spec = np.fft.rfft(x - x.mean(), n=2 * n)
    out: F64 = np.fft.irfft(np.abs(spec) ** 2)[:n]
    return out


def tempo(data: OnsetData) -> Tempo | None:
    """The tempo, its confidence and any octave alternative, or ``None`` without periodic onset energy."""
    if len(data.flux) * data.hop_s < _MIN_TEMPO_S or data.flux.max() <= 0:
        return None
    envelope = beat_envelope(data)
    acf = autocorrelation(envelope)
    if acf[0] <= 0:
        return None
    lags = np.arange(max(1, int(60.0 / 300.0 / data.hop_s)), min(len(acf) - 1, int(60.0 / 30.0 / data.hop_s)))
    bpm = np.asarray(60.0 / (lags * data.hop_s), dtype=np.float64)
    prior = np.exp(-0.5 * np.log2(bpm / 120.0) ** 2) * density_prior(
        bpm, onsets_per_s=onset_rate(envelope, hop_s=data.hop_s)
    )
    weighted = np.zeros(len(acf))
    weighted[lags] = np.maximum(acf[lags], 0.0) * prior
    if weighted.max() <= 0:  # steady tones: no lag in the tempo range repeats the onsets at all
        return None
    best = _half_double(acf, int(np.argmax(weighted)), hop_s=data.hop_s)
    return Tempo(
        bpm=60.0 / (_refined_lag(acf, best) * data.hop_s),
        confidence=float(np.clip(acf[best] / acf[0], 0.0, 1.0)),
        alternative_bpm=_octave_alternative(weighted, best, hop_s=data.hop_s),
    )


def _octave_alternative(weighted: F64, lag: int, *, hop_s: float) -> float | None:
    """The half- or double-time BPM whose prior-weighted periodicity is at least ``_ALTERNATIVE_AT`` of the
    chosen one's (the stronger of the two).

    Why weighted: a steady groove repeats every two beats as surely as every beat, so the raw autocorrelation
    always offers half time; after the tempo and onset-density priors only a real toss-up remains.
    """
    chosen = float(weighted[_local_max(weighted, lag)])
    found = [
        (float(weighted[p]), p)
        for p in (_local_max(weighted, o) for o in (2 * lag, lag // 2) if 1 <= o < len(weighted) - 1)
    ]
    if chosen <= 0 or not found:
        return None
    strength, peak = max(found)
    return 60.0 / ((peak + _parabolic(weighted, peak)) * hop_s) if strength >= _ALTERNATIVE_AT * chosen else None


def tempo_for_genre(musical: Musical, *, typical_bpm: tuple[float, float]) -> Musical:
    """The reading with the tempo swapped for its octave alternative when only the alternative lies in the
    genre's typical range (a dubstep groove read at 70 becomes 140; a ballad read at 150 becomes 75)."""
    bpm, alt = musical.tempo_bpm, musical.tempo_alternative_bpm
    low, high = typical_bpm
    if bpm is None or alt is None or low <= bpm <= high or not low <= alt <= high:
        return musical
    return musical.model_copy(update={"tempo_bpm": alt, "tempo_alternative_bpm": bpm})


def beat_envelope(data: OnsetData) -> F64:
    """Onset flux plus ``_HARMONY_WEIGHT`` times the chord-change novelty, each over its mean (so neither's scale
    matters), the novelty's mean taken as at least ``_CHANGE_TYPICAL``: where the harmony hardly changes (a
    click track, a drone) its novelty is noise, not to be scaled up to the flux's weight."""
    flux: F64 = data.flux / data.flux.mean()
    if len(data.harmony) != len(flux):
        return flux
    out: F64 = flux + _HARMONY_WEIGHT * data.harmony / max(float(data.harmony.mean()), _CHANGE_TYPICAL)
    return out


def onset_rate(f: F64, *, hop_s: float) -> float:
    """Onsets per second: envelope peaks (the largest within +-50 ms) above its mean over the surrounding second."""
    n = len(f)
    if n < 3:
        return 0.0
    w, m = max(1, round(0.5 / hop_s)), max(1, round(0.05 / hop_s))
    c = np.concatenate([[0.0], np.cumsum(f)])
    i = np.arange(n)
    lo, hi = np.clip(i - w, 0, n), np.clip(i + w + 1, 0, n)
    local_mean = (c[hi] - c[lo]) / (hi - lo)
    local_max = np.lib.stride_tricks.sliding_window_view(np.pad(f, m), 2 * m + 1).max(axis=1)
    onsets = (f >= local_max) & (f > local_mean)
    return float(np.count_nonzero(onsets) / (n * hop_s))


def density_prior(bpm: F64, *, onsets_per_s: float) -> F64:
    """Weight of each tempo from onset density: music puts one or two onsets on a beat (quarters or eighths).

    Why: a kick-snare groove at 160 BPM has strong periodicity at 80 BPM too (kick to kick), and the tempo
    prior alone cannot tell them apart; at 80 BPM its eighth-note onsets would be four to a beat, which music
    rarely does. One to two a beat is neutral, so a metronome (one a beat) and eighth-note grooves both pass.
    """
    if onsets_per_s <= 0:
        return np.ones_like(bpm)
    per_beat = np.log2(onsets_per_s * 60.0 / bpm)
    outside = np.maximum(0.0, per_beat - 1.0) + np.maximum(0.0, -per_beat)
    out: F64 = np.exp(-0.5 * (outside / 0.5) ** 2)
    return out


def _refined_lag(acf: F64, lag: int) -> float:
    """Beat period in frames, refined on the 4-, 2- or 1-beat ACF peak: a peak k beats away pins the period
    k times more finely than the frame hop (a 23 ms hop alone would leave 120 BPM uncertain by +-0.6 BPM)."""
    for k in (8, 4, 2):
        if k * lag + 3 >= len(acf):
            continue
        far = _local_max(acf, k * lag)
        if acf[far] >= 0.5 * acf[lag]:
            return (far + _parabolic(acf, far)) / k
    return lag + _parabolic(acf, lag)


def _half_double(acf: F64, lag: int, *, hop_s: float) -> int:
    bpm = 60.0 / (lag * hop_s)
    if bpm < 70.0 and lag // 2 > 0 and acf[lag // 2] >= 0.5 * acf[lag]:
        return _local_max(acf, lag // 2)
    if bpm > 180.0 and 2 * lag < len(acf) and acf[2 * lag] >= 0.5 * acf[lag]:
        return _local_max(acf, 2 * lag)
    return lag


def _local_max(acf: F64, lag: int) -> int:
    lo, hi = max(1, lag - 2), min(len(acf), lag + 3)
    return lo + int(np.argmax(acf[lo:hi]))


def _parabolic(y: F64, i: int) -> float:
    if i <= 0 or i >= len(y) - 1:
        return 0.0
    a, b, c = y[i - 1], y[i], y[i + 1]
    den = a - 2 * b + c
    return float(0.5 * (a - c) / den) if den < 0 else 0.0


def measure_musical(onsets: OnsetData, tonal: TonalData) -> Musical:
    why: dict[str, str] = {}
    t = tempo(onsets)
    if t is None:
        why["tempo_bpm"] = "shorter than 5 s or no rhythmic onsets"
    k = estimate_key(tonal)
    if k is None:
        why["key"] = "no pitched content"
    return Musical(
        tempo_bpm=finite(t.bpm, ndigits=1) if t else None,
        tempo_confidence=finite(t.confidence) if t else None,
        tempo_alternative_bpm=finite(t.alternative_bpm, ndigits=1) if t and t.alternative_bpm else None,
        key=k.key if k else None,
        key_confidence=finite(k.confidence) if k else None,
        unavailable=why,
        key_ambiguous=k.ambiguous if k else False,
        key_runner_up=k.runner_up if k else None,
        tuning_cents=finite(k.tuning_cents, ndigits=1) if k else None,
    )
