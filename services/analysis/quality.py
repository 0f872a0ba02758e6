"""File QC: DC offset, mono / dual mono, and spectral shelves that betray a lossy or resampled source.

Why a shelf test: MP3/AAC encoders low-pass at 16-20 kHz and an upsampled 44.1 kHz file has nothing above
~22 kHz, so a steep (> 25 dB) drop well below Nyquist in otherwise broadband material is strong evidence.
"""

from __future__ import annotations

import numpy as np

from services.analysis.levels import LevelRows
from services.analysis.reduce import F64
from services.analysis.result import QualityControl
from services.analysis.spectral import SpectralData, band_of
from services.analysis.spectrum import average_power, smoothed

_SHELF_DROP_DB = 25.0


def spectral_edge_hz(data: SpectralData) -> float | None:
    """Frequency of a steep spectral shelf below 0.93 x Nyquist in broadband material, if any."""
    f, p = data.freqs, average_power(data)
    if data.frames == 0 or p.max() <= 0:
        return None
    level = 10.0 * np.log10(smoothed(f, p, fraction=24.0) + 1e-30)
    ref = float(np.median(level[band_of(f, lo=2000.0, hi=8000.0)]))
    if ref < level.max() - 60.0:
        return None
    nyq = data.sr / 2
    live = np.flatnonzero((level > ref - 40.0) & (f >= 8000.0))
    if len(live) == 0:
        return None
    edge = float(f[live[-1]])
    if edge > 0.93 * nyq:
        return None
    below = level[band_of(f, lo=edge * 0.85, hi=edge * 0.97)]
    above = level[band_of(f, lo=edge * 1.03, hi=min(edge * 1.2, nyq * 0.99))]
    if len(below) == 0 or len(above) == 0 or below.mean() - above.mean() < _SHELF_DROP_DB:
        return None
    return edge


def measure_quality(rows: LevelRows, data: SpectralData, *, channels: int) -> QualityControl:
    frames = max(1, rows.frames)
    dc: F64 = 100.0 * rows.sample_sum / frames
    edge = spectral_edge_hz(data)
    resampled = edge is not None and ((data.sr >= 88200 and 19500.0 <= edge <= 24500.0) or edge < 0.6 * data.sr / 2)
    lossy = edge is not None and not resampled and 11000.0 <= edge <= 20500.0
    why = {} if data.frames else {"likely_lossy": "too short for a spectral check"}
    return QualityControl(
        dc_offset_pct=[round(float(v), 4) for v in dc],
        is_mono_file=channels == 1,
        is_dual_mono=channels == 2 and rows.max_lr_diff <= 2.0**-24,
        likely_lossy=lossy,
        lossy_cutoff_hz=round(edge, 1) if lossy and edge is not None else None,
        likely_resampled=resampled,
        resampled_cutoff_hz=round(edge, 1) if resampled and edge is not None else None,
        unavailable=why,
    )
