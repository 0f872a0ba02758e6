"""compare_versions on known analyses: findings sorted by id into resolved / new / still there, figures and band
and section deltas as after minus before, and a version compared with itself changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.analysis.result import BandValue, Section
from services.diagnosis import diagnose
from services.diagnosis.context import BAND_LABELS, band_value
from services.diagnosis.versions import VersionComparison, compare_versions, figure_changes, section_deltas
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import problem_mix, typical_analysis


def _compare(before_is_problem: bool = True) -> VersionComparison:
    problem, typical = problem_mix(), typical_analysis()
    before, after = (problem, typical) if before_is_problem else (typical, problem)
    pop = match_genre("pop")
    return compare_versions(
        before=before,
        after=after,
        before_report=diagnose(before, genre=pop, stage=FeedbackType.MIXDOWN),
        after_report=diagnose(after, genre=pop, stage=FeedbackType.MIXDOWN),
    )


def test_compare_versions_sorts_findings_by_id() -> None:
    pop = match_genre("pop")
    before = {f.id for f in diagnose(problem_mix(), genre=pop, stage=FeedbackType.MIXDOWN).findings}
    after = {f.id for f in diagnose(typical_analysis(), genre=pop, stage=FeedbackType.MIXDOWN).findings}
    cmp = _compare()
    assert {f.id for f in cmp.resolved} == before - after and cmp.resolved
    assert {f.id for f in cmp.new} == after - before
    assert {c.after.id for c in cmp.still} == before & after
    assert all(c.before.id == c.after.id for c in cmp.still)
    backwards = _compare(before_is_problem=False)
    assert {f.id for f in backwards.new} == {f.id for f in cmp.resolved}, "v1 → v2 reversed swaps resolved and new"


def test_compare_versions_deltas_are_after_minus_before() -> None:
    before, after = problem_mix(), typical_analysis()
    cmp = _compare()
    loudness = next(f for f in cmp.figures if f.key == "loudness.integrated_lufs")
    assert (loudness.before, loudness.after) == (before.loudness.integrated_lufs, after.loudness.integrated_lufs)
    assert loudness.delta == pytest.approx(round(loudness.after - loudness.before, 2))  # type: ignore[operator]
    for band, delta in cmp.band_deltas_db.items():
        was = band_value(before.spectrum.band_levels_db, band)
        now = band_value(after.spectrum.band_levels_db, band)
        assert delta == pytest.approx(round(now - was, 2))  # type: ignore[operator]
    assert len(cmp.sections) == min(len(before.sections), len(after.sections))


def test_a_version_compared_with_itself_changes_nothing() -> None:
    mix = problem_mix()
    report = diagnose(mix, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    cmp = compare_versions(before=mix, after=mix, before_report=report, after_report=report)
    assert cmp.resolved == [] and cmp.new == [] and len(cmp.still) == len(report.findings)
    assert all(f.delta in (0, None) for f in cmp.figures)
    assert all(d == 0 for d in cmp.band_deltas_db.values())
    assert all(s.loudness_delta_lu in (0, None) for s in cmp.sections)


def _section(index: int, label: str, start: float, loudness: float | None, width: float | None,
             bands: dict[str, float | None]) -> Section:  # fmt: skip
    return Section(
        index=index,
        label=label,
        start_s=start,
        end_s=start + 10.0,
        loudness_lufs=loudness,
        width_pct=None,
        side_to_mid_db=width,
        band_levels_db=[BandValue(band=b, value=v) for b, v in bands.items()],
    )


def test_each_figure_carries_its_label_and_unit() -> None:
    figures = {f.key: f for f in figure_changes(problem_mix(), typical_analysis())}
    assert (figures["loudness.integrated_lufs"].label, figures["loudness.integrated_lufs"].unit) == (
        "Integrated loudness",
        "LUFS",
    )
    assert (figures["loudness.true_peak_dbtp"].label, figures["loudness.true_peak_dbtp"].unit) == ("True peak", "dBTP")
    assert figures["clipping.clip_runs"].unit == "count"


def test_a_delta_needs_both_figures_and_is_rounded_to_a_hundredth() -> None:
    old = _section(0, "verse", 0.0, None, -10.0, {"sub": -20.0})
    new = _section(0, "verse", 0.0, -9.0, -9.4567, {"sub": None})
    (delta,) = section_deltas([old], [new])
    assert delta.loudness_delta_lu is None, "the old version has no loudness there"
    assert delta.side_to_mid_delta_db == 0.54
    assert delta.band_deltas_db == {}, "a band missing in either version has no delta"
    (back,) = section_deltas([new], [old])
    assert back.loudness_delta_lu is None and back.band_deltas_db == {}


def test_section_deltas_take_the_new_versions_section_and_drop_extra_ones() -> None:
    old = [_section(0, "intro", 0.0, -12.0, -11.0, {"sub": -20.0, "bass": -10.0}),
           _section(1, "verse", 10.0, -10.0, -10.0, {"sub": -20.0})]  # fmt: skip
    new = [_section(3, "part A", 2.5, -11.0, -12.5, {"sub": -18.75, "bass": -11.0})]
    (delta,) = section_deltas(old, new)
    assert (delta.index, delta.label, delta.start_s, delta.end_s) == (3, "part A", 2.5, 12.5)
    assert delta.loudness_delta_lu == 1.0
    assert delta.side_to_mid_delta_db == -1.5
    assert delta.band_deltas_db == {"sub": 1.25, "bass": -1.0}
    assert len(section_deltas(new, old)) == 1


def test_sections_come_from_the_analyses_when_the_reports_have_none() -> None:
    before, after = problem_mix(), typical_analysis()
    pop = match_genre("pop")
    old = replace(diagnose(before, genre=pop, stage=FeedbackType.MIXDOWN), sections=[])
    new = replace(diagnose(after, genre=pop, stage=FeedbackType.MIXDOWN), sections=[])
    cmp = compare_versions(before=before, after=after, before_report=old, after_report=new)
    assert before.sections and len(cmp.sections) == min(len(before.sections), len(after.sections))
    assert (cmp.before_version, cmp.after_version) == (1, 2)
    numbered = compare_versions(before=before, after=after, before_report=old, after_report=new, before_version=3,
                                after_version=5)  # fmt: skip
    assert (numbered.before_version, numbered.after_version) == (3, 5)


def test_band_deltas_name_every_band_both_versions_have() -> None:
    before, after = problem_mix(), typical_analysis()
    deltas = compare_versions(
        before=before,
        after=after,
        before_report=diagnose(before, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN),
        after_report=diagnose(after, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN),
    ).band_deltas_db
    both = [b for b in BAND_LABELS if band_value(before.spectrum.band_levels_db, b) is not None
            and band_value(after.spectrum.band_levels_db, b) is not None]  # fmt: skip
    assert both and list(deltas) == both
    assert any(d != 0 for d in deltas.values())
