"""Band levels in dB are 10*log10 of a power share: known answers on signals whose spectrum is known exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from tests.fakes.audio import sine, write_wav


def _levels(path: Path) -> dict[str, float]:
    result = analyze(path)
    return {b.band: b.value for b in result.spectrum.band_levels_db if b.value is not None}


@pytest.mark.parametrize(("ratio", "low_db", "high_db"), [(1.0, -3.01, -3.01), (0.5, -0.97, -6.99)])
def test_two_sines_give_their_power_shares_in_db(tmp_path: Path, ratio: float, high_db: float, low_db: float) -> None:
    """Amplitudes 1 : r put r**2 of the power in the upper band: 10*log10 of 1/(1+r**2) and r**2/(1+r**2).

    With r = 0.5 the shares are 80 % and 20 %: -0.97 dB and -6.99 dB (20*log10 would give -1.94 and -13.98).
    """
    y = sine(100.0, sr=48000, seconds=6.0, level_dbfs=-12.0) + ratio * sine(1000.0, sr=48000, seconds=6.0,
                                                                            level_dbfs=-12.0)  # fmt: skip
    levels = _levels(write_wav(tmp_path / "two.wav", np.column_stack([y, y]), 48000, subtype="FLOAT"))
    assert levels["bass"] == pytest.approx(low_db, abs=0.1)
    assert levels["mid"] == pytest.approx(high_db, abs=0.1)
    assert max(levels["sub"], levels["presence"], levels["air"]) < -40.0


def test_a_single_sine_holds_all_of_the_power_in_its_band(tmp_path: Path) -> None:
    y = sine(3000.0, sr=48000, seconds=4.0, level_dbfs=-6.0)
    levels = _levels(write_wav(tmp_path / "one.wav", np.column_stack([y, y]), 48000, subtype="FLOAT"))
    assert levels["high_mid"] == pytest.approx(0.0, abs=0.05)


def test_sections_and_thirds_use_the_same_power_decibels(tmp_path: Path) -> None:
    """The per-section band levels and the 1/3-octave curve are 10*log10 of power too (20*log10 doubles each gap).

    Amplitudes 1 : 0.5 at 100 Hz and 1 kHz: the 1 kHz third sits 10*log10(0.25) = -6.02 dB below the 100 Hz third,
    and every section holds the whole-track shares (-0.97 dB and -6.99 dB).
    """
    y = sine(100.0, sr=48000, seconds=6.0, level_dbfs=-12.0) + 0.5 * sine(1000.0, sr=48000, seconds=6.0,
                                                                          level_dbfs=-12.0)  # fmt: skip
    result = analyze(write_wav(tmp_path / "two.wav", np.column_stack([y, y]), 48000, subtype="FLOAT"))
    thirds = {round(t.center_hz): t.level_db for t in result.spectrum.third_octave if t.level_db is not None}
    assert thirds[100] == pytest.approx(0.0, abs=0.05)
    assert thirds[1000] == pytest.approx(-6.02, abs=0.1)
    assert result.sections
    for section in result.sections:
        bands = {b.band: b.value for b in section.band_levels_db}
        assert bands["bass"] == pytest.approx(-0.97, abs=0.15) and bands["mid"] == pytest.approx(-6.99, abs=0.15)


def test_side_to_mid_is_the_power_ratio_in_db(tmp_path: Path) -> None:
    """Left 1.5 m, right 0.5 m: side is half the mid's amplitude, a quarter of its power, -6.02 dB (not -12.04)."""
    m = sine(440.0, sr=48000, seconds=6.0, level_dbfs=-12.0)
    result = analyze(write_wav(tmp_path / "side.wav", np.column_stack([1.5 * m, 0.5 * m]), 48000, subtype="FLOAT"))
    assert result.stereo.side_to_mid_db == pytest.approx(-6.02, abs=0.1)
    assert result.stereo.width_pct == pytest.approx(25.0, abs=0.5)
