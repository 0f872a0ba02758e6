"""The event log on Redis Streams: ``XADD ... MAXLEN ~``, ``XRANGE``, ``XREAD BLOCK`` by id, ``EXPIRE``.

A blocking ``XREAD`` holds a connection for as long as it waits, so one per subscriber would cost 1,000
connections for 1,000 idle subscriptions. Instead each process runs one reader (``_Hub``) with its own connection:
a single ``XREAD BLOCK`` over every key some local subscriber follows, fanned out to per-subscriber queues. A
subscriber joining while that read is blocked wakes it with an entry on the process's private wake-up stream, so
the read is re-issued with the new key at once.

Every key is prefixed (``MIXCOACH_REDIS_PREFIX``) so several deployments or test runs can share one Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from services.runtime.log import START, Entry, Fields, entry_key

log = logging.getLogger(__name__)

BLOCK_MS = 5000  # how long one XREAD waits before it is simply re-issued
_WAKE_TTL_S = 3600


def _decode(raw: object) -> list[Entry]:
    """``[(id, {field: value})]`` from a reply (RESP2 lists; ``decode_responses=True`` gives ``str``)."""
    out: list[Entry] = []
    for entry_id, fields in raw or []:  # type: ignore[attr-defined]
        out.append((str(entry_id), {str(k): str(v) for k, v in (fields or {}).items()}))
    return out


@dataclass(eq=False)
class _Follower:
    key: str
    cursor: str
    queue: asyncio.Queue[Entry] = field(default_factory=asyncio.Queue)


class _Hub:
    """One blocking reader for every local follower (see the module docstring)."""

    def __init__(self, url: str, wake_key: str) -> None:
        self._redis: Redis = Redis.from_url(url, decode_responses=True, max_connections=1)
        self._wake_key = wake_key
        self._wake_cursor = START
        self._followers: dict[str, set[_Follower]] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, follower: _Follower) -> None:
        self._followers.setdefault(follower.key, set()).add(follower)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="redis-log-hub")

    def remove(self, follower: _Follower) -> None:
        followers = self._followers.get(follower.key)
        if followers is not None:
            followers.discard(follower)
            if not followers:
                del self._followers[follower.key]

    @property
    def follower_count(self) -> int:
        return sum(len(f) for f in self._followers.values())

    async def _run(self) -> None:
        while self._followers:
            streams: dict[str, str] = {self._wake_key: self._wake_cursor}
            for key, followers in self._followers.items():
                streams[key] = min((f.cursor for f in followers), key=entry_key)
            try:
                reply: list[Any] = await self._redis.xread(streams, block=BLOCK_MS)  # type: ignore[arg-type,assignment]
            except asyncio.CancelledError:
                raise
            except Exception:  # a dropped connection: followers keep their cursors, so nothing is lost
                log.warning("reading Redis streams failed; retrying", exc_info=True)
                await asyncio.sleep(0.5)
                continue
            for key, raw in reply or []:
                entries = _decode(raw)
                if key == self._wake_key:
                    self._wake_cursor = entries[-1][0] if entries else self._wake_cursor
                    continue
                for follower in list(self._followers.get(key, ())):
                    for entry in entries:
                        if entry_key(entry[0]) > entry_key(follower.cursor):
                            follower.cursor = entry[0]
                            follower.queue.put_nowait(entry)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()


class RedisLog:
    def __init__(self, url: str, *, prefix: str) -> None:
        self._prefix = prefix
        self._redis: Redis = Redis.from_url(url, decode_responses=True)
        self._wake_key = f"{prefix}hub:{uuid.uuid4().hex}"
        self._hub = _Hub(url, self._wake_key)

    def _key(self, key: str) -> str:
        return self._prefix + key

    @property
    def follower_count(self) -> int:
        return self._hub.follower_count

    async def append(self, key: str, fields: Fields, *, maxlen: int) -> str:
        entry_id = await self._redis.xadd(self._key(key), fields, maxlen=maxlen, approximate=True)  # type: ignore[arg-type]
        return str(entry_id)

    async def entries(self, key: str) -> list[Entry]:
        return _decode(await self._redis.xrange(self._key(key)))

    async def last_id(self, key: str) -> str:
        newest = _decode(await self._redis.xrevrange(self._key(key), count=1))
        return newest[0][0] if newest else START

    async def follow(self, key: str, after: str) -> AsyncGenerator[list[Entry], None]:
        follower = _Follower(key=self._key(key), cursor=after)
        self._hub.add(follower)
        try:
            await self._wake()
            while True:
                batch = [await follower.queue.get()]
                while not follower.queue.empty():
                    batch.append(follower.queue.get_nowait())
                yield batch
        finally:
            self._hub.remove(follower)

    async def _wake(self) -> None:
        """Make the hub's blocked read return, so it re-reads with the new follower's key."""
        await self._redis.xadd(self._wake_key, {"w": "1"}, maxlen=1, approximate=False)
        await self._redis.expire(self._wake_key, _WAKE_TTL_S)

    async def expire(self, key: str, seconds: float) -> None:
        await self._redis.expire(self._key(key), max(1, round(seconds)))

    async def persist(self, key: str) -> None:
        await self._redis.persist(self._key(key))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._key(key))

    async def aclose(self) -> None:
        await self._hub.aclose()
        with contextlib.suppress(Exception):
            await self._redis.delete(self._wake_key)
        await self._redis.aclose()
