from __future__ import annotations

import pytest

from services.errors import RateLimited
from services.ratelimit import SlidingWindowLimiter


def test_ratelimit_window_slides_per_key() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(limit=2, window_s=60.0, clock=lambda: now[0])
    limiter.hit("a")
    now[0] = 30.0
    limiter.hit("a")
    limiter.hit("b")
    with pytest.raises(RateLimited, match="try again in 30 s"):
        limiter.hit("a")
    now[0] = 60.0
    limiter.hit("a")  # the hit at 0 s has left the window; the one at 30 s has not
    with pytest.raises(RateLimited):
        limiter.hit("a")
