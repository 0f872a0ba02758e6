"""Reading messages, scoped through their session's owner. Writing them belongs to the feedback use-cases."""

from __future__ import annotations

from services import domain
from services.errors import NotFound
from services.store.models import MessageModel, ThreadModel
from services.store.pages import build_page, check_page_size, decode_cursor


def _time_range(raw: object) -> domain.TimeRange | None:
    if not isinstance(raw, dict):
        return None
    return domain.TimeRange(start_s=float(raw["start_s"]), end_s=float(raw["end_s"]))


def _tool_calls(raw: object) -> list[domain.ToolCall]:
    rows = raw if isinstance(raw, list) else []
    return [
        domain.ToolCall(name=str(r["name"]), arguments=dict(r["arguments"]), result=dict(r["result"]))
        for r in rows
        if isinstance(r, dict)
    ]


def to_domain(row: MessageModel) -> domain.Message:
    """A message with its thread's columns; the row must come with its thread (``select_related("thread")``)."""
    thread: ThreadModel | None = row.thread
    return domain.Message(
        id=row.id,
        session_id=row.session_id,  # type: ignore[attr-defined]
        track_id=None if thread is None else thread.track_id,  # type: ignore[attr-defined]
        reference_track_id=None if thread is None else thread.reference_track_id,  # type: ignore[attr-defined]
        role=row.role,
        kind=row.kind,
        status=row.status,
        content=row.content,
        followup_group=None if thread is None else thread.opener_id,
        feedback_type=domain.FeedbackType(thread.stage) if thread is not None and thread.stage else None,
        profile=domain.FeedbackProfile(thread.profile) if thread is not None and thread.profile else None,
        genre=None if thread is None else thread.genre,
        thread_id=row.thread_id,  # type: ignore[attr-defined]
        question_id=row.question_id,  # type: ignore[attr-defined]
        findings=row.findings,
        grounding=row.grounding,
        engine=row.engine,
        model=row.model,
        usage=domain.Usage(
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            latency_ms=row.latency_ms,
            time_to_first_token_ms=row.time_to_first_token_ms,
        ),
        error_code=row.error_code,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        time_range=_time_range(row.time_range),
        tool_calls=_tool_calls(row.tool_calls),
    )


def message_not_found() -> NotFound:
    return NotFound("Message not found. Check the id, or read a session's `messages`.")


async def get_message(*, owner_id: int, message_id: int) -> domain.Message:
    row = await MessageModel.filter(id=message_id, session__owner_id=owner_id).select_related("thread").first()
    if row is None:
        raise message_not_found()
    return to_domain(row)


async def list_messages(*, session_id: int, first: int, after: str | None) -> domain.Page[domain.Message]:
    """Oldest first; the caller has already checked that the session belongs to the client."""
    check_page_size(first)
    after_id = decode_cursor("message", after)
    query = MessageModel.filter(session_id=session_id)
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    rows = await query.order_by("id").limit(first + 1).select_related("thread")
    return build_page(rows, first=first, kind="message", after=after_id, row_id=lambda r: r.id, convert=to_domain)
