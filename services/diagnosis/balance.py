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
