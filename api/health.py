"""``/healthz`` (liveness: the process answers) and ``/readyz`` (readiness: what it depends on answers).

A load balancer routes to instances whose ``/readyz`` is 200 and restarts ones whose ``/healthz`` fails; so a
database outage makes every instance unready (503, naming what failed) without getting them all restarted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse

Check = Callable[[], Awaitable[str]]
CHECK_TIMEOUT_S = 3.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def readyz(checks: Mapping[str, Check]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """Run every check (each with a timeout); 200 if all pass, else 503. Each reports a line or its error."""

    async def endpoint(request: Request) -> JSONResponse:
        names = list(checks)
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(checks[name](), CHECK_TIMEOUT_S) for name in names), return_exceptions=True
        )
        report: dict[str, dict[str, object]] = {}
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                report[name] = {"ok": False, "error": f"{type(outcome).__name__}: {outcome}"}
            else:
                report[name] = {"ok": True, "detail": outcome}
        ready = all(entry["ok"] for entry in report.values())
        return JSONResponse({"status": "ready" if ready else "unavailable", "checks": report}, 200 if ready else 503)

    return endpoint


async def redis_ping(url: str) -> str:
    """PING over a fresh connection (AUTH first if the URL has a password): no client library needed to know
    whether Redis answers."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname or "127.0.0.1", parts.port or 6379)
    try:
        if parts.password:
            user = unquote(parts.username or "default")
            writer.write(_command("AUTH", user, unquote(parts.password)))
            await _expect_ok(reader)
        writer.write(_command("PING"))
        reply = await reader.readline()
        if not reply.startswith(b"+PONG"):
            raise ConnectionError(f"unexpected reply to PING: {reply[:80]!r}")
        return f"redis {parts.hostname}:{parts.port or 6379}"
    finally:
        writer.close()
        await writer.wait_closed()


def _command(*words: str) -> bytes:
    encoded = [word.encode() for word in words]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in encoded)


async def _expect_ok(reader: asyncio.StreamReader) -> None:
    reply = await reader.readline()
    if not reply.startswith(b"+OK"):
        raise ConnectionError(f"Redis refused AUTH: {reply[:80]!r}")
