from __future__ import annotations

import pytest

from services.diagnosis import Severity, diagnose, fmt, fmt_time
from services.diagnosis.finding import Finding
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import band_levels, make_analysis, problem_mix, timed_mix, typical_analysis

POP = match_genre("pop")


def _ids(findings: list[Finding]) -> list[str]:
    return [f.id for f in findings]


def test_diagnose_typical_pop_master_has_no_problems() -> None:
    report = diagnose(typical_analysis(), genre=POP, stage=FeedbackType.MASTERING)
    assert [f.severity for f in report.findings] == [Severity.INFO]
    assert _ids(report.findings) == ["loudness.platform_turn_down"]


def test_diagnose_problem_mix_lists_worst_first_with_values_targets_and_evidence() -> None:
    report = diagnose(problem_mix(), genre=POP, stage=FeedbackType.MIXDOWN)
    ids = _ids(report.findings)
    assert ids[0] == "clipping.clipped_samples"
    assert {"loudness.mix_peaks_hot", "dynamics.mix_bus_limiting", "bass.wide_low_end", "tonal.low_mid_heavy",
            "tonal.resonance_312hz"} <= set(ids)  # fmt: skip
    ranks = [list(Severity).index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)
    clip = report.findings[0]
    assert clip.time_ranges[0].start_s == 92.4 and clip.evidence[0] == "clipping.clip_runs"
    peaks = next(f for f in report.findings if f.id == "loudness.mix_peaks_hot")
    assert peaks.measured[0].value == 0.0 and peaks.target is not None and peaks.target.high == -3
    low_mid = next(f for f in report.findings if f.id == "tonal.low_mid_heavy")
    assert low_mid.measured[0].key == "spectrum.band_balance_db.low_mid" and low_mid.measured[1].value == -1.1
    assert low_mid.target == POP.genre.targets.band_balance_db["low_mid"]


def test_diagnose_mixdown_limiting_is_a_problem_only_before_mastering() -> None:
    limited = make_analysis({"dynamics.heavy_limiting": True, "dynamics.limiting_evidence": ["flat tops"]})
    assert "dynamics.mix_bus_limiting" in _ids(diagnose(limited, genre=POP, stage=FeedbackType.MIXDOWN).findings)
    assert "dynamics.mix_bus_limiting" not in _ids(diagnose(limited, genre=POP, stage=FeedbackType.MASTERING).findings)


@pytest.mark.parametrize(("lufs", "slug"), [(-16.0, "loudness.too_quiet"), (-3.5, "loudness.too_loud")])
def test_diagnose_master_loudness_against_the_genre_range(lufs: float, slug: str) -> None:
    report = diagnose(make_analysis({"loudness.integrated_lufs": lufs}), genre=POP, stage=FeedbackType.MASTERING)
    finding = next(f for f in report.findings if f.id == slug)
    assert finding.measured[0].value == lufs and finding.target is not None
    assert (finding.target.low, finding.target.high) == (-11, -7)
    assert finding.severity is Severity.MAJOR


def test_diagnose_genre_changes_the_verdict() -> None:
    quiet = make_analysis({"loudness.integrated_lufs": -16.0, "dynamics.plr_db": 14.0})
    assert "loudness.too_quiet" in _ids(
        diagnose(quiet, genre=match_genre("pop"), stage=FeedbackType.MASTERING).findings
    )
    jazz = diagnose(quiet, genre=match_genre("jazz"), stage=FeedbackType.MASTERING).findings
    assert "loudness.too_quiet" not in _ids(jazz)


def test_diagnose_true_peak_severity_rises_in_master_review() -> None:
    hot = make_analysis({"loudness.true_peak_dbtp": 0.4})
    mastering = next(f for f in diagnose(hot, genre=POP, stage=FeedbackType.MASTERING).findings if f.area == "clipping")
    review = next(
        f for f in diagnose(hot, genre=POP, stage=FeedbackType.MASTER_REVIEW).findings if f.area == "clipping"
    )
    assert (mastering.severity, review.severity) == (Severity.MAJOR, Severity.CRITICAL)


