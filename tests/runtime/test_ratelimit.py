"""The sliding-window limiter: per key, prorated across windows, honest retry-after, bounded memory."""

from __future__ import annotations

import pytest

from services.errors import RateLimited
from services.runtime.ratelimit import SlidingWindowLimiter, wait_in_words


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _refused_for(limiter: SlidingWindowLimiter, key: str) -> float | None:
    """The retry-after of a refused hit, or ``None`` when the hit was admitted (and counted)."""
    try:
        limiter.hit(key)
    except RateLimited as exc:
        return exc.retry_after_s
    return None


def test_ratelimit_counts_per_key_and_says_when_to_retry() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(limit=2, window_s=60.0, subject="new clients", clock=clock)
    limiter.hit("a")
    clock.now = 30.0
    limiter.hit("a")
    limiter.hit("b")
    with pytest.raises(RateLimited, match=r"Too many new clients \(the limit is 2 per minute\); try again in 60 s"):
        limiter.hit("a")


def test_ratelimit_prorates_the_previous_window() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(limit=10, window_s=60.0, clock=clock)
    for _ in range(10):
        limiter.hit("a")
    clock.now = 90.0  # half of the previous window still overlaps: it counts as 5
    admitted = [_refused_for(limiter, "a") is None for _ in range(6)]
    assert admitted == [True] * 5 + [False]


@pytest.mark.parametrize(("hits", "at"), [(3, 0.0), (3, 59.0), (5, 10.0), (5, 70.0), (2, 100.0), (4, 130.5)])
def test_ratelimit_retry_after_is_exact_to_the_second(hits: int, at: float) -> None:
    """After a refusal, one second before ``retry_after_s`` is still too early and ``retry_after_s`` is enough."""
    clock = Clock()
    limiter = SlidingWindowLimiter(limit=3, window_s=60.0, clock=clock)
    for i in range(hits):
        clock.now = at * i / hits
        _refused_for(limiter, "a")
    clock.now = at
    while (retry := _refused_for(limiter, "a")) is None:
        pass
    start = clock.now
    if retry > 1:
        clock.now = start + retry - 1
        assert _refused_for(limiter, "a") is not None
    clock.now = start + retry
    assert _refused_for(limiter, "a") is None


def test_ratelimit_memory_stays_bounded_after_50000_addresses() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(limit=2, window_s=60.0, max_keys=10_000, clock=clock)
    limiter.hit("victim")
    limiter.hit("victim")
    for i in range(50_000):
        limiter.hit(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
        if i % 1000 == 0:  # an active key stays remembered (and limited) while the flood goes on
            assert _refused_for(limiter, "victim") is not None
        assert len(limiter) <= 10_000
    assert len(limiter) == 10_000
    clock.now = 150.0  # two windows later every key is idle: one new hit forgets them all
    limiter.hit("late")
    assert len(limiter) == 1


def test_ratelimit_waits_in_words() -> None:
    assert [wait_in_words(s) for s in (0.2, 12, 89.5, 90, 719, 5400, 86400)] == [
        "1 s",
        "12 s",
        "90 s",
        "2 min",
        "12 min",
        "2 h",
        "24 h",
    ]
