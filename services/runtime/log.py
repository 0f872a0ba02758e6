"""The event log behind live events: an append-only, per-key list of entries that subscribers follow by id.

Both implementations keep the Redis Streams model (``XADD`` / ``XRANGE`` / ``XREAD BLOCK`` by id), so the code
above them (message streams, the event bus) is one piece of code whatever the mode:

- ``MemoryLog``: the embedded default (``make run``): a list per key in this process.
- ``RedisLog`` (``services.runtime.redis_log``): Redis Streams, shared by every web instance and worker.

Entries are flat ``dict[str, str]`` in both, so the in-process mode exercises the same encoding as Redis. Ids are
strings that compare with ``entry_key``; a subscriber that remembers the last id it handled asks only for later
ones, which is what makes "replay, then follow" gap-free and duplicate-free.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Protocol

Fields = dict[str, str]
Entry = tuple[str, Fields]
START = "0"  # the id before every entry: follow(key, START) replays a whole stream


def entry_key(entry_id: str) -> tuple[int, int]:
    """Order of ids: Redis ids are ``<ms>-<seq>``; the in-process ones are ``0-<n>``."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _entry_order(entry: Entry) -> tuple[int, int]:
    return entry_key(entry[0])


class EventLog(Protocol):
    """What live events need from a log (see the module docstring)."""

    async def append(self, key: str, fields: Fields, *, maxlen: int) -> str:
        """Add an entry (keeping about the last ``maxlen``); returns its id."""
        ...

    async def entries(self, key: str) -> list[Entry]:
        """Every entry still kept under ``key``, oldest first (empty when the key does not exist)."""
        ...

    async def last_id(self, key: str) -> str:
        """The id of the newest entry, or ``START`` when there is none: following from it misses nothing later."""
        ...

    def follow(self, key: str, after: str) -> AsyncGenerator[list[Entry], None]:
        """Entries after ``after``, live, forever, in batches: each batch (never empty) holds every entry that
        arrived since the previous batch was taken, so a slow follower takes a backlog in one step. Close the
        iterator (``aclosing``) to stop."""
        ...

    async def expire(self, key: str, seconds: float) -> None:
        """Drop ``key`` after ``seconds`` (an ended stream is kept a little for late subscribers)."""
        ...

    async def persist(self, key: str) -> None:
        """Cancel an ``expire`` (a stream that ended is written again: a retried answer)."""
        ...

    async def delete(self, key: str) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class _Stream:
    entries: list[Entry] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    expiry: asyncio.TimerHandle | None = None
    followers: int = 0


class MemoryLog:
    """The in-process log. Ids come from one counter for the whole log, so a key deleted and written again (a
    retried answer) still only ever grows its ids, as Redis' time-based ids do."""

    def __init__(self) -> None:
        self._streams: dict[str, _Stream] = {}
        self._ids = itertools.count(1)

    def __len__(self) -> int:
        return len(self._streams)

    async def append(self, key: str, fields: Fields, *, maxlen: int) -> str:
        stream = self._streams.get(key) or self._streams.setdefault(key, _Stream())  # no new _Stream per token
        entry_id = f"0-{next(self._ids)}"
        stream.entries.append((entry_id, dict(fields)))
        if len(stream.entries) > maxlen:
            del stream.entries[: len(stream.entries) - maxlen]
        stream.changed.set()
        stream.changed = asyncio.Event()  # later waiters wait for the next entry
        return entry_id

    async def entries(self, key: str) -> list[Entry]:
        stream = self._streams.get(key)
        return [] if stream is None else list(stream.entries)

    async def last_id(self, key: str) -> str:
        stream = self._streams.get(key)
        return stream.entries[-1][0] if stream is not None and stream.entries else START

    async def follow(self, key: str, after: str) -> AsyncGenerator[list[Entry], None]:
        cursor = entry_key(after)
        stream = self._attach(key)
        try:
            while True:
                waiting = stream.changed
                start = bisect.bisect_right(stream.entries, cursor, key=_entry_order)  # ids only ever grow
                if start < len(stream.entries):
                    fresh = stream.entries[start:]
                    cursor = entry_key(fresh[-1][0])
                    yield fresh
                    continue
                await waiting.wait()
                if self._streams.get(key) is not stream:  # deleted or expired (and perhaps written again)
                    stream.followers -= 1
                    stream = self._attach(key)
        finally:
            stream.followers -= 1
            if not stream.followers and not stream.entries and self._streams.get(key) is stream:
                del self._streams[key]  # an idle follower of a key nobody wrote leaves nothing behind

    def _attach(self, key: str) -> _Stream:
        stream = self._streams.setdefault(key, _Stream())
        stream.followers += 1
        return stream

    async def expire(self, key: str, seconds: float) -> None:
        stream = self._streams.get(key)
        if stream is None:
            return
        if stream.expiry is not None:
            stream.expiry.cancel()
        stream.expiry = asyncio.get_running_loop().call_later(seconds, self._drop, key, stream)

    async def persist(self, key: str) -> None:
        stream = self._streams.get(key)
        if stream is not None and stream.expiry is not None:
            stream.expiry.cancel()
            stream.expiry = None

    def _drop(self, key: str, stream: _Stream) -> None:
        if self._streams.get(key) is stream:
            del self._streams[key]
            stream.changed.set()

    async def delete(self, key: str) -> None:
        stream = self._streams.pop(key, None)
        if stream is not None:
            if stream.expiry is not None:
                stream.expiry.cancel()
            stream.changed.set()

    async def aclose(self) -> None:
        for stream in self._streams.values():
            if stream.expiry is not None:
                stream.expiry.cancel()
        self._streams.clear()
