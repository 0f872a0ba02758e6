"""Onsets, punch and attack sharpness from the onset-strength and frame-energy envelopes."""

from __future__ import annotations

import numpy as np

from services.analysis.numbers import finite
from services.analysis.onsets import OnsetData
from services.analysis.reduce import F64
from services.analysis.result import Transients

_PUNCH_CAP_DB = 60.0


def onset_frames(data: OnsetData) -> F64:
    """Frame indices of onsets: local maxima of the flux over an adaptive (moving mean + spread) threshold."""
    flux = data.flux
    if len(flux) < 8 or flux.max() <= 0:
        return np.zeros(0)
    around = max(3, round(0.05 / data.hop_s))
    local = _moving(flux, half=max(1, round(0.25 / data.hop_s)), op="mean")
    spread = float(np.std(flux))
    is_peak = (flux == _moving(flux, half=around, op="max")) & (flux > local + 0.5 * spread)
    is_peak &= flux > 0.05 * flux.max()
    out: F64 = np.flatnonzero(is_peak).astype(np.float64)
    return out


def _moving(x: F64, *, half: int, op: str) -> F64:
    """Centred moving mean or max over ``2 * half + 1`` samples, edges padded with the edge value."""
    padded = np.pad(x, half, mode="edge")
    if op == "max":
        out: F64 = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1).max(axis=1)
        return out
    c = np.concatenate([[0.0], np.cumsum(padded)])
    mean: F64 = (c[2 * half + 1 :] - c[: -2 * half - 1]) / (2 * half + 1)
    return mean


def measure_transients(data: OnsetData, *, duration_s: float) -> Transients:
    onsets = onset_frames(data).astype(int)
    if len(onsets) == 0:
        return Transients(
            onset_rate_per_s=finite(0.0) if len(data.flux) else None,
            onset_count=0,
            punch_db=None,
            attack_sharpness=None,
            unavailable={"punch_db": "no onsets detected", "attack_sharpness": "no onsets detected"},
        )
    e, flux, hop = data.energy_db, data.flux, data.hop_s
    n = len(e)
    head = np.clip(onsets[:, None] + np.arange(0, max(2, round(0.03 / hop)))[None, :], 0, n - 1)
    body = np.clip(onsets[:, None] + np.arange(round(0.07 / hop), round(0.2 / hop) + 1)[None, :], 0, n - 1)
    strong = flux[onsets] >= np.median(flux[onsets])  # kicks and snares, not every hat tick
    floor = float(e.max()) - _PUNCH_CAP_DB  # a click in digital silence has no body; cap the difference
    punch = np.median((e[head].max(axis=1) - np.maximum(e[body], floor).mean(axis=1))[strong])
    near = np.clip(onsets[:, None] + np.arange(-2, 3)[None, :], 0, len(flux) - 1)
    sharp = np.median(flux[onsets] / np.maximum(flux[near].sum(axis=1), 1e-12))
    return Transients(
        onset_rate_per_s=finite(len(onsets) / duration_s),
        onset_count=len(onsets),
        punch_db=finite(punch),
        attack_sharpness=finite(sharp, ndigits=3),
    )
