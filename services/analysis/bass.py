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
    jumps = _share_jumps_db(data, step_s=max(1.0, config.timeline_step_s))
    if jumps is None:
        why["low_end_jumps_db"] = f"fewer than {_JUMP_TREND_WINDOWS} s of steady, audible low end"
    return Bass(
        sub_to_bass_db=finite(db(sub / bass)) if bass > 0 and "sub_to_bass_db" not in why else None,
        low_end_correlation=finite(correlation(pl, pr, px), ndigits=3),
        low_end_width_pct=finite(width_pct(pl, pr, px), ndigits=1),
        low_peaks=_low_peaks(data, limit=config.max_low_peaks),
        low_end_consistency_lu=finite(consistency),
        unavailable=why,
        low_end_side_to_mid_db=finite(side_to_mid_db(pl, pr, px), ndigits=1),
        low_end_jumps_db=finite(jumps),
    )


_JUMP_TREND_WINDOWS = 9  # ~9 s: a section-level change (a breakdown, a drop) is trend, a bar-to-bar jump is not
_JUMP_AUDIBLE_DB = 20.0  # windows this far under the loud part of the track (fades, intros) are not judged


def _share_jumps_db(data: SpectralData, *, step_s: float) -> float | None:
    """How unsteadily the low end sits in the mix: the std dev of its level against everything above it (dB) from
    second to second, after removing its running median over ``_JUMP_TREND_WINDOWS`` windows.

    Why against the rest, not the total: a loud low end is most of the total, so its share of the total hardly
    moves when it jumps. Why the detrend: an arrangement moves everything at once (the ratio stays put) or moves the
    low end for a whole section (the running median follows it); a bass whose notes or kick vary in level jumps
    against both. The absolute spread of the low band, by contrast, reads every breakdown as a problem.
    """
    _, win = window_sums(data, step_s=step_s)
    if len(win) < _JUMP_TREND_WINDOWS:
        return None
    low = win[:, COL_BANDS][:, :2].sum(axis=1)
    total = win[:, COL_TOTAL]
    loud = float(np.percentile(total, 90)) if total.max() > 0 else 0.0
    rest = total - low
    audible = (total > loud * 10 ** (-_JUMP_AUDIBLE_DB / 10)) & (low > total * 1e-4) & (rest > total * 1e-4)
    share = 10.0 * np.log10(np.where(audible, low, 1.0) / np.where(audible, rest, 1.0))
    idx = np.flatnonzero(audible)
    if len(idx) < _JUMP_TREND_WINDOWS:
        return None
    half = _JUMP_TREND_WINDOWS // 2
    padded = np.pad(share[idx], half, mode="edge")
    trend = np.median(np.lib.stride_tricks.sliding_window_view(padded, _JUMP_TREND_WINDOWS), axis=1)
    return float(np.std(share[idx] - trend))


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
