"""BS.1770-4 / EBU R128 loudness from 100 ms sub-block powers: integrated, momentary, short-term, LRA, peaks.

Gating follows BS.1770-4 (400 ms blocks, 75 % overlap, -70 LUFS absolute, -10 LU relative) and LRA follows
EBU Tech 3342 (3 s windows at 10 Hz, -70 LUFS absolute, -20 LU relative, 10th to 95th percentile).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.analysis.config import AnalysisConfig
from services.analysis.levels import LevelRows, lufs, weighted_power, window_power
from services.analysis.numbers import finite, timeline
from services.analysis.reduce import F64
from services.analysis.result import Loudness

ABS_GATE_LUFS = -70.0
SILENCE = "digital silence"


@dataclass(frozen=True)
class LoudnessCore:
    """Arrays other measures reuse: weighted power per sub-block and the momentary / short-term curves."""

    power: F64
    momentary_lufs: F64  # one per 100 ms, 400 ms windows
    short_term_lufs: F64  # one per 100 ms, 3 s windows
    integrated_lufs: float | None
    silent: bool
    momentary_max_lufs: float | None = None  # over 400 ms windows at a 10 ms hop
    short_term_max_lufs: float | None = None  # over 3 s windows at a 10 ms hop


def gated_power(block_power: F64, *, relative_lu: float) -> float | None:
    """Power mean of the blocks that pass the absolute and relative gates (``None`` if none pass)."""
    loud = lufs(block_power)
    above = block_power[loud > ABS_GATE_LUFS]
    if len(above) == 0:
        return None
    threshold = float(lufs(above.mean())) - relative_lu
    kept = block_power[(loud > ABS_GATE_LUFS) & (loud > threshold)]
    return float(kept.mean()) if len(kept) else None


def integrated_lufs(power: F64) -> float | None:
    gated = gated_power(window_power(power, n=4), relative_lu=10.0)
    return None if gated is None else float(lufs(gated))


def loudness_range_lu(short_term_lufs: F64) -> float | None:
    """EBU Tech 3342 LRA from short-term loudness sampled every 100 ms."""
    st = short_term_lufs[np.isfinite(short_term_lufs)]
    above = st[st > ABS_GATE_LUFS]
    if len(above) == 0:
        return None
    threshold = float(lufs(float(np.mean(10.0 ** ((above + 0.691) / 10.0))))) - 20.0
    kept = above[above > threshold]
    return float(np.percentile(kept, 95) - np.percentile(kept, 10))


def fine_curves(rows: LevelRows) -> tuple[F64, F64]:
    """Momentary (400 ms) and short-term (3 s) loudness ``(n,)`` in LUFS at a 10 ms hop.

    Window ``i`` starts at ``i * rows.fine_s``; a window is as many 10 ms rows as fit its length.
    """
    per_s = 1.0 / rows.fine_s
    momentary = lufs(window_power(rows.fine_power, n=round(0.4 * per_s)))
    short_term = lufs(window_power(rows.fine_power, n=round(3.0 * per_s)))
    return momentary, short_term


def _max_or(fine: F64, coarse: F64) -> float | None:
    """The fine curve's maximum, or the coarse one's where rounding left the fine curve empty."""
    curve = fine if len(fine) else coarse
    return float(curve.max()) if len(curve) else None


def loudness_core(rows: LevelRows) -> LoudnessCore:
    power = weighted_power(rows)
    momentary, short_term = lufs(window_power(power, n=4)), lufs(window_power(power, n=30))
    fine_m, fine_s = fine_curves(rows)
    return LoudnessCore(
        power=power,
        momentary_lufs=momentary,
        short_term_lufs=short_term,
        integrated_lufs=integrated_lufs(power),
        silent=bool(np.all(rows.sample_peak == 0.0)),
        momentary_max_lufs=_max_or(fine_m, momentary),
        short_term_max_lufs=_max_or(fine_s, short_term),
    )


_SILENT_KEYS = ("integrated_lufs", "momentary_max_lufs", "short_term_max_lufs", "loudness_range_lu",
                "true_peak_dbtp", "sample_peak_dbfs", "rms_dbfs")  # fmt: skip


def _reasons(core: LoudnessCore, *, lra: float | None) -> dict[str, str]:
    """Why each unmeasurable loudness figure is ``None``, most fundamental reason first."""
    why: dict[str, str] = dict.fromkeys(_SILENT_KEYS, SILENCE) if core.silent else {}
    n_sub = len(core.power)
    if n_sub < 4:
        why.setdefault("integrated_lufs", "shorter than 400 ms (one BS.1770 gating block)")
        why.setdefault("momentary_max_lufs", "shorter than 400 ms")
    if n_sub < 30:
        why.setdefault("short_term_max_lufs", "shorter than 3 s")
        why.setdefault("loudness_range_lu", "shorter than 3 s")
    if core.integrated_lufs is None:
        why.setdefault("integrated_lufs", "every block is below the -70 LUFS absolute gate")
    if lra is None:
        why.setdefault("loudness_range_lu", "no 3 s window above the -70 LUFS gate")
    return why


def measure_loudness(core: LoudnessCore, rows: LevelRows, *, true_peak: F64, config: AnalysisConfig) -> Loudness:
    """The ``loudness`` group; ``true_peak`` is the per-channel linear true peak."""
    lra = loudness_range_lu(core.short_term_lufs) if len(core.power) >= 30 else None
    why = _reasons(core, lra=lra)
    with np.errstate(divide="ignore"):
        tp_ch = 20.0 * np.log10(np.maximum(true_peak, rows.sample_peak))
        sample_peak = 20.0 * np.log10(rows.sample_peak.max())
        rms = 10.0 * np.log10(rows.sample_sumsq.sum() / max(1, rows.frames * len(rows.sample_peak)))
    st = core.short_term_lufs
    idx = np.arange(0, len(st), max(1, round(config.timeline_step_s * 10)))
    return Loudness(
        integrated_lufs=finite(core.integrated_lufs),
        momentary_max_lufs=finite(core.momentary_max_lufs) if "momentary_max_lufs" not in why else None,
        short_term_max_lufs=finite(core.short_term_max_lufs) if "short_term_max_lufs" not in why else None,
        loudness_range_lu=finite(lra),
        true_peak_dbtp=finite(tp_ch.max()),
        sample_peak_dbfs=finite(sample_peak),
        true_peak_per_channel_dbtp=[finite(v) for v in tp_ch],
        rms_dbfs=finite(rms),
        short_term_timeline=timeline(
            (idx * rows.sub_s + 1.5).astype(np.float64), st[idx], max_points=config.timeline_max_points
        ),
        unavailable=why,
    )
