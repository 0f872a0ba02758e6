"""Every finding any rule can produce speaks in units a producer knows, with labelled measures and real evidence keys.

Run over analyses that set off every rule at every stage, so a unit typo ("db", "DBTP"), a unit that does not match
the measured field (a dB figure shown as LU), a missing or wrong label, a wrong title or a mangled evidence key in
any rule turns this red. The findings are made inside each test (not when the module is collected), so a changed
rule is what the assertions see.

The last test pins every finding's words and figures (detail text included) over this fixture and the advice
corpus, as text (tests/diagnosis/snapshots/findings.txt; MIXCOACH_UPDATE_SNAPSHOTS=1 rewrites it: read the diff
before committing). The behaviour tests pin directions and thresholds; this catches a silent change of wording, a
figure formatted in the wrong unit, or a count or span that moved.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from services.diagnosis import diagnose
from services.diagnosis.finding import Finding
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.advice_cases import corpus
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
_OPPOSITE: dict[str, Any] = {
    "loudness.integrated_lufs": -30.0, "dynamics.plr_db": 25.0, "loudness.loudness_range_lu": 1.0,
    "stereo.side_to_mid_db": -30.0, "stereo.balance_db": -4.0, "transients.onset_rate_per_s": 0.1,
    "spectrum.band_levels_db": band_levels(sub=-40.0, air=-5.0), "bass.low_end_correlation": 0.1,
}  # fmt: skip

# The unit a measure's field is in, from the suffix of its key (longest first); the fields without one below.
_SUFFIX_UNITS = (("_dbtp", "dBTP"), ("_dbfs", "dBFS"), ("_lufs", "LUFS"), ("_lu", "LU"), ("_db", "dB"),
                 ("_hz", "Hz"), ("_pct", "%"), ("_per_s", "/s"), ("_s", "s"))  # fmt: skip
_PLAIN_UNITS = {"correlation": "", "low_end_correlation": "", "correlation_per_band": "", "clip_runs": "count",
                "clipped_samples": "count", "bit_depth": "count", "short_term_timeline": "LU",
                "encoded_peaks": "dBTP"}  # fmt: skip

# What a producer reads next to each figure and above each finding (the fixture's keys and ids).
_LABELS = {
    "bass.low_end_correlation": "Low-end correlation",
    "bass.low_end_jumps_db": "Low-end jumps",
    "bass.low_end_side_to_mid_db": "Low-end side relative to mid",
    "clipping.clip_runs": "Clip runs",
    "clipping.clipped_samples": "Clipped samples",
    "dynamics.crest_factor_db": "Crest factor",
    "dynamics.plr_db": "PLR",
    "edges.first_sample_dbfs": "The first sample",
    "edges.head_silence_s": "Silence",
    "edges.last_sample_dbfs": "The last sample",
    "edges.tail_silence_s": "Silence",
    "encoded_peaks.AAC": "AAC true peak",
    "file.bit_depth": "Bit depth",
    "file.sample_rate_hz": "Sample rate",
    "loudness.integrated_lufs": "Integrated loudness",
    "loudness.loudness_range_lu": "Loudness range",
    "loudness.sample_peak_dbfs": "Sample peak",
    "loudness.short_term_timeline": "Biggest jump",
    "loudness.true_peak_dbtp": "True peak",
    "platforms.Apple Music.gain_db": "Apple Music gain",
    "platforms.Spotify.gain_db": "Spotify gain",
    "platforms.Spotify.resulting_true_peak_dbtp": "Spotify true peak",
    "qc.dc_offset_pct": "DC offset",
    "qc.lossy_cutoff_hz": "Cut-off",
    "qc.resampled_cutoff_hz": "Cut-off",
    "reference.band_deltas_db.air": "air vs reference",
    "reference.band_deltas_db.low_mid": "low mids vs reference",
    "reference.band_deltas_db.sub": "sub vs reference",
    "reference.low_end_side_to_mid_delta_db": "Low-end width differs from the reference",
    "reference.lra_delta_lu": "Loudness range differs from the reference",
    "reference.plr_delta_db": "Dynamics differ from the reference",
    "reference.side_to_mid_delta_db": "Width differs from the reference",
    "spectrum.band_balance_db.air": "air vs genre curve",
    "spectrum.band_balance_db.low_mid": "low mids vs genre curve",
    "spectrum.band_balance_db.sub": "sub vs genre curve",
    "spectrum.band_levels_db.air": "air level",
    "spectrum.band_levels_db.low_mid": "low mids level",
    "spectrum.band_levels_db.sub": "sub level",
    "spectrum.resonances.frequency_hz": "Frequency",
    "spectrum.resonances.prominence_db": "Prominence",
    "stereo.balance_db": "Left minus right",
    "stereo.correlation": "Correlation",
    "stereo.correlation_per_band.sub": "sub correlation",
    "stereo.mono_band_loss_db.mid": "mids loss in mono",
    "stereo.mono_loudness_change_db": "Mono loudness change",
    "stereo.side_to_mid_db": "Side relative to mid",
    "transients.onset_rate_per_s": "Onset rate",
}
_TITLES = {
    "bass.uneven_low_end": {"Low end jumps around in level"},
    "bass.wide_low_end": {"Low end is not mono enough"},
    "clipping.clipped_samples": {"Digital clipping"},
    "clipping.encoded_true_peak_over": {"Clips after streaming encodes"},
    "clipping.lossy_clip_risk": {"Little headroom for lossy encoding"},
    "clipping.true_peak_over": {"True peak above the ceiling"},
    "dynamics.lra_narrow": {"Little movement between quiet and loud parts"},
    "dynamics.lra_wide": {"Large level swings between parts"},
    "dynamics.mix_bus_limiting": {"Mix-bus limiting on a mixdown"},
    "dynamics.over_compressed": {"Peaks are squashed for the genre"},
    "dynamics.very_dynamic": {"More dynamic than the genre usually is"},
    "loudness.jumps": {"Sudden loudness jumps"},
    "loudness.mix_peaks_hot": {"Not enough headroom for mastering"},
    "loudness.platform_turn_down": {"Streaming platforms will turn this down"},
    "loudness.too_loud": {"Louder than a mix going to mastering", "Louder than typical Pop masters"},
    "loudness.too_quiet": {"Quieter than a mix going to mastering", "Quieter than typical Pop masters"},
    "qc.dc_offset": {"DC offset"},
    "qc.dual_mono": {"Stereo file with identical channels"},
    "qc.head_click": {"Click at the start"},
    "qc.head_silence": {"Digital silence at the start"},
    "qc.lossy_source": {"Looks like a lossy source"},
    "qc.low_bit_depth": {"Bit depth below the delivery spec"},
    "qc.low_sample_rate": {"Sample rate below the delivery spec"},
    "qc.resampled": {"Looks resampled from a lower rate"},
    "qc.tail_click": {"Click at the end"},
    "qc.tail_silence": {"Digital silence at the end"},
    "reference.air": {"Less air (6-20 kHz) than the reference", "More air (6-20 kHz) than the reference"},
    "reference.low_end_side_to_mid_delta_db": {"Low-end width differs from the reference"},
    "reference.low_mid": {"Less low mids (250-500 Hz) than the reference"},
    "reference.lra_delta_lu": {"Loudness range differs from the reference"},
    "reference.plr_delta_db": {"Dynamics differ from the reference"},
    "reference.side_to_mid_delta_db": {"Width differs from the reference"},
    "reference.sub": {"More sub (20-60 Hz) than the reference", "Less sub (20-60 Hz) than the reference"},
    "stereo.balance": {"Image leans left", "Image leans right"},
    "stereo.low_polarity": {"Polarity problem in the sub"},
    "stereo.mono_content": {"Mono content in a stereo file"},
    "stereo.mono_file": {"Mono file"},
    "stereo.narrow": {"Narrow stereo image"},
    "stereo.phase": {"Out of phase: the mix cancels in mono", "The mix loses level in mono"},
    "stereo.too_wide": {"Very wide stereo image"},
    "tonal.air_heavy": {"Too much air (6-20 kHz)"},
    "tonal.air_light": {"Not enough air (6-20 kHz)"},
    "tonal.low_mid_heavy": {"Too much low mids (250-500 Hz)"},
    "tonal.resonance_300hz": {"Resonance around 300 Hz"},
    "tonal.resonance_312hz": {"Resonance around 312 Hz"},
    "tonal.sub_heavy": {"Too much sub (20-60 Hz)"},
    "tonal.sub_light": {"Not enough sub (20-60 Hz)"},
    "transients.busy": {"Very dense transients"},
    "transients.sparse": {"Few distinct transients"},
}


def _all_findings(stages: tuple[FeedbackType, ...] = tuple(FeedbackType)) -> list[Finding]:
    out = []
    analyses = [make_analysis(_EVERYTHING), make_analysis(_OPPOSITE), problem_mix(), timed_mix(),
                make_analysis({"bass.low_end_correlation": -0.9, "stereo.correlation": -0.5}),
                make_analysis({"stereo.side_to_mid_db": -50.0}), make_analysis({"qc.is_dual_mono": True}),
                make_analysis({"qc.is_mono_file": True})]  # fmt: skip
    for analysis in analyses:
        for stage in stages:
            out.extend(diagnose(analysis, genre=match_genre("pop"), stage=stage, reference=problem_mix()).findings)
    return out


def test_the_fixture_sets_off_every_kind_of_finding() -> None:
    ids = {f.id.split(".")[0] + "." + f.id.split(".")[1].split("_")[0] for f in _all_findings()}
    for prefix in ("clipping.clipped", "clipping.true", "clipping.encoded", "clipping.lossy", "loudness.too",
                   "loudness.mix", "loudness.platform", "loudness.jumps", "dynamics.over", "dynamics.lra",
                   "dynamics.mix", "dynamics.very", "qc.dc", "qc.lossy", "qc.resampled", "qc.dual", "qc.low",
                   "qc.head", "qc.tail", "stereo.balance", "stereo.phase", "stereo.too", "stereo.narrow",
                   "stereo.low", "stereo.mono", "bass.wide", "bass.uneven", "tonal.sub", "tonal.resonance",
                   "transients.busy", "transients.sparse", "reference.sub"):  # fmt: skip
        assert prefix in ids, prefix


def _unit_of(key: str) -> str:
    """The unit of the analysis field a measure key names: its suffix, read from the last part that has one."""
    for part in reversed(key.split(".")):
        if part in _PLAIN_UNITS:
            return _PLAIN_UNITS[part]
        for suffix, unit in _SUFFIX_UNITS:
            if part.endswith(suffix):
                return unit
    raise AssertionError(f"no unit known for {key}")


@pytest.mark.parametrize("stage", list(FeedbackType))
def test_every_measure_has_its_label_the_unit_of_its_field_and_a_real_key(stage: FeedbackType) -> None:
    findings = _all_findings((stage,))
    assert findings
    for finding in findings:
        assert isinstance(finding.measured, tuple) and isinstance(finding.evidence, tuple) and finding.evidence
        for m in finding.measured:
            assert isinstance(m.key, str) and _KEY.match(m.key) and m.key.split(".")[0].islower(), (finding.id, m)
            assert m.unit in UNITS and m.unit == _unit_of(m.key), (finding.id, m)
            assert m.label == _LABELS[m.key], (finding.id, m)
        for key in finding.evidence:
            assert key == key.lower() or "." in key and key.split(".")[0].islower(), (finding.id, key)
            assert _KEY.match(key) and key.split(".")[0] == key.split(".")[0].lower(), (finding.id, key)
            assert key.upper() != key, (finding.id, key)
        assert finding.title in _TITLES[finding.id], (finding.id, finding.title)
        if finding.target is not None:
            assert finding.target.unit in UNITS, (finding.id, finding.target)
            assert finding.target.unit == next(iter(finding.measured)).unit, (finding.id, finding.target)


def test_the_pinned_words_are_all_used() -> None:
    """A label or title the rules no longer produce is stale here: the tables list what the fixture sets off."""
    findings = _all_findings()
    assert {m.key for f in findings for m in f.measured} == set(_LABELS)
    titles: dict[str, set[str]] = {}
    for f in findings:
        titles.setdefault(f.id, set()).add(f.title)
    assert titles == _TITLES


SNAPSHOT = Path(__file__).parent / "snapshots" / "findings.txt"


def _render() -> str:
    analyses = [("everything", make_analysis(_EVERYTHING), problem_mix()), ("opposite", make_analysis(_OPPOSITE), None),
                ("mono content", make_analysis({"stereo.side_to_mid_db": -50.0}), None),
                *((name, track, reference) for name, (track, reference) in corpus().items())]  # fmt: skip
    out: list[str] = []
    for name, track, reference in analyses:
        for stage in FeedbackType:
            report = diagnose(track, genre=match_genre("pop"), stage=stage, reference=reference)
            out.append(f"===== {name} {stage.value}")
            out.extend(json.dumps(f.to_dict(), ensure_ascii=False) for f in report.findings)
            out.append(f"notes: {json.dumps(report.notes)}")
            out.append(f"verdict: {json.dumps(None if report.verdict is None else asdict(report.verdict))}")
    return "\n".join(out) + "\n"


def test_every_finding_reads_as_pinned() -> None:
    text = _render()
    if os.environ.get("MIXCOACH_UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8")
