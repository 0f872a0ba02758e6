"""Batch a live stream per subscriber, so one event carries every item that arrived meanwhile, and pace the events
by how busy this process is.

Why: each event a subscriber receives costs a GraphQL execution and a WebSocket frame; a model streams a token
every few milliseconds, and one event per token saturated a process at about a thousand tokens a second. So after
each batch a subscriber waits out a window before it takes the next one, and whatever arrived meanwhile goes out
together; the first item after a quiet spell goes out at once, and no item waits longer than the window.

A fixed window made every token of a lone stream wait up to that long for nothing. ``Pace`` sizes the window by
how busy this process is: none while it is mostly idle (each token goes out as it comes), the whole ``window_s``
once it is busy, in between on a straight line, so a busier process sends fewer, fuller events. Busy is the larger
of two readings, taken at most every ``SAMPLE_S``: the share of a CPU the process used since the last sample, and
how long a callback scheduled at the last sample waited for the event loop (a process starved of CPU by its
neighbours uses little CPU, but its loop runs late).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Callable
from typing import TypeVar

T = TypeVar("T")

IDLE_SHARE = 0.3  # at or below this share of one CPU, no window: tokens go out as they come
BUSY_SHARE = 0.7  # at or above it, the whole window
IDLE_LAG_S = 0.002  # a loop this late or less is not behind
BUSY_LAG_S = 0.010  # this late or more: the whole window
SAMPLE_S = 0.1  # the readings are taken at most this often, when a subscriber asks


class Pace:
    """The window between a subscriber's events for this process's current load (one per process)."""

    def __init__(
        self,
        *,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        cpu_clock: Callable[[], float] = time.process_time,
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._cpu_clock = cpu_clock
        self._at = clock()
        self._cpu = cpu_clock()
        self._lag = 0.0  # how late the loop ran the last probe
        self._window = 0.0

    def window(self) -> float:
        """Seconds to wait after an event before taking the next batch; re-measured at most every ``SAMPLE_S``
        (call it on the event loop: it leaves a probe there)."""
        now = self._clock()
        if now - self._at >= SAMPLE_S:
            cpu = self._cpu_clock()
            share = (cpu - self._cpu) / (now - self._at)
            self._at, self._cpu = now, cpu
            busy = max(
                (share - IDLE_SHARE) / (BUSY_SHARE - IDLE_SHARE), (self._lag - IDLE_LAG_S) / (BUSY_LAG_S - IDLE_LAG_S)
            )
            self._window = self.window_s * min(1.0, max(0.0, busy))
            asyncio.get_running_loop().call_soon(self._landed, now)
        return self._window

    def _landed(self, sent: float) -> None:
        self._lag = self._clock() - sent


async def coalesced(
    source: AsyncGenerator[list[T], None], *, window: Callable[[], float]
) -> AsyncGenerator[list[T], None]:
    """``source``'s batches (each: what arrived since the last was taken), at most one per ``window()``;
    ``source`` is closed at the end."""
    loop = asyncio.get_running_loop()
    async with contextlib.aclosing(source):
        due = float("-inf")
        while True:
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)  # meanwhile the source gathers what arrives into its next batch
            try:
                batch = await anext(source)
            except StopAsyncIteration:
                return
            due = loop.time() + window()
            yield batch
