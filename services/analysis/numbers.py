"""JSON-safe numbers and plot-sized timelines.

Why: the result contract forbids NaN and infinity; every figure passes through ``finite`` so an impossible
value becomes ``None`` (and the caller records why) instead of breaking the JSON.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from services.analysis.result import Timeline


def finite(value: float | np.floating | None, *, ndigits: int = 2) -> float | None:
    """``round(value)`` or ``None`` when it is missing, NaN or infinite."""
    if value is None:
        return None
    v = float(value)
    return round(v, ndigits) if math.isfinite(v) else None


def db(power: float | np.floating, *, floor_db: float = -120.0) -> float:
    """10*log10 of a power ratio, floored so exact cancellation gives a finite, very low figure."""
    p = float(power)
    return floor_db if p <= 10 ** (floor_db / 10) else 10.0 * math.log10(p)


def timeline(times_s: npt.NDArray[np.float64], values: npt.NDArray[np.float64], *, max_points: int) -> Timeline:
    """Parallel arrays thinned by a whole stride to at most ``max_points``; non-finite values become ``None``."""
    stride = max(1, math.ceil(len(times_s) / max_points))
    t, v = times_s[::stride], values[::stride]
    return Timeline(times_s=[round(float(x), 2) for x in t], values=[finite(x) for x in v])
