"""Peak picking with prominence, in numpy (the subset of ``scipy.signal.find_peaks`` we need).

Why not scipy: importing ``scipy.signal`` costs more than analysing a song; see ``iir.py``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from services.analysis.reduce import F64


def find_peaks(
    x: F64, *, height: float | None = None, prominence: float = 0.0, distance: int = 1
) -> tuple[npt.NDArray[np.intp], F64]:
    """Indices of local maxima (a plateau counts once, at its middle) and their prominences.

    Prominence as in scipy: the peak's height above the higher of the two minima between it and the nearest
    higher sample on each side (or the signal end). Filters apply in scipy's order: height, then ``distance``
    (the tallest peak wins within any window), then prominence.
    """
    if len(x) < 3:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    d = np.diff(x)
    cand = np.flatnonzero((d[:-1] > 0) & (d[1:] <= 0)) + 1
    cand = np.array([p for p in (_plateau_peak(x, int(i)) for i in cand) if p is not None], dtype=np.intp)
    if height is not None and len(cand):
        cand = cand[x[cand] >= height]
    if distance > 1 and len(cand):
        cand = _thin(x, cand, distance=distance)
    prom = np.array([_prominence(x, int(i)) for i in cand]) if len(cand) else np.zeros(0)
    keep = prom >= prominence
    return cand[keep], prom[keep]


def _plateau_peak(x: F64, i: int) -> int | None:
    """After a rise to ``i``: the middle of the plateau if what follows falls, else ``None`` (as scipy)."""
    j = i + 1
    while j < len(x) and x[j] == x[i]:
        j += 1
    return (i + j - 1) // 2 if j < len(x) and x[j] < x[i] else None


def _prominence(x: F64, i: int) -> float:
    peak = x[i]
    left_higher = np.flatnonzero(x[:i] > peak)
    right_higher = np.flatnonzero(x[i + 1 :] > peak)
    lo = left_higher[-1] + 1 if len(left_higher) else 0
    hi = i + 1 + right_higher[0] if len(right_higher) else len(x)
    left_min = x[lo : i + 1].min()
    right_min = x[i:hi].min()
    return float(peak - max(left_min, right_min))


def _thin(x: F64, idx: npt.NDArray[np.intp], *, distance: int) -> npt.NDArray[np.intp]:
    """Keep the tallest peaks first, dropping any closer than ``distance`` to one already kept."""
    taken: list[int] = []
    for k in np.argsort(x[idx], kind="stable")[::-1]:
        if all(abs(int(idx[k]) - int(idx[t])) >= distance for t in taken):
            taken.append(int(k))
    return idx[np.sort(np.array(taken, dtype=np.intp))]
