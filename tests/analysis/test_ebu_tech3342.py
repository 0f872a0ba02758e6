"""EBU Tech 3342 loudness-range cases 1-4, synthesised exactly; tolerance +-1 LU."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.analysis import analyze
from tests.fakes.audio import sequence, sine, write_wav

RATES = [44100, 48000, 96000]


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize(
    ("levels", "expected_lu"),
    [
        ((-20.0, -30.0), 10.0),
        ((-20.0, -15.0), 5.0),
        ((-40.0, -20.0), 20.0),
        ((-50.0, -35.0, -20.0, -35.0, -50.0), 15.0),
    ],
)
def test_tech3342_loudness_range(tmp_path: Path, levels: tuple[float, ...], expected_lu: float, sr: int) -> None:
    y = sequence(*(sine(1000.0, sr=sr, seconds=20.0, level_dbfs=lv, channels=2) for lv in levels))
    result = analyze(write_wav(tmp_path / "t.wav", y, sr))
    assert result.loudness.loudness_range_lu == pytest.approx(expected_lu, abs=1.0)
