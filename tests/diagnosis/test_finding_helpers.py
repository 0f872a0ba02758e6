"""The helpers every rule shares: span merging and capping, severity grading, stage targets, display rounding, order.

These decide the numbers and the times a user reads, so each boundary is pinned (a gap equal to the merge gap
merges, a distance equal to the MAJOR limit is MAJOR, 20 spans are kept and the rest counted).
"""

from __future__ import annotations

import pytest

from services.analysis.result import EventSpan
from services.diagnosis import Severity, diagnose, fmt, fmt_spans, fmt_time, rounded, stage_targets
from services.diagnosis import context as cx
from services.diagnosis.finding import MAX_SPANS, Finding, TimeSpan
from services.domain import FeedbackType
from services.genres import Range, match_genre, stage_rules
from tests.fakes.analysis_data import make_analysis

POP = match_genre("pop")


def _spans(*pairs: tuple[float, float]) -> list[TimeSpan]:
    return [TimeSpan(start_s=a, end_s=b) for a, b in pairs]


def test_merge_spans_joins_overlaps_and_gaps_up_to_the_gap_and_sorts() -> None:
    merged = cx.merge_spans(_spans((10.0, 12.0), (0.0, 2.0), (2.5, 3.0), (12.0, 11.0), (3.6, 4.0)), gap_s=0.5)
    assert merged == tuple(_spans((0.0, 3.0), (3.6, 4.0), (10.0, 12.0)))
    assert cx.merge_spans([], gap_s=1.0) == ()
    # a stretch that rounded to one instant still lasts a tenth of a second (never "0:23-0:23")
    assert cx.merge_spans(_spans((23.0, 23.0)), gap_s=0.5) == tuple(_spans((23.0, 23.1)))


def test_capped_spans_keep_max_spans_and_count_the_rest() -> None:
    many = tuple(_spans(*[(float(i), float(i) + 0.5) for i in range(MAX_SPANS + 3)]))
    kept, more = cx.capped_spans(many)
    assert len(kept) == MAX_SPANS and kept[-1].start_s == MAX_SPANS - 1 and more == 3
    assert cx.capped_spans(many[:MAX_SPANS]) == (many[:MAX_SPANS], 0)


def test_event_spans_are_at_least_a_tenth_of_a_second_and_fall_back_to_the_event_list() -> None:
    spans = [EventSpan(start_s=5.34, end_s=5.34, count=1), EventSpan(start_s=8.34, end_s=9.26, count=4)]
    got, more = cx.event_time_spans(spans, legacy=[(1.0, 1.1)])
    assert [(t.start_s, t.end_s) for t in got] == [(5.3, 5.4), (8.3, 9.3)] and more == 0  # 5.4, not 5.3999...
    assert cx.event_time_spans([], legacy=[(1.04, 1.16), (1.5, 1.6), (3.04, 3.16)]) == (
        tuple(_spans((1.0, 1.6), (3.0, 3.2))),
        0,
    )


@pytest.mark.parametrize(
    ("distance", "level"), [(0.0, 1), (-0.9, 1), (1.0, 1), (2.99, 1), (3.0, 2), (-3.0, 2), (-7.0, 2)]
)
def test_severity_for_grades_the_distance_either_side(distance: float, level: int) -> None:
    assert cx.severity_for(distance, minor=0.0, major=3.0) == level
    assert cx.severity_for(0.4, minor=0.5, major=3.0) == 0 and cx.severity_for(-0.5, minor=0.5, major=3.0) == 1


def test_sections_where_takes_the_side_asked_for() -> None:
    analysis = make_analysis({"sections.1.loudness_lufs": None, "sections.2.start_s": 75.34, "sections.2.end_s": 120.34,
                              "sections.3.start_s": 120.5, "sections.3.loudness_lufs": -8.0})  # fmt: skip
    rng = Range(low=-11.5, high=-10.5, unit="LUFS")  # sections at -12.5, (none), -8.0, -11.0
    above = cx.sections_where(analysis.sections, value_of=lambda s: s.loudness_lufs, outside=rng, above=True)
    below = cx.sections_where(analysis.sections, value_of=lambda s: s.loudness_lufs, outside=rng, above=False)
    assert above == tuple(_spans((75.3, 120.3), (120.5, 180.0)))
    assert below == tuple(_spans((0.0, 30.0)))


def test_stage_targets_shift_dynamics_for_a_mix_and_keep_the_master_window() -> None:
    base = POP.genre.targets
    mix = stage_targets(POP, FeedbackType.MIXDOWN)
    rules = stage_rules(FeedbackType.MIXDOWN)
    assert rules.plr_offset_db != 0 and rules.loudness_range_offset_lu != 0
    assert base.plr_db.low is not None and base.plr_db.high is not None
    assert (mix.plr_db.low, mix.plr_db.high) == (base.plr_db.low + rules.plr_offset_db,
                                                 base.plr_db.high + rules.plr_offset_db)  # fmt: skip
    assert base.loudness_range_lu.low is not None
    assert mix.loudness_range_lu.low == base.loudness_range_lu.low + rules.loudness_range_offset_lu
    assert mix.integrated_lufs == rules.integrated_lufs
    master = stage_targets(POP, FeedbackType.MASTERING)
    assert master.integrated_lufs == base.integrated_lufs and master.plr_db == base.plr_db
    assert cx._shift(Range(low=None, high=2.0, unit="dB"), 1.0) == Range(low=None, high=3.0, unit="dB")
    assert cx._shift(Range(low=1.0, high=None, unit="dB"), -1.0) == Range(low=0.0, high=None, unit="dB")


