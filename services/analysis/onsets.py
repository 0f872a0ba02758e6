"""Streaming short-window STFT of the mono mix: an onset-strength envelope, a chord-change envelope and a
frame-energy envelope.

Why our own spectral flux rather than ``librosa.onset.onset_strength`` on the whole signal: it runs block by
block on the native-rate file (no resampling, no full decode in memory) and needs no numba JIT, so a cold CLI
run pays nothing extra. The recipe is librosa's: log-compressed band powers, positive first difference, summed.

The chord-change envelope (``harmony``) comes from the same spectra, folded to 12 pitch classes: a second opinion
for the tempo where onsets are weak (choirs, organ, bowed strings), since it answers to the harmony changing, not
to attacks, and ignores a held chord's sample loop or tremolo (see ``harmonic_novelty``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.analysis.reduce import F32, F64, Framer

_N_BANDS = 40
_CHROMA_MIDI = (40, 100)  # E2 to D#7: bass fundamentals to the upper voices' low harmonics
_CHANGE_S = 0.19  # each side of the chord-change kernel: shorter than a beat at 150 BPM, longer than a passing tone


@dataclass(frozen=True)
class OnsetData:
    flux: F64  # (frames,) onset strength
    harmony: F64  # (frames,) chord change, 0..1 (``harmonic_novelty``)
    energy_db: F64  # (frames,) frame power, dB re full scale
    hop_s: float


def _band_starts(sr: int, n_fft: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """First bin of each log-spaced band (for ``np.add.reduceat``) and which reduced columns are real bands."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = np.geomspace(30.0, min(11000.0, sr / 2), _N_BANDS + 1)
    found = np.searchsorted(freqs, edges)  # non-decreasing: dropping repeats is ``np.unique`` without its cost
    starts = found[np.concatenate([[True], found[1:] != found[:-1]])]  # (``np.unique`` imports numpy.ma, ~8 ms)
    starts = starts[starts < len(freqs)]
    return starts, np.arange(len(starts) - 1)


