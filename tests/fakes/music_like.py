"""A stereo signal with the long-term spectrum of real releases, for CI-runnable tonal tests (numpy only).

Why not a sine mix: tonal balance is judged against curves measured on real music, so the test signal gets the
median 1/3-octave curve of the calibrated corpus (``third_octave_centre_db`` of a genre) as its envelope: random-phase
noise shaped per band, plus a few sustained partials and a beat envelope so it moves like music.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


def _envelope(freq: F64, third_octave_db: dict[float, float]) -> F64:
    """Power density per Hz whose 1/3-octave sums follow ``third_octave_db`` (log-frequency interpolation)."""
    centres = sorted(third_octave_db)
    density_db = [third_octave_db[c] - 10.0 * np.log10(0.2316 * c) for c in centres]  # a third is 23 % of c wide
    logf = np.log2(np.clip(freq, 20.0, 20000.0))
    out: F64 = 10.0 ** (np.interp(logf, np.log2(centres), density_db) / 10.0)
    out[(freq < 20.0) | (freq > 20000.0)] = 0.0
    return out


def music_like(third_octave_db: dict[float, float], *, seconds: float = 20.0, sr: int = 44100, seed: int = 3) -> F64:
    """(frames, 2) float64 peaking at -1 dBFS whose 1/3-octave curve is ``third_octave_db`` (centre Hz -> dB)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    freq: F64 = np.fft.rfftfreq(n, 1.0 / sr).astype(np.float64)
    power = _envelope(freq, third_octave_db)
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
