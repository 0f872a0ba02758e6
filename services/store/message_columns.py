"""A page of messages read as plain column values, only the columns the caller will show.

Why: a history read of 50 messages spent most of its database time building model objects: joining the thread,
decoding four JSON columns and parsing two datetimes per row that the client never asked for. When the caller
names the columns it needs (``PLAIN_COLUMNS`` only: none needs the thread), the rows come back through
``.values()`` and the messages carry placeholders in every other field; callers must not read those.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

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


_NO_USAGE = domain.Usage()  # frozen: one instance serves every message whose usage was not read
_USAGE_COLUMNS = ("prompt_tokens", "completion_tokens", "latency_ms", "time_to_first_token_ms")

E = TypeVar("E", bound=Enum)


def _member(kind: type[E], value: object) -> E:
    """The column's value as ``kind``: the row already holds members (Tortoise's converter made them)."""
    return value if type(value) is kind else kind(value)


def _partial(row: dict[str, Any]) -> domain.Message:
    """Only what was read is filled in; building these for every row of a page is a hot path, hence the shortcuts
    for columns that were not read."""
    get = row.get
    usage = _NO_USAGE
    if any(name in row for name in _USAGE_COLUMNS):
        usage = domain.Usage(
            prompt_tokens=get("prompt_tokens"),
            completion_tokens=get("completion_tokens"),
            latency_ms=get("latency_ms"),
            time_to_first_token_ms=get("time_to_first_token_ms"),
        )
    time_range = get("time_range")
    tool_calls = get("tool_calls")
    return domain.Message(
        id=row["id"],
        session_id=row["session_id"],
        track_id=None,
        reference_track_id=None,
        role=_member(domain.MessageRole, get("role", domain.MessageRole.USER)),
        kind=_member(domain.MessageKind, get("kind", domain.MessageKind.FOLLOWUP)),
        status=_member(domain.MessageStatus, get("status", domain.MessageStatus.COMPLETE)),
        content=get("content", ""),
        followup_group=None,
        feedback_type=None,
        profile=None,
        genre=None,
        findings=None,
        grounding=None,
        engine=get("engine"),
        model=get("model"),
        usage=usage,
        error_code=get("error_code"),
        error=get("error"),
        created_at=get("created_at", _UNREAD),
        updated_at=get("updated_at", _UNREAD),
        time_range=None if time_range is None else _time_range(time_range),
        tool_calls=[] if tool_calls is None else _tool_calls(tool_calls),
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
