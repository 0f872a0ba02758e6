"""Coalesced message streams, in both runtime modes: however deltas are grouped into events, a subscriber's
concatenated deltas are the published text, in order, nothing lost; one joining mid-way gets the text so far as its
replay, then the rest; a subscriber that leaves mid-stream stops its reader."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

from services import domain
from services.runtime import Runtime
from services.runtime.coalesce import coalesced
from services.runtime.streams import MessageStreams

DELTAS = [f"t{i} " for i in range(300)]


def _message(status: domain.MessageStatus, content: str = "") -> domain.Message:
    now = datetime.now(UTC)
    return domain.Message(
        id=9, session_id=1, track_id=1, reference_track_id=None, role=domain.MessageRole.ASSISTANT,
        kind=domain.MessageKind.FEEDBACK, status=status, content=content, followup_group=9, feedback_type=None,
        profile=None, genre=None, findings=None, grounding=None, engine=None, model=None, usage=domain.Usage(),
        error_code=None, error=None, created_at=now, updated_at=now,
    )  # fmt: skip


async def _collect(streams: MessageStreams, state: dict[str, domain.Message]) -> tuple[list[str], domain.Message]:
    async def load() -> domain.Message:
        return state["stored"]

    deltas: list[str] = []
    async for event in streams.follow(9, load=load):
        if event.done:
            assert event.message is not None
            return deltas, event.message
        deltas.append(event.delta)
    raise AssertionError("no final event")


async def test_coalesced_deltas_add_up_to_the_text_in_order(runtime_mode: Runtime) -> None:
    streams = MessageStreams(runtime_mode.log, ended_ttl_s=5)
    state = {"stored": _message(domain.MessageStatus.STREAMING)}
    await streams.open(9)
    early = asyncio.create_task(_collect(streams, state))
    await asyncio.sleep(0.3)  # the early subscriber is following live
    for i, delta in enumerate(DELTAS):
        await streams.publish(9, delta)
        if i % 10 == 0:
            await asyncio.sleep(0.002)  # bursts and pauses, as a model sends
        if i == len(DELTAS) // 2:
            late = asyncio.create_task(_collect(streams, state))
            await asyncio.sleep(0.3)  # the late subscriber has replayed the first half
    state["stored"] = _message(domain.MessageStatus.COMPLETE, "".join(DELTAS))
    await streams.finish(9)
    (early_deltas, early_final), (late_deltas, late_final) = await asyncio.wait_for(asyncio.gather(early, late), 30)
    for deltas in (early_deltas, late_deltas):
        assert "".join(deltas) == "".join(DELTAS) and all(deltas)
    assert late_deltas[0].startswith("".join(DELTAS[: len(DELTAS) // 2]))  # replay of the first half
    assert early_final == late_final == state["stored"]


async def test_leaving_mid_stream_closes_the_source() -> None:
    closed = asyncio.Event()

    async def source() -> AsyncGenerator[int, None]:
        try:
            for i in range(1_000_000):
                yield i
                await asyncio.sleep(0)
        finally:
            closed.set()

    got: list[int] = []
    async with contextlib.aclosing(coalesced(source(), window_s=0.01)) as batches:
        async for batch in batches:
            got.extend(batch)
            if len(got) > 100:
                break
    await asyncio.wait_for(closed.wait(), 5)
    assert got == list(range(len(got)))


async def test_a_failing_source_fails_its_subscriber() -> None:
    async def source() -> AsyncGenerator[int, None]:
        yield 1
        raise RuntimeError("the log went away")

    seen: list[int] = []
    try:
        async for batch in coalesced(source(), window_s=0.01):
            seen.extend(batch)
    except RuntimeError as exc:
        assert str(exc) == "the log went away"
    else:
        raise AssertionError("the error was swallowed")
    assert seen == [1]