def test_context_knows_master_and_review_stages() -> None:
    analysis = make_analysis()
    kinds = {s: cx.make_context(analysis, genre=POP, stage=s) for s in FeedbackType}
    assert [(k.is_master, k.is_review) for k in kinds.values()] == [(False, False), (True, False), (True, True)]
    assert kinds[FeedbackType.MIXDOWN].rules == stage_rules(FeedbackType.MIXDOWN)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(999.6, "Hz", "1000 Hz"), (1000.0, "Hz", "1.0 kHz"), (-1500.0, "Hz", "-1.5 kHz"), (3.0, "count", "3"),
     (2.25, "/s", "2.2/s"), (-0.004, "", "0.00"), (-0.04, "LU", "0.0 LU"), (-0.4, "%", "0%"), (7.0, "dB", "7.0 dB"),
     (12.34, "s", "12.3 s"), (121.6, "BPM", "122 BPM"), (1.25, "x", "1.2 x")],
)  # fmt: skip
def test_fmt_shows_each_unit_at_its_precision(value: float, unit: str, text: str) -> None:
    assert fmt(value, unit) == text


def test_rounded_matches_what_fmt_shows() -> None:
    assert (rounded(1.26, "dB"), rounded(1.264, ""), rounded(440.4, "Hz"), rounded(1.26, "unknown")) == (
        1.3, 1.26, 440.0, 1.3)  # fmt: skip


def test_fmt_time_and_spans_round_to_seconds_and_count_the_rest() -> None:
    assert (fmt_time(59.5), fmt_time(-3.0), fmt_time(61.0)) == ("1:00", "0:00", "1:01")
    spans = tuple(_spans((0.0, 10.0), (20.0, 20.2), (30.0, 40.0), (50.0, 60.0)))
    assert fmt_spans(spans) == "0:00-0:10, 0:20, 0:30-0:40 and 1 more"
    assert fmt_spans(spans, limit=4) == "0:00-0:10, 0:20, 0:30-0:40, 0:50-1:00"
    assert fmt_spans(spans[:1], more=2) == "0:00-0:10 and 2 more"


def test_findings_are_ordered_by_severity_then_area_then_rule_order() -> None:
    report = diagnose(
        make_analysis({"stereo.balance_db": 2.0, "qc.dc_offset_pct": [0.5, 0.0], "dynamics.plr_db": 20.0,
                       "loudness.integrated_lufs": -12.0, "loudness.true_peak_dbtp": -0.5}),
        genre=POP, stage=FeedbackType.MASTERING,
    )  # fmt: skip
    ordered = [(f.severity, f.area) for f in report.findings]
    ranks = [(list(Severity)[::-1].index(s), ("clipping", "loudness", "dynamics", "stereo", "qc").index(a))
             for s, a in ordered]  # fmt: skip
    assert ranks == sorted(ranks)
    assert [f.id for f in report.findings if f.severity is Severity.MINOR] == [
        "clipping.true_peak_over", "loudness.too_quiet", "stereo.balance", "qc.dc_offset"]  # fmt: skip
    assert report.findings[-1].severity is Severity.INFO


def test_the_report_carries_the_genre_note_and_a_verdict_only_at_review() -> None:
    report = diagnose(make_analysis(), genre=match_genre("zydeco"), stage=FeedbackType.MASTER_REVIEW)
    assert report.notes == [report.genre.note] and report.verdict is not None
    plain = diagnose(make_analysis(), genre=POP, stage=FeedbackType.MASTERING)
    assert plain.notes == [] and plain.verdict is None and plain.reference is None
    assert (plain.stage, report.stage, plain.genre) == (FeedbackType.MASTERING, FeedbackType.MASTER_REVIEW, POP)


def test_from_dict_reads_missing_optional_fields() -> None:
    raw = Finding(id="a.b", area="qc", severity=Severity.MINOR, title="t", detail="d", measured=()).to_dict()
    del raw["more_spans"], raw["event_count"]
    back = Finding.from_dict(raw)
    assert (back.more_spans, back.event_count, back.target) == (0, None, None)


def test_to_dict_names_every_field_and_round_trips_counts_and_spans() -> None:
    finding = Finding(id="clipping.clipped_samples", area="clipping", severity=Severity.MAJOR, title="t", detail="d",
                      measured=(), target=Range(low=None, high=-1.0, unit="dBTP"),
                      time_ranges=(TimeSpan(start_s=1.0, end_s=2.0),), evidence=("e",), event_count=5,
                      more_spans=3)  # fmt: skip
    raw = finding.to_dict()
    assert raw == {"id": "clipping.clipped_samples", "area": "clipping", "severity": "MAJOR", "title": "t",
                   "detail": "d", "measured": [], "target": {"low": None, "high": -1.0, "unit": "dBTP"},
                   "time_ranges": [{"start_s": 1.0, "end_s": 2.0}], "evidence": ["e"], "event_count": 5,
                   "more_spans": 3}  # fmt: skip
    assert Finding.from_dict(raw) == finding
