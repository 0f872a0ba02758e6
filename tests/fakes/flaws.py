"""Deliberate tonal flaws for the flaw matrix: zero-phase EQ curves applied in the frequency domain, then a peak
normalisation so a boost is not also a clip (issue 9's recipe). Numpy only; used by tests and ``make eval``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Flaw:
    name: str
    gain_db: Callable[[F64], F64]  # frequency (Hz) -> gain (dB)
    bands: tuple[str, ...]  # a tonal finding naming one of these bands is the right answer
    heavy: bool  # the direction the finding must report


def _low_shelf(freq: F64, *, corner_hz: float, gain: float) -> F64:
    out: F64 = gain / (1.0 + (freq / corner_hz) ** 4)
    return out


def _high_shelf(freq: F64, *, corner_hz: float, gain: float) -> F64:
    out: F64 = gain / (1.0 + (corner_hz / np.maximum(freq, 1e-9)) ** 4)
    return out


def _bell(freq: F64, *, low_hz: float, high_hz: float, gain: float) -> F64:
    """Flat ``gain`` between the edges, falling off over about half an octave outside them."""
    octaves = np.maximum(np.log2(low_hz / np.maximum(freq, 1e-9)), np.log2(np.maximum(freq, 1e-9) / high_hz))
    out: F64 = gain * np.exp(-((np.maximum(octaves, 0.0) / 0.25) ** 2))
    return out


FLAWS = (
    Flaw("+12 dB shelf below 60 Hz", lambda f: _low_shelf(f, corner_hz=60.0, gain=12.0), ("sub",), True),
    Flaw("+8 dB at 2-5 kHz", lambda f: _bell(f, low_hz=2000.0, high_hz=5000.0, gain=8.0),
         ("high_mid", "presence"), True),
    Flaw("+8 dB at 200-300 Hz", lambda f: _bell(f, low_hz=200.0, high_hz=300.0, gain=8.0), ("bass", "low_mid"), True),
    Flaw("-12 dB shelf above 5 kHz", lambda f: _high_shelf(f, corner_hz=5000.0, gain=-12.0),
         ("presence", "air"), False),
)  # fmt: skip


def apply(y: F64, sr: int, flaw: Flaw, *, peak_dbfs: float = -1.0) -> F64:
    """``y`` (frames, channels) with the flaw's EQ applied, peak-normalised to ``peak_dbfs``."""
    spectrum = np.fft.rfft(y, axis=0)
    freq: F64 = np.fft.rfftfreq(y.shape[0], 1.0 / sr).astype(np.float64)
    gain = 10.0 ** (flaw.gain_db(freq) / 20.0)
    out: F64 = np.fft.irfft(spectrum * gain[:, None], n=y.shape[0], axis=0)
    return normalise(out, peak_dbfs=peak_dbfs)


def normalise(y: F64, *, peak_dbfs: float = -1.0) -> F64:
    peak = float(np.max(np.abs(y))) or 1.0
    out: F64 = y * (10.0 ** (peak_dbfs / 20.0) / peak)
    return out
