"""Topics of events (a track's analysis, a thread's changes) that any instance publishes and any instance follows.

Built on the event log (``services.runtime.log``), so it is one piece of code in both modes. A subscriber takes the
topic's newest id *before* it reads the current state from the database and then follows from that id: an event
published in between is delivered, never lost. Topics expire ``ttl_s`` after their last event, so a finished
track's or an idle thread's events do not stay in Redis.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.runtime.log import EventLog, Fields

MAX_EVENTS = 1000  # per topic: a track's progress reports (one per percent) fit with room to spare
TOPIC_TTL_S = 3600.0


class EventBus:
    def __init__(self, log: EventLog, *, maxlen: int = MAX_EVENTS, ttl_s: float = TOPIC_TTL_S) -> None:
        self._log = log
        self._maxlen = maxlen
        self._ttl_s = ttl_s

    async def publish(self, topic: str, event: Fields) -> None:
        await self._log.append(topic, event, maxlen=self._maxlen)
        await self._log.expire(topic, self._ttl_s)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Fields]]:
        """Events published on ``topic`` from now on (read the current state inside the block, not before it)."""
        after = await self._log.last_id(topic)
        async with contextlib.aclosing(self._log.follow(topic, after)) as live:
            yield _fields(live)


async def _fields(live: AsyncIterator[list[tuple[str, Fields]]]) -> AsyncIterator[Fields]:
    async for batch in live:
        for _, fields in batch:
            yield fields
