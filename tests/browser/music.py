"""Synthetic, music-like stereo test tracks (numpy only): a kick on the beat, a chord, hats, a little noise.

Why not a pure sine: the analysis finds tempo, sections, stereo width and a spectrum shape, and the charts should
have something to draw in every band. Everything is deterministic (seeded), so screenshots are comparable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

SR = 44100


def _kick(sr: int) -> npt.NDArray[np.float64]:
    t = np.arange(int(0.25 * sr)) / sr
    sweep = 50.0 + 90.0 * np.exp(-t * 30.0)  # pitch drops from ~140 Hz to 50 Hz
    phase = 2 * np.pi * np.cumsum(sweep) / sr
    out: npt.NDArray[np.float64] = np.sin(phase) * np.exp(-t * 12.0)
    return out


def music(
    *,
    seconds: float = 10.0,
    bpm: float = 124.0,
    sr: int = SR,
    level: float = 0.5,
    seed: int = 7,
    brightness: float = 1.0,
) -> npt.NDArray[np.float64]:
    """Stereo float samples, shape (frames, 2). ``brightness`` scales the hats (a different tonal balance)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    left = np.zeros(n)
    right = np.zeros(n)
    kick = _kick(sr)
    beat = 60.0 / bpm
    for start in np.arange(0.0, seconds, beat):
        i = int(start * sr)
        seg = kick[: max(0, min(len(kick), n - i))]
        left[i : i + len(seg)] += seg
        right[i : i + len(seg)] += seg
    # Second half gets louder chords: two "sections" with different loudness.
    swell = np.where(t < seconds / 2, 0.35, 0.6)
    for k, freq in enumerate((220.0, 277.18, 329.63)):
        tone = np.sin(2 * np.pi * freq * t + k) * swell * 0.25
        pan = 0.3 * (k - 1)  # spread the chord across the image
        left += tone * (1 - pan)
        right += tone * (1 + pan)
    for start in np.arange(beat / 2, seconds, beat):
        i = int(start * sr)
        length = min(int(0.05 * sr), n - i)
        hat = rng.standard_normal(length) * np.exp(-np.arange(length) / (0.01 * sr)) * 0.15 * brightness
        left[i : i + length] += hat
        right[i : i + length] += np.roll(hat, 7)
    noise = rng.standard_normal((n, 2)) * 0.003
    stereo = np.stack([left, right], axis=1) + noise
    peak = float(np.max(np.abs(stereo)))
    out: npt.NDArray[np.float64] = np.clip(stereo / peak * level, -1.0, 1.0)
    return out


def write_music(path: Path, **kwargs: float) -> Path:
    """Write ``music(**kwargs)`` as a 16-bit WAV at ``path``."""
    sf.write(str(path), music(**kwargs), SR, subtype="PCM_16")  # type: ignore[arg-type]
    return path
