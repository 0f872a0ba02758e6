"""``python -m bench.live_events``: live events in the embedded mode and through Redis.

1. Token-delivery latency: a publisher writes deltas into ``MessageStreams`` (each delta carries its send time;
   deltas that arrive together share an event, and in a busy process those within ``streams.COALESCE_S`` too)
   while a subscriber follows the same message; p50/p99 of send → receive, in process and through Redis (with
   publisher and subscriber on separate Redis clients, as two instances would be).
2. Memory of idle subscriptions: the RSS of one ``mixcoach serve`` before and after 1,000 ``sessionEvents``
   subscriptions (10 sockets × 100), in each mode.

Redis is ``MIXCOACH_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), keys under a fresh prefix, removed
after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.server import rss_mb, serve
from services import domain
from services.runtime import build_runtime
from services.runtime.streams import MessageStreams
from tests.api.audio_files import sine_wav
from tests.graphql_client import gql, new_token, upload, ws_url

REDIS_URL = os.environ.get("MIXCOACH_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
DELTAS = 2000
SUBSCRIPTIONS = 1000
PER_SOCKET = 100


def _streaming(message_id: int) -> domain.Message:
    now = datetime.now(UTC)
    return domain.Message(
        id=message_id, session_id=1, track_id=1, reference_track_id=None, role=domain.MessageRole.ASSISTANT,
        kind=domain.MessageKind.FEEDBACK, status=domain.MessageStatus.STREAMING, content="", followup_group=1,
        feedback_type=None, profile=None, genre=None, findings=None, grounding=None, engine=None, model=None,
        usage=domain.Usage(), error_code=None, error=None, created_at=now, updated_at=now,
    )  # fmt: skip


async def _latencies(redis_url: str | None) -> list[float]:
    prefix = f"mixcoach-bench-{uuid.uuid4().hex[:8]}:"
    writer_rt, reader_rt = build_runtime(redis_url, prefix=prefix), None
    reader_rt = build_runtime(redis_url, prefix=prefix) if redis_url else writer_rt
    writer, reader = MessageStreams(writer_rt.log), MessageStreams(reader_rt.log)
    got: list[float] = []

    async def load() -> domain.Message:
        return _streaming(1)

    async def follow() -> None:
        async for event in reader.follow(1, load=load):
            if event.done:
                return
            now = time.perf_counter()  # deltas arriving close together share an event: each keeps its own stamp
            got.extend(now - float(stamp) for stamp in event.delta.split("t=")[1:])

    try:
        await writer.open(1)
        follower = asyncio.create_task(follow())
        await asyncio.sleep(0.5)  # the follower is past its replay and waiting
        for _ in range(DELTAS):
            await writer.publish(1, f"t={time.perf_counter()!r}")
            await asyncio.sleep(0.001)  # about the pace of a fast model
        await writer.finish(1)
        await asyncio.wait_for(follower, 60)
    finally:
        await writer_rt.aclose()
        if reader_rt is not writer_rt:
            await reader_rt.aclose()
        if redis_url:
            from tests.conftest import drop_redis_prefix

            await drop_redis_prefix(redis_url, prefix)
    return got


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


async def _subscribe_many(url: str, token: str, session_id: str) -> list[ClientConnection]:
    query = "subscription($id: ID!) { sessionEvents(sessionId: $id) { kind } }"
    sockets = []
    for s in range(SUBSCRIPTIONS // PER_SOCKET):
        ws = await connect(ws_url(url), subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for i in range(PER_SOCKET):
            frame = {
                "id": f"{s}-{i}",
                "type": "subscribe",
                "payload": {"query": query, "variables": {"id": session_id}},
            }
            await ws.send(json.dumps(frame))
        sockets.append(ws)
    return sockets


async def _idle_rss(redis_url: str | None) -> tuple[float, float]:
    prefix = f"mixcoach-bench-{uuid.uuid4().hex[:8]}:"
    env = {"MIXCOACH_REQUESTS_PER_MINUTE": "100000", "MIXCOACH_ANALYSIS_WORKERS": "1"}
    if redis_url:
        env |= {"MIXCOACH_REDIS_URL": redis_url, "MIXCOACH_REDIS_PREFIX": prefix}
    with serve(env) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=60) as http:
            token = await new_token(http)
            uploaded = await upload(http, sine_wav(seconds=2.0, freq_hz=220.0), token=token, name="idle")
            track = uploaded.json()["data"]["uploadTrack"]["id"]
            created = await gql(http, "mutation($t: ID!) { createSession(input: {trackId: $t}) { id } }",
                                {"t": track}, token=token)  # fmt: skip
            session_id = created["data"]["createSession"]["id"]
            await asyncio.sleep(2.0)
            before = rss_mb(served.pid)
            sockets = await _subscribe_many(served.url, token, session_id)
            await asyncio.sleep(3.0)
            after = rss_mb(served.pid)
            for ws in sockets:
                with contextlib.suppress(Exception):
                    await ws.close()
    if redis_url:
        from tests.conftest import drop_redis_prefix

        await drop_redis_prefix(redis_url, prefix)
    return before, after


async def main() -> None:
    print(f"live events: {DELTAS} deltas, send → receive through MessageStreams")
    print(f"{'mode':<12} {'p50 ms':>8} {'p99 ms':>8} {'received':>9}")
    for name, url in (("in-process", None), ("redis", REDIS_URL)):
        got = await _latencies(url)
        p50, p99 = _percentiles(got)
        print(f"{name:<12} {p50:>8.3f} {p99:>8.3f} {len(got):>9}")
    print(f"\nidle subscriptions: RSS of one web instance before/after {SUBSCRIPTIONS} sessionEvents subscriptions")
    print(f"{'mode':<12} {'before MB':>10} {'after MB':>10} {'KB/sub':>8}")
    for name, url in (("in-process", None), ("redis", REDIS_URL)):
        before, after = await _idle_rss(url)
        print(f"{name:<12} {before:>10.1f} {after:>10.1f} {(after - before) * 1024 / SUBSCRIPTIONS:>8.1f}")


if __name__ == "__main__":
    asyncio.run(main())