def test_diagnose_band_time_ranges_come_from_sections() -> None:
    analysis = make_analysis(
        {"spectrum.band_levels_db": band_levels(sub=1.0), "sections.2.band_levels_db": band_levels(sub=2.0)}
    )
    finding = next(
        f for f in diagnose(analysis, genre=POP, stage=FeedbackType.MIXDOWN).findings if f.id == "tonal.sub_heavy"
    )
    assert [(t.start_s, t.end_s) for t in finding.time_ranges] == [(75.0, 120.0)]
    assert finding.area == "bass"


def test_diagnose_phase_problem_uses_correlation_timeline() -> None:
    analysis = make_analysis(
        {
            "stereo.correlation": -0.2,
            "stereo.correlation_timeline": {"times_s": [0.0, 10.0, 20.0], "values": [0.5, -0.4, 0.5]},
        }
    )
    finding = next(
        f for f in diagnose(analysis, genre=POP, stage=FeedbackType.MIXDOWN).findings if f.id == "stereo.phase"
    )
    assert finding.severity is Severity.MAJOR  # CRITICAL at master review, where it blocks delivery
    assert [(t.start_s, t.end_s) for t in finding.time_ranges] == [(10.0, 20.0)]


def test_diagnose_unknown_genre_uses_general_and_notes_it() -> None:
    report = diagnose(typical_analysis(), genre=match_genre("zydeco-grind"), stage=FeedbackType.MASTERING)
    assert report.genre.name == "general" and report.notes and "zydeco-grind" in report.notes[0]


def test_diagnose_reference_is_loudness_matched() -> None:
    track = typical_analysis()
    louder_same_mix = make_analysis({"loudness.integrated_lufs": -6.0, "loudness.true_peak_dbtp": 1.8})
    report = diagnose(track, genre=POP, stage=FeedbackType.MASTERING, reference=louder_same_mix)
    cmp = report.reference
    assert cmp is not None
    assert cmp.matched_gain_db == -3.0
    assert set(cmp.band_deltas_db.values()) == {0.0}  # same balance: loudness alone is no tonal difference
    assert cmp.true_peak_delta_db == 0.0
    assert not [f for f in report.findings if f.id.startswith("reference.")]


def test_diagnose_reference_deltas_per_band_width_and_low_end() -> None:
    ref = make_analysis(
        {"spectrum.band_levels_db": band_levels(sub=-5.0), "stereo.side_to_mid_db": -1.5,
         "bass.low_end_side_to_mid_db": -7.0, "dynamics.plr_db": 11.0, "loudness.loudness_range_lu": 8.0}
    )  # fmt: skip
    report = diagnose(typical_analysis(), genre=POP, stage=FeedbackType.MASTERING, reference=ref)
    cmp = report.reference
    assert cmp is not None
    # width in side-to-mid dB (track -5.5, low end -14.0): bounded, and negative means the track is narrower
    assert cmp.band_deltas_db["sub"] == -4.5 and cmp.side_to_mid_delta_db == -4.0
    assert (cmp.plr_delta_db, cmp.lra_delta_lu, cmp.low_end_side_to_mid_delta_db) == (-3.2, -2.8, -7.0)
    width = next(f for f in report.findings if f.id == "reference.side_to_mid_delta_db")
    assert width.measured[0].unit == "dB" and width.measured[0].value == -4.0


def test_reference_width_falls_back_to_percentages_as_db_and_ignores_small_differences() -> None:
    old = {"stereo.side_to_mid_db": None, "bass.low_end_side_to_mid_db": None}
    track = make_analysis({**old, "stereo.width_pct": 100.0, "bass.low_end_width_pct": 10.0})
    ref = make_analysis({**old, "stereo.width_pct": 10.0, "bass.low_end_width_pct": 5.0})
    report = diagnose(track, genre=POP, stage=FeedbackType.MASTERING, reference=ref)
    assert report.reference is not None
    assert report.reference.side_to_mid_delta_db == 10.0  # 0 dB against -10 dB
    assert report.reference.low_end_side_to_mid_delta_db == 3.01  # -10 dB against -13 dB: just past 3 dB
    ids = {f.id for f in report.findings}
    assert {"reference.side_to_mid_delta_db", "reference.low_end_side_to_mid_delta_db"} <= ids
    near = diagnose(track, genre=POP, stage=FeedbackType.MASTERING, reference=track)
    assert not {f.id for f in near.findings} & {
        "reference.side_to_mid_delta_db",
        "reference.low_end_side_to_mid_delta_db",
    }


