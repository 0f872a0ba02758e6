"""Synthetic audio files for API tests, made with numpy and written with soundfile (never downloaded)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf


def sine_wav(*, seconds: float, freq_hz: float = 440.0, sr: int = 44100, amplitude: float = 0.5) -> bytes:
    """A stereo 16-bit WAV of a sine with a little noise (so stereo measures are defined)."""
    t = np.arange(int(seconds * sr)) / sr
    rng = np.random.default_rng(7)
    left = amplitude * np.sin(2 * np.pi * freq_hz * t) + 0.01 * rng.standard_normal(t.size)
    right = amplitude * np.sin(2 * np.pi * freq_hz * t + 0.3) + 0.01 * rng.standard_normal(t.size)
    buffer = io.BytesIO()
    sf.write(buffer, np.stack([left, right], axis=1).astype(np.float32), sr, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def sine_m4a(*, seconds: float, sr: int = 44100) -> bytes:
    """The same kind of signal as ``sine_wav``, AAC-encoded in an M4A (a phone memo or GarageBand bounce)."""
    from tests.fakes.media import encode_audio  # PyAV is imported only by the tests that need it

    y, _ = sf.read(io.BytesIO(sine_wav(seconds=seconds, sr=sr)), dtype="float64")
    with tempfile.TemporaryDirectory() as tmp:
        return encode_audio(Path(tmp) / "memo.m4a", y, sr, codec="aac").read_bytes()
