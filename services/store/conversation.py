"""Writing the conversation: feedback, follow-up and summary messages, and the reads that build prompts.

Reads for clients go through ``services.store.messages`` (owner-scoped); these functions serve the generation
pipeline, which has already checked ownership when the message was created.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services import domain
from services.store.messages import message_not_found, to_domain
from services.store.models import MessageKind, MessageModel, MessageRole, MessageStatus, SessionModel


def _now() -> datetime:
    return datetime.now(UTC)


async def create_message(
    *,
    session_id: int,
    role: domain.MessageRole,
    kind: domain.MessageKind,
    status: domain.MessageStatus,
    content: str = "",
    track_id: int | None = None,
    reference_track_id: int | None = None,
    followup_group: int | None = None,
    feedback_type: domain.FeedbackType | None = None,
    profile: domain.FeedbackProfile | None = None,
    genre: str | None = None,
    findings: list[dict[str, object]] | None = None,
    engine: str | None = None,
    model: str | None = None,
    time_range: domain.TimeRange | None = None,
) -> domain.Message:
    row = await MessageModel.create(
        session_id=session_id,
        role=role,
        kind=kind,
        status=status,
        content=content,
        track_id=track_id,
        reference_track_id=reference_track_id,
        followup_group=followup_group,
        feedback_type=None if feedback_type is None else feedback_type.value,
        profile=None if profile is None else profile.value,
        genre=genre,
        findings=findings,
        engine=engine,
        model=model,
        time_range=None if time_range is None else {"start_s": time_range.start_s, "end_s": time_range.end_s},
    )
    return to_domain(row)


async def set_followup_group(message_id: int, group: int) -> domain.Message:
    await MessageModel.filter(id=message_id).update(followup_group=group, updated_at=_now())
    return await load_message(message_id)


async def find_message(message_id: int) -> domain.Message | None:
    row = await MessageModel.get_or_none(id=message_id)
    return None if row is None else to_domain(row)


async def load_message(message_id: int) -> domain.Message:
    found = await find_message(message_id)
    if found is None:
        raise message_not_found()
    return found


async def save_partial(message_id: int, content: str) -> None:
    """Flush the text so far; a crash then loses at most the text since the last flush.

    Raises ``NotFound`` when the message was deleted meanwhile, so its generation stops instead of writing on.
    """
    if not await MessageModel.filter(id=message_id).update(content=content, updated_at=_now()):
        raise message_not_found()


async def finish_message(
    *,
    message_id: int,
    content: str,
    status: domain.MessageStatus,
    usage: domain.Usage,
    grounding: dict[str, object] | None = None,
    error_code: str | None = None,
    error: str | None = None,
    tool_calls: list[domain.ToolCall] | None = None,
) -> domain.Message:
    await MessageModel.filter(id=message_id).update(
        tool_calls=None if tool_calls is None else [c.to_dict() for c in tool_calls],
        content=content,
        status=status,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        latency_ms=usage.latency_ms,
        time_to_first_token_ms=usage.time_to_first_token_ms,
        grounding=grounding,
        error_code=error_code,
        error=error,
        updated_at=_now(),
    )
    return await load_message(message_id)


async def restart_message(*, message_id: int, engine: str, model: str) -> domain.Message:
    """Reset a FAILED message for a retry: empty text, STREAMING, the engine that will answer now."""
    await MessageModel.filter(id=message_id).update(
        content="",
        status=MessageStatus.STREAMING,
        error_code=None,
        error=None,
        grounding=None,
        tool_calls=None,
        prompt_tokens=None,
        completion_tokens=None,
        latency_ms=None,
        time_to_first_token_ms=None,
        engine=engine,
        model=model,
        updated_at=_now(),
    )
    return await load_message(message_id)


async def fail_streaming(*, code: str, error: str, message_ids: list[int] | None = None) -> list[int]:
    """Mark STREAMING messages FAILED (all of them at start-up, or the given ones at shutdown); returns their ids."""
    query = MessageModel.filter(status=MessageStatus.STREAMING)
    if message_ids is not None:
        query = query.filter(id__in=message_ids)
    ids = [int(row["id"]) for row in await query.values("id")]
    if ids:
        await MessageModel.filter(id__in=ids, status=MessageStatus.STREAMING).update(  # one finishing meanwhile stays
            status=MessageStatus.FAILED, error_code=code, error=error, updated_at=_now()
        )
    return ids


async def streaming_ids(*, session_id: int | None = None, track_id: int | None = None) -> list[int]:
    """The STREAMING messages of a session, or of every session about a track (what deleting it removes)."""
    query = MessageModel.filter(status=MessageStatus.STREAMING)
    if session_id is not None:
        query = query.filter(session_id=session_id)
    if track_id is not None:
        query = query.filter(session__track_id=track_id)
    return [int(row["id"]) for row in await query.values("id")]


async def thread(group: int) -> list[domain.Message]:
    """Every message of a follow-up group (the FEEDBACK message itself included), oldest first."""
    rows = await MessageModel.filter(followup_group=group).order_by("id")
    return [to_domain(r) for r in rows]


async def latest_feedback(session_id: int) -> domain.Message | None:
    row = (
        await MessageModel.filter(session_id=session_id, kind=MessageKind.FEEDBACK, role=MessageRole.ASSISTANT)
        .order_by("-id")
        .first()
    )
    return None if row is None else to_domain(row)


async def set_session_reference(*, session_id: int, reference_track_id: int) -> None:
    await SessionModel.filter(id=session_id).update(reference_track_id=reference_track_id, updated_at=_now())
