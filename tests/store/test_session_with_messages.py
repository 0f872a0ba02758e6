"""The session read together with a page of its messages (one statement) gives what the two reads give apart:
the same session, the same messages and page flags, the same refusals; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from services import domain
from services.errors import BadUserInput, NotFound
from services.store import clients, conversation, sessions, tracks
from services.store.database import open_database
from services.store.message_columns import list_message_columns, session_with_message_columns

COLUMNS = frozenset({"role", "content", "status", "created_at", "kind", "error", "time_range", "tool_calls"})


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
        )
    return await sessions.get_session(owner_id=owner_id, session_id=session.id)


async def test_session_with_messages_matches_the_two_reads(db_url: str) -> None:
    async with open_database(db_url):
        owner = await clients.create_client(token_hash="c" * 64)
        other = await clients.create_client(token_hash="d" * 64)
        full = await _session(owner.id, messages=7)
        empty = await _session(owner.id, messages=0)
        for session in (full, empty):
            after = None
            while True:
                together, page = await session_with_message_columns(
                    owner_id=owner.id, session_id=session.id, first=3, after=after, columns=COLUMNS
                )
                apart = await list_message_columns(session_id=session.id, first=3, after=after, columns=COLUMNS)
                assert together == session
                assert page == apart
                if not page.has_next_page:
                    break
                after = page.cursors[-1]
        with pytest.raises(NotFound):
            await session_with_message_columns(
                owner_id=other.id, session_id=full.id, first=3, after=None, columns=COLUMNS
            )
        with pytest.raises(BadUserInput):
            await session_with_message_columns(owner_id=owner.id, session_id=full.id, first=0, after=None, columns=())
