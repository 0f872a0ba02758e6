"""Our numpy replacements for scipy.signal (IIR, peak picking) against scipy itself, and the streaming helpers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks as scipy_find_peaks
from scipy.signal import sosfilt

from services.analysis.iir import BlockIIR
from services.analysis.kweighting import k_weighting_sos
from services.analysis.peaks import find_peaks
from services.analysis.runs import RunTracker


@pytest.mark.parametrize(("sr", "block"), [(8000, 777), (44100, 5000), (48000, 32768), (192000, 4096)])
def test_block_iir_matches_sosfilt_across_blocks(sr: int, block: int) -> None:
    sos = k_weighting_sos(sr)
    x = np.random.default_rng(0).standard_normal((3, sr * 2)) * 0.3
    expected = sosfilt(sos, x, axis=1)
    filt = BlockIIR(sos, channels=3)
    got = np.concatenate([filt.push(x[:, i : i + block]) for i in range(0, x.shape[1], block)] + [filt.flush()], axis=1)
    assert got.shape == x.shape
    assert np.abs(got - expected).max() < 1e-9


def test_k_weighting_matches_the_bs1770_48k_coefficients() -> None:
    sos = k_weighting_sos(48000)
    assert sos[0, :3] == pytest.approx([1.53512485958697, -2.69169618940638, 1.19839281085285], abs=1e-10)
    assert sos[0, 4:] == pytest.approx([-1.69065929318241, 0.73248077421585], abs=1e-10)
    assert sos[1, 4:] == pytest.approx([-1.99004745483398, 0.99007225036621], abs=1e-10)


def test_find_peaks_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    x = np.convolve(rng.standard_normal(3000), np.ones(9) / 9, mode="same")
    x[500:504] = 5.0  # a plateau
    for kwargs in ({"prominence": 0.2}, {"prominence": 0.0, "height": 0.3}, {"prominence": 0.5, "distance": 40}):
        ours, prom = find_peaks(x, **kwargs)  # type: ignore[arg-type]
        theirs, props = scipy_find_peaks(x, **kwargs)
        assert list(ours) == list(theirs)
        if "prominences" in props:
            assert prom == pytest.approx(props["prominences"])


def test_run_tracker_joins_runs_across_pushes() -> None:
    mask = np.zeros(100, dtype=bool)
    mask[10:13] = mask[48:55] = mask[90:100] = True
    values = np.arange(100, dtype=float)
    whole = RunTracker(min_len=3, cap=10)
    whole.push(mask, values, offset=0)
    whole.finish()
    parts = RunTracker(min_len=3, cap=10)
    for start in range(0, 100, 7):
        parts.push(mask[start : start + 7], values[start : start + 7], offset=start)
    parts.finish()
    assert (parts.count, parts.samples) == (whole.count, whole.samples) == (3, 20)
    assert [(r.start, r.length, r.peak) for r in parts.kept] == [(10, 3, 12.0), (48, 7, 54.0), (90, 10, 99.0)]
