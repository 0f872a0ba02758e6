"""EBU Tech 3341 (v4) loudness and true-peak cases, synthesised exactly, within the standard's tolerances."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from tests.fakes.audio import dbfs, sequence, sine, write_wav

RATES = [44100, 48000, 96000]
TRUE_PEAK_RATES = [44100, 48000, 88200, 96000, 176400, 192000]


def _stereo_tone(level_dbfs: float, seconds: float, *, sr: int) -> np.ndarray:
    return sine(1000.0, sr=sr, seconds=seconds, level_dbfs=level_dbfs, channels=2)


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("level", [-23.0, -33.0])
def test_tech3341_cases_1_2_constant_tone(tmp_path: Path, level: float, sr: int) -> None:
    result = analyze(write_wav(tmp_path / "t.wav", _stereo_tone(level, 20.0, sr=sr), sr))
    assert result.loudness.integrated_lufs == pytest.approx(level, abs=0.1)
    assert result.loudness.momentary_max_lufs == pytest.approx(level, abs=0.1)
    assert result.loudness.short_term_max_lufs == pytest.approx(level, abs=0.1)


@pytest.mark.parametrize(
    "segments",
    [
        [(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)],  # case 3: relative gate
        [(-72.0, 10.0), (-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0), (-72.0, 10.0)],  # case 4: both gates
        [(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)],  # case 5
    ],
)
@pytest.mark.parametrize("sr", RATES)
def test_tech3341_cases_3_to_5_gating(tmp_path: Path, segments: list[tuple[float, float]], sr: int) -> None:
    y = sequence(*(_stereo_tone(level, seconds, sr=sr) for level, seconds in segments))
    result = analyze(write_wav(tmp_path / "t.wav", y, sr))
    assert result.loudness.integrated_lufs == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech3341_case_6_five_channels_weights_surrounds(tmp_path: Path, sr: int) -> None:
    """L, R -28 dBFS; C -24 dBFS; Ls, Rs -30 dBFS (weighted 1.41) integrate to -23 LUFS."""
    levels = (-28.0, -28.0, -24.0, -30.0, -30.0)
    y = np.column_stack([sine(1000.0, sr=sr, seconds=20.0, level_dbfs=lv) for lv in levels])
    result = analyze(write_wav(tmp_path / "t.wav", y, sr))
    assert result.loudness.integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_tech3341_lfe_is_excluded_in_six_channels(tmp_path: Path) -> None:
    sr = 48000
    stereo = _stereo_tone(-23.0, 10.0, sr=sr)
    lfe = sine(50.0, sr=sr, seconds=10.0, level_dbfs=-3.0)
    silent = np.zeros(len(lfe))
    y = np.column_stack([stereo[:, 0], stereo[:, 1], silent, lfe, silent, silent])
    result = analyze(write_wav(tmp_path / "t.wav", y, sr))
    assert result.loudness.integrated_lufs == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("sr", TRUE_PEAK_RATES)
@pytest.mark.parametrize(
    ("amplitude_dbfs", "phase_deg", "expected_dbtp"),
    [(-6.0, 0.0, -6.0), (-6.0, 45.0, -6.0), (-6.0, 60.0, -6.0), (-6.0, 67.5, -6.0), (3.0, 45.0, 3.0)],
)
def test_tech3341_cases_15_to_19_true_peak_of_quarter_rate_sine(
    tmp_path: Path, amplitude_dbfs: float, phase_deg: float, expected_dbtp: float, sr: int
) -> None:
    """A sine at fs/4 whose samples miss its crest: the true peak is the sine's amplitude (+0.2/-0.4 dB)."""
    t = np.arange(sr * 4) / sr
    y = dbfs(amplitude_dbfs) * np.sin(2 * np.pi * sr / 4 * t + np.deg2rad(phase_deg))
    result = analyze(write_wav(tmp_path / "t.wav", np.column_stack([y, y]), sr, subtype="FLOAT"))
    tp = result.loudness.true_peak_dbtp
    assert tp is not None
    assert expected_dbtp - 0.4 <= tp <= expected_dbtp + 0.2
    assert result.loudness.sample_peak_dbfs is not None
    if phase_deg == 45.0:
        assert result.loudness.sample_peak_dbfs == pytest.approx(amplitude_dbfs - 3.01, abs=0.05)


@pytest.mark.parametrize("sr", TRUE_PEAK_RATES)
@pytest.mark.parametrize("phase_deg", [0.0, 22.5, 45.0, 60.0, 67.5, 80.0])
def test_true_peak_of_the_48k_case_tone_at_every_rate(tmp_path: Path, sr: int, phase_deg: float) -> None:
    """The 12 kHz tone of cases 15-19 at 48 kHz, sampled at each rate instead: -6 dBTP (+0.2/-0.4 dB).

    Faded in and out over 50 ms: an abrupt start is a step, and the interpolator's honest overshoot on it would
    measure the step, not the tone."""
    t = np.arange(sr * 2) / sr
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.05)
    y = dbfs(-6.0) * np.sin(2 * np.pi * 12000.0 * t + np.deg2rad(phase_deg)) * np.sin(np.pi / 2 * fade) ** 2
    result = analyze(write_wav(tmp_path / "t.wav", np.column_stack([y, y]), sr, subtype="FLOAT"))
    tp = result.loudness.true_peak_dbtp
    assert tp is not None
    assert -6.4 <= tp <= -5.8


def test_true_peak_overs_counted_for_a_plus_3_dbtp_tone(tmp_path: Path) -> None:
    sr = 48000
    t = np.arange(sr) / sr
    y = dbfs(3.0) * np.sin(2 * np.pi * sr / 4 * t + np.deg2rad(45.0))
    result = analyze(write_wav(tmp_path / "t.wav", np.column_stack([y, y]), sr, subtype="FLOAT"))
    assert result.clipping.true_peak_overs > 1000
    assert result.clipping.over_events and result.clipping.over_events[0].level_dbtp > 2.5
