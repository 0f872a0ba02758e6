"""The event log and bus behind live events, the same tests in both modes: in this process and on a real Redis.

Replay then follow must be gap-free and duplicate-free whoever appends meanwhile; ended streams expire.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services import domain
from services.runtime import Runtime
from services.runtime.bus import EventBus
from services.runtime.log import START, Entry, EventLog
from services.runtime.streams import MessageStreams


async def _take(live: AsyncIterator[list[Entry]], n: int) -> list[Entry]:
    got: list[Entry] = []
    async for batch in live:
        assert batch  # a batch is never empty
        got.extend(batch)
        if len(got) >= n:
            break
    return got


async def test_a_follower_gets_every_entry_after_its_cursor_once_and_in_order(runtime: Runtime) -> None:
    log = runtime.log
    for i in range(3):
        await log.append("k", {"n": str(i)}, maxlen=100)
    replayed = await log.entries("k")
    assert [f["n"] for _, f in replayed] == ["0", "1", "2"]
    async with contextlib.aclosing(log.follow("k", replayed[1][0])) as live:
        reader = asyncio.create_task(_take(live, 4))
        for i in range(3, 6):
            await log.append("k", {"n": str(i)}, maxlen=100)
        got = await asyncio.wait_for(reader, 30)
    assert [f["n"] for _, f in got] == ["2", "3", "4", "5"]


async def test_many_followers_on_many_keys_each_see_only_their_key(runtime: Runtime) -> None:
    log = runtime.log
    followers = {}
    async with contextlib.AsyncExitStack() as stack:
        for key in ("a", "b", "c"):
            live = await stack.enter_async_context(contextlib.aclosing(log.follow(key, START)))
            followers[key] = asyncio.create_task(_take(live, 2))
        await asyncio.sleep(0)
        for i in range(2):
            for key in ("c", "a", "b"):
                await log.append(key, {"v": f"{key}{i}"}, maxlen=100)
        results = {key: await asyncio.wait_for(task, 30) for key, task in followers.items()}
    for key, got in results.items():
        assert [f["v"] for _, f in got] == [f"{key}0", f"{key}1"]


async def test_last_id_then_follow_misses_nothing_appended_in_between(runtime: Runtime) -> None:
    bus = EventBus(runtime.log)
    await bus.publish("topic", {"n": "old"})
    async with bus.subscribe("topic") as live:
        await bus.publish("topic", {"n": "between"})  # as if published while the subscriber read the database
        await bus.publish("topic", {"n": "later"})
        got = [await asyncio.wait_for(anext(live), 30), await asyncio.wait_for(anext(live), 30)]
    assert [f["n"] for f in got] == ["between", "later"]


async def test_maxlen_bounds_a_stream_and_expire_drops_it(runtime: Runtime) -> None:
    log: EventLog = runtime.log
    for i in range(300):
        await log.append("bounded", {"n": str(i)}, maxlen=50)
    kept = await log.entries("bounded")
    assert 50 <= len(kept) < 300  # Redis trims approximately (whole nodes), never below the bound
    assert kept[-1][1]["n"] == "299"
    await log.expire("bounded", 1)
    for _ in range(100):
        if not await log.entries("bounded"):
            break
        await asyncio.sleep(0.05)
    assert await log.entries("bounded") == []


async def test_a_deleted_and_rewritten_key_still_delivers_to_its_follower(runtime: Runtime) -> None:
    log = runtime.log
    first = await log.append("again", {"n": "first"}, maxlen=10)
    async with contextlib.aclosing(log.follow("again", first)) as live:
        reader = asyncio.create_task(_take(live, 1))
        await log.delete("again")
        await log.append("again", {"n": "second"}, maxlen=10)
        got = await asyncio.wait_for(reader, 30)
    assert [f["n"] for _, f in got] == ["second"]


@pytest.fixture
async def runtime(runtime_mode: Runtime) -> AsyncIterator[Runtime]:
    yield runtime_mode


def _message(status: domain.MessageStatus, content: str = "") -> domain.Message:
    now = datetime.now(UTC)
    return domain.Message(
        id=7, session_id=1, track_id=1, reference_track_id=None, role=domain.MessageRole.ASSISTANT,
        kind=domain.MessageKind.FEEDBACK, status=status, content=content, followup_group=7, feedback_type=None,
        profile=None, genre=None, findings=None, grounding=None, engine=None, model=None, usage=domain.Usage(),
        error_code=None, error=None, created_at=now, updated_at=now,
    )  # fmt: skip


async def test_a_retried_message_replays_only_its_new_attempt(runtime: Runtime) -> None:
    streams = MessageStreams(runtime.log, ended_ttl_s=1)
    await streams.open(7)
    await streams.publish(7, "first attempt")
    await streams.finish(7)
    await streams.open(7)  # retryMessage: the same message is written again
    await streams.publish(7, "second ")
    stored = _message(domain.MessageStatus.STREAMING)

    async def load() -> domain.Message:
        return stored

    events = streams.follow(7, load=load)
    replay = await asyncio.wait_for(anext(events), 30)
    assert (replay.delta, replay.done) == ("second ", False)
    await asyncio.sleep(1.5)  # past the first attempt's expiry: the retry cancelled it, the stream is still there
    assert [f.get("t") for _, f in await runtime.log.entries("msg:7")][:3] == [None, "first attempt", None]
    await streams.publish(7, "attempt")
    assert (await asyncio.wait_for(anext(events), 30)).delta == "attempt"
    stored = _message(domain.MessageStatus.COMPLETE, "second attempt")
    await streams.finish(7)
    final = await asyncio.wait_for(anext(events), 30)
    assert final.done and final.message == stored
    await events.aclose()  # type: ignore[attr-defined]
