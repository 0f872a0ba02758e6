"""The abuse suite's fixtures: a liveness probe that runs beside each case, and a guard on the error log.

- ``probe``: while a case runs, a second client asks ``/healthz`` again and again. Every answer must be a 200
  within the client's timeout; a stalled event loop makes it time out and the test fail. This checks liveness,
  not speed (speed is in ``make bench``).
- Every test here also fails if the server logged an "unexpected error": client mistakes are expected errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest

PROBE_TIMEOUT_S = 5.0


@dataclass
class Probe:
    answered: int = 0
    failures: list[str] = field(default_factory=list)


@asynccontextmanager
async def health_probe(base_url: str) -> AsyncIterator[Probe]:
    """Ask ``/healthz`` continuously until the block ends; record every failure."""
    probe = Probe()
    stop = asyncio.Event()

    async def run() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=PROBE_TIMEOUT_S) as client:
            while not stop.is_set():
                try:
                    response = await client.get("/healthz")
                    if response.status_code == 200:
                        probe.answered += 1
                    else:
                        probe.failures.append(f"status {response.status_code}")
                except httpx.HTTPError as exc:
                    probe.failures.append(repr(exc))
                await asyncio.sleep(0.02)

    task = asyncio.create_task(run())
    try:
        yield probe
    finally:
        await asyncio.sleep(0.05)  # at least one answer after the case
        stop.set()
        await task
    assert probe.failures == [], f"/healthz failed while the case ran: {probe.failures[:3]}"
    assert probe.answered > 0


@pytest.fixture(autouse=True)
def no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.ERROR)
    yield
    # The test's own phase only: fakes torn down afterwards (a stalled LLM stream) may log their own shutdown.
    unexpected = [r.getMessage() for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert unexpected == [], f"client mistakes were logged as errors: {unexpected[:3]}"
