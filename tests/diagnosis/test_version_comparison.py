"""compare_versions on known analyses: findings sorted by id into resolved / new / still there, figures and band
and section deltas as after minus before, and a version compared with itself changes nothing."""

from __future__ import annotations

import pytest

from services.diagnosis import diagnose
from services.diagnosis.context import band_value
from services.diagnosis.versions import VersionComparison, compare_versions
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
