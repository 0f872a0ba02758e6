"""Dynamics: crest factor, PLR, PSR, a DR-meter style figure and the evidence of heavy bus limiting."""

from __future__ import annotations

import numpy as np

from services.analysis.levels import LevelRows
from services.analysis.loudness import ABS_GATE_LUFS, LoudnessCore
from services.analysis.numbers import finite
from services.analysis.reduce import F64
from services.analysis.result import Dynamics, Loudness

_WINDOW = 30  # sub-blocks: 3 s, the short-term window and the DR-meter block


def _sliding_max(x: F64, *, n: int) -> F64:
    if len(x) < n:
        return np.zeros(0)
    out: F64 = np.lib.stride_tricks.sliding_window_view(x, n).max(axis=1)
    return out


def psr_median_db(core: LoudnessCore, rows: LevelRows) -> float | None:
    """Median over 3 s windows (1 s hop) of windowed true peak minus short-term loudness, gated at -70 LUFS."""
    peak = _sliding_max(rows.peak.max(axis=1), n=_WINDOW)[::10]
    st = core.short_term_lufs[::10]
    keep = (st > ABS_GATE_LUFS) & (peak > 0)
    if not keep.any():
        return None
    return float(np.median(20.0 * np.log10(peak[keep]) - st[keep]))


def dr_score(rows: LevelRows) -> float | None:
    """DR-meter style: second-highest 3 s peak over the RMS (x sqrt 2) of the loudest 20 % of 3 s blocks."""
    n = len(rows.ms) // _WINDOW
    if n < 2:
        return None
    ms = rows.ms[: n * _WINDOW].reshape(n, _WINDOW, -1).mean(axis=1)
    pk = rows.peak[: n * _WINDOW].reshape(n, _WINDOW, -1).max(axis=1)
    scores = []
    for c in range(ms.shape[1]):
        top = np.sort(2.0 * ms[:, c])[::-1][: max(1, round(0.2 * n))]
        second = np.sort(pk[:, c])[-2]
        if top.mean() > 0 and second > 0:
            scores.append(20.0 * np.log10(second / np.sqrt(top.mean())))
    return float(np.mean(scores)) if scores else None


def measure_dynamics(core: LoudnessCore, rows: LevelRows, loud: Loudness, *, clip_runs: int) -> Dynamics:
    tp, lufs_i, peak, rms = loud.true_peak_dbtp, loud.integrated_lufs, loud.sample_peak_dbfs, loud.rms_dbfs
    crest = peak - rms if peak is not None and rms is not None else None
    plr = tp - lufs_i if tp is not None and lufs_i is not None else None
    psr_max = tp - loud.short_term_max_lufs if tp is not None and loud.short_term_max_lufs is not None else None
    psr_med = psr_median_db(core, rows)
    dr = dr_score(rows)
    evidence = []
    for name, value, limit in (
        ("PLR", plr, 8.0),
        ("PSR (median)", psr_med, 7.0),
        ("crest factor", crest, 8.0),
        ("DR", dr, 6.0),
    ):
        if value is not None and value < limit:
            evidence.append(f"{name} {value:.1f} dB is below {limit:.0f} dB")
    if clip_runs:
        evidence.append(f"{clip_runs} runs of full-scale samples")
    why = {
        k: "needs a measurable peak and loudness"
        for k, v in (("crest_factor_db", crest), ("plr_db", plr), ("psr_max_db", psr_max), ("psr_median_db", psr_med))
        if v is None
    }
    if dr is None:
        why["dr_score"] = "needs at least 6 s of audio"
    return Dynamics(
        crest_factor_db=finite(crest),
        plr_db=finite(plr),
        psr_max_db=finite(psr_max),
        psr_median_db=finite(psr_med),
        dr_score=finite(dr, ndigits=1),
        heavy_limiting=len(evidence) >= 2,
        limiting_evidence=evidence,
        unavailable=why,
    )
