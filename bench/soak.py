"""``make soak``: ten minutes of mixed load against a real ``mixcoach serve`` process (not part of CI).

Several clients at once read, upload, ask for feedback and follow-ups over a fake OpenAI-compatible model that
streams slowly, follow answers and analyses over WebSocket, delete sessions and tracks while answers stream, and
send the abuse suite. At the end it prints unexpected errors (INTERNAL codes, 5xx, ERROR lines in the server log;
goal 0), the server's RSS at the start and the end (goal: flat), processes left behind after the server stops (goal:
none) and the p50/p99 of a simple query. Refusals by quota or rate limit are expected and counted apart.

    python -m bench.soak [seconds]
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.server import descendants, rss_mb, serve
from tests.abuse.cases import query_cases, transport_cases
from tests.api.audio_files import sine_wav
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.graphql_client import auth, gql, new_token, subscribe, upload, ws_session

EXPECTED_REFUSALS = {"RATE_LIMITED", "QUOTA_EXCEEDED", "QUERY_TOO_COMPLEX", "BAD_USER_INPUT", "PAYLOAD_TOO_LARGE",
                     "NOT_FOUND", "LLM_TIMEOUT", "LLM_UNAVAILABLE"}  # fmt: skip
ANSWER = " ".join(["Lower the low mids by about 2 dB around 300 Hz, then check the mix in mono."] * 6)


@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    simple_ms: list[float] = field(default_factory=list)
    rss: list[tuple[float, float]] = field(default_factory=list)  # (server alone, server and workers) every 30 s

    def note(self, kind: str, body: dict[str, object] | None, status: int = 200) -> None:
        self.requests[kind] += 1
        if status >= 500:
            self.unexpected.append(f"{kind}: HTTP {status}")
        for error in (body or {}).get("errors") or []:  # type: ignore[attr-defined]
            code = (error.get("extensions") or {}).get("code", "?")
            self.codes[code] += 1
            if code not in EXPECTED_REFUSALS:
                self.unexpected.append(f"{kind}: {code} {error.get('message', '')[:120]}")


async def _reader(url: str, tally: Tally, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        token = await new_token(http)
        query = {"query": "{ genres { name } sessions(first: 20) { edges { node { id title } } } }"}
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = await http.post("/graphql", json=query, headers=auth(token))
            tally.simple_ms.append((time.perf_counter() - started) * 1000)
            tally.note("read", response.json(), response.status_code)
            await asyncio.sleep(0.1)  # about 8 reads a second: under the default 600 requests a minute


async def _abuser(url: str, tally: Tally, deadline: float) -> None:
    cases = query_cases() + transport_cases()
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        while time.monotonic() < deadline:
            case = random.choice(cases)
            response = await http.post("/graphql", content=case.body, headers=case.headers)
            tally.note(
                "abuse",
                response.json() if response.headers.get("content-type", "").startswith("application/json") else None,
                response.status_code,
            )
            await asyncio.sleep(0.2)


async def _until_ready(http: httpx.AsyncClient, token: str, track_id: str, tally: Tally) -> bool:
    async with ws_session(str(http.base_url).rstrip("/"), token=token) as ws:
        async for frame in subscribe(
            ws, "subscription($id: ID!) { trackEvents(trackId: $id) { status } }", {"id": track_id}
        ):
            tally.note("trackEvents", frame.get("payload") if frame["type"] == "error" else None)
            if frame["type"] == "next" and frame["payload"]["data"]["trackEvents"]["status"] in ("READY", "FAILED"):
                return bool(frame["payload"]["data"]["trackEvents"]["status"] == "READY")
    return False


async def _follow(url: str, token: str, message_id: str, tally: Tally) -> None:
    query = "subscription($id: ID!) { messageStream(messageId: $id) { delta done } }"
    async with ws_session(url, token=token) as ws:
        async for frame in subscribe(ws, query, {"id": message_id}):
            if frame["type"] == "error":
                tally.note("messageStream", {"errors": frame["payload"]})
            elif frame["type"] == "next" and frame["payload"].get("errors"):
                tally.note("messageStream", frame["payload"])


async def _producer(url: str, tally: Tally, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        token = await new_token(http)
        while time.monotonic() < deadline:
            audio = sine_wav(seconds=rng.uniform(3, 12), freq_hz=rng.choice([55.0, 110.0, 440.0]))
            created = await upload(http, audio, token=token, name=f"soak {seed}")
            body = created.json()
            tally.note("upload", body, created.status_code)
            if not body.get("data") or not body["data"].get("uploadTrack"):
                await asyncio.sleep(2)
                continue
            track_id = body["data"]["uploadTrack"]["id"]
            if not await _until_ready(http, token, track_id, tally):
                continue
            asked = await gql(
                http,
                "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id sessionId } }",
                {"t": track_id},
                token=token,
            )
            tally.note("requestFeedback", asked)
            message = (asked.get("data") or {}).get("requestFeedback")
            if not message:
                await asyncio.sleep(2)
                continue
            follow = asyncio.create_task(_follow(url, token, message["id"], tally))
            roll = rng.random()
            if roll < 0.2:  # delete while the answer streams
                await asyncio.sleep(rng.uniform(0.1, 1.0))
                mutation = (
                    "mutation($id: ID!) { deleteSession(id: $id) }"
                    if roll < 0.1
                    else "mutation($id: ID!) { deleteTrack(id: $id) }"
                )
                target = message["sessionId"] if roll < 0.1 else track_id
                tally.note("delete mid-stream", await gql(http, mutation, {"id": target}, token=token))
            else:
                await follow
                ask = 'mutation($s: ID!) { askFollowup(input: {sessionId: $s, question: "what about the low end?"}) { id } }'  # noqa: E501
                tally.note("askFollowup", await gql(http, ask, {"s": message["sessionId"]}, token=token))
            await asyncio.wait_for(follow, timeout=120)


def _rss_total(pid: int) -> float:
    return rss_mb(pid) + sum(rss_mb(child) for child in descendants(pid))


async def _sample_rss(pid: int, tally: Tally, deadline: float) -> None:
    while time.monotonic() < deadline:
        tally.rss.append((rss_mb(pid), _rss_total(pid)))
        await asyncio.sleep(30)


async def run(url: str, pid: int, seconds: float) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    tasks = [_reader(url, tally, deadline), _abuser(url, tally, deadline), _sample_rss(pid, tally, deadline)]
    tasks += [_producer(url, tally, deadline, seed) for seed in range(3)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    tally.unexpected += [f"load task crashed: {r!r}" for r in results if isinstance(r, BaseException)]
    return tally


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 600.0
    fake = FakeOpenAIServer().start()
    fake.reply_fn = lambda _body: Reply(text=ANSWER, chunk_delay_s=0.02)
    env = {"MIXCOACH_LLM": "openai", "OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-soak"}
    try:
        with serve(env) as served:
            tally = asyncio.run(run(served.url, served.pid, seconds))
            children = descendants(served.pid)
        time.sleep(2)
        left = [pid for pid in children if os.path.exists(f"/proc/{pid}")]
        log = (served.data_dir / "server.log").read_text(errors="replace")
    finally:
        fake.stop()
    log_errors = [line for line in log.splitlines() if " ERROR " in line or line.startswith("Traceback")]
    simple = sorted(tally.simple_ms)
    print(f"soak: {seconds:.0f} s against a real server; requests {dict(tally.requests)}")
    print(f"  error codes seen: {dict(tally.codes)}")
    total = len(tally.unexpected) + len(log_errors)
    print(f"  unexpected errors: {total} (responses {len(tally.unexpected)}, server log {len(log_errors)})")
    for line in (tally.unexpected + log_errors)[:10]:
        print(f"    {line[:200]}")
    curve = ", ".join(f"{alone:.0f}/{total:.0f}" for alone, total in tally.rss)
    print(f"  RSS every 30 s, server alone / with analysis workers (MB): {curve}")
    print(f"  processes left after the server stopped: {len(left)}")
    if simple:
        print(f"  simple query: p50 {simple[len(simple) // 2]:.1f} ms, p99 {simple[int(len(simple) * 0.99)]:.1f} ms "
              f"over {len(simple)} reads")  # fmt: skip


if __name__ == "__main__":
    main()