def _chroma_fold(sr: int, n_fft: int) -> tuple[npt.NDArray[np.intp], F32]:
    """The FFT bins within ``_CHROMA_MIDI`` and a (bins, 12) matrix adding each into its nearest pitch class."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)[1:]
    midi = np.round(69.0 + 12.0 * np.log2(freqs / 440.0)).astype(np.intp)
    bins = np.flatnonzero((midi >= _CHROMA_MIDI[0]) & (midi < _CHROMA_MIDI[1])) + 1
    fold = np.zeros((len(bins), 12), dtype=np.float32)
    fold[np.arange(len(bins)), midi[bins - 1] % 12] = 1.0
    return bins, fold


def harmonic_novelty(chroma: F64, *, width: int) -> F64:
    """Chord change at each frame: the cosine distance between the mean (square-rooted) chroma of the ``width``
    frames before it and of the ``width`` frames from it on (Foote's checkerboard novelty, reduced to its two
    off-diagonal blocks).

    Why: onset flux is weak for slow attacks (choir, organ, bowed strings) and, with sampled instruments,
    periodic in the sample's loop even on a held chord; a held chord has constant chroma, so this ignores the
    loop, while music that changes chord on the beat (a chorale, most hymns) peaks on every beat. Averaging over
    ``width`` frames each side smooths over passing tones shorter than that. In near-silence the chroma is noise,
    and so is this novelty: ``musical.beat_envelope`` keeps such noise from being scaled up.
    """
    n = len(chroma)
    if n == 0:
        return np.zeros(0)
    x = np.maximum(chroma, 0.0)
    c = np.zeros((n + 1, x.shape[1]))  # running sum from a zero row
    c[1:] = np.cumsum(np.sqrt(x, out=x), axis=0)
    del x
    # Sums over the frames before and from each frame (the cosine ignores how many), as shifted views of the
    # running sum rather than gathered copies: an hour's (frames, 12) float64 arrays are 16 MB each.
    w = min(width, n)
    before = c[:n].copy()  # c[t] - c[max(0, t - w)]
    before[w:] -= c[: n - w]
    after = np.empty_like(before)  # c[min(n, t + w)] - c[t]
    np.subtract(c[w : n + 1][: n - w + 1], c[: n - w + 1], out=after[: n - w + 1])
    np.subtract(c[n], c[n - w + 1 : n], out=after[n - w + 1 :])
    nb, na = np.linalg.norm(before, axis=1), np.linalg.norm(after, axis=1)
    ok = (nb > 0) & (na > 0)
    dots = np.einsum("ij,ij->i", before, after)
    out = np.zeros(n)
    out[ok] = 1.0 - dots[ok] / (nb[ok] * na[ok])
    return np.clip(out, 0.0, 1.0)


def decimation(sr: int) -> int:
    """Power-of-two factor bringing the rate down to 22-48 kHz: onsets need no more than ~11 kHz of content."""
    factor = 1
    while sr / (2 * factor) >= 22050:
        factor *= 2
    return factor


class OnsetAccumulator:
    """Mono mix, boxcar-decimated to 22-48 kHz (a plain mean of ``factor`` samples: aliasing is irrelevant to a
    log-band flux), then a ~46 ms STFT at ~23 ms hop."""

    def __init__(self, sr: int) -> None:
        self._factor = decimation(sr)
        sr //= self._factor
        self._pending: F32 = np.zeros(0, dtype=np.float32)
        n = int(2 ** round(math.log2(sr * 0.046)))
        self._hop = n // 2
        self._hop_s = self._hop / sr  # sr is the decimated rate here
        self._framer = Framer(n, hop=self._hop, channels=1)
        window = np.hanning(n)  # float64: numpy's FFT is fast in float64 only (see ``spectral``)
        self._starts, self._keep = _band_starts(sr, n)
        self._chroma_bins, self._fold = _chroma_fold(sr, n)
        # Scaled so that |X|^2 comes out already divided by (sum(w) / 2)^2: one pass fewer per frame.
        self._window = window * (2.0 / float(np.sum(window)))
        self._prev: npt.NDArray[np.floating] | None = None
        self._flux: list[F64] = []
        self._energy: list[F64] = []
        self._chroma: list[F32] = []

    def push(self, xt: F32) -> None:
        """Channel-first block ``(channels, frames)``; analysed as the mono mix."""
        if xt.shape[0] == 2:  # the common case in two passes, without ``mean``'s per-call set-up
            mono = np.add(xt[0], xt[1])
            mono *= np.float32(0.5)
        else:
            mono = xt[0] if xt.shape[0] == 1 else xt.mean(axis=0, dtype=np.float32)
        if self._factor > 1:
            buf = np.concatenate([self._pending, mono]) if len(self._pending) else mono
            usable = len(buf) // self._factor * self._factor
            self._pending = np.array(buf[usable:])
            total = buf[0 : usable : self._factor].copy()  # strided adds: numpy reduces short rows slowly
            for k in range(1, self._factor):
                total += buf[k : usable : self._factor]
            mono = total * np.float32(1.0 / self._factor)
        frames = self._framer.push(mono[None])[0]
        if len(frames) == 0:
            return
        spec = np.fft.rfft(frames * self._window, axis=1)
        power = _power(spec)
        logb = np.log10(1e-9 + np.add.reduceat(power, self._starts, axis=1)[:, self._keep]) * 10.0
        prev = logb[:1] if self._prev is None else self._prev
        diff = np.diff(np.concatenate([prev, logb]), axis=0)
        self._prev = logb[-1:]
        self._flux.append(np.maximum(diff, 0.0).mean(axis=1, dtype=np.float64))
        self._chroma.append(power[:, self._chroma_bins] @ self._fold)
        self._energy.append(10.0 * np.log10(1e-12 + power.sum(axis=1, dtype=np.float64)))

    def finish(self) -> OnsetData:
        flux = np.concatenate(self._flux) if self._flux else np.zeros(0)
        energy = np.concatenate(self._energy) if self._energy else np.zeros(0)
        chroma = np.concatenate(self._chroma).astype(np.float64) if self._chroma else np.zeros((0, 12))
        harmony = harmonic_novelty(chroma, width=max(1, round(_CHANGE_S / self._hop_s)))
        return OnsetData(flux=flux, harmony=harmony, energy_db=energy, hop_s=self._hop_s)


def _power(spec: npt.NDArray[np.complex128]) -> F32:
    """``|spec|^2`` as float32, squaring ``spec`` in place (it is not needed after): no complex temporaries."""
    parts = spec.view(np.float64)
    np.square(parts, out=parts)
    out = np.empty(spec.shape, dtype=np.float32)
    np.add(parts[..., 0::2], parts[..., 1::2], out=out, casting="same_kind")
    return out
