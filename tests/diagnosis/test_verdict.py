"""The master-review verdict: only delivery defects block, each blocker names its finding; taste never blocks."""

from __future__ import annotations

from typing import Any

import pytest

from services.diagnosis import diagnose
from services.diagnosis.finding import FindingReport
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import make_analysis

_EDGES = {"head_silence_s": 0.01, "tail_silence_s": 0.5, "first_sample_dbfs": -120.0, "last_sample_dbfs": -96.0}


def _review(overrides: dict[str, Any], *, stage: FeedbackType = FeedbackType.MASTER_REVIEW) -> FindingReport:
    return diagnose(make_analysis({"edges": dict(_EDGES), **overrides}), genre=match_genre("pop"), stage=stage)


def _blockers(report: FindingReport) -> list[str]:
    assert report.verdict is not None
    return [b.finding_id for b in report.verdict.blockers]


def test_a_clean_master_is_ready() -> None:
    report = _review({})
    assert report.verdict is not None and report.verdict.ready and _blockers(report) == []


def test_taste_never_blocks() -> None:
    taste = {"spectrum.band_levels_db.2.value": 3.0, "stereo.side_to_mid_db": 4.0, "loudness.integrated_lufs": -16.0,
             "dynamics.plr_db": 4.0, "stereo.balance_db": 2.0}  # fmt: skip
    report = _review(taste)
    assert {"stereo.too_wide", "loudness.too_quiet", "stereo.balance"} <= {f.id for f in report.findings}
    assert report.verdict is not None and report.verdict.ready


@pytest.mark.parametrize(
    ("bad", "good", "finding_id"),
    [
        ({"clipping.clip_runs": 12, "clipping.clipped_samples": 50}, {}, "clipping.clipped_samples"),
        ({"loudness.true_peak_dbtp": 0.4}, {"loudness.true_peak_dbtp": -1.5}, "clipping.true_peak_over"),
        ({"file.sample_rate_hz": 22050}, {"file.sample_rate_hz": 44100}, "qc.low_sample_rate"),
        ({"file.bit_depth": 8}, {"file.bit_depth": 16}, "qc.low_bit_depth"),
        ({"edges.head_silence_s": 3.0}, {"edges.head_silence_s": 1.0}, "qc.head_silence"),
        ({"edges.tail_silence_s": 8.0}, {"edges.tail_silence_s": 4.0}, "qc.tail_silence"),
        ({"edges.first_sample_dbfs": -12.0}, {"edges.first_sample_dbfs": -60.0}, "qc.head_click"),
        ({"edges.last_sample_dbfs": -6.0}, {"edges.last_sample_dbfs": -70.0}, "qc.tail_click"),
        ({"qc.dc_offset_pct": [2.0, 2.0]}, {"qc.dc_offset_pct": [0.5, 0.5]}, "qc.dc_offset"),
        ({"qc.is_dual_mono": True}, {}, "qc.dual_mono"),
        ({"stereo.side_to_mid_db": -55.0}, {"stereo.side_to_mid_db": -12.0}, "stereo.mono_content"),
        ({"qc.likely_lossy": True, "qc.lossy_cutoff_hz": 16000.0}, {}, "qc.lossy_source"),
        ({"qc.likely_resampled": True, "qc.resampled_cutoff_hz": 11025.0}, {}, "qc.resampled"),
        ({"bass.low_end_correlation": -0.9}, {"bass.low_end_correlation": 0.9}, "stereo.low_polarity"),
        ({"stereo.correlation": -0.7}, {"stereo.correlation": 0.5}, "stereo.phase"),
    ],
)
def test_each_delivery_defect_blocks_with_its_finding(
    bad: dict[str, Any], good: dict[str, Any], finding_id: str
) -> None:
    report = _review(bad)
    assert report.verdict is not None and not report.verdict.ready
    assert finding_id in _blockers(report)
    assert finding_id in {f.id for f in report.findings}
    blocker = next(b for b in report.verdict.blockers if b.finding_id == finding_id)
    assert blocker.reason
    assert finding_id not in _blockers(_review(good))


def test_a_small_dc_offset_is_advice_not_a_blocker() -> None:
    report = _review({"qc.dc_offset_pct": [0.4, 0.4]})
    assert "qc.dc_offset" in {f.id for f in report.findings} and "qc.dc_offset" not in _blockers(report)


def test_only_master_review_has_a_verdict() -> None:
    assert _review({}, stage=FeedbackType.MIXDOWN).verdict is None
    assert _review({}, stage=FeedbackType.MASTERING).verdict is None


def test_a_mono_file_is_not_blocked_for_being_mono() -> None:
    report = _review({"qc.is_mono_file": True, "file.channels": 1, "stereo.side_to_mid_db": -60.0})
    assert report.verdict is not None and report.verdict.ready


def test_overs_after_encoding_block_and_a_clean_encode_does_not() -> None:
    hot = [{"codec": "AAC 256 kbit/s", "true_peak_dbtp": 1.2}, {"codec": "Opus 160 kbit/s", "true_peak_dbtp": -0.4}]
    report = _review({"encoded_peaks": hot})
    finding = next(f for f in report.findings if f.id == "clipping.encoded_true_peak_over")
    assert [m.value for m in finding.measured] == [1.2] and "AAC" in finding.detail
    assert "clipping.encoded_true_peak_over" in _blockers(report)
    cool = [{"codec": "AAC 256 kbit/s", "true_peak_dbtp": -0.3}, {"codec": "Opus 160 kbit/s", "true_peak_dbtp": -0.5}]
    assert "clipping.encoded_true_peak_over" not in {f.id for f in _review({"encoded_peaks": cool}).findings}


def test_a_peak_between_the_streaming_margin_and_full_scale_is_advice_not_a_blocker() -> None:
    """-0.5 dBTP with no over and clean encodes: short of the -1 dBTP margin (advice), not a defect."""
    cool = [{"codec": "AAC 256 kbit/s", "true_peak_dbtp": -0.2}, {"codec": "Opus 160 kbit/s", "true_peak_dbtp": -0.4}]
    platform = {"platforms.0.resulting_true_peak_dbtp": -0.5, "platforms.0.lossy_clip_risk": True}
    report = _review({"loudness.true_peak_dbtp": -0.5, "encoded_peaks": cool, **platform})
    by_id = {f.id: f for f in report.findings}
    assert by_id["clipping.true_peak_over"].severity.value == "MINOR"
    assert report.verdict is not None and report.verdict.ready
    headroom = by_id["clipping.lossy_clip_risk"]
    assert headroom.severity.value == "MINOR" and "up to -0.5 dBTP" in headroom.detail
    assert "reach -0.2 dBTP" in headroom.detail and "above 0 dBTP" not in headroom.detail  # only what it measured
    assert "clipping.true_peak_over" in _blockers(_review({"loudness.true_peak_dbtp": 0.3}))
