"""A model asked "did I fix what you flagged?" gets the version comparison as data: the CHANGES block lists the
findings resolved, still there and new, and the figures that moved; the offline engine reads the same comparison."""

from __future__ import annotations

from services.coaching.builtin.answers import answer_with_lookups
from services.coaching.generation import facts_from
from services.coaching.prompts import Conversation, build_followup_prompt
from services.diagnosis import diagnose
from services.diagnosis.versions import compare_versions
from services.domain import FeedbackProfile, FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import problem_mix, typical_analysis


def test_followup_prompt_carries_the_changes_since_the_previous_version() -> None:
    before, after = problem_mix(), typical_analysis()
    pop = match_genre("pop")
    cmp = compare_versions(
        before=before,
        after=after,
        before_report=diagnose(before, genre=pop, stage=FeedbackType.MIXDOWN),
        after_report=diagnose(after, genre=pop, stage=FeedbackType.MIXDOWN),
        before_version=1,
        after_version=2,
    )
    assert cmp.resolved, "the problem mix's findings should be gone from the typical one"
    facts = facts_from(after, genre="pop", stage=FeedbackType.MIXDOWN, profile=FeedbackProfile.DETAILED)
    facts = type(facts)(analysis=facts.analysis, report=facts.report, profile=facts.profile, versions=cmp)
    convo = Conversation(feedback="1. ...", summary=None, turns=(), question="Did I fix what you flagged?")
    prompt = build_followup_prompt(facts, convo, budget_tokens=6000)
    data = prompt.data_text
    assert "CHANGES SINCE VERSION 1 (same genre and stage)" in data
    assert all(f.title in data for f in cmp.resolved)
    assert "Integrated loudness:" in data
    text, calls = answer_with_lookups(facts, convo)
    assert [c.name for c in calls] == ["version_changes"]
    assert text.startswith("Version 2 against version 1") and cmp.resolved[0].title in text


def test_without_a_previous_version_the_prompt_has_no_changes_block() -> None:
    facts = facts_from(typical_analysis(), genre="pop", stage=FeedbackType.MIXDOWN, profile=FeedbackProfile.SIMPLE)
    convo = Conversation(feedback="1. ...", summary=None, turns=(), question="Did I fix it?")
    assert "CHANGES SINCE" not in build_followup_prompt(facts, convo, budget_tokens=6000).data_text
