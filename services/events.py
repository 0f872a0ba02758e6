"""In-process publish/subscribe keyed by an id (a track, a message).

Producers (the analysis runner, a generation task) publish without knowing who listens; each subscriber gets its
own unbounded queue, so a slow socket never blocks a producer. Subscribing before reading the current state from
the database means no event falls between the two.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
E = TypeVar("E")


class Broker(Generic[K, E]):
    def __init__(self) -> None:
        self._queues: defaultdict[K, set[asyncio.Queue[E]]] = defaultdict(set)

    def publish(self, key: K, event: E) -> None:
        """Deliver ``event`` to every current subscriber of ``key``; with none, it is dropped."""
        for queue in self._queues.get(key, ()):
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, key: K) -> AsyncIterator[asyncio.Queue[E]]:
        """A queue that receives ``key``'s events until the block exits."""
        queue: asyncio.Queue[E] = asyncio.Queue()
        self._queues[key].add(queue)
        try:
            yield queue
        finally:
            self._queues[key].discard(queue)
            if not self._queues[key]:
                del self._queues[key]

    def subscriber_count(self, key: K) -> int:
        return len(self._queues.get(key, ()))
