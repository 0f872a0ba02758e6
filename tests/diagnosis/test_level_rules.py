"""Level rules (loudness, headroom, platforms, dynamics, clipping, file QC): direction and severity at each threshold.

Each threshold is probed just inside and just past it, on both sides where the rule has two. Genre windows are read
from ``stage_targets`` so the tests hold when the targets are tuned; a flipped comparison or a swapped direction
still turns them red.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.diagnosis import Severity, diagnose, stage_targets
from services.diagnosis.finding import MAX_SPANS, Finding
from services.domain import FeedbackType
from services.genres import Range, match_genre, stage_rules
from tests.fakes.analysis_data import make_analysis

POP = match_genre("pop")
MIX, MASTER, REVIEW = FeedbackType.MIXDOWN, FeedbackType.MASTERING, FeedbackType.MASTER_REVIEW


def _found(overrides: dict[str, Any], stage: FeedbackType, prefix: str) -> list[Finding]:
    report = diagnose(make_analysis(overrides), genre=POP, stage=stage)
    return [f for f in report.findings if f.id.startswith(prefix)]


def _one(overrides: dict[str, Any], stage: FeedbackType, prefix: str) -> Finding | None:
    found = _found(overrides, stage, prefix)
    assert len(found) <= 1, [f.id for f in found]
    return found[0] if found else None


def _bounds(rng: Range) -> tuple[float, float]:
    assert rng.low is not None and rng.high is not None
    return rng.low, rng.high


# --- loudness window ------------------------------------------------------------------------------------------

_LOUD = "loudness.too_"


@pytest.mark.parametrize(
    ("stage", "major"), [(MASTER, 3.0), (REVIEW, 3.0), (MIX, 6.0)]
)  # a master is judged strictly, a mix only when it is far too loud
def test_too_loud_is_minor_just_past_the_window_and_major_from_the_stage_distance(
    stage: FeedbackType, major: float
) -> None:
    low, high = _bounds(stage_targets(POP, stage).integrated_lufs)
    assert _one({"loudness.integrated_lufs": high}, stage, _LOUD) is None
    assert _one({"loudness.integrated_lufs": low}, stage, _LOUD) is None
    minor = _one({"loudness.integrated_lufs": high + 0.1}, stage, _LOUD)
    assert minor is not None and (minor.id, minor.severity) == ("loudness.too_loud", Severity.MINOR)
    edge = _one({"loudness.integrated_lufs": high + major - 0.1}, stage, _LOUD)
    assert edge is not None and edge.severity is Severity.MINOR
    big = _one({"loudness.integrated_lufs": high + major}, stage, _LOUD)
    assert big is not None and (big.id, big.severity) == ("loudness.too_loud", Severity.MAJOR)
    assert big.title.startswith("Louder than") and big.target == stage_targets(POP, stage).integrated_lufs
    assert big.measured[0].key == "loudness.integrated_lufs" and big.measured[0].value == high + major


def test_too_quiet_is_graded_for_a_master_and_only_noted_for_a_mix() -> None:
    low, _ = _bounds(stage_targets(POP, MASTER).integrated_lufs)
    minor = _one({"loudness.integrated_lufs": low - 2.9}, MASTER, _LOUD)
    major = _one({"loudness.integrated_lufs": low - 3.0}, MASTER, _LOUD)
    assert minor is not None and (minor.id, minor.severity) == ("loudness.too_quiet", Severity.MINOR)
    assert major is not None and (major.id, major.severity) == ("loudness.too_quiet", Severity.MAJOR)
    assert major.title.startswith("Quieter than typical") and "pop" in major.title.lower()
    mix_low, _ = _bounds(stage_targets(POP, MIX).integrated_lufs)
    quiet_mix = _one({"loudness.integrated_lufs": mix_low - 10.0}, MIX, _LOUD)
    assert quiet_mix is not None and (quiet_mix.id, quiet_mix.severity) == ("loudness.too_quiet", Severity.INFO)
    assert quiet_mix.title == "Quieter than a mix going to mastering"


def test_loudness_detail_says_how_far_and_which_side() -> None:
    low, high = _bounds(stage_targets(POP, MASTER).integrated_lufs)
    loud = _one({"loudness.integrated_lufs": high + 2.0}, MASTER, _LOUD)
    assert loud is not None
    assert loud.detail == (
        f"Integrated loudness is {high + 2.0:.1f} LUFS, 2.0 LU above the {low:.1f} LUFS to {high:.1f} LUFS range."
    )
    quiet = _one({"loudness.integrated_lufs": low - 4.0}, MASTER, _LOUD)
    assert quiet is not None and f"4.0 LU below the {low:.1f} LUFS" in quiet.detail
    assert quiet.evidence == ("loudness.integrated_lufs", "sections.loudness_lufs")


def test_loudness_spans_are_the_sections_past_the_window_on_the_finding_side() -> None:
    low, high = _bounds(stage_targets(POP, MASTER).integrated_lufs)
    sections = {"sections.0.loudness_lufs": low - 1.0, "sections.1.loudness_lufs": low,
                "sections.2.loudness_lufs": high + 1.0, "sections.3.loudness_lufs": high}  # fmt: skip
    quiet = _one({**sections, "loudness.integrated_lufs": low - 1.0}, MASTER, _LOUD)
    loud = _one({**sections, "loudness.integrated_lufs": high + 1.0}, MASTER, _LOUD)
    assert quiet is not None and [(t.start_s, t.end_s) for t in quiet.time_ranges] == [(0.0, 30.0)]
    assert loud is not None and [(t.start_s, t.end_s) for t in loud.time_ranges] == [(75.0, 120.0)]


def test_no_loudness_no_loudness_finding() -> None:
    assert _found({"loudness.integrated_lufs": None}, MASTER, "loudness.") == []


# --- mix headroom ----------------------------------------------------------------------------------------------

_PEAKS = "loudness.mix_peaks_hot"


def test_mix_peaks_inside_or_below_the_window_are_fine_and_hot_ones_graded_at_minus_one() -> None:
    window = stage_rules(MIX).sample_peak_dbfs
    assert window is not None
    low, high = _bounds(window)
    for peak in (low - 3.0, low, high):
        assert _one({"loudness.sample_peak_dbfs": peak}, MIX, _PEAKS) is None, peak
    for peak, severity in ((high + 0.1, Severity.MINOR), (-1.0, Severity.MINOR), (-0.9, Severity.MAJOR)):
        found = _one({"loudness.sample_peak_dbfs": peak}, MIX, _PEAKS)
        assert found is not None and found.severity is severity, peak
    hot = _one({"loudness.sample_peak_dbfs": -0.5}, MIX, _PEAKS)
    assert hot is not None and hot.target == window and hot.measured[0].value == -0.5
    assert hot.detail == (
        f"Sample peak is -0.5 dBFS; a mix for mastering usually peaks between {low:.1f} dBFS and {high:.1f} dBFS."
    )
    assert _one({"loudness.sample_peak_dbfs": -0.5}, MASTER, _PEAKS) is None  # masters have no headroom window
    assert _one({"loudness.sample_peak_dbfs": None}, MIX, _PEAKS) is None


# --- platforms -------------------------------------------------------------------------------------------------


def _platforms(gain: float, *, risk: bool = False) -> dict[str, Any]:
    return {"platforms": [{"platform": "Spotify", "reference_lufs": -14.0, "policy": "p", "gain_db": gain,
                           "resulting_lufs": -14.0, "resulting_true_peak_dbtp": 0.7 if risk else -3.0,
                           "lossy_clip_risk": risk, "source": "s"}]}  # fmt: skip


def test_platform_turn_down_from_two_db_for_masters_only() -> None:
    turned = _one(_platforms(-2.0), MASTER, "loudness.platform")
    assert turned is not None and turned.severity is Severity.INFO
    assert turned.detail == "Spotify: -2.0 dB." and turned.measured[0].key == "platforms.Spotify.gain_db"
    assert turned.measured[0].value == -2.0 and turned.evidence == ("platforms.gain_db",)
    assert _one(_platforms(-1.9), MASTER, "loudness.platform") is None
    assert _one(_platforms(-6.0), MIX, "loudness.platform") is None
    assert _one({"platforms": []}, MASTER, "loudness.platform") is None


def test_lossy_headroom_is_advice_at_every_master_stage() -> None:
    """Under -1 dBTP is the encoders' margin: advice (MINOR); real overs after encoding are their own finding."""
    review = _one(_platforms(0.0, risk=True), REVIEW, "clipping.lossy")
    master = _one(_platforms(0.0, risk=True), MASTER, "clipping.lossy")
    assert review is not None and review.severity is Severity.MINOR
    assert master is not None and master.severity is Severity.MINOR
    assert [(m.key, m.value) for m in master.measured] == [("platforms.Spotify.resulting_true_peak_dbtp", 0.7)]
    assert "Spotify" in master.detail
    assert _one(_platforms(0.0, risk=False), REVIEW, "clipping.lossy") is None
    assert _one(_platforms(0.0, risk=True), MIX, "clipping.lossy") is None


