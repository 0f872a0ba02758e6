"""Suggested questions: from the findings, worst first, never one already asked."""

from __future__ import annotations

from services.coaching.suggestions import suggested_questions
from services.diagnosis import Finding, diagnose
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.advice_cases import CASES
from tests.fakes.analysis_data import problem_mix, typical_analysis


def _findings(name: str) -> list[Finding]:
    case = next(c for c in CASES if c.name == name)
    return list(diagnose(case.analysis(), genre=match_genre("pop"), stage=case.stage).findings)


def test_questions_follow_the_findings() -> None:
    sub = suggested_questions(_findings("sub +12 dB"))
    assert sub[0] == "How many dB should I cut the sub, and where?"
    quiet = suggested_questions(_findings("-30 LUFS at master review"))
    assert quiet[0] == "How do I bring it up to the genre's loudness?"
    flipped = suggested_questions(_findings("flipped polarity below 150 Hz"))
    assert flipped[0].startswith("Which part of the low end is out of polarity")


def test_never_one_already_asked_and_never_a_duplicate() -> None:
    findings = diagnose(problem_mix(), genre=match_genre("pop"), stage=FeedbackType.MIXDOWN).findings
    first = suggested_questions(findings)
    assert len(first) == 4 and len(set(first)) == 4
    again = suggested_questions(findings, [first[0].lower().rstrip("?"), "  " + first[1].upper()])
    assert first[0] not in again and first[1] not in again and again[:2] == first[2:]
    everything = suggested_questions(findings, [], limit=50)
    assert suggested_questions(findings, everything) == []


def test_a_clean_track_still_gets_general_questions() -> None:
    findings = diagnose(typical_analysis(), genre=match_genre("pop"), stage=FeedbackType.MASTER_REVIEW).findings
    questions = suggested_questions(findings)
    assert "What should I fix first?" in questions or "What already works in this mix?" in questions
