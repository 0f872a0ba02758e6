"""``bass.uneven_low_end`` fires on bar-to-bar jumps of the low end, never on the arrangement's breakdowns."""

from __future__ import annotations

from services.diagnosis import diagnose
from services.diagnosis.bass import LOW_END_JUMPS_DB
from services.diagnosis.finding import Finding, Severity
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import make_analysis


def _ids(overrides: dict[str, object]) -> dict[str, Finding]:
    report = diagnose(make_analysis(overrides), genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    return {f.id: f for f in report.findings}


def test_jumps_above_the_corpus_threshold_fire_with_the_figure() -> None:
    found = _ids({"bass.low_end_jumps_db": LOW_END_JUMPS_DB + 0.5})
    finding = found["bass.uneven_low_end"]
    assert finding.severity is Severity.MINOR
    assert [m.value for m in finding.measured] == [LOW_END_JUMPS_DB + 0.5]


def test_jumps_at_or_under_the_threshold_do_not() -> None:
    assert "bass.uneven_low_end" not in _ids({"bass.low_end_jumps_db": LOW_END_JUMPS_DB})
    assert "bass.uneven_low_end" not in _ids({"bass.low_end_jumps_db": 0.2})


def test_a_breakdown_alone_is_not_a_jumping_low_end() -> None:
    """A 15 LU absolute spread of the low band (the old rule's input) with steady bar-to-bar jumps: no finding."""
    assert "bass.uneven_low_end" not in _ids({"bass.low_end_consistency_lu": 15.0, "bass.low_end_jumps_db": 2.0})


def test_the_jumps_finding_states_its_limit_and_is_judged_on_mono_files_too() -> None:
    """Mono and dual-mono files skip the width rules, not this one: a jumping low end is heard in mono as well."""
    for flag in ("qc.is_mono_file", "qc.is_dual_mono"):
        assert "bass.uneven_low_end" not in _ids({flag: True, "bass.low_end_jumps_db": LOW_END_JUMPS_DB})
        finding = _ids({flag: True, "bass.low_end_jumps_db": LOW_END_JUMPS_DB + 0.1})["bass.uneven_low_end"]
        assert finding.target is not None and (finding.target.low, finding.target.high) == (None, LOW_END_JUMPS_DB)
        assert finding.target.unit == "dB" and finding.measured[0].unit == "dB"
        assert finding.evidence == ("bass.low_end_jumps_db",)
