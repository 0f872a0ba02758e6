"""Polarity and width measured on real files: an inverted bass channel, side-to-mid dB, mono files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from services.diagnosis import diagnose
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.audio import pink_noise, sine, write_wav

SR = 22050


def _mix(*, bass_sign: float) -> np.ndarray:
    """A centred pink-noise bed plus a 55 Hz bass whose right channel is multiplied by ``bass_sign``."""
    bed = pink_noise(sr=SR, seconds=20.0, rms_dbfs=-30.0, seed=5)
    bass = sine(55.0, sr=SR, seconds=20.0, level_dbfs=-10.0)
    return np.column_stack([bed + bass, bed + bass_sign * bass])


@pytest.mark.parametrize("bass_sign", [-1.0, 1.0])
def test_an_inverted_bass_channel_is_found_in_the_low_bands_over_the_whole_track(
    tmp_path: Path, bass_sign: float
) -> None:
    result = analyze(write_wav(tmp_path / "b.wav", _mix(bass_sign=bass_sign), SR, subtype="FLOAT"))
    sub = next(b.value for b in result.stereo.correlation_per_band if b.band == "sub")
    loss = next(b.value for b in result.stereo.mono_band_loss_db if b.band == "sub")
    assert sub is not None and loss is not None
    report = diagnose(result, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    ids = [f.id for f in report.findings]
    if bass_sign < 0:
        assert sub < -0.9 and loss < -20.0
        spans = result.stereo.low_end_out_of_phase
        assert len(spans) == 1 and spans[0].start_s < 2.0 and spans[0].end_s > 18.0
        assert "stereo.low_polarity" in ids and "bass.wide_low_end" not in ids
    else:
        assert sub > 0.9 and loss > -0.5 and not result.stereo.low_end_out_of_phase
        assert "stereo.low_polarity" not in ids


def test_side_to_mid_db_is_minus_60_for_mono_and_0_for_independent_channels(tmp_path: Path) -> None:
    wide = analyze(write_wav(tmp_path / "w.wav", pink_noise(sr=SR, seconds=8.0, channels=2, seed=1), SR)).stereo
    same = np.repeat(pink_noise(sr=SR, seconds=8.0, seed=1)[:, None], 2, axis=1)
    narrow = analyze(write_wav(tmp_path / "n.wav", same, SR)).stereo
    assert wide.side_to_mid_db == pytest.approx(0.0, abs=0.5)
    assert narrow.side_to_mid_db == -60.0


def test_a_mono_file_gets_one_mono_finding_and_no_width_finding(tmp_path: Path) -> None:
    result = analyze(write_wav(tmp_path / "m.wav", pink_noise(sr=SR, seconds=8.0, seed=2), SR))
    report = diagnose(result, genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW)
    stereo = [f.id for f in report.findings if f.area in ("stereo", "bass")]
    assert stereo.count("stereo.mono_file") == 1
    assert not {"stereo.narrow", "stereo.too_wide", "stereo.phase"} & set(stereo)


def test_a_dual_mono_file_blocks_delivery_once_as_dual_mono(tmp_path: Path) -> None:
    same = np.repeat(pink_noise(sr=44100, seconds=8.0, rms_dbfs=-18.0, seed=4)[:, None], 2, axis=1)
    result = analyze(write_wav(tmp_path / "d.wav", same, 44100))
    report = diagnose(result, genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW)
    ids = [f.id for f in report.findings if f.area in ("stereo", "bass", "qc")]
    assert ids.count("qc.dual_mono") == 1
    assert not {"stereo.narrow", "stereo.mono_content", "stereo.phase", "bass.wide_low_end"} & set(ids)
    assert report.verdict is not None and "qc.dual_mono" in [b.finding_id for b in report.verdict.blockers]
