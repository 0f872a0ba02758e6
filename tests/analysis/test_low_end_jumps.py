"""The low end's bar-to-bar jumps: a bass whose level jumps reads high, a breakdown or a drop does not.

Why it exists: the absolute spread of the low band (``low_end_consistency_lu``) reads every arrangement with a
breakdown as a problem; the finding now judges the low end's share of the mix after its section-level trend.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from tests.fakes.audio import Audio, pink_noise, write_wav

SR = 44100
SECONDS = 48.0


def _bed_and_bass(bass_gain_db: np.ndarray, bed_gain_db: np.ndarray) -> Audio:
    """A pink-noise bed and a 55 Hz bass, each scaled second by second (gains in dB, one value per second)."""
    n = int(SR * SECONDS)
    t = np.arange(n) / SR
    per_sample = np.minimum((t).astype(int), len(bass_gain_db) - 1)
    bed = pink_noise(sr=SR, seconds=SECONDS, rms_dbfs=-24.0, seed=3)
    bass = 0.25 * np.sin(2 * np.pi * 55.0 * t)
    y = bed * 10 ** (bed_gain_db[per_sample] / 20) + bass * 10 ** (bass_gain_db[per_sample] / 20)
    return np.repeat(y[:, None], 2, axis=1)


def _jumps(tmp_path: Path, name: str, y: Audio) -> float:
    analysis = analyze(str(write_wav(tmp_path / name, y, SR)))
    value = analysis.bass.low_end_jumps_db
    assert value is not None
    return value


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    tmp = tmp_path_factory.mktemp("jumps")
    seconds = int(SECONDS)
    flat = np.zeros(seconds)
    rng = np.random.default_rng(7)
    jumping = rng.choice([-6.0, 0.0, 6.0], size=seconds)  # bass notes played at uneven levels
    breakdown = flat.copy()
    breakdown[16:32] = -40.0  # the bass drops out for a 16 s breakdown, then comes back
    quiet_part = flat.copy()
    quiet_part[16:32] = -10.0  # everything 10 dB down for a quiet passage
    return {
        "steady": _jumps(tmp, "steady.wav", _bed_and_bass(flat, flat)),
        "jumping": _jumps(tmp, "jumping.wav", _bed_and_bass(jumping, flat)),
        "breakdown": _jumps(tmp, "breakdown.wav", _bed_and_bass(breakdown, flat)),
        "quiet part": _jumps(tmp, "quiet.wav", _bed_and_bass(quiet_part, quiet_part)),
    }


def test_a_steady_low_end_reads_near_zero(readings: dict[str, float]) -> None:
    assert readings["steady"] < 0.5


def test_a_bass_jumping_by_six_db_reads_several_db(readings: dict[str, float]) -> None:
    assert readings["jumping"] > 2.0
    assert readings["jumping"] > 4 * readings["steady"]


def test_a_breakdown_or_a_quiet_passage_is_not_a_jumping_low_end(readings: dict[str, float]) -> None:
    assert readings["breakdown"] < 1.0 and readings["quiet part"] < 1.0
    assert readings["jumping"] > 2 * max(readings["breakdown"], readings["quiet part"])
