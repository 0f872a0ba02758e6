"""Conversation invariants held by the database, not by a process: tried concurrently on SQLite and PostgreSQL.

- Concurrent summary claims for one thread store exactly one summary per threshold.
- Concurrent retries of one FAILED message restart it exactly once.
- A sweep marks INTERRUPTED only STREAMING messages whose lease has lapsed (or that never got one in time).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services import domain
from services.store import clients, conversation, sessions, tracks
from services.store.database import open_database
from services.store.models import MessageModel

EVERY = 4


@pytest.fixture
async def thread(db_url: str) -> AsyncIterator[domain.Message]:
    """A thread's FEEDBACK message, in a fresh database."""
    async with open_database(db_url):
        owner = await clients.create_client(token_hash="b" * 64)
        info = domain.AudioFileInfo(format="WAV", duration_s=10.0, sample_rate_hz=44100, channels=2)
        track = await tracks.create_track(
            owner_id=owner.id, name="t", original_filename="t.wav", content_hash="h", size_bytes=1, info=info
        )
        session = await sessions.create_session(
            owner_id=owner.id, track_id=track.id, reference_track_id=None, genre="rock", title="s"
        )
        thread_id = await conversation.create_thread(
            session_id=session.id, track_id=track.id, reference_track_id=None, genre="rock", stage=None, profile=None
        )
        feedback = await conversation.create_message(
            session_id=session.id,
            thread_id=thread_id,
            role=domain.MessageRole.ASSISTANT,
            kind=domain.MessageKind.FEEDBACK,
            status=domain.MessageStatus.COMPLETE,
        )
        yield await conversation.set_thread_opener(thread_id, feedback.id)


async def _answer(feedback: domain.Message, status: domain.MessageStatus) -> domain.Message:
    question = await conversation.create_message(
        session_id=feedback.session_id,
        thread_id=feedback.thread_id,
        role=domain.MessageRole.USER,
        kind=domain.MessageKind.FOLLOWUP,
        status=domain.MessageStatus.COMPLETE,
        content="q",
    )
    return await conversation.create_message(
        session_id=feedback.session_id,
        thread_id=feedback.thread_id,
        role=domain.MessageRole.ASSISTANT,
        kind=domain.MessageKind.FOLLOWUP,
        status=status,
        question_id=question.id,
    )


async def test_concurrent_claims_store_one_summary_per_threshold(thread: domain.Message) -> None:
    answers = [await _answer(thread, domain.MessageStatus.COMPLETE) for _ in range(2 * EVERY + 1)]
    claims = await asyncio.gather(
        *(conversation.claim_summaries(answer=a, every=EVERY, engine="e", model="m") for a in answers)
    )
    claimed = [s for batch in claims for s in batch]
    rows = await MessageModel.filter(role=domain.MessageRole.SUMMARY).values("summary_through")
    assert sorted(int(r["summary_through"]) for r in rows) == [EVERY, 2 * EVERY]
    assert len(claimed) == 2
    again = await conversation.claim_summaries(answer=answers[-1], every=EVERY, engine="e", model="m")
    assert again == []


async def test_concurrent_retries_restart_a_failed_message_once(thread: domain.Message) -> None:
    answer = await _answer(thread, domain.MessageStatus.FAILED)
    restarted = await asyncio.gather(
        *(conversation.restart_message(message_id=answer.id, engine="e", model="m") for _ in range(6))
    )
    assert sum(r is not None for r in restarted) == 1
    assert (await conversation.load_message(answer.id)).status is domain.MessageStatus.STREAMING


async def test_a_sweep_interrupts_only_lapsed_leases(thread: domain.Message) -> None:
    live = await _answer(thread, domain.MessageStatus.STREAMING)
    lapsed = await _answer(thread, domain.MessageStatus.STREAMING)
    unleased = await _answer(thread, domain.MessageStatus.STREAMING)
    await conversation.take_leases(owner="a", message_ids=[live.id], lease=timedelta(minutes=1))
    await conversation.take_leases(owner="b", message_ids=[lapsed.id], lease=timedelta(seconds=-1))
    fresh = await _answer(thread, domain.MessageStatus.STREAMING)  # stored just now: its lease is being taken
    await MessageModel.filter(id=unleased.id).update(updated_at=datetime.now(UTC) - timedelta(minutes=5))
    swept = await conversation.fail_streaming(code="INTERRUPTED", error="gone", unleased_grace=timedelta(minutes=1))
    assert sorted(swept) == sorted([lapsed.id, unleased.id])
    assert (await conversation.load_message(fresh.id)).status is domain.MessageStatus.STREAMING
    assert (await conversation.load_message(live.id)).status is domain.MessageStatus.STREAMING
    # shutdown by another owner cannot fail a message it does not hold
    assert await conversation.fail_streaming(code="INTERRUPTED", error="x", message_ids=[live.id], owner="b") == []
    assert await conversation.fail_streaming(code="INTERRUPTED", error="x", message_ids=[live.id], owner="a") == [
        live.id
    ]
