"""Streaming long-window STFT of the front L/R pair: long-term spectra, cross-spectra and per-frame features.

Why one STFT serves many measures: accumulated |L|^2, |R|^2 and Re(L R*) give the average spectrum, per-band
correlation, width (mid/side power) and mono-fold loss without a second pass; per-frame band powers, chroma and
L/R/cross totals (about 3 rows a second) feed timelines, sections and key. ~0.37 s Hann frames resolve 2.7 Hz,
enough to separate kick and bass fundamentals; they do not overlap, which halves the FFT work and costs long-term
averages nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.analysis.reduce import F32, F64, Framer
from services.analysis.result import BAND_EDGES_HZ
from services.analysis.tonal import TonalAccumulator

LOW_END_HZ = 120.0
BANDS = tuple(BAND_EDGES_HZ)
# Column layout of ``SpectralData.rows``.
COL_BANDS = slice(0, 7)
COL_CHROMA = slice(7, 19)
COL_TOTAL = 19
COL_L, COL_R, COL_X, COL_LOW_L, COL_LOW_R, COL_LOW_X = 20, 21, 22, 23, 24, 25


@dataclass(frozen=True)
class SpectralData:
    sr: int
    freqs: F64
    sum_l: F64  # sum over frames of |L|^2 per bin
    sum_r: F64
    sum_x: F64  # sum of Re(L conj R)
    frames: int
    rows: F64  # (frames, 26), see COL_*
    hop_s: float
    frame_s: float
    fine: F32  # (frames, groups): mean power per ~1/48-octave group, 30 Hz-16 kHz, for sustained resonances
    fine_freqs: F64  # (groups,): centre of each group, Hz


# Frames per channel transformed together: numpy's FFT costs ~130 us per 16k transform in calls of 4 but ~45 us
# in calls of 8 or more (it vectorises across transforms), so a short block's frames wait for the next block's
# (a default 2^17-frame block brings 8 a channel).
_BATCH = 4


def fft_size(sr: int) -> int:
    return int(2 ** round(math.log2(sr * 0.37)))


FINE_PER_OCTAVE = 48


def fine_groups(freqs: F64) -> tuple[npt.NDArray[np.intp], F64]:
    """Start bins of ~1/48-octave groups from 30 Hz to 16 kHz (one bin per group where bins are wider), and their
    centres; the last start closes the final group."""
    top = min(16000.0, float(freqs[-1]) * 0.95)
    edges = 30.0 * 2.0 ** (np.arange(0, FINE_PER_OCTAVE * np.log2(top / 30.0) + 1) / FINE_PER_OCTAVE)
    starts = np.unique(np.searchsorted(freqs, edges))
    starts = starts[starts < len(freqs)]
    centres = np.array([freqs[a:b].mean() for a, b in zip(starts[:-1], starts[1:], strict=True)])
    return starts.astype(np.intp), centres.astype(np.float64)


def _band_matrix(freqs: F64) -> F64:
    cols = [((freqs >= lo) & (freqs < hi)).astype(np.float64) for lo, hi in BAND_EDGES_HZ.values()]
    with np.errstate(divide="ignore"):
        midi = 69.0 + 12.0 * np.log2(np.maximum(freqs, 1e-9) / 440.0)
    in_range = (freqs >= 55.0) & (freqs <= 5000.0)
    pc = np.round(midi).astype(int) % 12
    chroma = [(in_range & (pc == k)).astype(np.float64) for k in range(12)]
    total = ((freqs >= 20.0) & (freqs <= 20000.0)).astype(np.float64)
    return np.column_stack([*cols, *chroma, total])


class SpectralAccumulator:
    """``tonal``, if given, receives the mono mix's spectrum of every frame (``FL + FR``; it must use ``fft_size``)."""

    def __init__(self, sr: int, *, channels: int, tonal: TonalAccumulator | None = None) -> None:
        n = fft_size(sr)
        self._sr = sr
        self._framer = Framer(n, hop=n, channels=2)
        self._window = np.hanning(n)  # float64: see ``_consume``
        self._mono = channels == 1
        self._tonal = tonal
        self.freqs: F64 = np.fft.rfftfreq(n, 1.0 / sr).astype(np.float64)
        self._bands = _band_matrix(self.freqs).astype(np.float32)
        total = self._bands[:, -1]
        low = (total > 0) & (self.freqs < LOW_END_HZ)
        self._lr = np.column_stack([total, low.astype(np.float32)])
        nb = len(self.freqs)
        self._sum_l, self._sum_r, self._sum_x = np.zeros(nb), np.zeros(nb), np.zeros(nb)
        self._rows: list[F64] = []
        self._fine_starts, self._fine_freqs = fine_groups(self.freqs)
        self._fine_counts = np.diff(self._fine_starts).astype(np.float32)
        self._fine: list[F32] = []
        self._waiting: list[F32] = []  # frames not yet transformed, fewer than ``_BATCH`` per channel

    def push(self, xt: F32) -> None:
        """Channel-first block ``(channels, frames)``; only the front L/R pair (or mono twice) is used."""
        pair = np.stack([xt[0], xt[0]]) if self._mono else xt[:2]
        frames = self._framer.push(pair)
        if frames.shape[1]:
            self._waiting.append(frames)
        if sum(f.shape[1] for f in self._waiting) >= _BATCH:
            self._consume_waiting()

    def finish(self) -> SpectralData:
        self._consume_waiting()
        self._consume(self._framer.flush_padded())
        n = self._framer.frame_len
        rows = np.concatenate(self._rows) if self._rows else np.zeros((0, 26))
        fine = np.concatenate(self._fine) if self._fine else np.zeros((0, len(self._fine_freqs)))
        return SpectralData(
            sr=self._sr,
            freqs=self.freqs,
            sum_l=self._sum_l,
            sum_r=self._sum_r,
            sum_x=self._sum_x,
            frames=len(rows),
            rows=rows,
            hop_s=n / self._sr,
            frame_s=n / self._sr,
            fine=fine.astype(np.float32),
            fine_freqs=self._fine_freqs,
        )

    def _consume_waiting(self) -> None:
        if self._waiting:
            self._consume(np.concatenate(self._waiting, axis=1))
            self._waiting = []

    def _consume(self, frames: F32) -> None:
        if frames.shape[1] == 0:
            return
        # numpy's pocketfft is as fast as scipy's in float64 (5x slower in float32), and importing scipy.fft
        # (its array-API layer) costs ~0.2 s of a cold run, more than every FFT of a song.
        spec = np.fft.rfft(frames * self._window, axis=-1)
        fl, fr = spec[0], spec[1]
        if self._tonal is not None:
            cut = self._tonal.bins
            self._tonal.push_spectrum(fl[:, cut] + fr[:, cut])
        px = (fl.real * fr.real + fl.imag * fr.imag).astype(np.float32)
        pl, pr = _power(spec)  # squares ``spec`` in place: nothing reads it after this
        # A batch's few frames are added in float32 (within 1e-7), the running sums in float64: casting every
        # bin to float64 first costs three times as much.
        self._sum_l += pl.sum(axis=0)
        self._sum_r += pr.sum(axis=0)
        self._sum_x += px.sum(axis=0)
        both = pl + pr
        feats = both @ self._bands
        feats[:, COL_CHROMA] = np.sqrt(both) @ self._bands[:, COL_CHROMA]
        lrx = np.column_stack([pl @ self._lr, pr @ self._lr, px @ self._lr])  # L, lowL, R, lowR, X, lowX
        stereo = lrx[:, [0, 2, 4, 1, 3, 5]]
        self._rows.append(np.column_stack([feats, stereo]).astype(np.float64))
        fine = np.add.reduceat(both, self._fine_starts, axis=1)[:, :-1] / self._fine_counts
        self._fine.append(fine.astype(np.float32))


def _power(spec: npt.NDArray[np.complex128]) -> F32:
    """``|spec|^2`` as float32 (summed in float64, as ``re**2 + im**2`` would be), squaring ``spec`` in place: no
    float64 temporaries the size of the spectrum."""
    parts = spec.view(np.float64)
    np.square(parts, out=parts)
    out = np.empty(spec.shape, dtype=np.float32)
    np.add(parts[..., 0::2], parts[..., 1::2], out=out, casting="same_kind")
    return out


def band_of(freqs: F64, *, lo: float, hi: float) -> npt.NDArray[np.bool_]:
    """Bins inside ``[lo, hi)`` Hz."""
    return (freqs >= lo) & (freqs < hi)