# --- dynamics --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [MASTER, MIX])
def test_plr_below_the_range_is_over_compressed_and_above_it_very_dynamic(stage: FeedbackType) -> None:
    low, high = _bounds(stage_targets(POP, stage).plr_db)
    assert _found({"dynamics.plr_db": low}, stage, "dynamics.") == []
    assert _found({"dynamics.plr_db": high}, stage, "dynamics.") == []
    for plr, severity in ((low - 0.1, Severity.MINOR), (low - 1.9, Severity.MINOR), (low - 2.0, Severity.MAJOR)):
        squashed = _one({"dynamics.plr_db": plr}, stage, "dynamics.")
        assert squashed is not None and (squashed.id, squashed.severity) == ("dynamics.over_compressed", severity)
        assert squashed.title == "Peaks are squashed for the genre"
    dynamic = _one({"dynamics.plr_db": high + 5.0}, stage, "dynamics.")
    assert dynamic is not None and (dynamic.id, dynamic.severity) == ("dynamics.very_dynamic", Severity.INFO)
    assert dynamic.title == "More dynamic than the genre usually is"
    assert (
        dynamic.detail
        == f"PLR (true peak minus loudness) is {high + 5.0:.1f} dB; target {low:.1f} dB to {high:.1f} dB."
    )
    assert [m.key for m in dynamic.measured] == ["dynamics.plr_db", "dynamics.crest_factor_db"]
    assert dynamic.target == stage_targets(POP, stage).plr_db


