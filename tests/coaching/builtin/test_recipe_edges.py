"""Advice edges the snapshot tests do not reach: the ceiling at each stage, the blocker fallback for reports stored
before the verdict existed, the low-end-vs-reference direction (side-to-mid dB), and question words at the ends of
their patterns."""

from __future__ import annotations

from dataclasses import replace

from services.coaching.builtin.moves import fix_for, recipe_for
from services.coaching.builtin.plan import ROOT_CAUSE_MARK, _close_to_reference, _folded_ids, blockers
from services.coaching.builtin.recipe import Step, ceiling, range_text, where
from services.coaching.lookups import understand
from services.diagnosis import Finding, FindingReport, Measure, ReferenceComparison, Severity, TimeSpan, diagnose
from services.diagnosis.reference import _WIDTH_DB, reference_findings
from services.domain import FeedbackProfile, FeedbackType
from services.genres import Range, match_genre, stage_rules
from tests.fakes.analysis_data import make_analysis, timed_mix


def _finding(slug: str, severity: Severity, value: float = 0.0) -> Finding:
    return Finding(id=slug, area=slug.split(".")[0], severity=severity, title=slug, detail="",
                   measured=(Measure(key=slug, label=slug, value=value, unit="%"),))  # fmt: skip


def test_the_ceiling_is_the_stage_rule_and_minus_one_dbtp_where_the_stage_has_none() -> None:
    assert stage_rules(FeedbackType.MIXDOWN).true_peak_max_dbtp is None
    assert ceiling(FeedbackType.MIXDOWN) == "-1.0 dBTP"
    master = stage_rules(FeedbackType.MASTERING).true_peak_max_dbtp
    assert master is not None and ceiling(FeedbackType.MASTERING) == f"{master:.1f} dBTP"


def test_blockers_without_a_verdict_are_delivery_defects_and_a_seriously_quiet_master() -> None:
    findings = [_finding("clipping.true_peak_over", Severity.MINOR), _finding("loudness.too_quiet", Severity.MAJOR),
                _finding("tonal.sub_heavy", Severity.CRITICAL), _finding("qc.dc_offset", Severity.MINOR)]  # fmt: skip
    report = FindingReport(genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW, findings=findings)
    assert [f.id for f in blockers(report)] == ["clipping.true_peak_over", "loudness.too_quiet", "qc.dc_offset"]
    mild = [_finding("loudness.too_quiet", Severity.MINOR)]
    assert blockers(FindingReport(genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW, findings=mild)) == []


def _low_end_vs_reference(delta_db: float | None) -> list[Finding]:
    cmp = ReferenceComparison(matched_gain_db=0.0, loudness_delta_lu=0.0, band_deltas_db={}, side_to_mid_delta_db=None,
                              plr_delta_db=None, lra_delta_lu=None, low_end_side_to_mid_delta_db=delta_db,
                              low_end_correlation_delta=None, true_peak_delta_db=None)  # fmt: skip
    return reference_findings(cmp)


def test_low_end_width_against_the_reference_lowers_or_raises_the_side() -> None:
    """A wider low end than the reference (positive side-to-mid delta) lowers the side, a narrower one raises it."""
    limit = _WIDTH_DB  # side-to-mid dB from which a width difference is heard
    assert _low_end_vs_reference(limit - 0.1) == [] and _low_end_vs_reference(-limit + 0.1) == []
    (wider,) = _low_end_vs_reference(limit)
    (narrower,) = _low_end_vs_reference(-limit)
    assert wider.id == narrower.id == "reference.low_end_side_to_mid_delta_db"
    assert wider.measured[0].unit == "dB" and wider.measured[0].value == limit
    for stage, bus in ((FeedbackType.MIXDOWN, "bass bus"), (FeedbackType.MASTERING, "stereo bus")):
        lower, raise_ = fix_for(wider, FeedbackProfile.PRO, stage), fix_for(narrower, FeedbackProfile.PRO, stage)
        assert lower.startswith("Lower the side below 120 Hz") and raise_.startswith("Raise the side below 120 Hz")
        assert bus in lower and bus in raise_


