"""The session read together with a page of its messages (one statement) gives what the two reads give apart:
the same session, the same messages and page flags, the same refusals; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tortoise.fields import DatetimeField

from services import domain
from services.errors import BadUserInput, NotFound
from services.store import clients, conversation, sessions, tracks
from services.store.column_rows import _datetime
from services.store.database import open_database
from services.store.message_columns import list_message_columns, session_with_message_columns

COLUMNS = frozenset({"role", "content", "status", "created_at", "kind", "error", "time_range", "tool_calls"})
# Each way a page row becomes a record: columns the record takes as read (written out once per shape: the history
# read's, every such column, none), and columns that go through ``_partial`` (usage, time range, tool calls).
COLUMN_SETS: tuple[frozenset[str], ...] = (
    COLUMNS,
    frozenset({"role", "content", "status", "created_at"}),
    frozenset({"role", "kind", "status", "content", "created_at", "updated_at", "engine", "model", "error_code",
               "error"}),
    frozenset(),
    frozenset({"prompt_tokens", "latency_ms", "created_at"}),
)  # fmt: skip


async def _session(owner_id: int, *, messages: int) -> domain.Session:
    info = domain.AudioFileInfo(format="WAV", duration_s=10.0, sample_rate_hz=44100, channels=2)
    track = await tracks.create_track(
        owner_id=owner_id, name="t", original_filename="t.wav", content_hash="h", size_bytes=1, info=info
    )
    session = await sessions.create_session(
        owner_id=owner_id, track_id=track.id, reference_track_id=None, genre="rock", title="s"
    )
    await sessions.set_session_choices(
        owner_id=owner_id, session_id=session.id, genre=None, stage=domain.FeedbackType.MIXDOWN, profile=None
    )
    thread_id = await conversation.create_thread(
        session_id=session.id, track_id=track.id, reference_track_id=None, genre="rock", stage=None, profile=None
    )
    for i in range(messages):
        await conversation.create_message(
            session_id=session.id,
            thread_id=thread_id,
            role=domain.MessageRole.USER if i % 2 == 0 else domain.MessageRole.ASSISTANT,
            kind=domain.MessageKind.FOLLOWUP,
            status=domain.MessageStatus.COMPLETE,
            content=f"message {i}",
            engine="builtin" if i % 3 else None,
            time_range=domain.TimeRange(start_s=1.0, end_s=2.5) if i == 2 else None,
        )
    return await sessions.get_session(owner_id=owner_id, session_id=session.id)


async def test_session_with_messages_matches_the_two_reads(db_url: str) -> None:
    async with open_database(db_url):
        owner = await clients.create_client(token_hash="c" * 64)
        other = await clients.create_client(token_hash="d" * 64)
        full = await _session(owner.id, messages=7)
        empty = await _session(owner.id, messages=0)
        for session, columns in itertools.product((full, empty), COLUMN_SETS):
            after = None
            while True:
                together, page = await session_with_message_columns(
                    owner_id=owner.id, session_id=session.id, first=3, after=after, columns=columns
                )
                apart = await list_message_columns(session_id=session.id, first=3, after=after, columns=columns)
                assert together == session
                assert page == apart
                for record, read_apart in zip(page.items, apart.items, strict=True):
                    assert vars(record) == vars(read_apart)  # every field, placeholders included
                    assert record.created_at.tzinfo is read_apart.created_at.tzinfo
                    assert record.created_at.isoformat() == read_apart.created_at.isoformat()
                if not page.has_next_page:
                    break
                after = page.cursors[-1]
        with pytest.raises(NotFound):
            await session_with_message_columns(
                owner_id=other.id, session_id=full.id, first=3, after=None, columns=COLUMNS
            )
        with pytest.raises(BadUserInput):
            await session_with_message_columns(owner_id=owner.id, session_id=full.id, first=0, after=None, columns=())


STORED_TIMES: list[Any] = [
    "2026-12-01 10:46:00.123456+00:00",  # as SQLite keeps what the store wrote
    "2026-12-01 10:46:00+00:00",  # microsecond 0: no fraction, on either side
    "2026-12-01 10:46:00.000001+00:00",
    "2026-12-01T23:59:59.999999Z",
    "2026-12-01 10:46:00.5+02:00",  # another offset: moved to UTC by the field
    "2026-12-01 10:46:00",  # naive: made aware by the field
    "not a time",  # the field's own parser decides (and refuses) an unusual spelling
    datetime(2026, 12, 1, 10, 46, tzinfo=UTC),  # as asyncpg returns a timestamptz
    datetime(2026, 12, 1, 10, 46, 0, 7, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Paris")),
    datetime(2026, 12, 1, 10, 46),
    None,
]


@pytest.mark.parametrize("stored", STORED_TIMES)
def test_stored_times_convert_as_the_field_converts_them(stored: Any) -> None:
    """``column_rows._datetime`` writes out the field's UTC case: every value comes out as the field gives it,
    down to the time zone object and the ISO text the API prints."""
    field: DatetimeField[Any] = DatetimeField()
    try:
        expected = field.to_python_value(stored)
    except Exception as exc:
        with pytest.raises(type(exc)):
            _datetime(field)(stored)
        return
    got = _datetime(field)(stored)
    assert got == expected
    if expected is not None:
        assert type(got) is type(expected) and got.tzinfo is expected.tzinfo and got.fold == expected.fold
        assert got.isoformat() == expected.isoformat()
