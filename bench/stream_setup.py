"""``python -m bench.stream_setup [N]``: server CPU spent setting up N (100) live answer streams, apart from the
streaming itself.

The same server and fake as ``bench.stream_latency``, but the fake holds every answer back for a minute, so no
token flows while the streams are set up: N concurrent ``requestFeedback`` mutations (which also start the
generations, i.e. open the requests to the model), then N graphql-transport-ws ``messageStream`` subscriptions.
The figures are the server process's user + system CPU per stream for each phase (from /proc, little affected by a
busy machine), with the wall time of each phase. The server's pid is printed, for ``py-spy record -p``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import httpx
from websockets.asyncio.client import ClientConnection

from bench.server import Served, cpu_s
from bench.stream_latency import REQUEST, STREAM, _ready_track, fake_served
from tests.graphql_client import gql, new_token, ws_session

HOLD_S = 20.0  # the fake's wait before the first token: longer than the setup takes (and under the 30 s LLM timeout)
SETTLE_S = 1.0  # after the last subscribe frame, time for the server to start every subscription


async def _subscribe(url: str, token: str, message_id: str, ready: asyncio.Event, done: asyncio.Event) -> None:
    async with ws_session(url, token=token) as ws:
        await _wait_ack(ws)
        payload = {"query": STREAM, "variables": {"id": message_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        ready.set()
        await done.wait()


async def _wait_ack(ws: ClientConnection) -> None:
    while json.loads(await ws.recv())["type"] != "connection_ack":
        pass


async def _measure(served: Served, n: int) -> None:
    async with httpx.AsyncClient(base_url=served.url, timeout=120) as http:
        token = await new_token(http)
        track_id = await _ready_track(http, token)
        await asyncio.sleep(1)
        idle_before, started = cpu_s(served.pid), time.perf_counter()
        await asyncio.sleep(SETTLE_S)
        idle_s = (cpu_s(served.pid) - idle_before) / (time.perf_counter() - started)  # CPU/s of an idle server

        before, started = cpu_s(served.pid), time.perf_counter()
        bodies = await asyncio.gather(*(gql(http, REQUEST, {"t": track_id}, token=token) for _ in range(n)))
        request_wall = time.perf_counter() - started
        request_cpu = cpu_s(served.pid) - before - idle_s * request_wall
        ids = [body["data"]["requestFeedback"]["id"] for body in bodies]

        done = asyncio.Event()
        readies = [asyncio.Event() for _ in ids]
        before, started = cpu_s(served.pid), time.perf_counter()
        tasks = [
            asyncio.create_task(_subscribe(served.url, token, i, r, done)) for i, r in zip(ids, readies, strict=True)
        ]
        for ready in readies:
            await ready.wait()
        subscribe_wall = time.perf_counter() - started
        await asyncio.sleep(SETTLE_S)
        subscribe_cpu = cpu_s(served.pid) - before - idle_s * (time.perf_counter() - started)
        done.set()
        await asyncio.gather(*tasks)
    print(f"{'phase':>14} {'CPU ms/stream':>14} {'wall s':>7} {'load':>5}")
    for phase, cpu, wall in (
        ("requestFeedback", request_cpu, request_wall),
        ("subscribe", subscribe_cpu, subscribe_wall),
    ):
        print(f"{phase:>14} {cpu / n * 1000:>14.1f} {wall:>7.2f} {os.getloadavg()[0]:>5.1f}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with fake_served(tokens=1, delay_s=HOLD_S) as served:
        print(f"server pid {served.pid}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        asyncio.run(_measure(served, n))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
