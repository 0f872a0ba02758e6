"""``make bench``: how fast hostile requests are refused, and what they cost everyone else.

Prints the time to refuse the worst case (a fragment bomb of 200 levels), the slowest case of the abuse suite, and
the p50/p99 of a simple authenticated query on a quiet server and while another client sends the whole abuse suite
in a loop. The server is a real ``mixcoach serve`` process.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from bench.server import serve
from tests.abuse.cases import WORST_CASE, query_cases, transport_cases
from tests.graphql_client import auth, new_token

SIMPLE = {"query": "{ genres { name } }"}


async def _timed(client: httpx.AsyncClient, **request: object) -> float:
    started = time.perf_counter()
    response = await client.post("/graphql", **request)  # type: ignore[arg-type]
    response.read()
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def _simple_latencies(client: httpx.AsyncClient, token: str, seconds: float) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        latencies.append(await _timed(client, json=SIMPLE, headers=auth(token)))
        await asyncio.sleep(0.01)
    return latencies


async def _abuse_loop(client: httpx.AsyncClient, stop: asyncio.Event) -> int:
    cases = query_cases() + transport_cases()
    sent = 0
    while not stop.is_set():
        for case in cases:
            await client.post("/graphql", content=case.body, headers=case.headers)
            sent += 1
    return sent


async def measure(url: str) -> None:
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as client,
        httpx.AsyncClient(base_url=url, timeout=60) as attacker,
    ):
        token = await new_token(client)
        worst = [await _timed(client, json={"query": WORST_CASE}) for _ in range(20)]
        timings: list[tuple[float, str]] = []
        for case in query_cases() + transport_cases():
            times = [await _timed(client, content=case.body, headers=case.headers) for _ in range(3)]
            timings.append((max(times), case.name))
        slowest = max(timings)
        quiet = await _simple_latencies(client, token, 10.0)
        stop = asyncio.Event()
        attack = asyncio.create_task(_abuse_loop(attacker, stop))
        loaded = await _simple_latencies(client, token, 10.0)
        stop.set()
        sent = await attack
    print("abuse: refusing hostile requests (a real `mixcoach serve` process)")
    print(
        f"  worst case (fragment bomb, 200 levels): median {statistics.median(worst):.1f} ms, max {max(worst):.1f} ms"
    )
    print(f"  slowest abuse-suite case: {slowest[1]} at {slowest[0]:.1f} ms")
    print(
        f"  simple query, quiet:           p50 {_percentile(quiet, 0.5):.1f} ms, p99 {_percentile(quiet, 0.99):.1f} ms"
    )
    print(
        f"  simple query, under the suite: p50 {_percentile(loaded, 0.5):.1f} ms, "
        f"p99 {_percentile(loaded, 0.99):.1f} ms ({sent} hostile requests in 10 s)"
    )


def main() -> None:
    with serve() as served:
        asyncio.run(measure(served.url))


if __name__ == "__main__":
    main()
