"""Properties: gain moves every level by exactly the gain; block size never changes a result; pyloudnorm agrees."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from services.analysis import Analysis, AnalysisConfig, analyze
from tests.fakes.audio import dbfs, pink_noise, sine, write_wav


def _material(seed: int, *, sr: int, seconds: float, channels: int = 2) -> np.ndarray:
    """Pink noise with a random level envelope (1 s steps) plus a tone: loud, quiet and gated parts."""
    rng = np.random.default_rng(seed)
    y = pink_noise(sr=sr, seconds=seconds, rms_dbfs=-20.0, channels=channels, seed=seed)
    steps = 10.0 ** (rng.uniform(-30.0, 0.0, int(seconds) + 1) / 20.0)
    env = np.repeat(steps, sr)[: len(y)]
    tone = sine(rng.uniform(60.0, 4000.0), sr=sr, seconds=seconds, level_dbfs=-24.0)
    return np.asarray(y * env[:, None] + tone[:, None])


def _levels(a: Analysis) -> list[float | None]:
    lo = a.loudness
    return [
        lo.integrated_lufs,
        lo.momentary_max_lufs,
        lo.short_term_max_lufs,
        lo.true_peak_dbtp,
        lo.sample_peak_dbfs,
        lo.rms_dbfs,
        *lo.true_peak_per_channel_dbtp,
        *lo.short_term_timeline.values[:20],
        *(s.loudness_lufs for s in a.sections),
    ]


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), sr=st.sampled_from([44100, 48000]))
def test_gain_of_6_db_moves_every_level_by_6_db(seed: int, sr: int) -> None:
    y = _material(seed, sr=sr, seconds=8.0) * dbfs(-12.0)
    with TemporaryDirectory() as tmp:
        base = analyze(write_wav(Path(tmp) / "a.wav", y, sr, subtype="FLOAT"))
        loud = analyze(write_wav(Path(tmp) / "b.wav", y * dbfs(6.0), sr, subtype="FLOAT"))
    for before, after in zip(_levels(base), _levels(loud), strict=True):
        if before is None:
            assert after is None or after < -64.0  # a block can cross the -70 LUFS gate
        else:
            assert after == pytest.approx(before + 6.0, abs=0.011)
    assert loud.loudness.loudness_range_lu == pytest.approx(base.loudness.loudness_range_lu, abs=0.011)
    assert loud.dynamics.plr_db == pytest.approx(base.dynamics.plr_db, abs=0.011)
    assert loud.spectrum.tilt_db_per_octave == pytest.approx(base.spectrum.tilt_db_per_octave, abs=0.011)


@pytest.mark.parametrize("block_frames", [4096, 5000, 65536])
def test_block_size_does_not_change_the_result(tmp_path: Path, block_frames: int) -> None:
    y = _material(7, sr=44100, seconds=12.0)
    y[20000:20010] = 1.2  # clip runs that may straddle block edges
    path = write_wav(tmp_path / "m.wav", y, 44100, subtype="FLOAT")
    ref = analyze(path, config=AnalysisConfig(block_frames=1 << 20)).to_json_dict()
    got = analyze(path, config=AnalysisConfig(block_frames=block_frames)).to_json_dict()
    for key in ("elapsed_s",):
        ref.pop(key), got.pop(key)
    assert got == ref


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_integrated_loudness_matches_pyloudnorm_within_0_1_lu(tmp_path: Path, seed: int) -> None:
    sr = (44100, 48000, 32000)[seed - 1]
    y = _material(seed, sr=sr, seconds=15.0)
    path = write_wav(tmp_path / "x.wav", y, sr, subtype="FLOAT")
    data, _ = sf.read(path)
    expected = pyloudnorm.Meter(sr).integrated_loudness(data)
    assert analyze(path).loudness.integrated_lufs == pytest.approx(expected, abs=0.1)


def test_one_or_two_threads_give_identical_results(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "t.wav", _material(11, sr=48000, seconds=10.0), 48000, subtype="FLOAT")
    one = analyze(path, config=AnalysisConfig(threads=1)).to_json_dict()
    two = analyze(path, config=AnalysisConfig(threads=2)).to_json_dict()
    one.pop("elapsed_s"), two.pop("elapsed_s")
    assert one == two