def test_reference_words_at_either_end_of_the_pattern_and_named_parts() -> None:
    assert understand("what about the reference?", analysis=timed_mix()).reference
    assert understand("mine versus theirs", analysis=timed_mix()).reference
    parts = make_analysis({"sections.0.label": "part A", "sections.1.label": "part B"})
    q = understand("how does part b sound?", analysis=parts)
    assert q.moment is not None and (q.moment.start_s, q.moment.end_s) == (30.0, 75.0)


def test_a_loose_low_end_with_negative_correlation_gets_polarity_advice_never_mono() -> None:
    found = diagnose(make_analysis({"bass.low_end_correlation": -0.1}), genre=match_genre("pop"),
                     stage=FeedbackType.MASTERING).findings  # fmt: skip
    loose = next(f for f in found if f.id == "bass.wide_low_end")
    for stage in (FeedbackType.MIXDOWN, FeedbackType.MASTERING):
        advice = fix_for(loose, FeedbackProfile.PRO, stage).lower()
        assert "polarity" in advice and "side high-pass" not in advice


def test_range_text_states_the_bounds_the_target_has() -> None:
    def text(low: float | None, high: float | None, unit: str = "dBTP") -> str:
        f = _finding("clipping.true_peak_over", Severity.MINOR)
        return range_text(replace(f, target=Range(low=low, high=high, unit=unit)))

    assert text(None, -1.0) == "at most -1.0 dBTP"
    assert text(-40.0, None, "dB") == "at least -40.0 dB"
    assert text(-11.0, -7.0, "LUFS") == "-11.0 LUFS to -7.0 LUFS"
    assert text(None, None) == "" and range_text(_finding("qc.x", Severity.MINOR)) == ""


def test_a_note_is_kept_as_it_is_with_nothing_to_check() -> None:
    jumps = _finding("loudness.jumps", Severity.INFO)
    recipe = recipe_for(jumps, FeedbackType.MASTERING)
    assert (recipe.step, recipe.subject, recipe.direction, recipe.verify, recipe.ok) == (
        Step.DYNAMICS, "loudness.jumps", "keep", "Nothing to check.", True)  # fmt: skip
    assert recipe.voice[FeedbackProfile.SIMPLE].startswith("If the jumps are not the arrangement")


def test_one_heavy_band_that_explains_the_rest_folds_the_thin_ones_into_it() -> None:
    cause = replace(_finding("tonal.sub_heavy", Severity.MAJOR), detail=f"... {ROOT_CAUSE_MARK}.")
    thin = _finding("tonal.air_light", Severity.MINOR)
    assert _folded_ids([cause, thin], {}) == {"tonal.air_light": "tonal.sub_heavy"}
    plain = replace(cause, detail="no root cause here")
    assert _folded_ids([plain, thin], {}) == {}


def test_the_reference_outranks_genre_band_findings_only() -> None:
    findings = [_finding("tonal.mid_heavy", Severity.MAJOR), _finding("tonal.air_light", Severity.MINOR),
                _finding("tonal.resonance_312hz", Severity.MINOR),
                _finding("reference.mid", Severity.MAJOR, 3.0)]  # fmt: skip
    cmp = ReferenceComparison(matched_gain_db=0.0, loudness_delta_lu=0.0, band_deltas_db={"mid": 3.0, "air": -0.5},
                              side_to_mid_delta_db=None, plr_delta_db=None, lra_delta_lu=None,
                              low_end_side_to_mid_delta_db=None,
                              low_end_correlation_delta=None, true_peak_delta_db=None)  # fmt: skip
    report = FindingReport(genre=match_genre("pop"), stage=FeedbackType.MIXDOWN, findings=findings, reference=cmp)
    assert _close_to_reference(report) == {"tonal.mid_heavy": "reference.mid", "tonal.air_light": "reference"}


def test_a_finding_no_recipe_knows_gets_the_listening_note() -> None:
    odd = _finding("mystery.thing", Severity.MINOR)
    recipe = recipe_for(odd, FeedbackType.MIXDOWN)
    assert recipe.voice[FeedbackProfile.PRO] == "Listen to it and adjust by ear." and recipe.ok


def test_where_counts_the_spans_not_shown() -> None:
    spans = tuple(TimeSpan(start_s=10.0 * i, end_s=10.0 * i + 5.0) for i in range(4))
    f = replace(_finding("clipping.clipped_samples", Severity.MAJOR), time_ranges=spans, more_spans=2)
    assert where(f) == " (around 0:00-0:05, 0:10-0:15, 0:20-0:25 and 3 more)"
