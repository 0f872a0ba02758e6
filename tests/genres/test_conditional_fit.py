"""``make calibrate``'s conditional-target fit (bench/calibrate/conditional.py) on curves with a known answer."""

from __future__ import annotations

import numpy as np

from bench.calibrate.conditional import MODELS, fit
from services.diagnosis.conditional import residual_db
from services.genres import ConditionalTarget, Range

_CENTRES = [round(10.0 ** (n / 10.0), 1) for n in range(14, 43)]  # 25 Hz .. 16 kHz, as the corpus curves


def _curves(n: int, *, noise_db: float, seed: int = 0) -> list[dict[float, float]]:
    """Curves whose 2-5 kHz level is 0.5 x (8-12.5 kHz) - 2 dB (against 500 Hz-1.25 kHz), plus noise there."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        top = float(rng.normal(-15.0, 6.0))
        band = 0.5 * top - 2.0 + float(rng.normal(0.0, noise_db))
        curve = {}
        for c in _CENTRES:
            curve[c] = top if c >= 7000.0 else band if 1780.0 <= c <= 5620.0 else float(rng.normal(0.0, 0.01))
        out.append(curve)
    return out


def _record(fitted: dict[str, object]) -> ConditionalTarget:
    """The fitted model as ``services.genres.catalog.conditional_targets`` loads it."""
    features = fitted["features_hz"]
    coefficients, residual = fitted["coefficients"], fitted["residual_db"]
    assert isinstance(features, list) and isinstance(coefficients, list) and isinstance(residual, list)
    return ConditionalTarget(
        band=str(fitted["band"]),
        target_hz=(2000.0, 5000.0),
        reference_hz=(500.0, 1250.0),
        features_hz=tuple((float(lo), float(hi)) for lo, hi in features),
        intercept=float(str(fitted["intercept"])),
        coefficients=tuple(float(c) for c in coefficients),
        residual=Range(low=float(residual[0]), high=float(residual[1]), unit="dB"),
        tracks=int(str(fitted["tracks"])),
        source="",
    )


def test_the_fit_recovers_a_known_relation_and_its_spread() -> None:
    (model,) = MODELS
    fitted = fit(model, _curves(200, noise_db=1.0))
    coefficients = fitted["coefficients"]
    assert isinstance(coefficients, list)
    assert abs(coefficients[-1] - 0.5) < 0.05  # 8-12.5 kHz predicts 2-5 kHz
    assert abs(float(str(fitted["intercept"])) + 2.0) < 0.5
    residual = fitted["residual_db"]
    assert isinstance(residual, list)
    low, high = float(residual[0]), float(residual[1])
    assert -3.5 < low < -1.5 and 1.5 < high < 3.5  # p1-p99 of a 1 dB noise: about +-2.3 dB
    assert fitted["tracks"] == 200 and float(str(fitted["residual_sd_db"])) < float(str(fitted["band_sd_db"]))


def test_the_residual_of_the_fitted_model_moves_by_an_eq_move() -> None:
    (model,) = MODELS
    record = _record(fit(model, _curves(200, noise_db=1.0)))
    curve = _curves(1, noise_db=0.0, seed=7)[0]
    boosted = {c: v + (8.0 if 1780.0 <= c <= 5620.0 else 0.0) for c, v in curve.items()}
    before, after = residual_db(curve, record), residual_db(boosted, record)
    assert before is not None and after is not None
    assert abs(before) < 1.0 and abs(after - before - 8.0) < 0.01
