"""Conditional targets: a band's level predicted from the track's own curve around it, judged by the residual.

Why: real releases of a genre spread 10-20 dB per band, so an 8 dB boost on a track that was light there stays
inside the genre's range, and the local shape (``shape``) sees only half of a bump as wide as 2-5 kHz, because its
running trend leans into it. A band's level is much better predicted by the same track's neighbours than by its
genre: over the calibration corpus, 2-5 kHz predicted from 500 Hz-1.25 kHz and 8-12.5 kHz by a small linear
regression leaves residuals of about 3.5 dB (standard deviation) where the genre range spreads 15 dB. An EQ move on
the band moves the residual by its full size and leaves the predictors almost untouched.

The models (which thirds predict which band, the coefficients and the residual range over the corpus) are data in
``services/genres/calibration.json``, fitted by ``make calibrate`` (``bench/calibrate/conditional.py``); this
module only applies them, so calibration and the findings read a curve the same way.

It does not work for the top octaves: 6.3-12.5 kHz predicted from anything below 2.5 kHz still spreads about 10 dB
(docs/flaw-matrix.md), so no model for them is fitted.
"""

from __future__ import annotations

import statistics

from services.genres import ConditionalTarget

_HALF_THIRD = 2.0 ** (1.0 / 6.0)  # spans are nominal ("2-5 kHz"): a third counts when its centre is this close


def _within(curve: dict[float, float], span: tuple[float, float]) -> list[float]:
    """The levels of the 1/3 octaves whose centres fall in the nominal span (1995 Hz counts for "2 kHz")."""
    return [v for c, v in curve.items() if span[0] / _HALF_THIRD <= c <= span[1] * _HALF_THIRD]


def mean_between(curve: dict[float, float], low_hz: float, high_hz: float) -> float | None:
    """The mean level of the 1/3 octaves in the nominal span ``low_hz``-``high_hz`` (None when there are none)."""
    values = _within(curve, (low_hz, high_hz))
    return statistics.fmean(values) if values else None


def features_db(curve: dict[float, float], model: ConditionalTarget) -> list[float] | None:
    """The predictors: each feature span's mean level relative to the median of the reference span (dB)."""
    ref_values = _within(curve, model.reference_hz)
    if not ref_values:
        return None
    ref = statistics.median(ref_values)
    means = [mean_between(curve, lo, hi) for lo, hi in model.features_hz]
    if any(m is None for m in means):
        return None
    return [float(m) - ref for m in means if m is not None]


def target_db(curve: dict[float, float], model: ConditionalTarget) -> float | None:
    """The predicted span's mean level relative to the median of the reference span (dB)."""
    ref_values = _within(curve, model.reference_hz)
    level = mean_between(curve, *model.target_hz)
    if not ref_values or level is None:
        return None
    return level - statistics.median(ref_values)


def residual_db(curve: dict[float, float], model: ConditionalTarget) -> float | None:
    """How far the band sits above (+) or below (-) what the track's own neighbours predict, in dB.

    Example
    -------
    >>> from services.genres import ConditionalTarget, Range
    >>> m = ConditionalTarget(band="high_mid", target_hz=(2000.0, 4000.0), reference_hz=(500.0, 1000.0),
    ...     features_hz=((500.0, 1000.0),), intercept=-3.0, coefficients=(0.0,),
    ...     residual=Range(low=-6.0, high=6.0, unit="dB"), tracks=1, source="")
    >>> residual_db({500.0: 0.0, 1000.0: 0.0, 2000.0: 5.0, 4000.0: 5.0}, m)
    8.0
    """
    x = features_db(curve, model)
    y = target_db(curve, model)
    if x is None or y is None:
        return None
    predicted = model.intercept + sum(c * v for c, v in zip(model.coefficients, x, strict=True))
    return round(y - predicted, 2)
