"""``python -m bench.stream_latency [N ...]``: added latency of live tokens at 1, 10, 50 and 100 (or N) concurrent
streams.

One ``mixcoach serve`` process (engine ``openai``) talks to ``bench.stamping_fake`` in another process, which sends
each answer as 100 tokens at 50 tokens/s, each token carrying the time it was sent. This process requests N answers
at once and follows each over its own graphql-transport-ws ``messageStream`` subscription; a token's added latency
is its arrival here minus its send time at the fake (one monotonic clock for the machine). "backlog" compares the
median latency of each stream's last fifth of tokens with its first fifth: a growing backlog shows up as a last
fifth much slower than the first. "p99 after setup" is the p99 of the tokens sent after the last stream subscribed
(the streams start one by one, each after its own request, so the first tokens share the process with the setup of
the later streams). "server CPU µs/token" is the server process's user + system CPU over the run
divided by the tokens it streamed: what a token costs it, much less sensitive to a busy machine than the latencies.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import httpx

from bench.server import Served, cpu_s, serve
from tests.api.audio_files import sine_wav
from tests.graphql_client import gql, new_token, upload, ws_session

STREAMS = (1, 10, 50, 100)
TOKENS = 100
REQUEST = "mutation($t: ID!) { requestFeedback(input: {trackId: $t, type: MIXDOWN, profile: SIMPLE}) { id } }"
STREAM = "subscription($id: ID!) { messageStream(messageId: $id) { delta done } }"
_STAMP = re.compile(r"\[(\d+\.\d+)\]")


async def _ready_track(http: httpx.AsyncClient, token: str) -> str:
    response = await upload(http, sine_wav(seconds=2, freq_hz=60.0, amplitude=0.9), token=token)
    track_id: str = response.json()["data"]["uploadTrack"]["id"]
    for _ in range(3000):
        body = await gql(http, "query($id: ID!) { track(id: $id) { status } }", {"id": track_id}, token=token)
        if body["data"]["track"]["status"] == "READY":
            return track_id
        await asyncio.sleep(0.1)
    raise RuntimeError("the track was not analysed")


class _Stream(NamedTuple):
    latencies_ms: list[float]  # added latency of each token, in order
    sent_at: list[float]  # when the fake sent each token (perf_counter)
    subscribed_at: float
    events: int


async def _one_stream(http: httpx.AsyncClient, url: str, token: str, track_id: str) -> _Stream:
    body = await gql(http, REQUEST, {"t": track_id}, token=token)
    message_id = body["data"]["requestFeedback"]["id"]
    latencies: list[float] = []
    sent_at: list[float] = []
    events = 0
    async with ws_session(url, token=token) as ws:
        payload = {"query": STREAM, "variables": {"id": message_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        subscribed_at = time.perf_counter()
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] in ("connection_ack", "ping", "pong"):
                continue
            if frame["type"] != "next":
                print(f"message {message_id}: the stream ended with {frame}", file=sys.stderr)
                break
            now = time.perf_counter()
            event = frame["payload"]["data"]["messageStream"]
            events += 1
            stamps = [float(stamp) for stamp in _STAMP.findall(event["delta"] or "")]
            latencies += [(now - stamp) * 1000 for stamp in stamps]
            sent_at += stamps
            if event["done"]:
                break
    if len(latencies) != TOKENS:  # a failed answer (its text stays short) would flatter the figures: say so
        print(f"message {message_id}: {len(latencies)} of {TOKENS} tokens arrived", file=sys.stderr)
    return _Stream(latencies, sent_at, subscribed_at, events)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


async def _measure(served: Served, counts: tuple[int, ...]) -> None:
    url = served.url
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        token = await new_token(http)
        track_id = await _ready_track(http, token)
        print(f"streaming: {TOKENS} tokens per answer at 50 tokens/s, added latency fake → messageStream subscriber")
        print(f"{'streams':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'tokens':>7} {'events':>7} "
              f"{'backlog first→last fifth p50 ms':>32} {'p99 after setup':>16} {'server CPU µs/token':>20} "
              f"{'load':>5}")  # fmt: skip
        for n in counts:
            cpu_before = cpu_s(served.pid)
            results = await asyncio.gather(*(_one_stream(http, url, token, track_id) for _ in range(n)))
            cpu_us = (cpu_s(served.pid) - cpu_before) / (n * TOKENS) * 1e6
            every = [ms for r in results for ms in r.latencies_ms]
            fifth = TOKENS // 5
            first = [ms for r in results for ms in r.latencies_ms[:fifth]]
            last = [ms for r in results for ms in r.latencies_ms[-fifth:]]
            set_up = max(r.subscribed_at for r in results)
            after = [ms for r in results for ms, at in zip(r.latencies_ms, r.sent_at, strict=True) if at > set_up]
            events = sum(r.events for r in results)
            backlog = f"{statistics.median(first):.1f} → {statistics.median(last):.1f}"
            print(
                f"{n:>7} {_pct(every, 0.5):>8.1f} {_pct(every, 0.99):>8.1f} {max(every, default=0):>8.1f} "
                f"{len(every):>7} {events:>7} {backlog:>32} {_pct(after, 0.99):>16.1f} {cpu_us:>20.0f} "
                f"{os.getloadavg()[0]:>5.1f}"
            )


@contextmanager
def fake_served(tokens: int = TOKENS, delay_s: float = 1.5) -> Iterator[Served]:
    """A ``mixcoach serve`` (engine ``openai``, limits out of the way) talking to ``bench.stamping_fake``, which
    answers with ``tokens`` stamped tokens after ``delay_s``."""
    work = Path(tempfile.mkdtemp(prefix="mixcoach-stream-"))
    url_file = work / "fake.url"
    fake = subprocess.Popen([sys.executable, "-m", "bench.stamping_fake", str(url_file), str(tokens), str(delay_s)])
    try:
        for _ in range(300):
            if url_file.exists() and url_file.read_text():
                break
            time.sleep(0.1)
        env = {
            "MIXCOACH_LLM": "openai",
            "OPENAI_BASE_URL": url_file.read_text(),
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_MODEL": "fake-gpt",
            "MIXCOACH_LLM_MAX_RETRIES": "0",
            "MIXCOACH_REQUESTS_PER_MINUTE": "100000000",
            "MIXCOACH_CONCURRENT_GENERATIONS": "1000",
            "MIXCOACH_GENERATIONS_PER_HOUR": "100000",
            "MIXCOACH_GENERATIONS_PER_DAY": "100000",
            "MIXCOACH_ANALYSIS_WORKERS": "1",
        }
        with serve(env) as served:
            yield served
    finally:
        fake.send_signal(signal.SIGTERM)
        fake.wait(timeout=30)


def main() -> None:
    counts = tuple(int(arg) for arg in sys.argv[1:]) or STREAMS
    with fake_served() as served:
        print(f"server pid {served.pid}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        asyncio.run(_measure(served, counts))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
