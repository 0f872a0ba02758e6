"""A time range sent with a question reaches the model in the question itself, in m:ss and in seconds."""

from __future__ import annotations

from services.coaching.prompts import Conversation, Facts, build_followup_prompt
from services.diagnosis import diagnose
from services.domain import FeedbackProfile, FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import timed_mix


def _facts() -> Facts:
    a = timed_mix()
    return Facts(a, diagnose(a, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN), FeedbackProfile.PRO)


def test_followup_question_carries_the_selected_range() -> None:
    convo = Conversation("(feedback)", None, (), "is this part too loud?", time_range=(150.0, 172.5))
    last = build_followup_prompt(_facts(), convo, budget_tokens=6000).messages[-1]
    assert last.role == "user" and last.content.startswith("is this part too loud?")
    assert "2:30-2:52" in last.content and "start_s=150, end_s=172.5" in last.content


def test_followup_question_without_a_range_is_sent_as_asked() -> None:
    convo = Conversation("(feedback)", None, (), "is it too loud?")
    assert build_followup_prompt(_facts(), convo, budget_tokens=6000).messages[-1].content == "is it too loud?"
