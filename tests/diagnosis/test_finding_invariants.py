"""Every finding any rule can produce speaks in units a producer knows, with labelled measures and real evidence keys.

Run over analyses that set off every rule at every stage, so a unit typo ("db", "DBTP"), a missing label or a
mangled evidence key in any rule turns this red.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from services.diagnosis import diagnose
from services.diagnosis.finding import Finding
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import band_levels, make_analysis, problem_mix, timed_mix

UNITS = {"LUFS", "LU", "dB", "dBTP", "dBFS", "Hz", "%", "/s", "", "BPM", "s", "count"}
_KEY = re.compile(r"^[a-z_]+(\.[A-Za-z0-9_ ]+)*$")

_EVERYTHING: dict[str, Any] = {
    "loudness.integrated_lufs": -3.0, "loudness.sample_peak_dbfs": -0.5, "loudness.true_peak_dbtp": 0.8,
    "loudness.loudness_range_lu": 20.0, "dynamics.plr_db": 2.0, "dynamics.heavy_limiting": True,
    "dynamics.limiting_evidence": ["flat tops"], "clipping.clip_runs": 3, "clipping.clipped_samples": 9,
    "qc.dc_offset_pct": [2.0, 0.0], "qc.likely_lossy": True, "qc.lossy_cutoff_hz": 16000.0,
    "qc.likely_resampled": True, "qc.resampled_cutoff_hz": 11025.0, "file.sample_rate_hz": 22050, "file.bit_depth": 8,
    "edges": {"head_silence_s": 3.0, "tail_silence_s": 9.0, "first_sample_dbfs": -3.0, "last_sample_dbfs": -3.0},
    "encoded_peaks": [{"codec": "AAC", "true_peak_dbtp": 1.0}], "stereo.balance_db": 4.0,
    "stereo.correlation": 0.05, "stereo.mono_loudness_change_db": -6.0, "stereo.side_to_mid_db": 3.0,
    "stereo.mono_band_loss_db": [{"band": "mid", "value": -3.0}], "bass.low_end_side_to_mid_db": 0.0,
    "bass.low_end_correlation": 0.3, "bass.low_end_jumps_db": 6.0, "transients.onset_rate_per_s": 20.0,
    "spectrum.band_levels_db": band_levels(sub=3.0, air=-35.0),
    "spectrum.resonances": [{"frequency_hz": 300.0, "prominence_db": 12.0}],
    "platforms.0.gain_db": -6.0, "platforms.0.lossy_clip_risk": True, "platforms.0.resulting_true_peak_dbtp": 0.5,
}  # fmt: skip


def _all_findings() -> list[Finding]:
    out = []
    analyses = [make_analysis(_EVERYTHING), problem_mix(), timed_mix(),
                make_analysis({"bass.low_end_correlation": -0.9, "stereo.correlation": -0.5}),
                make_analysis({"stereo.side_to_mid_db": -50.0}), make_analysis({"qc.is_dual_mono": True}),
                make_analysis({"qc.is_mono_file": True})]  # fmt: skip
    for analysis in analyses:
        for stage in FeedbackType:
            out.extend(diagnose(analysis, genre=match_genre("pop"), stage=stage, reference=problem_mix()).findings)
    return out


def test_the_fixture_sets_off_every_kind_of_finding() -> None:
    ids = {f.id.split(".")[0] + "." + f.id.split(".")[1].split("_")[0] for f in _all_findings()}
    for prefix in ("clipping.clipped", "clipping.true", "clipping.encoded", "clipping.lossy", "loudness.too",
                   "loudness.mix", "loudness.platform", "loudness.jumps", "dynamics.over", "dynamics.lra",
                   "dynamics.mix", "qc.dc", "qc.lossy", "qc.resampled", "qc.dual", "qc.low", "qc.head", "qc.tail",
                   "stereo.balance", "stereo.phase", "stereo.too", "stereo.low", "stereo.mono", "bass.wide",
                   "bass.uneven", "tonal.sub", "tonal.resonance", "transients.busy", "reference.sub"):  # fmt: skip
        assert prefix in ids, prefix


@pytest.mark.parametrize("finding", _all_findings(), ids=lambda f: f.id)
def test_every_measure_has_a_label_a_known_unit_and_a_real_key(finding: Finding) -> None:
    assert isinstance(finding.measured, tuple) and isinstance(finding.evidence, tuple) and finding.evidence
    for m in finding.measured:
        assert isinstance(m.label, str) and m.label.strip(), m
        assert m.unit in UNITS, m
        assert isinstance(m.key, str) and _KEY.match(m.key) and m.key.split(".")[0].islower(), m
    for key in finding.evidence:
        assert key == key.lower() or "." in key and key.split(".")[0].islower(), key
        assert _KEY.match(key) and key.split(".")[0] == key.split(".")[0].lower(), key
        assert key.upper() != key, key
    assert finding.title and finding.title[0].isupper() and finding.title != finding.title.upper(), finding.title
    if finding.target is not None:
        assert finding.target.unit in UNITS, finding.target
