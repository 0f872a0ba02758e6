"""A stereo signal with the long-term spectrum of real releases, for CI-runnable tonal tests (numpy only).

Why not a sine mix: tonal balance is judged against curves measured on real music, so the test signal gets the
median curve of the calibrated corpus (``band_centre_db`` of a genre) as a smooth spectral envelope: random-phase
noise shaped per band, plus a few sustained partials and a beat envelope so it moves like music.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from services.analysis.result import BAND_EDGES_HZ

F64 = npt.NDArray[np.float64]


def _envelope(freq: F64, band_levels_db: dict[str, float]) -> F64:
    """Power density per Hz that puts each band's share of the total at ``band_levels_db`` (smoothly joined)."""
    centres, density_db = [], []
    for band, (lo, hi) in BAND_EDGES_HZ.items():
        centres.append(np.log2(np.sqrt(lo * hi)))
        density_db.append(band_levels_db[band] - 10.0 * np.log10(hi - lo))
    logf = np.log2(np.clip(freq, 20.0, 20000.0))
    out: F64 = 10.0 ** (np.interp(logf, centres, density_db) / 10.0)
    out[(freq < 20.0) | (freq > 20000.0)] = 0.0
    return out


def _fit(freq: F64, power: F64, band_levels_db: dict[str, float]) -> F64:
    """Scale each band so its share of the total is exactly the wanted level."""
    total = power.sum()
    out = power.copy()
    for band, (lo, hi) in BAND_EDGES_HZ.items():
        sel = (freq >= lo) & (freq < hi)
        share = power[sel].sum() / total
        out[sel] *= 10.0 ** (band_levels_db[band] / 10.0) / share
    return out


def music_like(band_levels_db: dict[str, float], *, seconds: float = 20.0, sr: int = 44100, seed: int = 3) -> F64:
    """(frames, 2) float64 peaking at -1 dBFS whose band levels are ``band_levels_db`` (dB of the total)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    freq: F64 = np.fft.rfftfreq(n, 1.0 / sr).astype(np.float64)
    power = _fit(freq, _envelope(freq, band_levels_db), band_levels_db)
    channels = []
    for _ in range(2):
        phase = np.exp(2j * np.pi * rng.random(freq.size))
        channels.append(np.fft.irfft(np.sqrt(power) * phase, n=n))
    y = np.stack(channels, axis=1)
    y = 0.6 * y + 0.4 * y[:, ::-1]  # correlated like a real mix, not two independent noises
    t = np.arange(n) / sr
    beat = 0.75 + 0.25 * np.cos(2 * np.pi * 2.0 * t) ** 8  # 120 BPM swell, applied to both channels
    y *= beat[:, None]
    out: F64 = y * (10.0 ** (-1.0 / 20.0) / float(np.max(np.abs(y))))
    return out
