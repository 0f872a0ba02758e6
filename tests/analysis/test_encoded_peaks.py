"""True peak after real AAC and Opus encodes of the hottest moments."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from services.analysis import AnalysisConfig, analyze
from tests.fakes.audio import pink_noise, write_wav

SR = 44100


def _master(*, peak_dbfs: float, drive: float) -> np.ndarray:
    y = pink_noise(sr=SR, seconds=20.0, rms_dbfs=-12.0, channels=2, seed=3)
    y = np.clip(y * drive, -1.0, 1.0)
    out: np.ndarray = y / np.abs(y).max() * 10 ** (peak_dbfs / 20)
    return out


def test_a_hard_clipped_master_at_minus_0_3_dbfs_goes_over_after_encoding(tmp_path: Path) -> None:
    result = analyze(write_wav(tmp_path / "hot.wav", _master(peak_dbfs=-0.3, drive=6.0), SR))
    peaks = {p.codec: p.true_peak_dbtp for p in result.encoded_peaks}
    assert set(peaks) == {"AAC 256 kbit/s", "Opus 160 kbit/s"}
    assert all(v > 0.0 for v in peaks.values())


def test_a_master_with_headroom_stays_under_after_encoding(tmp_path: Path) -> None:
    result = analyze(write_wav(tmp_path / "cool.wav", _master(peak_dbfs=-6.0, drive=1.0), SR))
    assert result.encoded_peaks and all(p.true_peak_dbtp < -3.0 for p in result.encoded_peaks)


def test_the_encode_check_can_be_switched_off(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "off.wav", _master(peak_dbfs=-6.0, drive=1.0), SR)
    assert analyze(path, config=AnalysisConfig(encoded_excerpts=0)).encoded_peaks == []
