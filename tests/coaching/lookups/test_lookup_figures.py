"""Lookups over a mix with known figures at known times: each number is checked against the data it came from."""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.analysis.result import Analysis
from services.coaching.lookups import (
    band_over_time,
    findings_overview,
    measurement,
    reference_comparison,
    section_figures,
    span_figures,
)
from services.diagnosis import diagnose
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import timed_mix, typical_analysis


def _energy_mean(values: list[float]) -> float:
    return round(10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values)), 1)


def _timeline(a: Analysis, start: float, end: float) -> list[float]:
    tl = a.loudness.short_term_timeline
    return [v for t, v in zip(tl.times_s, tl.values, strict=True) if v is not None and start <= t <= end]


def test_span_figures_read_loudness_events_and_sections_inside_the_span() -> None:
    a = timed_mix()
    d = span_figures(a, start_s=158.0, end_s=166.0)
    loud = d["short_term_loudness"]
    assert isinstance(loud, dict)
    values = _timeline(a, 158.0, 166.0)
    assert loud["mean_lufs"] == _energy_mean(values)
    assert loud["max_lufs"] == max(values) and loud["min_lufs"] == min(values)
    assert loud["mean_minus_track_db"] == round(_energy_mean(values) - (-9.6), 1) > 0
    events = d["events"]
    assert isinstance(events, dict)
    assert events["clip_runs"] == 3 and events["clip_times_s"] == [161.2, 162.1, 162.4]
    assert events["true_peak_overs"] == 1 and events["max_over_dbtp"] == 0.4  # the 2:55 over is outside
    sections = d["sections"]
    assert isinstance(sections, list) and [s["name"] for s in sections] == ["chorus 2"]
    assert sections[0]["band_levels_db"]["sub"] == -3.5


def test_span_figures_in_a_quiet_verse_differ_from_the_chorus() -> None:
    a = timed_mix()
    verse = span_figures(a, start_s=20.0, end_s=30.0)
    chorus = span_figures(a, start_s=160.0, end_s=170.0)
    v, c = verse["short_term_loudness"], chorus["short_term_loudness"]
    assert isinstance(v, dict) and isinstance(c, dict)
    assert float(str(v["mean_lufs"])) < float(str(c["mean_lufs"])) - 4
    assert verse["events"] == {
        "clip_runs": 0, "clip_times_s": [], "true_peak_overs": 0, "max_over_dbtp": None, "events_capped": False
    }  # fmt: skip
    assert verse["out_of_phase"] == []
    phase = span_figures(a, start_s=66.0, end_s=74.0)
    assert phase["out_of_phase"] == [{"start_s": 68.0, "end_s": 72.5}]
    corr = phase["correlation"]
    assert isinstance(corr, dict) and corr["min"] == 0.2


def test_span_shorter_than_the_point_spacing_takes_the_nearest_point() -> None:
    a = typical_analysis()  # points at 0, 60 and 120 s
    loud = span_figures(a, start_s=110.0, end_s=112.0)["short_term_loudness"]
    assert isinstance(loud, dict) and loud["mean_lufs"] == -8.0 and loud["points"] == 1


def test_band_over_time_follows_the_band_through_the_sections() -> None:
    d = band_over_time(timed_mix(), band="sub")
    rows = d["by_section"]
    assert isinstance(rows, list)
    assert [(r["name"], r["level_db"]) for r in rows] == [
        ("verse 1", -9.0), ("chorus 1", -8.0), ("verse 2", -9.5), ("chorus 2", -3.5)
    ]  # fmt: skip
    assert d["spread_db"] == 6.0 and d["low_hz"] == 20.0 and d["high_hz"] == 60.0
    assert d["track_level_db"] == -9.5 and d["track_share_pct"] == 14.0
    assert "error" in band_over_time(timed_mix(), band="lows")


def test_section_figures_number_repeated_labels() -> None:
    d = section_figures(timed_mix())
    sections = d["sections"]
    assert isinstance(sections, list)
    assert [s["name"] for s in sections] == ["verse 1", "chorus 1", "verse 2", "chorus 2"]
    assert [s["loudness_lufs"] for s in sections] == [-12.6, -7.6, -12.4, -7.2]


def test_reference_comparison_shows_both_tracks_and_matched_deltas() -> None:
    track, ref = timed_mix(), typical_analysis()
    d = reference_comparison(track, ref)
    assert d["track_integrated_lufs"] == -9.6 and d["reference_integrated_lufs"] == -9.0
    assert d["track_true_peak_dbtp"] == -1.2 and d["reference_true_peak_dbtp"] == -1.2
    assert d["matched_gain_db"] == -0.6
    deltas = d["band_deltas_db"]
    assert isinstance(deltas, dict) and deltas["sub"] == 0.0  # same relative band levels
    assert "error" in reference_comparison(track, None)


def test_measurement_reads_tempo_key_and_an_ambiguous_key() -> None:
    a = timed_mix()
    assert measurement(a, name="tempo")["tempo_bpm"] == 150.0
    key = measurement(a, name="key")
    assert key["key"] == "F major" and key["ambiguous"] is False
    ambiguous = a.model_copy(
        update={"musical": a.musical.model_copy(update={"key_ambiguous": True, "key_runner_up": "D minor"})}
    )
    key = measurement(ambiguous, name="key")
    assert key["ambiguous"] is True and key["runner_up"] == "D minor"
    assert "error" in measurement(a, name="weather")


def test_findings_overview_lists_findings_worst_first() -> None:
    a = timed_mix()
    report = diagnose(a, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    d = findings_overview(report)
    rows = d["findings"]
    assert isinstance(rows, list) and [r["id"] for r in rows] == [f.id for f in report.findings[:8]]
    assert d["stage"] == "MIXDOWN" and d["verdict"] is None


@dataclass(frozen=True)
class _Span:  # the shape of the merged event spans newer analyses keep (start_s, end_s, count)
    start_s: float
    end_s: float
    count: int


def test_newer_fields_are_read_when_present_sections_side_to_mid_and_event_spans() -> None:
    a = timed_mix()
    sections = [s.model_copy(update={"side_to_mid_db": -9.0 - s.index, "correlation": 0.5}) for s in a.sections]
    spans = [_Span(160.9, 162.5, 7), _Span(40.0, 40.1, 1)]
    clipping = a.clipping.model_copy(update={"clip_spans": spans, "over_spans": [_Span(162.0, 162.1, 4)]})
    newer = a.model_copy(update={"sections": sections, "clipping": clipping})
    d = span_figures(newer, start_s=158.0, end_s=166.0)
    events = d["events"]
    assert isinstance(events, dict) and events["clip_runs"] == 7 and events["true_peak_overs"] == 4
    rows = d["sections"]
    assert isinstance(rows, list) and rows[0]["side_to_mid_db"] == -12.0 and rows[0]["correlation"] == 0.5
    assert span_figures(a, start_s=158.0, end_s=166.0)["sections"][0]["side_to_mid_db"] is None  # type: ignore[index]
