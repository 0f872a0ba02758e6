"""Per-client quotas on the costly actions: generations (answers from the model) and uploads.

The database is the truth: concurrent generations are the client's STREAMING messages, stored bytes the sum of its
tracks' sizes, and hourly and daily counts come from the usage ledger (so deleting a session or a track does not
give its budget back). Nothing is counted in process memory.

Each costly call is admitted *before* it writes anything: ``generation`` and ``upload`` are async context managers
that open a transaction holding the client's row lock (see ``store.usage.exclusive``), check every limit, let the
caller write inside the block, and record the usage in the same transaction. Two concurrent calls by one client
therefore cannot both squeeze under a limit. A refused ``askFollowup`` stores no question: the user gets the
error while still holding the text, which is better than a stored question with no answer coming.

Refusals say what was counted, the limit, and when to try again: ``RateLimited`` for "too many at once",
``QuotaExceeded`` for a spent hourly, daily or storage budget (storage has no ``retry_after_s``: waiting frees
nothing; deleting tracks does).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from services.errors import QuotaExceeded, RateLimited
from services.runtime.ratelimit import wait_in_words
from services.store import usage

GENERATION = "generation"
UPLOAD = "upload"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Answers take seconds to a minute; a client at its concurrency limit is told to look again shortly.
CONCURRENT_RETRY_S = 10


@dataclass(frozen=True)
class QuotaLimits:
    """The per-client limits (``api/settings.py`` documents the defaults and why)."""

    concurrent_generations: int
    generations_per_hour: int
    generations_per_day: int
    uploads_per_hour: int
    uploads_per_day: int
    stored_bytes: int


def _size_in_words(size_bytes: float) -> str:
    if size_bytes >= 1024**3:
        return f"{size_bytes / 1024**3:.1f} GB"
    return f"{size_bytes / 1024**2:.1f} MB"


class Quotas:
    """Admits generations and uploads per client; ``Quotas(None)`` admits everything (CLI and service tests)."""

    def __init__(self, limits: QuotaLimits | None) -> None:
        self._limits = limits

    @asynccontextmanager
    async def generation(self, *, owner_id: int) -> AsyncIterator[None]:
        """Admit one more answer (requestFeedback, askFollowup, retryMessage) or raise before the block runs.

        The block runs inside the transaction: start no task in it (a task would inherit the transaction's
        connection); start the generation after the block.
        """
        if self._limits is None:
            yield
            return
        async with usage.exclusive(owner_id):
            await self._check_generation(owner_id, self._limits)
            yield
            await usage.record(owner_id=owner_id, kind=GENERATION, at=datetime.now(UTC))

    async def check_upload(self, *, owner_id: int, size_bytes: int) -> None:
        """Refuse an upload early (before the file is read) when the client's budget is already spent."""
        if self._limits is not None:
            await self._check_upload(owner_id, self._limits, size_bytes=size_bytes)

    @asynccontextmanager
    async def upload(self, *, owner_id: int, size_bytes: int) -> AsyncIterator[None]:
        """Admit one upload of ``size_bytes`` or raise before the block (which stores the track) runs."""
        if self._limits is None:
            yield
            return
        async with usage.exclusive(owner_id):
            await self._check_upload(owner_id, self._limits, size_bytes=size_bytes)
            yield
            await usage.record(owner_id=owner_id, kind=UPLOAD, at=datetime.now(UTC))

    async def _check_generation(self, owner_id: int, limits: QuotaLimits) -> None:
        running = await usage.streaming_count(owner_id)
        if running >= limits.concurrent_generations:
            raise RateLimited(
                f"You have {running} answers being written right now; the limit is "
                f"{limits.concurrent_generations} at a time. Try again in {CONCURRENT_RETRY_S} s, when one has "
                "finished.",
                retry_after_s=CONCURRENT_RETRY_S,
            )
        per_window = {HOUR: limits.generations_per_hour, DAY: limits.generations_per_day}
        await _within(owner_id, kind=GENERATION, limits=per_window, done="started")

    async def _check_upload(self, owner_id: int, limits: QuotaLimits, *, size_bytes: int) -> None:
        await _within(
            owner_id, kind=UPLOAD, limits={HOUR: limits.uploads_per_hour, DAY: limits.uploads_per_day}, done="uploaded"
        )
        stored = await usage.stored_bytes(owner_id)
        if stored + max(size_bytes, 1) > limits.stored_bytes:
            limit = _size_in_words(limits.stored_bytes)
            where = (
                f"This {_size_in_words(size_bytes)} file would take your tracks to "
                f"{_size_in_words(stored + size_bytes)}, over your storage limit of {limit}."
                if size_bytes
                else f"Your tracks already take {_size_in_words(stored)} of your {limit} storage limit."
            )
            raise QuotaExceeded(f"{where} Delete tracks you no longer need, then upload again.")


_NOUNS = {GENERATION: "answers", UPLOAD: "tracks"}
_PERIODS = {HOUR: "in the last hour", DAY: "in the last 24 hours"}


async def _within(owner_id: int, *, kind: str, limits: dict[timedelta, int], done: str) -> None:
    """Raise ``QuotaExceeded`` for the first window (shortest first) in which its limit of actions of ``kind``
    already happened. Every window is counted in one query: each is a round trip inside the client's lock."""
    now = datetime.now(UTC)
    windows = sorted(limits)
    counts = await usage.counts_since(owner_id=owner_id, kind=kind, since=[now - window for window in windows])
    for window, count in zip(windows, counts, strict=True):
        if count >= limits[window]:
            await _refuse(owner_id, kind=kind, count=count, limit=limits[window], window=window, now=now, done=done)


async def _refuse(
    owner_id: int, *, kind: str, count: int, limit: int, window: timedelta, now: datetime, done: str
) -> NoReturn:
    since = now - window
    # A slot frees up when the action that put the count at the limit leaves the window.
    freeing = await usage.nth_since(owner_id=owner_id, kind=kind, since=since, n=count - limit)
    retry_s = max(1, math.ceil(((freeing or now) + window - now).total_seconds()))
    raise QuotaExceeded(
        f"You have {done} {count} {_NOUNS[kind]} {_PERIODS[window]}; the limit is {limit}. "
        f"Try again in {wait_in_words(retry_s)}.",
        retry_after_s=retry_s,
    )
