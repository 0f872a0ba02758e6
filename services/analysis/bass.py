"""Low end: sub vs bass balance, mono-ness below 120 Hz, dominant low peaks and level consistency over time."""

from __future__ import annotations

import numpy as np

from services.analysis.config import AnalysisConfig
from services.analysis.numbers import db, finite
from services.analysis.peaks import find_peaks
from services.analysis.result import Bass, LowPeak
from services.analysis.spectral import COL_BANDS, COL_TOTAL, LOW_END_HZ, SpectralData, band_of
from services.analysis.spectrum import average_power
from services.analysis.stereo import correlation, side_to_mid_db, width_pct, window_sums


def measure_bass(data: SpectralData, *, config: AnalysisConfig) -> Bass:
    f, p = data.freqs, average_power(data)
    sub = float(p[band_of(f, lo=20.0, hi=60.0)].sum())
    bass = float(p[band_of(f, lo=60.0, hi=250.0)].sum())
    low = band_of(f, lo=20.0, hi=LOW_END_HZ)
    pl, pr, px = (float(a[low].sum()) for a in (data.sum_l, data.sum_r, data.sum_x))
    why: dict[str, str] = {}
    if sub + bass <= 1e-12 * max(1e-30, float(p.sum())):
        why["sub_to_bass_db"] = "no energy below 250 Hz"
    consistency = _consistency_lu(data, step_s=max(1.0, config.timeline_step_s))
    if consistency is None:
        why["low_end_consistency_lu"] = "fewer than 3 s with low-end energy"
    return Bass(
        sub_to_bass_db=finite(db(sub / bass)) if bass > 0 and "sub_to_bass_db" not in why else None,
        low_end_correlation=finite(correlation(pl, pr, px), ndigits=3),
        low_end_width_pct=finite(width_pct(pl, pr, px), ndigits=1),
        low_peaks=_low_peaks(data, limit=config.max_low_peaks),
        low_end_consistency_lu=finite(consistency),
        unavailable=why,
        low_end_side_to_mid_db=finite(side_to_mid_db(pl, pr, px), ndigits=1),
    )


def _low_peaks(data: SpectralData, *, limit: int) -> list[LowPeak]:
    f, p = data.freqs, average_power(data)
    sel = band_of(f, lo=25.0, hi=250.0)
    if not sel.any() or p[sel].max() <= 0:
        return []
    level = 10.0 * np.log10(p[sel] / p[sel].max() + 1e-12)
    idx, _ = find_peaks(level, prominence=3.0, height=-30.0)
    order = np.argsort(level[idx])[::-1][:limit]
    fs = f[sel]
    return [LowPeak(frequency_hz=round(float(fs[idx[i]]), 1), level_db=round(float(level[idx[i]]), 1)) for i in order]


def _consistency_lu(data: SpectralData, *, step_s: float) -> float | None:
    """Std dev (dB) of sub+bass power over ~1 s windows that are not near-silent."""
    _, win = window_sums(data, step_s=step_s)
    if len(win) == 0:
        return None
    low = win[:, COL_BANDS][:, :2].sum(axis=1)
    total = win[:, COL_TOTAL]
    active = (total > 0) & (total > total.max() * 1e-4) & (low > 0)
    if active.sum() < 3:
        return None
    return float(np.std(10.0 * np.log10(low[active])))
