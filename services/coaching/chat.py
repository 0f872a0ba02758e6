"""Follow-up threads: what a follow-up prompt contains, and when a thread is due a summary.

A thread (a ``Thread`` row; clients know it by ``followup_group``, its FEEDBACK message) starts at a FEEDBACK
message. Each SUMMARY message condenses everything before it,
so a prompt carries the original feedback, the latest summary and only the turns after that summary: its size
stays bounded however long the thread grows.
"""

from __future__ import annotations

from services import domain
from services.coaching.prompts import Conversation, Turn
from services.errors import NotFound

_DONE = domain.MessageStatus.COMPLETE


def _latest_summary(messages: list[domain.Message], before_id: int) -> domain.Message | None:
    summaries = [m for m in messages if m.role is domain.MessageRole.SUMMARY and m.status is _DONE and m.id < before_id]
    return summaries[-1] if summaries else None


def _turns(messages: list[domain.Message], *, after_id: int, before_id: int) -> tuple[Turn, ...]:
    """Questions and completed answers strictly between two ids (failed answers are left out)."""
    turns: list[Turn] = []
    for m in messages:
        if not after_id < m.id < before_id or m.kind is not domain.MessageKind.FOLLOWUP:
            continue
        if m.role is domain.MessageRole.USER:
            turns.append(Turn("user", m.content))
        elif m.role is domain.MessageRole.ASSISTANT and m.status is _DONE:
            turns.append(Turn("assistant", m.content))
    return tuple(turns)


def question_for(messages: list[domain.Message], answer: domain.Message) -> domain.Message | None:
    """The USER question an assistant follow-up answers: the one its ``question_id`` points at."""
    return next((m for m in messages if m.id == answer.question_id), None)


def conversation_for_answer(
    messages: list[domain.Message], *, feedback: domain.Message, answer: domain.Message
) -> Conversation:
    """The conversation an answer is written from: feedback, latest summary, later turns, its question."""
    question = question_for(messages, answer)
    if question is None:
        raise NotFound(f"The question answered by message {answer.id} is missing.")
    summary = _latest_summary(messages, before_id=question.id)
    start = summary.id if summary is not None else feedback.id
    return Conversation(
        feedback=feedback.content,
        summary=None if summary is None else summary.content,
        turns=_turns(messages, after_id=start, before_id=question.id),
        question=question.content,
        time_range=None if question.time_range is None else (question.time_range.start_s, question.time_range.end_s),
    )


def conversation_for_summary(
    messages: list[domain.Message], *, feedback: domain.Message, summary_id: int
) -> Conversation:
    """The previous summary plus the turns since it, up to the new summary."""
    previous = _latest_summary(messages, before_id=summary_id)
    start = previous.id if previous is not None else feedback.id
    return Conversation(
        feedback=feedback.content,
        summary=None if previous is None else previous.content,
        turns=_turns(messages, after_id=start, before_id=summary_id),
        question="",
    )
