"""Band balance as a curve: each band's level against a genre's median curve once the overall level is matched.

Why not the level relative to the total power (what ``spectrum.band_levels_db`` holds): the low end carries most of
the power, so one heavy band pushes every other band's share down and a sub boost reads as "not enough mids,
presence, air". Here the track's seven band levels are compared with the genre's median levels, and the median of
those differences (what most bands agree on) is taken out as the level match. A band off on its own stays off; the
others stay put. Calibration (``make calibrate``) and the findings use this one function, so they agree.
"""

from __future__ import annotations

import statistics


def band_balance_db(levels: dict[str, float], centre: dict[str, float]) -> dict[str, float]:
    """``levels[b] - centre[b]`` minus the median of those differences, for every band both have.

    Parameters
    ----------
    levels : band -> dB relative to the 20 Hz-20 kHz total (``spectrum.band_levels_db``)
    centre : band -> the genre's median of the same figure

    Returns
    -------
    band -> dB; 0 means "where the genre's median curve is", +6 a band 6 dB louder than the rest agree on.

    Example
    -------
    >>> band_balance_db({"a": -3.0, "b": -6.0, "c": -20.0}, {"a": -6.0, "b": -9.0, "c": -12.0})
    {'a': 0.0, 'b': 0.0, 'c': -11.0}
    """
    diffs = {b: levels[b] - centre[b] for b in centre if b in levels}
    if not diffs:
        return {}
    offset = statistics.median(diffs.values())
    return {b: round(d - offset, 2) for b, d in diffs.items()}


def level_match_db(levels: dict[str, float], centre: dict[str, float]) -> float | None:
    """How far the bands most agree on sit from the genre's curve against the total (negative: one band dominates)."""
    diffs = [levels[b] - centre[b] for b in centre if b in levels]
    return statistics.median(diffs) if diffs else None


def curve_balance_db(curve: dict[float, float], centre: dict[float, float]) -> dict[float, float]:
    """The 1/3-octave version: level-matched residual against the genre's curve, smoothed over one octave.

    ``curve`` and ``centre`` map 1/3-octave centre (Hz) -> level (dB, any common offset). Each point becomes the
    mean of itself and its two neighbours (one octave), so a boost or cut over an octave shows at full size while a
    single note's third does not; the median residual is taken out first, as in ``band_balance_db``.
    """
    common = sorted(c for c in centre if c in curve)
    if len(common) < 3:
        return {}
    diffs = [curve[c] - centre[c] for c in common]
    offset = _robust_offset(diffs)
    resid = [d - offset for d in diffs]
    smooth = [statistics.fmean(resid[max(0, i - 1) : i + 2]) for i in range(len(resid))]
    return {c: round(v, 2) for c, v in zip(common, smooth, strict=True)}


def band_means_db(smoothed: dict[float, float], edges: dict[str, tuple[float, float]]) -> dict[str, float]:
    """The mean octave-smoothed residual over the 1/3 octaves centred in each band (dB)."""
    out = {}
    for band, (lo, hi) in edges.items():
        values = [v for c, v in smoothed.items() if lo <= c < hi]
        if values:
            out[band] = round(statistics.fmean(values), 2)
    return out


def _robust_offset(diffs: list[float], *, within_db: float = 3.0) -> float:
    """The median difference, re-taken over the points within ``within_db`` of it.

    A boost over an octave moves three or four of the ~29 points; the plain median then shifts by a rank or two,
    enough to make an untouched band read a little thin. Re-taking it over the points that agree leaves the
    boosted ones out.
    """
    first = statistics.median(diffs)
    agree = [d for d in diffs if abs(d - first) <= within_db]
    return statistics.median(agree) if len(agree) >= len(diffs) // 3 else first
