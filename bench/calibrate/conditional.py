"""Fit the conditional-target models (``services.diagnosis.conditional``) on the corpus's measured 1/3-octave curves.

One ridge regression per model, pooled over every genre: the band's level (relative to the median of the reference
span) from the mean levels of the feature spans. The residual range the findings judge is taken from leave-one-out
residuals (each track predicted by a fit without it), so it is not narrowed by the track having shaped the fit.

Which spans: the predictors stay clear of the band's own EQ flaws (an 8 dB bell over 2-5 kHz adds under 0.1 dB at
1.25 kHz and at 8 kHz) and of the low end (a sub shelf or a 200-300 Hz boost moves none of them).
"""

from __future__ import annotations

import numpy as np

from services.diagnosis.conditional import features_db, target_db
from services.genres import ConditionalTarget, Range

PERCENTILES = (1, 99)  # the residual's range: tight enough to call an 8 dB move, wide enough for 1 in 50 releases
RIDGE = 1.0  # dB^2: keeps the coefficients small and stable with a few hundred tracks (the intercept is free)

MODELS: tuple[dict[str, object], ...] = (
    {
        "band": "high_mid",
        "target_hz": [2000.0, 5000.0],  # nominal spans: the 1/3 octaves centred there (2, 2.5, 3.15, 4, 5 kHz)
        "reference_hz": [500.0, 1250.0],
        "features_hz": [[500.0, 800.0], [1000.0, 1250.0], [8000.0, 12500.0]],
    },
)


def _spec(model: dict[str, object]) -> ConditionalTarget:
    """The model's spans as the record the diagnosis reads (coefficients not fitted yet)."""
    raw_features = model["features_hz"]
    target, reference = model["target_hz"], model["reference_hz"]
    assert isinstance(raw_features, list) and isinstance(target, list) and isinstance(reference, list)
    return ConditionalTarget(
        band=str(model["band"]),
        target_hz=(float(target[0]), float(target[1])),
        reference_hz=(float(reference[0]), float(reference[1])),
        features_hz=tuple((float(lo), float(hi)) for lo, hi in raw_features),
        intercept=0.0,
        coefficients=(),
        residual=Range(low=None, high=None, unit="dB"),
        tracks=0,
        source="",
    )


def fit(model: dict[str, object], curves: list[dict[float, float]]) -> dict[str, object]:
    """The model with its coefficients, residual range (p1-p99 of leave-one-out residuals) and spread."""
    spec = _spec(model)
    rows = [(features_db(c, spec), target_db(c, spec)) for c in curves]
    used = [(x, y) for x, y in rows if x is not None and y is not None]
    a = np.array([[1.0, *x] for x, _ in used])
    y = np.array([t for _, t in used])
    penalty = RIDGE * np.eye(a.shape[1])
    penalty[0, 0] = 0.0
    solve = np.linalg.solve(a.T @ a + penalty, a.T)
    coef = solve @ y
    hat = np.einsum("ij,ji->i", a, solve)
    loo = (y - a @ coef) / (1.0 - hat)
    return {
        **model,
        "intercept": round(float(coef[0]), 3),
        "coefficients": [round(float(c), 3) for c in coef[1:]],
        "residual_db": [round(float(np.percentile(loo, p)), 1) for p in PERCENTILES],
        "residual_sd_db": round(float(loo.std()), 2),
        "band_sd_db": round(float(y.std()), 2),
        "tracks": len(used),
    }


def fit_all(curves: list[dict[float, float]]) -> list[dict[str, object]]:
    return [fit(m, curves) for m in MODELS]


def about(tracks: int) -> str:
    return (
        f"conditional targets: ridge regression (lambda {RIDGE}) pooled over {tracks} corpus tracks; residual_db is "
        f"p{PERCENTILES[0]}-p{PERCENTILES[1]} of leave-one-out residuals (docs/calibration.md)"
    )
