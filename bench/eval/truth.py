"""Whether a delivery blocker is true of the audio, checked on the decoded samples without the analysis code.

Why a separate check: the audit must not grade the analyser with its own measurements. Each check below is a
plain numpy reading of the samples (or of the file's header) that a mastering engineer would accept as proof:
a run of full-scale samples is clipping; an OGG/MP3/Opus file is a lossy source; the first sample far from zero is
a click; and so on. A blocker no check can confirm counts as false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

F64 = npt.NDArray[np.float64]
LOSSY_SUFFIXES = (".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac")
_FULL_SCALE = 32766.0 / 32768.0  # a 16-bit sample at (or one step below) full scale


@dataclass
class Facts:
    """What the checks need, gathered in one pass over 60 s chunks (memory stays flat on a 30-minute file)."""

    path: Path
    sr: int
    channels: int
    subtype: str
    frames: int = 0
    full_scale_runs: int = 0
    true_peak: float = 0.0  # linear
    sums: dict[str, float] = field(default_factory=lambda: {"ll": 0.0, "rr": 0.0, "lr": 0.0, "mid": 0.0, "side": 0.0})
    low_sums: dict[str, float] = field(default_factory=lambda: {"ll": 0.0, "rr": 0.0, "lr": 0.0})
    low_seconds: list[tuple[float, float]] = field(default_factory=list)  # (energy, correlation) per second
    channel_sums: list[float] = field(default_factory=list)
    max_abs_diff: float = 0.0
    first_loud: int | None = None
    last_loud: int | None = None
    first_sample: float = 0.0
    last_sample: float = 0.0
    top_share: float = 1.0  # power above 16 kHz over total, first chunk

    @property
    def lossy(self) -> bool:
        return self.path.suffix.lower() in LOSSY_SUFFIXES or self.subtype in ("VORBIS", "OPUS", "MPEG_LAYER_III")


def load(path: Path) -> Facts:
    """One pass over the decoded file (libsndfile, float64), 60 s at a time."""
    info = sf.info(str(path))
    facts = Facts(path=path, sr=int(info.samplerate), channels=int(info.channels), subtype=str(info.subtype))
    facts.channel_sums = [0.0] * facts.channels
    for i, y in enumerate(sf.blocks(str(path), blocksize=60 * facts.sr, dtype="float64", always_2d=True)):
        _push(facts, y, first=i == 0)
    return facts


def _push(f: Facts, y: F64, *, first: bool) -> None:
    if first:
        f.first_sample = float(np.abs(y[0]).max())
        spec = np.abs(np.fft.rfft(y.mean(axis=1))) ** 2
        f.top_share = float(spec[np.fft.rfftfreq(len(y), 1.0 / f.sr) > 16000].sum()) / max(1e-30, float(spec.sum()))
    f.last_sample = float(np.abs(y[-1]).max())
    f.full_scale_runs += _runs_at_full_scale(y)
    f.true_peak = max(f.true_peak, _true_peak(y))
    f.channel_sums = [a + float(b) for a, b in zip(f.channel_sums, y.sum(axis=0), strict=True)]
    loud = np.flatnonzero(np.abs(y).max(axis=1) > 10 ** (-90 / 20))
    if len(loud):
        f.first_loud = f.frames + int(loud[0]) if f.first_loud is None else f.first_loud
        f.last_loud = f.frames + int(loud[-1])
    if y.shape[1] >= 2:
        left, right = y[:, 0], y[:, 1]
        f.max_abs_diff = max(f.max_abs_diff, float(np.abs(left - right).max()))
        mid, side = (left + right) / 2, (left - right) / 2
        pairs = (
            ("ll", left @ left),
            ("rr", right @ right),
            ("lr", left @ right),
            ("mid", mid @ mid),
            ("side", side @ side),
        )
        for key, v in pairs:
            f.sums[key] += float(v)
        low = _low_band(y[:, :2], f.sr)
        for key, v in (("ll", low[:, 0] @ low[:, 0]), ("rr", low[:, 1] @ low[:, 1]), ("lr", low[:, 0] @ low[:, 1])):
            f.low_sums[key] += float(v)
        n = len(low) // f.sr
        for r in low[: n * f.sr].reshape(n, f.sr, 2):
            f.low_seconds.append((float((r**2).sum()), _corr(r)))
    f.frames += len(y)


def _runs_at_full_scale(y: F64, *, min_len: int = 3) -> int:
    hot = np.abs(y) >= _FULL_SCALE
    count = 0
    for ch in hot.T:
        edges = np.diff(np.r_[0, ch.astype(np.int8), 0])
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        count += int(((ends - starts) >= min_len).sum())
    return count


def _true_peak(y: F64) -> float:
    """4x band-limited interpolation (FFT zero padding) around the 4 loudest 4096-sample blocks of a chunk.

    Each block is interpolated with a block of context on either side and only its middle is read, so the
    periodic-extension error of the FFT stays at the far edges."""
    block = 4096
    n = len(y) // block
    best = float(np.abs(y).max(initial=0.0))
    loudest: list[int] = []
    if n:
        loudest = [int(k) for k in np.argsort(np.abs(y[: n * block]).reshape(n, block, -1).max(axis=(1, 2)))[-4:]]
    for i in loudest:
        lo, hi = max(0, (i - 1) * block), min(len(y), (i + 2) * block)
        up = np.fft.irfft(np.fft.rfft(y[lo:hi], axis=0), n=4 * (hi - lo), axis=0) * 4
        best = max(best, float(np.abs(up[4 * (i * block - lo) : 4 * (i * block - lo + block)]).max(initial=0.0)))
    return best


def _low_band(y: F64, sr: int, *, cutoff_hz: float = 150.0) -> F64:
    spec = np.fft.rfft(y, axis=0)
    freqs = np.fft.rfftfreq(len(y), 1.0 / sr)
    spec[(freqs > cutoff_hz) | (freqs < 20.0)] = 0
    out: F64 = np.fft.irfft(spec, n=len(y), axis=0)
    return out


def _corr(y: F64) -> float:
    den = float(np.sqrt(np.sum(y[:, 0] ** 2) * np.sum(y[:, 1] ** 2)))
    return float(np.sum(y[:, 0] * y[:, 1]) / den) if den > 0 else 1.0


def _sums_corr(s: dict[str, float]) -> float:
    den = float(np.sqrt(s["ll"] * s["rr"]))
    return s["lr"] / den if den > 0 else 1.0


def _low_polarity(f: Facts) -> bool:
    """Below 150 Hz the channels are opposed over the track, or in at least a tenth of its loud seconds."""
    if f.channels < 2:
        return False
    if _sums_corr(f.low_sums) < -0.2:
        return True
    top = max((e for e, _ in f.low_seconds), default=0.0)
    bad = [c < -0.2 for e, c in f.low_seconds if e > 1e-3 * top]
    return bool(bad) and sum(bad) >= 0.1 * len(bad)


def _dbfs(v: float) -> float:
    return float(20 * np.log10(max(v, 1e-12)))


def _side_to_mid_db(f: Facts) -> float:
    if f.channels < 2:
        return -120.0
    return float(10 * np.log10(max(1e-24, f.sums["side"]) / max(1e-24, f.sums["mid"])))


def _silence_s(f: Facts, *, tail: bool) -> float:
    if f.first_loud is None or f.last_loud is None:
        return f.frames / f.sr
    return (f.frames - 1 - f.last_loud) / f.sr if tail else f.first_loud / f.sr


CHECKS: dict[str, Callable[[Facts], bool]] = {
    "clipping.clipped_samples": lambda f: f.full_scale_runs > 0,
    # a true-peak over blocks (above 0 dBTP; between the -1 dBTP ceiling and 0 it is advice); 0.1 dB for two meters
    "clipping.true_peak_over": lambda f: _dbfs(f.true_peak) > -0.1,
    # a codec adds at most a dB or two of overshoot: a file that peaks well below -2 dBTP cannot go over 0 encoded
    "clipping.encoded_true_peak_over": lambda f: _dbfs(f.true_peak) > -2.0,
    "qc.lossy_source": lambda f: f.lossy,
    # a lossy codec band-limits; else less than a millionth of the power above 16 kHz (upsampled or low-passed)
    "qc.resampled": lambda f: f.lossy or f.top_share < 1e-6,
    "qc.low_sample_rate": lambda f: f.sr < 44100,
    "qc.low_bit_depth": lambda f: f.subtype in ("PCM_S8", "PCM_U8"),
    "qc.dual_mono": lambda f: f.channels == 2 and f.max_abs_diff < 1e-5,
    "stereo.mono_content": lambda f: _side_to_mid_db(f) < -40.0,
    "qc.dc_offset": lambda f: max(abs(s) for s in f.channel_sums) / max(1, f.frames) > 1e-3,
    "qc.head_click": lambda f: _dbfs(f.first_sample) > -40.0,
    "qc.tail_click": lambda f: _dbfs(f.last_sample) > -40.0,
    "qc.head_silence": lambda f: _silence_s(f, tail=False) > 2.0,
    "qc.tail_silence": lambda f: _silence_s(f, tail=True) > 5.0,
    "stereo.low_polarity": _low_polarity,
    "stereo.phase": lambda f: f.channels == 2 and _sums_corr(f.sums) < 0.0,
}


def blocker_is_true(finding_id: str, facts: Facts) -> bool:
    check = CHECKS.get(finding_id)
    return check is not None and check(facts)