def test_plr_without_a_crest_factor_measures_plr_alone() -> None:
    low, _ = _bounds(stage_targets(POP, MASTER).plr_db)
    found = _one({"dynamics.plr_db": low - 3.0, "dynamics.crest_factor_db": None}, MASTER, "dynamics.")
    assert found is not None and [m.key for m in found.measured] == ["dynamics.plr_db"]


@pytest.mark.parametrize("stage", [MASTER, MIX])
def test_lra_below_the_range_is_narrow_above_it_wide_minor_from_two_lu(stage: FeedbackType) -> None:
    low, high = _bounds(stage_targets(POP, stage).loudness_range_lu)
    assert _found({"loudness.loudness_range_lu": low}, stage, "dynamics.lra") == []
    assert _found({"loudness.loudness_range_lu": high}, stage, "dynamics.lra") == []
    narrow_, wide_ = "dynamics.lra_narrow", "dynamics.lra_wide"
    cases = ((low - 1.9, narrow_, Severity.INFO), (low - 2.0, narrow_, Severity.MINOR),
             (high + 1.9, wide_, Severity.INFO), (high + 2.0, wide_, Severity.MINOR))  # fmt: skip
    for lra, slug, severity in cases:
        found = _one({"loudness.loudness_range_lu": lra}, stage, "dynamics.lra")
        assert found is not None and (found.id, found.severity) == (slug, severity), lra
    narrow = _one({"loudness.loudness_range_lu": low - 2.0}, stage, "dynamics.lra")
    wide = _one({"loudness.loudness_range_lu": high + 2.0}, stage, "dynamics.lra")
    assert narrow is not None and narrow.title == "Little movement between quiet and loud parts"
    assert wide is not None and wide.title == "Large level swings between parts"
    assert wide.detail == f"Loudness range is {high + 2.0:.1f} LU; target {low:.1f} LU to {high:.1f} LU."
    assert wide.evidence == ("loudness.loudness_range_lu", "loudness.short_term_timeline") and wide.target is not None
    assert wide.measured[0].key == "loudness.loudness_range_lu" and wide.measured[0].value == round(high + 2.0, 1)


