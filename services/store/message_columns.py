"""A page of messages read as plain column values, only the columns the caller will show.

Why: a history read of 50 messages spent most of its database time building model objects: joining the thread,
decoding four JSON columns and parsing two datetimes per row that the client never asked for. When the caller
names the columns it needs (``PLAIN_COLUMNS`` only: none needs the thread), the rows come back through
``.values()`` and the messages carry placeholders in every other field; callers must not read those.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from services import domain
from services.store.column_rows import Positions, dict_rows, page_rows, row_and_page
from services.store.messages import _time_range, _tool_calls
from services.store.models import MessageModel, SessionModel
from services.store.pages import build_page, check_page_size, decode_cursor
from services.store.sessions import COLUMNS as SESSION_COLUMNS
from services.store.sessions import session_not_found, session_of

PLAIN_COLUMNS = frozenset(
    {
        "id", "session_id", "role", "kind", "status", "content", "created_at", "updated_at", "engine", "model",
        "error_code", "error", "prompt_tokens", "completion_tokens", "latency_ms", "time_to_first_token_ms",
        "time_range", "tool_calls",
    }
)  # fmt: skip
_UNREAD = datetime(1970, 1, 1, tzinfo=UTC)  # the placeholder for a datetime column that was not read


_NO_USAGE = domain.Usage()  # frozen: one instance serves every message whose usage was not read
_USAGE_COLUMNS = frozenset({"prompt_tokens", "completion_tokens", "latency_ms", "time_to_first_token_ms"})
_ENUMS = {"role": domain.MessageRole, "kind": domain.MessageKind, "status": domain.MessageStatus}
_AS_READ = frozenset(
    {"id", "session_id", "content", "engine", "model", "error_code", "error", "created_at", "updated_at"}
)
# Every field of a message that shows nothing was read: what each page row starts from.
_UNREAD_FIELDS: dict[str, Any] = vars(
    domain.Message(
        id=0,
        session_id=0,
        track_id=None,
        reference_track_id=None,
        role=domain.MessageRole.USER,
        kind=domain.MessageKind.FOLLOWUP,
        status=domain.MessageStatus.COMPLETE,
        content="",
        followup_group=None,
        feedback_type=None,
        profile=None,
        genre=None,
        findings=None,
        grounding=None,
        engine=None,
        model=None,
        usage=_NO_USAGE,
        error_code=None,
        error=None,
        created_at=_UNREAD,
        updated_at=_UNREAD,
    )
).copy()


def _partial(row: dict[str, Any]) -> domain.Message:
    """A message with what was read filled in and placeholders elsewhere.

    Built by filling the instance's fields in one step rather than through the dataclass ``__init__``: a frozen
    dataclass sets its 25 fields one ``object.__setattr__`` at a time, and for a page of 50 that was a tenth of a
    session read. The record is the same frozen ``domain.Message`` (every field present, none settable after)."""
    fields = _UNREAD_FIELDS.copy()
    for name, value in row.items():
        if name in _AS_READ:
            fields[name] = value
        elif name in _ENUMS:
            kind = _ENUMS[name]
            fields[name] = value if type(value) is kind else kind(value)  # already a member when Tortoise converted it
    if not _USAGE_COLUMNS.isdisjoint(row):
        fields["usage"] = domain.Usage(
            prompt_tokens=row.get("prompt_tokens"),
            completion_tokens=row.get("completion_tokens"),
            latency_ms=row.get("latency_ms"),
            time_to_first_token_ms=row.get("time_to_first_token_ms"),
        )
    if row.get("time_range") is not None:
        fields["time_range"] = _time_range(row["time_range"])
    tool_calls = row.get("tool_calls")
    fields["tool_calls"] = [] if tool_calls is None else _tool_calls(tool_calls)  # a list of its own, as __init__ gives
    message = object.__new__(domain.Message)
    object.__setattr__(message, "__dict__", fields)  # the instance takes the dict as its own: no second copy
    return message


def _records(names: tuple[str, ...], converters: Positions) -> Callable[[Sequence[Any]], domain.Message]:
    """A ``column_rows.RowBuilder``: the record ``_partial`` makes of the row's dict, made from the row itself.

    Why: a page row went driver row -> list -> converted values -> dict -> filtered into the record's fields, some
    3 µs a message, a tenth of a session read. When every column is one the record takes as read (or an enum),
    one function written for these columns (``exec``, once per statement shape) sets each field from its position
    in the row, converted as ``dict_rows`` would convert it. Other columns (usage, time range, tool calls) go
    through ``_partial`` as before."""
    if not all(name in _AS_READ or name in _ENUMS for name in names):
        as_dict = dict_rows(names, converters)
        return lambda row: _partial(as_dict(row))
    convert_at = dict(converters)
    scope: dict[str, Any] = {
        "copy": _UNREAD_FIELDS.copy, "new": object.__new__, "Message": domain.Message, "set": object.__setattr__,
    }  # fmt: skip
    lines = ["def build(row):", "    fields = copy()"]
    for at, name in enumerate(names):
        value = f"row[{at}]"
        if at in convert_at:
            scope[f"c{at}"] = convert_at[at]
            value = f"c{at}({value})"
        if name in _ENUMS:
            scope[f"k{at}"] = _ENUMS[name]
            lines += [f"    v = {value}", f"    fields[{name!r}] = v if type(v) is k{at} else k{at}(v)"]
        else:
            lines.append(f"    fields[{name!r}] = {value}")
    lines += [
        "    fields['tool_calls'] = []",  # a list of its own, as _partial gives
        "    message = new(Message)",
        "    set(message, '__dict__', fields)",
        "    return message",
    ]
    exec("\n".join(lines), scope)
    built: Callable[[Sequence[Any]], domain.Message] = scope["build"]
    return built


def _checked_columns(columns: Collection[str]) -> set[str]:
    unknown = set(columns) - PLAIN_COLUMNS
    if unknown:
        raise ValueError(f"not plain message columns: {sorted(unknown)}")
    return {"id", "session_id", *columns}


async def list_message_columns(
    *, session_id: int, first: int, after: str | None, columns: Collection[str]
) -> domain.Page[domain.Message]:
    """``messages.list_messages`` reading only ``columns`` (a subset of ``PLAIN_COLUMNS``) plus the ids."""
    read = _checked_columns(columns)
    check_page_size(first)
    after_id = decode_cursor("message", after)
    rows = await page_rows(
        MessageModel,
        columns=read,
        key="session_id",
        key_value=session_id,
        after_id=after_id,
        limit=first + 1,
    )
    return build_page(rows, first=first, kind="message", after=after_id, row_id=lambda r: r["id"], convert=_partial)


async def session_with_message_columns(
    *, owner_id: int, session_id: int, first: int, after: str | None, columns: Collection[str]
) -> tuple[domain.Session, domain.Page[domain.Message]]:
    """``sessions.get_session`` and ``list_message_columns``'s page of that session, read in one statement.
    The page arguments are checked first, as ``list_message_columns`` checks them."""
    read = _checked_columns(columns)
    check_page_size(first)
    after_id = decode_cursor("message", after)
    row, rows = await row_and_page(
        SessionModel,
        columns=SESSION_COLUMNS,
        id=session_id,
        owner_id=owner_id,
        child=MessageModel,
        child_columns=read,
        link="session_id",
        key_of_link="id",
        after_id=after_id,
        limit=first + 1,
        build=_records,
    )
    if row is None:
        raise session_not_found()
    page = build_page(rows, first=first, kind="message", after=after_id, row_id=_message_id, convert=_same)
    return session_of(row), page


def _message_id(message: domain.Message) -> int:
    return message.id


def _same(message: domain.Message) -> domain.Message:
    return message
