"""Reading messages, scoped through their session's owner. Writing them belongs to the feedback use-cases."""

from __future__ import annotations

from services import domain
from services.errors import NotFound
from services.store.models import MessageModel
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
    return domain.Message(
        id=row.id,
        session_id=row.session_id,  # type: ignore[attr-defined]
        track_id=row.track_id,  # type: ignore[attr-defined]
        reference_track_id=row.reference_track_id,  # type: ignore[attr-defined]
        role=row.role,
        kind=row.kind,
        status=row.status,
        content=row.content,
        followup_group=row.followup_group,
        feedback_type=domain.FeedbackType(row.feedback_type) if row.feedback_type else None,
        profile=domain.FeedbackProfile(row.profile) if row.profile else None,
        genre=row.genre,
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
    row = await MessageModel.get_or_none(id=message_id, session__owner_id=owner_id)
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
    rows = await query.order_by("id").limit(first + 1)
    return build_page(rows, first=first, kind="message", after=after_id, row_id=lambda r: r.id, convert=to_domain)
