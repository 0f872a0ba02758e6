"""Message streams: the text generated so far per message, and live deltas for subscribers, on any instance.

Generation belongs to the server, not to a socket: a generation task appends here whether or not anyone listens.
Each message has one stream in the event log (``services.runtime``: this process's memory, or Redis Streams shared
by every instance): an ``open`` entry, one entry per delta, and a last ``end`` (or ``gone``) entry, after which the
stream expires. A subscriber first gets everything generated before it arrived (one replay event, from the stream's
entries), then follows the same stream from the last id it replayed, so it sees every delta once and in order
(live deltas that arrive together, or, in a busy process, within up to ``COALESCE_S`` of the previous event, are
joined into one event: ``services.runtime.coalesce``),
then a final ``done`` event carrying the finished (or FAILED) message as stored, or, when the message was deleted
while it streamed, no message and an ``error_code``. A STREAMING message with no stream (its instance died) and a
message that is no longer generating are answered from the database with a single ``done`` event.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from services import domain
from services.runtime.coalesce import Pace, coalesced
from services.runtime.log import EventLog, MemoryLog

OPEN, DELTA, END, GONE = "open", "delta", "end", "gone"
MAX_ENTRIES = 20_000  # far above the deltas of one answer (max output tokens), so a replay is never trimmed
COALESCE_S = 0.025  # a busy process joins live deltas arriving within this of the previous event (runtime.coalesce)
ENDED_TTL_S = 300.0  # an ended stream is kept this long for late subscribers, then the database answers alone


@dataclass(frozen=True)
class MessageEvent:
    message_id: int
    delta: str
    done: bool
    message: domain.Message | None = None
    error_code: str | None = None  # set on a final event without a message: it was deleted while streaming
    error: str | None = None


def _key(message_id: int) -> str:
    return f"msg:{message_id}"


class MessageStreams:
    def __init__(
        self, log: EventLog | None = None, *, ended_ttl_s: float = ENDED_TTL_S, coalesce_s: float = COALESCE_S
    ) -> None:
        self._log: EventLog = log if log is not None else MemoryLog()
        self._ended_ttl_s = ended_ttl_s
        self._pace = Pace(window_s=coalesce_s)  # one per process: every subscriber here is paced by its load

    async def open(self, message_id: int) -> None:
        """Start (or, for a retry, restart) the message's stream; called before the generation task starts.

        A retry appends a new ``open`` entry to the old stream (and cancels its expiry) rather than deleting it, so
        a subscriber arriving at any moment finds a stream; replays start after the latest ``open``."""
        await self._log.append(_key(message_id), {"k": OPEN}, maxlen=MAX_ENTRIES)
        await self._log.persist(_key(message_id))

    async def publish(self, message_id: int, delta: str) -> None:
        await self._log.append(_key(message_id), {"k": DELTA, "t": delta}, maxlen=MAX_ENTRIES)

    async def finish(self, message_id: int) -> None:
        """The last entry: subscribers read the stored message (written before this) and stop."""
        await self._end(message_id, {"k": END})

    async def abandon(self, message_id: int, *, code: str, error: str) -> bool:
        """The last entry for a message that no longer exists; False if it had no open stream."""
        entries = await self._log.entries(_key(message_id))
        if not entries or entries[-1][1].get("k") in (END, GONE):
            return False
        await self._end(message_id, {"k": GONE, "code": code, "error": error})
        return True

    async def _end(self, message_id: int, fields: dict[str, str]) -> None:
        await self._log.append(_key(message_id), fields, maxlen=MAX_ENTRIES)
        await self._log.expire(_key(message_id), self._ended_ttl_s)

    async def follow(
        self, message_id: int, *, load: Callable[[], Awaitable[domain.Message]]
    ) -> AsyncIterator[MessageEvent]:
        """Replay, then live deltas, then ``done``; ``load`` reads the stored message (ownership-checked)."""
        stored = await load()  # raises NotFound for a missing or foreign message before anything is yielded
        key = _key(message_id)
        if stored.status is not domain.MessageStatus.STREAMING:
            yield MessageEvent(message_id=message_id, delta=stored.content, done=True, message=stored)
            return
        entries = await self._log.entries(key)
        if not entries:  # no live stream anywhere: its generation is gone; the database has the truth
            current = await load()
            yield MessageEvent(message_id=message_id, delta=current.content, done=True, message=current)
            return
        opened = max((i for i, (_, f) in enumerate(entries) if f.get("k") == OPEN), default=0)
        replay: list[str] = []
        for _, fields in entries[opened:]:
            if fields.get("k") in (END, GONE):
                yield await self._final(message_id, fields, "".join(replay), load)
                return
            if fields.get("k") == DELTA:
                replay.append(fields.get("t", ""))
        if replay:
            yield MessageEvent(message_id=message_id, delta="".join(replay), done=False)
        live_entries = coalesced(self._log.follow(key, entries[-1][0]), window=self._pace.window)
        async with contextlib.aclosing(live_entries) as live:
            async for batch in live:
                text: list[str] = []
                for _, fields in batch:
                    kind = fields.get("k")
                    if kind == DELTA:
                        text.append(fields.get("t", ""))
                    elif kind in (END, GONE):
                        if text:  # the live final event carries no text, as before coalescing
                            yield MessageEvent(message_id=message_id, delta="".join(text), done=False)
                        yield await self._final(message_id, fields, "", load)
                        return
                if text:
                    yield MessageEvent(message_id=message_id, delta="".join(text), done=False)

    async def _final(
        self, message_id: int, fields: dict[str, str], delta: str, load: Callable[[], Awaitable[domain.Message]]
    ) -> MessageEvent:
        if fields.get("k") == GONE:
            return MessageEvent(
                message_id=message_id, delta="", done=True, error_code=fields.get("code"), error=fields.get("error")
            )
        return MessageEvent(message_id=message_id, delta=delta, done=True, message=await load())
