"""The partial text of every live generation, flushed to the database together on one timer.

Why: each generation used to write its text so far from inside its token loop, every half second, one commit per
stream; at 100 live streams that is 200 commits a second, each holding up the stream that made it. Here one loop
per process wakes every ``interval_s`` and writes the text of every stream that grew since its last flush in one
transaction, while the streams go on publishing. A crash still loses at most ``interval_s`` of text, and text
that arrived just before the model went quiet is flushed by the next tick rather than waiting for the next token.

The final text is not written here: a generation ``release``\\ s its message (waiting out a flush in flight) and
then writes its final text itself, so a late partial flush can never overwrite the finished answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from services.coaching.progress import Progress
from services.store import conversation as store

log = logging.getLogger(__name__)
_MIN_TICK_S = 0.02  # an interval of 0 (tests: flush as soon as possible) still yields between ticks


class PartialTexts:
    """Tracks live generations' ``Progress`` and flushes the grown ones every ``interval_s``, all in one commit."""

    def __init__(self, *, interval_s: float) -> None:
        self.interval_s = interval_s
        self._live: dict[int, Progress] = {}
        self._flushed_parts: dict[int, int] = {}  # message id → how many parts the database has
        self._gone: set[int] = set()  # tracked messages whose row was found deleted
        self._writing = asyncio.Lock()  # held while a flush is in flight, so ``release`` can wait it out
        self._loop: asyncio.Task[None] | None = None

    def track(self, message_id: int, progress: Progress) -> None:
        """Flush ``progress``'s text on every tick until ``release``."""
        self._live[message_id] = progress
        self._flushed_parts[message_id] = len(progress.parts)
        self._gone.discard(message_id)
        if self._loop is None or self._loop.done():
            self._loop = asyncio.create_task(self._run(), name="partial-text-flush")

    def gone(self, message_id: int) -> bool:
        """True once a flush found the message's row deleted: its generation should stop."""
        return message_id in self._gone

    async def release(self, message_id: int) -> None:
        """Stop flushing the message; returns once no flush of it is in flight, so the caller's write is last."""
        async with self._writing:
            self._live.pop(message_id, None)
            self._flushed_parts.pop(message_id, None)
            self._gone.discard(message_id)

    async def flush(self) -> None:
        """Write every tracked text that grew since its last flush, in one transaction."""
        async with self._writing:
            grown = {
                mid: (len(p.parts), p.text)
                for mid, p in self._live.items()
                if len(p.parts) != self._flushed_parts.get(mid) and mid not in self._gone
            }
            if not grown:
                return
            missing = await store.save_partials({mid: text for mid, (_, text) in grown.items()})
            for mid, (parts, _) in grown.items():
                self._flushed_parts[mid] = parts
            self._gone.update(missing & self._live.keys())

    async def close(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None

    async def _run(self) -> None:
        """Tick until no generation is tracked (``track`` starts it again)."""
        while self._live:
            await asyncio.sleep(max(self.interval_s, _MIN_TICK_S))
            try:
                await self.flush()
            except Exception:  # the database is briefly unreachable: the next tick writes the longer text
                log.warning("flushing partial answers failed", exc_info=True)
