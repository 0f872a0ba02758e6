"""Synthetic, music-like stereo material written block by block (so a 60-minute file never sits in memory).

Kick, bass line, hats, a chord pad and a noise bed at 124 BPM, with level changes every 32 bars so loudness,
LRA, sections and tempo all have something to measure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

BPM = 124.0
_CHUNK_S = 10.0
_CHORDS_HZ = ((220.0, 261.6, 329.6), (174.6, 220.0, 261.6), (196.0, 246.9, 293.7), (164.8, 207.7, 246.9))


def _chunk(start_s: float, n: int, sr: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    t = start_s + np.arange(n) / sr
    beat = 60.0 / BPM
    phase = (t % beat) / beat
    kick = np.sin(2 * np.pi * (50.0 * (t % beat) + 60.0 * (1 - np.exp(-(t % beat) / 0.03)) * 0.03)) * np.exp(
        -phase * 6.0
    )
    bar = (t // (4 * beat)).astype(int)
    root = np.array([55.0, 43.65, 49.0, 41.2])[bar % 4]
    bass = 0.5 * np.sin(2 * np.pi * root * t) * (0.6 + 0.4 * np.cos(2 * np.pi * phase))
    hat_env = np.exp(-(((t + beat / 2) % (beat / 2)) / (beat / 2)) * 12.0)
    hats = rng.standard_normal((2, n)) * hat_env * 0.08
    chord = _CHORDS_HZ[int(bar[0]) % 4]
    pad_l = sum(np.sin(2 * np.pi * f * t) for f in chord) * 0.08
    pad_r = sum(np.sin(2 * np.pi * f * 1.003 * t) for f in chord) * 0.08
    bed = rng.standard_normal((2, n)) * 0.01
    section = 0.5 + 0.5 * ((t // (32 * 4 * beat)) % 2)  # every 32 bars: half level, then full
    mono = 0.6 * kick + bass
    left = section * (mono + hats[0] + pad_l + bed[0])
    right = section * (mono + hats[1] + pad_r + bed[1])
    return (0.5 * np.stack([left, right], axis=1)).astype(np.float32)


def write_track(path: Path, *, seconds: float, sr: int, subtype: str = "PCM_16", seed: int = 0) -> Path:
    """Write ``seconds`` of material at ``sr`` to ``path`` in 10 s chunks."""
    rng = np.random.default_rng(seed)
    chunk = round(_CHUNK_S * sr)
    total = round(seconds * sr)
    with sf.SoundFile(str(path), "w", samplerate=sr, channels=2, subtype=subtype, format="WAV") as out:
        for start in range(0, total, chunk):
            out.write(_chunk(start / sr, min(chunk, total - start), sr, rng))
    return path