def test_mix_bus_limiting_is_major_on_a_mixdown_and_quotes_its_evidence() -> None:
    limited = {"dynamics.heavy_limiting": True, "dynamics.limiting_evidence": ["flat tops", "PLR 6 dB"]}
    found = _one(limited, MIX, "dynamics.mix_bus")
    assert found is not None and found.severity is Severity.MAJOR
    assert found.detail == "The mix looks limited: flat tops; PLR 6 dB."
    assert [m.key for m in found.measured] == ["dynamics.plr_db"]
    bare = _one({"dynamics.heavy_limiting": True, "dynamics.plr_db": None}, MIX, "dynamics.mix_bus")
    assert bare is not None and bare.detail == "The mix looks limited: peaks are flattened." and bare.measured == ()
    assert _one({"dynamics.heavy_limiting": False}, MIX, "dynamics.mix_bus") is None
    assert _one(limited, MASTER, "dynamics.mix_bus") is None


# --- clipping and true peak ------------------------------------------------------------------------------------


def test_clipping_is_critical_at_review_or_past_ten_runs_else_major() -> None:
    def clip(runs: int, stage: FeedbackType) -> Finding | None:
        return _one({"clipping.clip_runs": runs, "clipping.clipped_samples": 3 * runs}, stage, "clipping.clipped")

    assert clip(0, REVIEW) is None
    ten, eleven, one = clip(10, MASTER), clip(11, MASTER), clip(1, REVIEW)
    assert ten is not None and ten.severity is Severity.MAJOR
    assert eleven is not None and eleven.severity is Severity.CRITICAL
    assert one is not None and one.severity is Severity.CRITICAL
    assert ten.detail == "10 runs of consecutive full-scale samples (30 samples)." and ten.event_count == 10
    assert ten.title == "Digital clipping" and [m.unit for m in ten.measured] == ["count", "count"]
    assert [m.label for m in ten.measured] == ["Clip runs", "Clipped samples"]
    assert [(m.key, m.value) for m in ten.measured] == [("clipping.clip_runs", 10), ("clipping.clipped_samples", 30)]


def test_legacy_clip_events_become_tenth_of_a_second_spans() -> None:
    events = [{"time_s": 12.0, "channel": 0, "length_samples": 3}, {"time_s": 40.0, "channel": 1, "length_samples": 2}]
    found = _one({"clipping.clip_runs": 2, "clipping.clip_events": events}, MASTER, "clipping.clipped")
    assert found is not None and [(t.start_s, t.end_s) for t in found.time_ranges] == [(12.0, 12.1), (40.0, 40.1)]


