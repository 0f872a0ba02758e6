"""A sliding-window rate limiter in bounded memory, for short windows kept per process (``createClient`` per
address, GraphQL requests per client).

It is the "sliding window counter" (as in Cloudflare's and nginx's limiters): each key keeps only the counts of
the current and the previous fixed window, and the previous one is weighted by how much of it still overlaps the
sliding window. That is O(1) memory per key whatever the limit (a log of hit times would keep up to ``limit``
floats per key: 600 a minute times 10,000 clients is millions of objects). Keys live in an LRU of at most
``max_keys``: keys idle for two windows are dropped first, then the least recently seen, so an attacker
cycling through 50,000 addresses cannot grow the table.

This class is the embedded (one-process) mode; with ``MIXCOACH_REDIS_URL`` set, ``services.runtime.limits`` runs
the same algorithm in a Redis script, so the limit holds across every web instance. Losing this state at a restart
only resets the windows (it is not data); the app owns the instance, so every app and every test starts clean.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from services.errors import RateLimited

MAX_KEYS = 10_000
_PERIODS = {60.0: "minute", 3600.0: "hour"}
_EPSILON = 1e-9  # prorated counts are floats: 3 * (1 - 1/3) must count as 2, not 2.0000000000000004


def wait_in_words(seconds: float) -> str:
    """``12 s``, ``12 min`` or ``3 h``, rounded up, for messages that say when to try again."""
    if seconds < 90:
        return f"{max(1, math.ceil(seconds))} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"


@dataclass
class Window:
    index: int  # which fixed window ``current`` counts (time // window_s)
    previous: int
    current: int


class SlidingWindowLimiter:
    """At most ``limit`` hits per key in any ``window_s`` (approximately: the previous window is prorated)."""

    def __init__(
        self,
        *,
        limit: int,
        window_s: float,
        subject: str = "calls",
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window_s = window_s
        self._subject = subject
        self._max_keys = max_keys
        self._clock = clock
        self._windows: OrderedDict[str, Window] = OrderedDict()

    def __len__(self) -> int:
        """How many keys are remembered (bounded by ``max_keys``)."""
        return len(self._windows)

    def hit(self, key: str) -> None:
        """Count one call by ``key``, or raise ``RateLimited`` (not counted) with the seconds to wait."""
        now = self._clock()
        index = math.floor(now / self._window_s)
        window = self._window(key, index)
        if estimate(window, now, window_s=self._window_s) + 1 > self._limit + _EPSILON:
            raise refusal(window, now, limit=self._limit, window_s=self._window_s, subject=self._subject)
        window.current += 1

    def _window(self, key: str, index: int) -> Window:
        window = self._windows.pop(key, None)
        if window is None or window.index < index - 1:
            window = Window(index=index, previous=0, current=0)
        elif window.index == index - 1:
            window = Window(index=index, previous=window.current, current=0)
        self._forget(index)
        self._windows[key] = window  # most recently seen last
        return window

    def _forget(self, index: int) -> None:
        """Drop keys idle for two windows (they count nothing), then the least recent beyond ``max_keys``."""
        while self._windows:
            oldest = next(iter(self._windows.values()))
            if oldest.index >= index - 1 and len(self._windows) < self._max_keys:
                return
            self._windows.popitem(last=False)


def estimate(window: Window, now: float, *, window_s: float) -> float:
    """Hits in the sliding window ending at ``now``: the previous fixed window prorated, plus the current one."""
    elapsed = now / window_s - window.index  # fraction of the current fixed window gone
    return window.previous * (1 - elapsed) + window.current


def refusal(window: Window, now: float, *, limit: int, window_s: float, subject: str) -> RateLimited:
    """The error for a refused hit, saying the limit and when a hit would next be admitted."""
    period = _PERIODS.get(window_s) or wait_in_words(window_s)
    retry_s = max(1, math.ceil(_free_at(window, limit=limit, window_s=window_s) - now - _EPSILON))
    return RateLimited(
        f"Too many {subject} (the limit is {limit} per {period}); try again in {wait_in_words(retry_s)}.",
        retry_after_s=retry_s,
    )


def _free_at(window: Window, *, limit: int, window_s: float) -> float:
    """The first time a hit would be admitted if none came meanwhile."""
    room = limit - 1 - window.current
    if window.previous > 0 and room >= 0:
        fraction = 1 - room / window.previous  # the prorated previous count has shrunk enough
        if fraction < 1:
            return (window.index + fraction) * window_s
    fraction = max(0.0, 1 - (limit - 1) / window.current) if window.current else 0.0
    return (window.index + 1 + fraction) * window_s