def test_finding_round_trips_through_json() -> None:
    for finding in diagnose(problem_mix(), genre=POP, stage=FeedbackType.MIXDOWN).findings:
        assert Finding.from_dict(finding.to_dict()) == finding


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(-9.04, "LUFS", "-9.0 LUFS"), (2500.0, "Hz", "2.5 kHz"), (312.4, "Hz", "312 Hz"), (27.6, "%", "28%"),
     (-0.04, "dB", "0.0 dB"), (0.413, "", "0.41")],
)  # fmt: skip
def test_fmt_rounds_like_the_meters(value: float, unit: str, text: str) -> None:
    assert fmt(value, unit) == text


def test_fmt_time_is_minutes_seconds() -> None:
    assert (fmt_time(92.4), fmt_time(5.0), fmt_time(3600.0)) == ("1:32", "0:05", "60:00")


def test_clipping_finding_covers_the_whole_track_with_a_count_and_a_display_cap() -> None:
    spans = [{"start_s": 10.0 * i, "end_s": 10.0 * i + 2.0, "count": 5} for i in range(30)]
    clipped = make_analysis({"clipping.clip_runs": 150, "clipping.clipped_samples": 600, "clipping.clip_spans": spans})
    finding = next(
        f for f in diagnose(clipped, genre=POP, stage=FeedbackType.MASTER_REVIEW).findings
        if f.id == "clipping.clipped_samples"
    )  # fmt: skip
    assert finding.event_count == 150
    assert len(finding.time_ranges) == 20 and finding.more_spans == 10
    assert finding.time_ranges[-1].start_s == 190.0
    from services.coaching.prompts.data import finding_line

    assert "and 26 more." in finding_line(1, finding)  # 4 shown of 30


def test_spans_display_as_a_point_when_both_ends_round_to_the_same_second() -> None:
    from services.diagnosis import fmt_span

    assert fmt_span(23.0, 23.1) == "0:23"
    assert fmt_span(23.0, 31.0) == "0:23-0:31"


def test_loudness_jumps_are_found_where_they_happen_with_a_count() -> None:
    times = [float(t) for t in range(60)]
    values = [-20.0] * 20 + [-12.0] * 20 + [-20.0] * 20  # up at 20 s, down at 40 s
    jumpy = make_analysis({"loudness.short_term_timeline": {"times_s": times, "values": values}})
    finding = next(
        f for f in diagnose(jumpy, genre=POP, stage=FeedbackType.MASTERING).findings if f.id == "loudness.jumps"
    )
    assert finding.event_count == 2 and finding.severity is Severity.INFO
    assert [(t.start_s, t.end_s) for t in finding.time_ranges] == [(19.0, 20.0), (39.0, 40.0)]
    smooth = [-20.0 + 0.2 * i for i in range(60)]
    calm = make_analysis({"loudness.short_term_timeline": {"times_s": times, "values": smooth}})
    assert "loudness.jumps" not in _ids(diagnose(calm, genre=POP, stage=FeedbackType.MASTERING).findings)
    small = make_analysis({"loudness.short_term_timeline": {"times_s": times, "values": [-20.0] * 30 + [-16.0] * 30}})
    assert "loudness.jumps" not in _ids(diagnose(small, genre=POP, stage=FeedbackType.MASTERING).findings)


def test_the_report_carries_the_sections_labelled_for_the_genre_form() -> None:
    """A song keeps its verses and choruses; a through-composed piece has parts, never a chorus."""
    spans = [(0.0, 60.0), (60.0, 90.0), (90.0, 150.0), (150.0, 180.0)]
    pop = diagnose(timed_mix(), genre=match_genre("pop"), stage=FeedbackType.MIXDOWN).sections
    assert [(s.label, s.start_s, s.end_s) for s in pop] == [
        (label, a, b) for label, (a, b) in zip(["verse", "chorus", "verse", "chorus"], spans, strict=True)]  # fmt: skip
    classical = diagnose(timed_mix(), genre=match_genre("classical"), stage=FeedbackType.MIXDOWN).sections
    assert [s.label for s in classical] == ["part A", "part B", "part A", "part C"]
