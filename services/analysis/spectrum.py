"""Tonal balance from the long-term average spectrum: bands, 1/3 octaves, centroid, roll-off, tilt, resonances."""

from __future__ import annotations

import numpy as np

from services.analysis.numbers import db, finite
from services.analysis.peaks import find_peaks
from services.analysis.reduce import F64
from services.analysis.result import BAND_EDGES_HZ, BandValue, Resonance, Spectrum, ThirdOctaveBand
from services.analysis.spectral import SpectralData, band_of

THIRD_OCTAVE_CENTRES_HZ = tuple(10.0 ** (n / 10.0) for n in range(14, 44))  # 25 Hz .. 20 kHz


def average_power(data: SpectralData) -> F64:
    """Mean power spectrum of L+R per bin (arbitrary but consistent scale)."""
    out: F64 = (data.sum_l + data.sum_r) / max(1, data.frames)
    return out


def smoothed(freqs: F64, power: F64, *, fraction: float) -> F64:
    """Mean power over a ``1/fraction``-octave window around every bin (bin-wide at the bottom)."""
    half = 2.0 ** (0.5 / fraction)
    lo = np.searchsorted(freqs, freqs / half)
    hi = np.maximum(np.searchsorted(freqs, freqs * half, side="right"), lo + 1)
    c = np.concatenate([[0.0], np.cumsum(power)])
    out: F64 = (c[hi] - c[lo]) / (hi - lo)
    return out


def measure_spectrum(data: SpectralData, *, max_resonances: int) -> Spectrum:
    f, p = data.freqs, average_power(data)
    audible = band_of(f, lo=20.0, hi=20000.0)
    total = float(p[audible].sum())
    if data.frames == 0 or total <= 0.0:
        why = "digital silence" if data.frames else "too short for a spectrum"
        empty = [BandValue(band=b, value=None) for b in BAND_EDGES_HZ]
        keys = ("centroid_hz", "rolloff_hz", "tilt_db_per_octave", "bands")
        return Spectrum(
            bands=empty,
            band_levels_db=empty,
            third_octave=[],
            centroid_hz=None,
            rolloff_hz=None,
            tilt_db_per_octave=None,
            resonances=[],
            unavailable=dict.fromkeys(keys, why),
        )
    shares = {b: float(p[band_of(f, lo=lo, hi=hi)].sum()) / total for b, (lo, hi) in BAND_EDGES_HZ.items()}
    cum = np.cumsum(p[audible])
    return Spectrum(
        bands=[BandValue(band=b, value=finite(100.0 * s)) for b, s in shares.items()],
        band_levels_db=[BandValue(band=b, value=finite(db(s))) for b, s in shares.items()],
        third_octave=_third_octaves(f, p),
        centroid_hz=finite(float((f[audible] * p[audible]).sum()) / total, ndigits=1),
        rolloff_hz=finite(float(f[audible][np.searchsorted(cum, 0.85 * cum[-1])]), ndigits=1),
        tilt_db_per_octave=finite(tilt_db_per_octave(f, p, sr=data.sr)),
        resonances=resonances(f, p, limit=max_resonances),
    )


def _third_octaves(f: F64, p: F64) -> list[ThirdOctaveBand]:
    sums = []
    for c in THIRD_OCTAVE_CENTRES_HZ:
        sel = band_of(f, lo=c / 2 ** (1 / 6), hi=c * 2 ** (1 / 6))
        sums.append(float(p[sel].sum()) if sel.any() else None)
    top = max((s for s in sums if s), default=0.0)
    return [
        ThirdOctaveBand(center_hz=round(c, 1), level_db=finite(db(s / top)) if s and top else None)
        for c, s in zip(THIRD_OCTAVE_CENTRES_HZ, sums, strict=True)
    ]


def tilt_db_per_octave(f: F64, p: F64, *, sr: int) -> float | None:
    """Slope of the power spectral density (dB per octave) fitted on 1/3-octave means, 50 Hz to 16 kHz.

    Pink noise (equal energy per octave) gives -3 dB/oct; white noise 0.
    """
    xs, ys = [], []
    for c in THIRD_OCTAVE_CENTRES_HZ:
        if c < 50.0 or c > min(16000.0, 0.45 * sr):
            continue
        sel = band_of(f, lo=c / 2 ** (1 / 6), hi=c * 2 ** (1 / 6))
        if sel.any() and p[sel].mean() > 0:
            xs.append(np.log2(c))
            ys.append(10.0 * np.log10(p[sel].mean()))
    if len(xs) < 4:
        return None
    return float(np.polyfit(xs, ys, 1)[0])


def resonances(f: F64, p: F64, *, limit: int) -> list[Resonance]:
    """Narrow peaks standing >= 6 dB above the 1/3-octave smoothed spectrum, strongest first."""
    sel = band_of(f, lo=30.0, hi=min(16000.0, float(f[-1]) * 0.9))
    fine = 10.0 * np.log10(smoothed(f, p, fraction=48.0)[sel] + 1e-30)
    broad = 10.0 * np.log10(smoothed(f, p, fraction=3.0)[sel] + 1e-30)
    excess = fine - broad
    idx, _ = find_peaks(excess, height=6.0, distance=3)
    order = np.argsort(excess[idx])[::-1][:limit]
    fs = f[sel]
    return [
        Resonance(frequency_hz=round(float(fs[idx[i]]), 1), prominence_db=round(float(excess[idx[i]]), 1))
        for i in order
    ]