def test_true_peak_against_the_master_ceiling_minor_below_zero_major_above_critical_at_review() -> None:
    ceiling = stage_rules(MASTER).true_peak_max_dbtp
    assert ceiling is not None and ceiling < 0.0

    def over(tp: float, stage: FeedbackType) -> Finding | None:
        return _one({"loudness.true_peak_dbtp": tp}, stage, "clipping.true_peak")

    assert over(ceiling, MASTER) is None
    for tp, stage, severity in ((ceiling + 0.1, MASTER, Severity.MINOR), (0.0, MASTER, Severity.MINOR),
                                (0.1, MASTER, Severity.MAJOR), (0.0, REVIEW, Severity.MINOR),
                                (0.1, REVIEW, Severity.CRITICAL)):  # fmt: skip
        found = over(tp, stage)
        assert found is not None and found.severity is severity, (tp, stage)
    found = over(0.5, MASTER)
    assert found is not None and found.target == Range(low=None, high=ceiling, unit="dBTP")
    assert (found.measured[0].key, found.measured[0].unit) == ("loudness.true_peak_dbtp", "dBTP")
    assert found.detail == f"True peak is 0.5 dBTP, above {ceiling:.1f} dBTP."  # the fixture counts no overs


def test_a_mix_has_no_ceiling_but_zero_dbtp() -> None:
    assert stage_rules(MIX).true_peak_max_dbtp is None
    assert _one({"loudness.true_peak_dbtp": 0.0}, MIX, "clipping.true_peak") is None
    found = _one({"loudness.true_peak_dbtp": 0.1}, MIX, "clipping.true_peak")
    assert found is not None and found.severity is Severity.MAJOR
    assert found.target == Range(low=None, high=0.0, unit="dBTP")
    assert found.detail == "True peak is 0.1 dBTP, above 0.0 dBTP."  # no "0 overs" clause


@pytest.mark.parametrize(
    ("overs", "clause"), [(1, "; 1 inter-sample over above 0 dBTP."), (7, "; 7 inter-sample overs above 0 dBTP.")]
)
def test_true_peak_detail_counts_the_overs_in_words(overs: int, clause: str) -> None:
    found = _one({"loudness.true_peak_dbtp": 0.4, "clipping.true_peak_overs": overs}, MIX, "clipping.true_peak")
    assert found is not None and found.detail == "True peak is 0.4 dBTP, above 0.0 dBTP" + clause


# --- file QC ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dc", "severity"),
    [([0.1, -0.05], None), ([0.02, -0.11], Severity.MINOR), ([-1.0, 0.0], Severity.MINOR),
     ([0.0, -1.01], Severity.MAJOR), ([1.5, 0.2], Severity.MAJOR)],
)  # fmt: skip
def test_dc_offset_counts_the_worst_channel_either_sign(dc: list[float], severity: Severity | None) -> None:
    found = _one({"qc.dc_offset_pct": dc}, MIX, "qc.dc")
    assert (None if found is None else found.severity) is severity
    if found is not None:
        worst = max(abs(v) for v in dc)
        assert found.measured[0].value == round(worst) and found.area == "qc" and found.evidence == ("qc.dc_offset",)
        assert found.title == "DC offset"
        assert (
            found.detail == f"The waveform is shifted off centre by {worst:.0f}% of full scale; high-pass or remove DC."
        )


def test_lossy_source_is_major_for_masters_minor_for_mixes_and_quotes_the_cutoff() -> None:
    lossy = {"qc.likely_lossy": True, "qc.lossy_cutoff_hz": 16000.0}
    master, mix = _one(lossy, MASTER, "qc.lossy"), _one(lossy, MIX, "qc.lossy")
    assert master is not None and master.severity is Severity.MAJOR
    assert mix is not None and mix.severity is Severity.MINOR
    assert [(m.key, m.value) for m in master.measured] == [("qc.lossy_cutoff_hz", 16000.0)]
    bare = _one({"qc.likely_lossy": True}, MASTER, "qc.lossy")
    assert bare is not None and bare.measured == ()
    assert master.title == "Looks like a lossy source"
    assert master.detail == "The spectrum stops like an MP3/AAC encode; work from the lossless file."


