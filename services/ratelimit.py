"""A sliding-window rate limiter, in memory: enough for one server process guarding ``createClient``.

The app owns the instance (not a module global), so every app and every test starts with a clean window.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from services.errors import RateLimited


class SlidingWindowLimiter:
    def __init__(self, *, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._hits: defaultdict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str) -> None:
        """Count one call by ``key``, raising ``RateLimited`` when the window is already full."""
        now = self._clock()
        hits = self._hits[key]
        while hits and hits[0] <= now - self._window_s:
            hits.popleft()
        if len(hits) >= self._limit:
            retry_s = max(1, round(hits[0] + self._window_s - now))
            raise RateLimited(f"Too many new clients from this address; try again in {retry_s} s.")
        hits.append(now)
