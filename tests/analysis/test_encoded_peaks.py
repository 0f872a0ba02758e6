"""True peak after real AAC and Opus encodes of the hottest moments."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from services.analysis import AnalysisConfig, analyze
from services.analysis.encoded import HotBlocks
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


def _excerpts(x: np.ndarray, peaks: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    hot = HotBlocks(1000, count=3)  # 250-frame segments, 100 frames of each neighbour
    at = 0
    for size in sizes:
        hot.push(x[:, at : at + size], interp_peak=peaks[:, at : at + size])
        at += size
    return hot.excerpts()


def test_the_hottest_segments_and_their_neighbours_whatever_the_block_sizes() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3130)).astype(np.float32)
    peaks = np.full((2, 3130), 0.1, dtype=np.float32)
    for seg, level in ((0, 0.5), (5, 0.9), (12, 0.7), (7, 0.2)):  # segment 12 is the last, 130 frames long
        peaks[1, seg * 250 + 17] = level
    whole = _excerpts(x, peaks, [3130])
    fade = np.ones(450, dtype=np.float32)
    fade[:112], fade[-112:] = np.linspace(0, 1, 112), np.linspace(1, 0, 112)
    assert [e.shape[1] for e in whole] == [350, 450, 230]  # segment 0 has no lead-in, the last no tail
    assert np.allclose(whole[1], x[:, 1150:1600] * fade)
    for sizes in ([1] * 3130, [249, 1, 250, 251, 2379], [7, 613, 2510]):
        got = _excerpts(x, peaks, sizes)
        assert all(np.array_equal(a, b) for a, b in zip(got, whole, strict=True))