def test_resampled_and_dual_mono_sources() -> None:
    resampled = _one({"qc.likely_resampled": True, "qc.resampled_cutoff_hz": 11025.0}, MIX, "qc.resampled")
    assert resampled is not None and resampled.severity is Severity.MINOR
    assert [(m.key, m.value, m.unit) for m in resampled.measured] == [("qc.resampled_cutoff_hz", 11025.0, "Hz")]
    bare = _one({"qc.likely_resampled": True}, MIX, "qc.resampled")
    assert bare is not None and bare.measured == ()
    master = _one({"qc.is_dual_mono": True}, MASTER, "qc.dual")
    mix = _one({"qc.is_dual_mono": True}, MIX, "qc.dual")
    assert master is not None and master.severity is Severity.MINOR
    assert mix is not None and mix.severity is Severity.INFO
    assert master.title == "Stereo file with identical channels"
    assert master.detail == "Both channels are the same; deliver mono or check the export."
    assert resampled.title == "Looks resampled from a lower rate"
    assert resampled.detail == "The top octave is empty as if upsampled; export at the session's native rate."
    assert _one({}, MASTER, "qc.") is None


# --- found by mutation testing (2026-12-01) --------------------------------------------------------------------


def test_a_reading_just_above_the_plr_or_lra_range_is_the_high_side_not_the_low() -> None:
    _, plr_high = _bounds(stage_targets(POP, MASTER).plr_db)
    _, lra_high = _bounds(stage_targets(POP, MASTER).loudness_range_lu)
    plr = _one({"dynamics.plr_db": plr_high + 0.5}, MASTER, "dynamics.")
    assert plr is not None and plr.id == "dynamics.very_dynamic"
    lra = _one({"loudness.loudness_range_lu": lra_high + 0.5}, MASTER, "dynamics.lra")
    assert lra is not None and (lra.id, lra.title, lra.severity) == (
        "dynamics.lra_wide", "Large level swings between parts", Severity.INFO)  # fmt: skip


def test_true_peak_spans_come_from_the_over_spans_else_tenth_of_a_second_events_and_are_capped() -> None:
    hot = {"loudness.true_peak_dbtp": 0.5, "loudness.sample_peak_dbfs": -0.1}
    spans = [{"start_s": 3.0 * k, "end_s": 3.0 * k + 1.0, "count": 1} for k in range(MAX_SPANS + 2)]
    capped = _one({**hot, "clipping.over_spans": spans}, MASTER, "clipping.true_peak")
    assert capped is not None and len(capped.time_ranges) == MAX_SPANS and capped.more_spans == 2
    assert (capped.time_ranges[0].start_s, capped.time_ranges[0].end_s) == (0.0, 1.0)
    events = [{"time_s": 12.0, "channel": 0, "level_dbtp": 0.4}, {"time_s": 40.0, "channel": 1, "level_dbtp": 0.5}]
    legacy = _one({**hot, "clipping.over_events": events}, MASTER, "clipping.true_peak")
    assert legacy is not None and [(t.start_s, t.end_s) for t in legacy.time_ranges] == [(12.0, 12.1), (40.0, 40.1)]
    assert legacy.more_spans == 0


def test_no_dc_offset_reading_is_no_dc_offset() -> None:
    assert _one({"qc.dc_offset_pct": []}, REVIEW, "qc.dc") is None


def test_lossy_headroom_names_every_platform_at_risk() -> None:
    both = _platforms(0.0, risk=True)
    both["platforms"].append({**both["platforms"][0], "platform": "Apple Music"})
    found = _one(both, MASTER, "clipping.lossy")
    assert found is not None and " on Spotify, Apple Music, above the " in found.detail
