"""Coalesced message streams, in both runtime modes: however deltas are grouped into events, a subscriber's
concatenated deltas are the published text, in order, nothing lost; one joining mid-way gets the text so far as its
replay, then the rest; a subscriber that leaves mid-stream stops its reader. The pace between events follows the
process's load (CPU share, event-loop lag): no wait when idle, the whole window when busy."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import pytest

from services import domain
from services.runtime import Runtime
from services.runtime.coalesce import BUSY_SHARE, IDLE_SHARE, SAMPLE_S, Pace, coalesced
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


@pytest.mark.parametrize("window_s", [0.0, 0.01])
async def test_batches_of_a_paced_source_add_up_to_it_in_order(window_s: float) -> None:
    async def source() -> AsyncGenerator[list[int], None]:
        for i in range(200):
            yield [i]
            if i % 7 == 0:
                await asyncio.sleep(0.001)

    got: list[list[int]] = [batch async for batch in coalesced(source(), window=lambda: window_s)]
    assert [i for batch in got for i in batch] == list(range(200)) and all(got)


async def test_leaving_mid_stream_closes_the_source() -> None:
    closed = asyncio.Event()

    async def source() -> AsyncGenerator[list[int], None]:
        try:
            for i in range(1_000_000):
                yield [i]
                await asyncio.sleep(0)
        finally:
            closed.set()

    got: list[int] = []
    async with contextlib.aclosing(coalesced(source(), window=lambda: 0.01)) as batches:
        async for batch in batches:
            got.extend(batch)
            if len(got) > 100:
                break
    await asyncio.wait_for(closed.wait(), 5)
    assert got == list(range(len(got)))


async def test_a_failing_source_fails_its_subscriber() -> None:
    async def source() -> AsyncGenerator[list[int], None]:
        yield [1]
        raise RuntimeError("the log went away")

    seen: list[int] = []
    try:
        async for batch in coalesced(source(), window=lambda: 0.01):
            seen.extend(batch)
    except RuntimeError as exc:
        assert str(exc) == "the log went away"
    else:
        raise AssertionError("the error was swallowed")
    assert seen == [1]


class _Clocks:
    """Wall and CPU time for ``Pace``, moved by hand."""

    def __init__(self) -> None:
        self.wall = 100.0
        self.cpu = 5.0

    def run(self, *, seconds: float, cpu_share: float) -> None:
        self.wall += seconds
        self.cpu += seconds * cpu_share


@pytest.mark.parametrize(
    ("cpu_share", "window_ms"),
    [(0.0, 0.0), (0.2, 0.0), (IDLE_SHARE, 0.0), (0.5, 12.5), (BUSY_SHARE, 25.0), (1.0, 25.0), (1.6, 25.0)],
)
async def test_pace_waits_only_as_the_process_gets_busy(cpu_share: float, window_ms: float) -> None:
    clocks = _Clocks()
    pace = Pace(window_s=0.025, clock=lambda: clocks.wall, cpu_clock=lambda: clocks.cpu)
    assert pace.window() == 0.0  # nothing measured yet
    clocks.run(seconds=SAMPLE_S * 2, cpu_share=cpu_share)
    assert pace.window() * 1000 == pytest.approx(window_ms)


async def test_pace_keeps_its_window_between_samples() -> None:
    clocks = _Clocks()
    pace = Pace(window_s=0.025, clock=lambda: clocks.wall, cpu_clock=lambda: clocks.cpu)
    clocks.run(seconds=SAMPLE_S * 1.5, cpu_share=1.0)
    assert pace.window() == 0.025
    clocks.run(seconds=SAMPLE_S / 2, cpu_share=0.0)
    assert pace.window() == 0.025  # too soon to measure again
    clocks.run(seconds=SAMPLE_S, cpu_share=0.0)
    assert pace.window() == 0.0  # idle over the last sample (half a period and a whole one)


async def test_pace_waits_when_the_loop_runs_late_though_the_cpu_is_idle() -> None:
    clocks = _Clocks()
    pace = Pace(window_s=0.025, clock=lambda: clocks.wall, cpu_clock=lambda: clocks.cpu)
    clocks.run(seconds=SAMPLE_S * 1.5, cpu_share=0.0)
    assert pace.window() == 0.0  # idle, and it leaves a probe on the loop
    clocks.run(seconds=0.05, cpu_share=0.0)  # the loop gets to the probe 50 ms late (starved of CPU)
    await asyncio.sleep(0)
    clocks.run(seconds=SAMPLE_S * 1.5, cpu_share=0.0)
    assert pace.window() == 0.025
    await asyncio.sleep(0)  # this time the probe runs on time
    clocks.run(seconds=SAMPLE_S * 1.5, cpu_share=0.0)
    assert pace.window() == 0.0
