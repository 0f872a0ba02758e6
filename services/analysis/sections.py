"""Coarse structure: novelty on a self-similarity matrix of band-balance + chroma + level, then labels by energy.

Why this recipe (Foote's checkerboard novelty): changes of arrangement show up as changes of tonal balance,
harmony and level; frames are ~1 s (coarser for long files, so the matrix stays <= 400 x 400 whatever the
duration). Labels come from ``labels``: song-form names only where the structure repeats.
"""

from __future__ import annotations

import numpy as np

from services.analysis.config import AnalysisConfig
from services.analysis.labels import label_sections
from services.analysis.loudness import LoudnessCore, integrated_lufs
from services.analysis.numbers import db, finite
from services.analysis.peaks import find_peaks
from services.analysis.reduce import F64
from services.analysis.result import BAND_EDGES_HZ, BandValue, Section
from services.analysis.spectral import COL_BANDS, COL_CHROMA, COL_L, COL_R, COL_TOTAL, COL_X, SpectralData
from services.analysis.stereo import correlation, side_to_mid_db, width_pct, window_sums

_MAX_FRAMES = 400
_MIN_NOVELTY = 0.15
# Compare 12 s before with 12 s after (longer than a 4-bar chord cycle, shorter than a verse) and 4 s with 4 s, so a
# 10 s passage gets sharp edges too; the larger score of the two scales wins at each time.
_KERNEL_HALVES_S = (12.0, 4.0)


def _features(win: F64) -> F64:
    """Per window: band balance (dB / 3), chroma shares (x 10), level and side-to-mid (dB / 3) on absolute scales, so a
    stationary signal stays self-similar instead of having its noise amplified by normalisation."""
    total = np.maximum(win[:, COL_TOTAL], 1e-20)
    bands = 10.0 * np.log10(np.maximum(win[:, COL_BANDS], 1e-20) / total[:, None])
    chroma = win[:, COL_CHROMA] / np.maximum(win[:, COL_CHROMA].sum(axis=1, keepdims=True), 1e-20)
    level = 10.0 * np.log10(total)[:, None]
    lr, x = win[:, COL_L] + win[:, COL_R], win[:, COL_X]
    side_mid = 10.0 * np.log10(np.maximum(lr - 2 * x, 1e-20) / np.maximum(lr + 2 * x, 1e-20))
    width = np.clip(side_mid, -30.0, 10.0)[:, None]
    out: F64 = np.column_stack([np.maximum(bands, -60.0) / 3.0, 10.0 * chroma, level / 3.0, width / 3.0])
    return out


def novelty(feats: F64, *, half: int) -> F64:
    """Checkerboard novelty, normalised to -1..1; about 0 for stationary audio, towards 1 at a clear change."""
    sq = (feats**2).sum(axis=1)
    dist2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * feats @ feats.T, 0.0)
    ssm = np.exp(-dist2 / 8.0)
    n = len(ssm)
    sign = np.ones((2 * half, 2 * half))
    sign[:half, half:] = sign[half:, :half] = -1.0
    padded = np.pad(ssm, half, mode="edge")
    scores = [float((padded[t : t + 2 * half, t : t + 2 * half] * sign).sum()) for t in range(n)]
    return np.array(scores) / (2 * half) ** 2


def boundaries_s(data: SpectralData, *, duration_s: float, config: AnalysisConfig) -> tuple[list[float], F64]:
    step = max(1.0, duration_s / _MAX_FRAMES)
    times, win = window_sums(data, step_s=step)
    cuts = [0.0]
    if len(win) >= 6 and duration_s >= 2 * config.section_min_s:
        feats = _features(win)
        nov = np.max([novelty(feats, half=max(2, round(h / step))) for h in _KERNEL_HALVES_S], axis=0)
        dist = max(1, round(config.section_min_s / step))
        peaks, prominences = find_peaks(nov, distance=dist, height=_MIN_NOVELTY, prominence=0.05)
        best = np.sort(peaks[np.argsort(prominences)[::-1][: config.max_sections - 1]])
        frame_feats = _features(data.rows)
        cuts += [_refine(float(times[i] - step / 2), frame_feats, hop_s=data.hop_s, reach_s=1.5 * step) for i in best]
    cuts.append(duration_s)
    merged = [cuts[0]]
    for c in cuts[1:-1]:
        if c - merged[-1] >= config.section_min_s and duration_s - c >= config.section_min_s:
            merged.append(c)
    merged.append(duration_s)
    return merged, win


