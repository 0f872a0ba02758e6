"""The coordination seam: where live events and limits live, chosen once from the settings.

- Embedded (no Redis URL; ``make run``): everything in this process (``MemoryLog``, ``MemoryLimiter``).
- Distributed (``MIXCOACH_REDIS_URL``): Redis Streams for token deltas, track progress and thread events, and Redis
  for rate limits, so every web instance and worker sees the same streams and counts.

Code above this package sees only the small interfaces (``EventLog``, ``EventBus``, ``RateLimiter``) and cannot tell
the modes apart; the same API tests run in both. Data invariants never live here: the database holds the truth.
The work queue sits beside it: ``services.runtime.queue`` (in process) and ``services.runtime.queue_postgres``
(procrastinate, run by ``mixcoach worker``), chosen by ``MIXCOACH_QUEUE``; the distributed queue needs Redis here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis

from services.runtime.bus import EventBus
from services.runtime.limits import MemoryLimiter, RateLimiter, RedisLimiter
from services.runtime.log import EventLog, MemoryLog
from services.runtime.redis_log import RedisLog

__all__ = ["EventBus", "EventLog", "RateLimiter", "Runtime", "build_runtime"]


@dataclass
class Runtime:
    """One per app (or worker). ``aclose`` at shutdown."""

    log: EventLog
    redis_url: str | None = None
    prefix: str = "mixcoach:"
    _redis: Redis | None = field(default=None, repr=False)

    @property
    def mode(self) -> str:
        return "embedded" if self.redis_url is None else "redis"

    def bus(self) -> EventBus:
        return EventBus(self.log)

    def limiter(self, *, name: str, limit: int, window_s: float, subject: str) -> RateLimiter:
        """A rate limiter; ``name`` keeps its keys apart from other limiters' in Redis."""
        if self.redis_url is None:
            return MemoryLimiter(limit=limit, window_s=window_s, subject=subject)
        return RedisLimiter(
            self._client(self.redis_url), prefix=self.prefix, name=name, limit=limit, window_s=window_s, subject=subject
        )

    def _client(self, url: str) -> Redis:
        """redis-py's client for limits and checks, made on first use (its pool opens connections lazily)."""
        if self._redis is None:
            self._redis = Redis.from_url(url, decode_responses=True)
        return self._redis

    async def check(self) -> str:
        """For ``/readyz``: ``PING`` through redis-py's client (the connections the limits use), or "in-process"."""
        if self.redis_url is None:
            return "in-process"
        client = self._client(self.redis_url)
        await client.ping()
        where = client.connection_pool.connection_kwargs
        return f"redis {where.get('host', '?')}:{where.get('port', '?')}"

    async def aclose(self) -> None:
        await self.log.aclose()
        if self._redis is not None:
            await self._redis.aclose()


def build_runtime(redis_url: str | None, *, prefix: str = "mixcoach:") -> Runtime:
    """The embedded runtime without a URL, else the Redis one (connections open lazily, on first use)."""
    if redis_url is None:
        return Runtime(log=MemoryLog())
    return Runtime(log=RedisLog(redis_url, prefix=prefix), redis_url=redis_url, prefix=prefix)
