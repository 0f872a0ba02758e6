"""Batch a live stream per subscriber on a short timer, so one event carries every item that arrived meanwhile.

Why: each event a subscriber receives costs a GraphQL execution and a WebSocket frame; a model streams a token
every few milliseconds, and one event per token saturated a process at about a thousand tokens a second. Here
the first item after a quiet spell goes out at once, and items arriving within ``window_s`` of the previous batch
wait for the window to close and go out together: a subscriber gets at most one event per window, and no item
waits longer than the window.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Generic, TypeVar

T = TypeVar("T")


class _End(Generic[T]):
    """The source ended (``error`` set when it raised)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


async def coalesced(source: AsyncGenerator[T, None], *, window_s: float) -> AsyncGenerator[list[T], None]:
    """``source``'s items in order, in batches at most one per ``window_s``; ``source`` is closed at the end."""
    queue: asyncio.Queue[T | _End[T]] = asyncio.Queue()

    async def pump() -> None:
        try:
            async with contextlib.aclosing(source):
                async for item in source:
                    queue.put_nowait(item)
        except Exception as exc:  # handed to the consumer, which raises it in its own task
            queue.put_nowait(_End(exc))
            return
        queue.put_nowait(_End())

    loop = asyncio.get_running_loop()
    task = asyncio.create_task(pump())
    last = float("-inf")
    try:
        while True:
            first = await queue.get()
            end: _End[T] | None = first if isinstance(first, _End) else None
            batch: list[T] = [] if end is not None else [first]  # type: ignore[list-item]
            if end is None and (wait := last + window_s - loop.time()) > 0:
                await asyncio.sleep(wait)
            while end is None and not queue.empty():
                item = queue.get_nowait()
                if isinstance(item, _End):
                    end = item
                else:
                    batch.append(item)
            if batch:
                last = loop.time()
                yield batch
            if end is not None:
                if end.error is not None:
                    raise end.error
                return
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
