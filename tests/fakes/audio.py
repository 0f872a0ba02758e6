"""Synthetic test audio made with numpy (never downloaded), shared by every test package.

All generators return float64 arrays shaped ``(frames,)`` for mono or ``(frames, channels)``; levels are peak
amplitudes (``dbfs(-23.0)`` is the linear amplitude of a -23 dBFS sine peak, as in EBU Tech 3341).
``write_wav`` stores any of them as a real file for ``analyze``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

Audio = npt.NDArray[np.float64]


def dbfs(level_db: float) -> float:
    """Linear amplitude of a peak level in dBFS."""
    return float(10.0 ** (level_db / 20.0))


def sine(
    freq_hz: float,
    *,
    sr: int = 48000,
    seconds: float = 1.0,
    level_dbfs: float = -6.0,
    channels: int = 1,
    phase_rad: float = 0.0,
) -> Audio:
    """A sine at ``level_dbfs`` peak, copied to ``channels`` identical channels."""
    t = np.arange(round(sr * seconds)) / sr
    y = dbfs(level_dbfs) * np.sin(2.0 * np.pi * freq_hz * t + phase_rad)
    return y if channels == 1 else np.repeat(y[:, None], channels, axis=1)


def pink_noise(
    *, sr: int = 48000, seconds: float = 5.0, rms_dbfs: float = -20.0, channels: int = 1, seed: int = 0
) -> Audio:
    """Pink (1/f power) noise from 20 Hz up, independent per channel, scaled to ``rms_dbfs``.

    Shaped in the FFT domain; content below 20 Hz is removed, or its random huge 1/f energy would dominate
    the RMS and make channels differ in loudness.
    """
    n = round(sr * seconds)
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal((channels, n)), axis=1)
    f = np.fft.rfftfreq(n, 1.0 / sr)
    spec[:, 1:] /= np.sqrt(f[1:])
    spec[:, f < 20.0] = 0.0
    y = np.fft.irfft(spec, n=n, axis=1)
    y *= dbfs(rms_dbfs) / np.sqrt(np.mean(y**2, axis=1, keepdims=True))
    return y[0] if channels == 1 else y.T


def click_track(bpm: float, *, sr: int = 44100, seconds: float = 20.0, level_dbfs: float = -6.0) -> Audio:
    """Short decaying 1.5 kHz clicks on every beat at ``bpm`` (mono)."""
    y = np.zeros(round(sr * seconds))
    click_len = round(0.02 * sr)
    t = np.arange(click_len) / sr
    click = dbfs(level_dbfs) * np.sin(2 * np.pi * 1500.0 * t) * np.exp(-t / 0.004)
    for start in np.arange(0.0, seconds - 0.05, 60.0 / bpm):
        i = round(start * sr)
        y[i : i + click_len] += click[: len(y) - i]
    return y


def sequence(*parts: Audio) -> Audio:
    """Concatenate segments in time (same channel count)."""
    return np.concatenate(parts, axis=0)


def write_wav(path: Path, y: Audio, sr: int, *, subtype: str = "PCM_24") -> Path:
    """Write ``y`` as WAV (``subtype`` e.g. ``PCM_16``, ``PCM_24``, ``PCM_32``, ``FLOAT``); returns ``path``."""
    fmt = {".flac": "FLAC", ".aiff": "AIFF", ".aif": "AIFF", ".ogg": "OGG", ".mp3": "MP3"}.get(path.suffix, "WAV")
    sf.write(str(path), y, sr, format=fmt, subtype=subtype)
    return path
