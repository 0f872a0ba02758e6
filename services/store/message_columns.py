"""A page of messages read as plain column values, only the columns the caller will show.

Why: a history read of 50 messages spent most of its database time building model objects: joining the thread,
decoding four JSON columns and parsing two datetimes per row that the client never asked for. When the caller
names the columns it needs (``PLAIN_COLUMNS`` only: none needs the thread), the rows come back through
``.values()`` and the messages carry placeholders in every other field; callers must not read those.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from services import domain
from services.store.column_rows import page_rows
from services.store.messages import _time_range, _tool_calls
from services.store.models import MessageModel
from services.store.pages import build_page, check_page_size, decode_cursor

PLAIN_COLUMNS = frozenset(
    {
        "id", "session_id", "role", "kind", "status", "content", "created_at", "updated_at", "engine", "model",
        "error_code", "error", "prompt_tokens", "completion_tokens", "latency_ms", "time_to_first_token_ms",
        "time_range", "tool_calls",
    }
)  # fmt: skip
_UNREAD = datetime(1970, 1, 1, tzinfo=UTC)  # the placeholder for a datetime column that was not read


def _partial(row: dict[str, Any]) -> domain.Message:
    return domain.Message(
        id=row["id"],
        session_id=row["session_id"],
        track_id=None,
        reference_track_id=None,
        role=domain.MessageRole(row.get("role", domain.MessageRole.USER)),
        kind=domain.MessageKind(row.get("kind", domain.MessageKind.FOLLOWUP)),
        status=domain.MessageStatus(row.get("status", domain.MessageStatus.COMPLETE)),
        content=row.get("content", ""),
        followup_group=None,
        feedback_type=None,
        profile=None,
        genre=None,
        findings=None,
        grounding=None,
        engine=row.get("engine"),
        model=row.get("model"),
        usage=domain.Usage(
            prompt_tokens=row.get("prompt_tokens"),
            completion_tokens=row.get("completion_tokens"),
            latency_ms=row.get("latency_ms"),
            time_to_first_token_ms=row.get("time_to_first_token_ms"),
        ),
        error_code=row.get("error_code"),
        error=row.get("error"),
        created_at=row.get("created_at", _UNREAD),
        updated_at=row.get("updated_at", _UNREAD),
        time_range=_time_range(row.get("time_range")),
        tool_calls=_tool_calls(row.get("tool_calls")),
    )


async def list_message_columns(
    *, session_id: int, first: int, after: str | None, columns: Collection[str]
) -> domain.Page[domain.Message]:
    """``messages.list_messages`` reading only ``columns`` (a subset of ``PLAIN_COLUMNS``) plus the ids."""
    unknown = set(columns) - PLAIN_COLUMNS
    if unknown:
        raise ValueError(f"not plain message columns: {sorted(unknown)}")
    check_page_size(first)
    after_id = decode_cursor("message", after)
    rows = await page_rows(
        MessageModel,
        columns={"id", "session_id", *columns},
        key="session_id",
        key_value=session_id,
        after_id=after_id,
        limit=first + 1,
    )
    return build_page(rows, first=first, kind="message", after=after_id, row_id=lambda r: r["id"], convert=_partial)