def _refine(cut_s: float, feats: F64, *, hop_s: float, reach_s: float) -> float:
    """The frame boundary within ``reach_s`` of a window-resolution cut where the features change most.

    Novelty works on ~1 s windows; a cut a few hundred ms late leaks the next part's level into a section's figures
    and makes repeats of one part measure unlike.
    """
    centre, reach, k = round(cut_s / hop_s), max(1, round(reach_s / hop_s)), 3
    lo, hi = max(k, centre - reach), min(len(feats) - k, centre + reach)
    if hi <= lo:
        return cut_s
    scores = [
        float(np.linalg.norm(feats[j : j + k].mean(axis=0) - feats[j - k : j].mean(axis=0))) for j in range(lo, hi + 1)
    ]
    return (lo + int(np.argmax(scores))) * hop_s


def measure_sections(
    core: LoudnessCore, data: SpectralData, *, duration_s: float, sub_s: float, config: AnalysisConfig
) -> list[Section]:
    """Segments between novelty boundaries; neighbours that measure alike (see ``_alike``) are merged, so a
    chord change inside a chorus does not split it."""
    cuts, _ = boundaries_s(data, duration_s=duration_s, config=config)
    frame_t: F64 = (np.arange(len(data.rows)) * data.hop_s + data.frame_s / 2).astype(np.float64)
    while True:
        sections = [
            _section(i, a, b, core=core, data=data, frame_t=frame_t, sub_s=sub_s)
            for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:], strict=True))
        ]
        alike = [i for i in range(len(sections) - 1) if _alike(sections[i], sections[i + 1])]
        if not alike:
            return label_sections(sections)
        del cuts[alike[0] + 1]


def _section(i: int, a: float, b: float, *, core: LoudnessCore, data: SpectralData, frame_t: F64,
             sub_s: float) -> Section:  # fmt: skip
    rows = data.rows
    lufs = integrated_lufs(core.power[int(a / sub_s) : int(b / sub_s)])
    seg = rows[(frame_t >= a) & (frame_t < b)].sum(axis=0) if len(rows) else np.zeros(26)
    total = float(seg[COL_TOTAL])
    bands = [
        BandValue(band=name, value=finite(db(seg[COL_BANDS][k] / total)) if total > 0 else None)
        for k, name in enumerate(BAND_EDGES_HZ)
    ]
    lrx = (float(seg[COL_L]), float(seg[COL_R]), float(seg[COL_X]))
    w = width_pct(*lrx) if total > 0 else None
    return Section(index=i, label="section", start_s=round(a, 2), end_s=round(b, 2), loudness_lufs=finite(lufs),
                   width_pct=finite(w, ndigits=1), band_levels_db=bands, side_to_mid_db=finite(side_to_mid_db(*lrx)),
                   correlation=finite(correlation(*lrx), ndigits=3))  # fmt: skip


def _alike(one: Section, two: Section) -> bool:
    """Same loudness within 1.5 LU, width within 3 dB and band energy shares within 8 % (total-variation distance)."""
    if one.loudness_lufs is None or two.loudness_lufs is None:
        return one.loudness_lufs is None and two.loudness_lufs is None
    if abs(one.loudness_lufs - two.loudness_lufs) >= 1.5:
        return False
    if one.side_to_mid_db is not None and two.side_to_mid_db is not None:
        if abs(one.side_to_mid_db - two.side_to_mid_db) >= 3.0:
            return False
    shares = [
        (10 ** (x.value / 10), 10 ** (y.value / 10))
        for x, y in zip(one.band_levels_db, two.band_levels_db, strict=True)
        if x.value is not None and y.value is not None
    ]
    return 0.5 * sum(abs(x - y) for x, y in shares) < 0.08
