"""Stereo image from accumulated cross-spectra: correlation, width, balance, mono fold, out-of-phase times.

Correlation from spectra equals the (windowed) time-domain Pearson correlation by Parseval, so per-band figures
come from the same accumulators at no extra cost.
"""

from __future__ import annotations

import numpy as np

from services.analysis.config import AnalysisConfig
from services.analysis.levels import LevelRows
from services.analysis.numbers import db, finite, timeline
from services.analysis.reduce import F64
from services.analysis.result import BAND_EDGES_HZ, BandValue, Stereo, TimeRange
from services.analysis.spectral import COL_L, COL_LOW_L, COL_LOW_R, COL_LOW_X, COL_R, COL_X, SpectralData, band_of


def correlation(left: float, right: float, cross: float) -> float | None:
    """Pearson correlation from powers and the cross term Re(L R*)."""
    return cross / float(np.sqrt(left * right)) if left > 0 and right > 0 else None


def width_pct(left: float, right: float, cross: float) -> float | None:
    """Side power over mid power, in %."""
    mid, side = (left + right + 2 * cross) / 4, (left + right - 2 * cross) / 4
    return 100.0 * max(0.0, side) / mid if mid > 1e-12 * (left + right) and mid > 0 else None


SIDE_FLOOR_DB = -60.0


def side_to_mid_db(left: float, right: float, cross: float) -> float | None:
    """Side power relative to mid power, dB, floored at -60 (mono); ``None`` when there is no signal.

    A bounded, readable width: -60 is mono, around -10 a typical mix, 0 side as loud as mid (uncorrelated
    channels), positive more side than mid (largely out of phase).
    """
    mid, side = (left + right + 2 * cross) / 4, (left + right - 2 * cross) / 4
    if left + right <= 0:
        return None
    if mid <= 1e-12 * (left + right):
        return 30.0  # no mid at all: fully out of phase
    return max(SIDE_FLOOR_DB, db(max(0.0, side) / mid))


def mono_loss_db(left: float, right: float, cross: float) -> float | None:
    """Power of (L+R)/2 on both speakers relative to the stereo power, dB (floored at -120)."""
    total = left + right
    return db(max(0.0, (total + 2 * cross) / 2) / total) if total > 0 else None


def window_sums(data: SpectralData, *, step_s: float) -> tuple[F64, F64]:
    """Frame rows summed over ``step_s`` windows: (window centre times, summed rows)."""
    per = max(1, round(step_s / data.hop_s))
    n = len(data.rows) // per
    if n == 0:
        return np.zeros(0), np.zeros((0, data.rows.shape[1]))
    sums: F64 = data.rows[: n * per].reshape(n, per, -1).sum(axis=1)
    times: F64 = ((np.arange(n) * per + per / 2) * data.hop_s + data.frame_s / 2).astype(np.float64)
    return times, sums


def measure_stereo(data: SpectralData, rows: LevelRows, *, channels: int, config: AnalysisConfig) -> Stereo:
    f = data.freqs
    full = band_of(f, lo=20.0, hi=20000.0)
    pl, pr, px = (float(a[full].sum()) for a in (data.sum_l, data.sum_r, data.sum_x))
    per_band = {b: band_of(f, lo=lo, hi=hi) for b, (lo, hi) in BAND_EDGES_HZ.items()}
    sums = {
        b: (float(data.sum_l[m].sum()), float(data.sum_r[m].sum()), float(data.sum_x[m].sum()))
        for b, m in per_band.items()
    }
    times, win = window_sums(data, step_s=config.timeline_step_s)
    corr_t = _correlations(win[:, [COL_L, COL_R, COL_X]])
    low_t = _correlations(win[:, [COL_LOW_L, COL_LOW_R, COL_LOW_X]], floor=1e-6 * float(win[:, COL_L].max(initial=0)))
    why = {"correlation": "digital silence"} if pl + pr == 0 else {}
    if channels == 1:
        why["out_of_phase"] = "mono file: left and right are the same signal"
    return Stereo(
        correlation=finite(correlation(pl, pr, px), ndigits=3),
        correlation_per_band=[BandValue(band=b, value=finite(correlation(*s), ndigits=3)) for b, s in sums.items()],
        correlation_timeline=timeline(times, corr_t, max_points=config.timeline_max_points),
        width_pct=finite(width_pct(pl, pr, px), ndigits=1),
        width_per_band_pct=[BandValue(band=b, value=finite(width_pct(*s), ndigits=1)) for b, s in sums.items()],
        balance_db=finite(_balance_db(rows)),
        mono_loudness_change_db=finite(_mono_change_db(rows)),
        mono_band_loss_db=[BandValue(band=b, value=finite(mono_loss_db(*s))) for b, s in sums.items()],
        out_of_phase=_out_of_phase(times, corr_t, step_s=config.timeline_step_s, config=config),
        unavailable=why,
        side_to_mid_db=finite(side_to_mid_db(pl, pr, px), ndigits=1),
        side_to_mid_per_band_db=[
            BandValue(band=b, value=finite(side_to_mid_db(*s), ndigits=1)) for b, s in sums.items()
        ],
        low_end_out_of_phase=_out_of_phase(times, low_t, step_s=config.timeline_step_s, config=config),
    )


def _correlations(lrx: F64, *, floor: float = 1e-9) -> F64:
    """Per window correlation from (L, R, cross) power sums; NaN where either side is below ``floor``."""
    floor = max(floor, 1e-9)
    return np.array([correlation(a, b, c) if a > floor and b > floor else np.nan for a, b, c in lrx])


def _balance_db(rows: LevelRows) -> float | None:
    if rows.kms.shape[1] < 2:
        return 0.0
    left, right = float(rows.kms[:, 0].sum()), float(rows.kms[:, 1].sum())
    return db(left / right) if left > 0 and right > 0 else None


def _mono_change_db(rows: LevelRows) -> float | None:
    """Loudness of (L+R)/2 on both speakers minus the stereo loudness, over the non-silent sub-blocks."""
    if rows.kms.shape[1] < 2:
        return 0.0
    stereo = rows.kms[:, 0] + rows.kms[:, 1]
    loud = stereo > 10 ** (-7.0)
    total = float(stereo[loud].sum())
    return db(2.0 * float(rows.kmid[loud].sum()) / total) if total > 0 else None


def _out_of_phase(times: F64, corr: F64, *, step_s: float, config: AnalysisConfig) -> list[TimeRange]:
    bad = np.nan_to_num(corr, nan=1.0) < config.out_of_phase_correlation
    edges = np.diff(np.concatenate([[0], bad.astype(np.int8), [0]]))
    out: list[TimeRange] = []
    for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        start, end = float(times[s] - step_s / 2), float(times[e - 1] + step_s / 2)
        if end - start >= config.out_of_phase_min_s:  # every span: they are merged, so the list stays short
            out.append(TimeRange(start_s=round(max(0.0, start), 2), end_s=round(end, 2)))
    return out
