"""Rate limiters behind one small interface: in this process (embedded mode) or in Redis (shared by every web
instance, so ``createClient``'s 3 a minute means 3 a minute, not 3 per instance).

Both run the same sliding-window-counter algorithm (``services.runtime.ratelimit``): two fixed-window counts per
key, the previous one prorated. In Redis both counts live in one hash per key and a registered Lua script reads,
decides and increments in one atomic step, with Redis' own clock (instances' clocks may disagree). redis-py's ``Script``
re-loads the script by itself after a ``SCRIPT FLUSH`` or a Redis restart.
"""

from __future__ import annotations

from typing import Protocol

from redis.asyncio import Redis

from services.runtime.ratelimit import SlidingWindowLimiter, Window, refusal


class RateLimiter(Protocol):
    async def hit(self, key: str) -> None:
        """Count one call by ``key``, or raise ``RateLimited`` (and count nothing)."""
        ...


class MemoryLimiter:
    """The embedded mode: ``SlidingWindowLimiter`` in this process's memory."""

    def __init__(self, *, limit: int, window_s: float, subject: str) -> None:
        self._limiter = SlidingWindowLimiter(limit=limit, window_s=window_s, subject=subject)

    async def hit(self, key: str) -> None:
        self._limiter.hit(key)


# KEYS[1] = the key's hash; ARGV = window_s, limit. Returns {admitted, index, previous, current, now (a string:
# Redis truncates Lua numbers in replies to integers)}. The counts are of the windows before this hit.
_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local index = math.floor(now / window)
local current = tonumber(redis.call('HGET', KEYS[1], tostring(index)) or '0')
local previous = tonumber(redis.call('HGET', KEYS[1], tostring(index - 1)) or '0')
local elapsed = now / window - index
if previous * (1 - elapsed) + current + 1 > limit + 1e-9 then
  return {0, index, previous, current, tostring(now)}
end
redis.call('HINCRBY', KEYS[1], tostring(index), 1)
redis.call('HDEL', KEYS[1], tostring(index - 2))
redis.call('EXPIRE', KEYS[1], math.ceil(window * 2) + 1)
return {1, index, previous, current, tostring(now)}
"""


class RedisLimiter:
    def __init__(self, redis: Redis, *, prefix: str, name: str, limit: int, window_s: float, subject: str) -> None:
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._prefix = f"{prefix}limit:{name}:"
        self._limit = limit
        self._window_s = window_s
        self._subject = subject

    async def hit(self, key: str) -> None:
        reply = await self._script(keys=[self._prefix + key], args=[self._window_s, self._limit])
        admitted, index, previous, current, now = reply
        if int(admitted):
            return
        window = Window(index=int(index), previous=int(previous), current=int(current))
        raise refusal(window, float(now), limit=self._limit, window_s=self._window_s, subject=self._subject)
