"""``/healthz`` (liveness: the process answers) and ``/readyz`` (readiness: what it depends on answers).

A load balancer routes to instances whose ``/readyz`` is 200 and restarts ones whose ``/healthz`` fails; so a
database outage makes every instance unready (503, naming what failed) without getting them all restarted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

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
