"""EBU Tech 3341 cases 9-14: short-term and momentary loudness of tone bursts at every start offset.

The signals follow the standard's descriptions, synthesised in numpy at 44.1, 48 and 96 kHz: 1 kHz stereo bursts
whose level makes the loudness of the one window that holds them whole exactly the expected value, started at
offsets that are not multiples of 10 or 100 ms. A meter evaluated every 100 ms reads these up to 0.6 LU low; the
standard allows +-0.1 LU. Per-segment maxima come from the engine's own level meter, fed block by block; the
whole-file maxima go through ``analyze``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from services.analysis.levels import LevelMeter
from services.analysis.loudness import fine_curves
from tests.fakes.audio import Audio, dbfs, write_wav

RATES = [44100, 48000, 96000]


def _burst(level_dbfs: float, seconds: float, *, sr: int) -> Audio:
    t = np.arange(round(seconds * sr)) / sr
    return dbfs(level_dbfs) * np.sin(2.0 * np.pi * 1000.0 * t)


def _segments(bursts: list[tuple[float, float, float]], *, segment_s: float, sr: int) -> Audio:
    """One segment per ``(level_dbfs, duration_s, start_s)`` burst, silence around it; stereo."""
    n = round(segment_s * sr)
    y = np.zeros(n * len(bursts))
    for k, (level, seconds, start) in enumerate(bursts):
        b = _burst(level, seconds, sr=sr)
        i = k * n + round(start * sr)
        y[i : i + len(b)] = b
    return np.column_stack([y, y])


def _curves(y: Audio, *, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Momentary and short-term curves at a 10 ms hop from the engine's streaming meter (odd-sized blocks)."""
    meter = LevelMeter(sr, channels=2)
    xt = np.ascontiguousarray(y.T, dtype=np.float32)
    for i in range(0, xt.shape[1], 40_000 - 7):
        meter.push_audio(xt[:, i : i + 40_000 - 7])
    return fine_curves(meter.rows())


def _segment_maxima(curve: np.ndarray, *, segment_s: float, count: int) -> list[float]:
    """Max of the windows starting in each segment (a window never spans two bursts: the gaps are longer)."""
    per = round(segment_s * 100)
    return [float(curve[k * per : (k + 1) * per].max()) for k in range(count)]


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_case_9_short_term_constant_after_3_s(sr: int) -> None:
    """20 x (1.34 s at -20 dBFS, 1.66 s at -30 dBFS): every full 3 s window reads -23 LUFS."""
    period = np.concatenate([_burst(-20.0, 1.34, sr=sr), _burst(-30.0, 1.66, sr=sr)])
    y = np.tile(period, 20)
    _, short_term = _curves(np.column_stack([y, y]), sr=sr)
    assert len(short_term) > 5000
    assert short_term.min() == pytest.approx(-23.0, abs=0.1)
    assert short_term.max() == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_case_10_short_term_max_of_bursts(sr: int) -> None:
    """Bursts of 0.15..3 s, each as loud as makes its 3 s window -23 LUFS, at offsets off the 10 ms grid."""
    bursts = [(-23.0 + 10 * np.log10(3.0 / (0.15 * k)), 0.15 * k, 1.0 + 0.0173 * k) for k in range(1, 21)]
    _, short_term = _curves(_segments(bursts, segment_s=7.5, sr=sr), sr=sr)
    maxima = _segment_maxima(short_term, segment_s=7.5, count=20)
    assert maxima == pytest.approx([-23.0] * 20, abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_case_11_short_term_max_climbs_one_lu_per_segment(sr: int) -> None:
    """3 s bursts at -38..-19 dBFS, one per 6 s segment: the maxima read -38..-19 LUFS in turn."""
    bursts = [(-38.0 + k, 3.0, 1.0 + 0.0371 * k) for k in range(20)]
    _, short_term = _curves(_segments(bursts, segment_s=6.5, sr=sr), sr=sr)
    maxima = _segment_maxima(short_term, segment_s=6.5, count=20)
    assert maxima == pytest.approx([-38.0 + k for k in range(20)], abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_case_12_momentary_constant_after_1_s(sr: int) -> None:
    """20 x (0.18 s at -20 dBFS, 0.22 s at -30 dBFS): every momentary window after the first second reads -23."""
    period = np.concatenate([_burst(-20.0, 0.18, sr=sr), _burst(-30.0, 0.22, sr=sr)])
    y = np.tile(period, 20)
    momentary, _ = _curves(np.column_stack([y, y]), sr=sr)
    settled = momentary[60:]
    assert len(settled) > 600
    assert settled.min() == pytest.approx(-23.0, abs=0.1)
    assert settled.max() == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_case_13_momentary_max_of_bursts(sr: int) -> None:
    """Bursts of 20..400 ms, each as loud as makes its 400 ms window -23 LUFS, at offsets off the 10 ms grid."""
    bursts = [(-23.0 + 10 * np.log10(0.4 / (0.02 * k)), 0.02 * k, 0.3 + 0.0037 * k) for k in range(1, 21)]
    momentary, _ = _curves(_segments(bursts, segment_s=1.2, sr=sr), sr=sr)
    maxima = _segment_maxima(momentary, segment_s=1.2, count=20)
    assert maxima == pytest.approx([-23.0] * 20, abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_case_14_momentary_max_climbs_one_lu_per_segment(sr: int) -> None:
    """400 ms bursts (exactly one window) at -38..-19 dBFS at offsets 0..70 ms off the grid."""
    bursts = [(-38.0 + k, 0.4, 0.3 + 0.0037 * k) for k in range(20)]
    momentary, _ = _curves(_segments(bursts, segment_s=1.2, sr=sr), sr=sr)
    maxima = _segment_maxima(momentary, segment_s=1.2, count=20)
    assert maxima == pytest.approx([-38.0 + k for k in range(20)], abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_burst_maxima_through_analyze(tmp_path: Path, sr: int) -> None:
    """The whole-file maxima ``analyze`` reports: a 400 ms burst 55 ms off the 100 ms grid reads -23 LUFS
    momentary, a 3 s burst at -27 dBFS 55 ms off reads -27 LUFS short-term."""
    y = np.concatenate([_segments([(-23.0, 0.4, 1.055)], segment_s=2.0, sr=sr),
                        _segments([(-27.0, 3.0, 1.055)], segment_s=6.0, sr=sr)])  # fmt: skip
    result = analyze(write_wav(tmp_path / "bursts.wav", y, sr))
    assert result.loudness.momentary_max_lufs == pytest.approx(-23.0, abs=0.1)
    assert result.loudness.short_term_max_lufs == pytest.approx(-27.0, abs=0.1)
