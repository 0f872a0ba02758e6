"""Keep-alive HTTP load for the read bench: wrk when it is installed (``make bench`` installs it through apt),
else a small asyncio client speaking HTTP/1.1 over raw sockets, so the figures still come out, only lower.

Both report requests per second and the p50/p99 latency over a fixed duration with ``c`` open connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    url: str
    method: str = "GET"
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


def run_load(request: Request, *, connections: int, seconds: float) -> LoadResult:
    if shutil.which("wrk"):
        return _wrk(request, connections=connections, seconds=seconds)
    return asyncio.run(_python_load(request, connections=connections, seconds=seconds))


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _wrk(request: Request, *, connections: int, seconds: float) -> LoadResult:
    lines = [f"wrk.method = {json.dumps(request.method)}", f"wrk.body = {json.dumps(request.body.decode())}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in request.headers]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        threads = min(2, connections)
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--latency", "-s",
             script.name, request.url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        Path(script.name).unlink()
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return LoadResult(rps=rps, p50_ms=p50, p99_ms=p99, errors=errors, tool="wrk")


async def _python_load(request: Request, *, connections: int, seconds: float) -> LoadResult:
    parts = urlsplit(request.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    head = [f"{request.method} {path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(request.body)}"]
    head += [f"{k}: {v}" for k, v in request.headers]
    wire = ("\r\n".join(head) + "\r\n\r\n").encode() + request.body
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def one_connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(wire)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - started) * 1000)
                if b" 200 " not in status_line:
                    errors += 1
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    began = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] if ordered else 0.0
    return LoadResult(
        rps=len(latencies) / elapsed,
        p50_ms=statistics.median(ordered) if ordered else 0.0,
        p99_ms=p99,
        errors=errors,
        tool="python",
    )
