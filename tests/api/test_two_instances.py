"""Two web instances (two real ``mixcoach serve`` processes) on one PostgreSQL and one Redis behave as one service.

- A track uploaded on A is followed to READY over ``trackEvents`` on B.
- Feedback requested on A is followed over ``messageStream`` on B: every delta once and in order, and the stored
  text equals the streamed text; ``sessionEvents`` on B announces it.
- The ``createClient`` limit (3 a minute) holds across both: 8 calls alternating A, B let exactly 3 through.
- 20 follow-ups sent at once, alternating A and B: every answer points at its own question (and answers it), and
  each summary threshold (every 4 completed answers) gets exactly one summary.
- Restarting B while A is writing an answer leaves that answer alone: it completes on A, not INTERRUPTED.

The model is the loopback fake OpenAI server (in this test process), scripted to echo the question it answers.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from tests.api.audio_files import sine_wav
from tests.conftest import drop_redis_prefix, redis_url_or_skip
from tests.fakes.llm_fixtures import TEST_API_KEY
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.fakes.processes import Processes, Web, process_env
from tests.graphql_client import CREATE_CLIENT, error_codes, follow_message, gql, subscribe, upload, ws_session

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups")

EVERY = 4
FOLLOWUPS = 20
REQUEST = """mutation($t: ID!) { requestFeedback(input: {trackId: $t, type: MIXDOWN, profile: SIMPLE}) {
  id sessionId } }"""
ASK = """mutation($s: ID!, $q: String!) { askFollowup(input: {sessionId: $s, question: $q}) { id } }"""
MESSAGE = """query($id: ID!) { message(id: $id) { status content errorCode } }"""
TRACK_EVENTS = "subscription($id: ID!) { trackEvents(trackId: $id) { status progress } }"
SESSION_EVENTS = """subscription($id: ID!) { sessionEvents(sessionId: $id) { kind messageId role status } }"""
SLOW = "take your time"
SLOW_CHUNKS = 60  # half a second each: longer than B takes to restart under load


def _reply(body: dict[str, Any]) -> Reply:
    """Feedback and answers in small timed chunks; an answer repeats its question, so pairing is visible."""
    asked = body["messages"][-1]["content"] if len(body["messages"]) > 2 else ""
    if SLOW in asked:
        return Reply(chunks=[f"slow{i} " for i in range(SLOW_CHUNKS)], chunk_delay_s=0.5)
    words = [f"w{i} " for i in range(12)] + ([f"[{asked[-40:]}]"] if asked else [])
    return Reply(chunks=words, chunk_delay_s=0.02)


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    server.reply_fn = _reply
    yield server
    server.stop()


@pytest.fixture
async def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgres"):
        pytest.skip("several instances share one PostgreSQL")
    return db_url


@pytest.fixture
async def instances(
    pg_url: str, tmp_path: Path, fake_llm: FakeOpenAIServer, redis_prefix: str
) -> AsyncIterator[tuple[Web, Web]]:
    redis_url = redis_url_or_skip()
    env = process_env(
        tmp_path,
        DATABASE_URL=pg_url,
        MIXCOACH_REDIS_URL=redis_url,
        MIXCOACH_REDIS_PREFIX=redis_prefix,
        MIXCOACH_ANALYSIS_WORKERS="1",
        MIXCOACH_LLM="openai",
        OPENAI_BASE_URL=fake_llm.url,
        OPENAI_API_KEY=TEST_API_KEY,
        OPENAI_MODEL="fake-gpt",
        MIXCOACH_LLM_MAX_RETRIES="0",
        MIXCOACH_SUMMARY_EVERY=str(EVERY),
        MIXCOACH_CREATE_CLIENT_PER_MINUTE="3",
        MIXCOACH_CONCURRENT_GENERATIONS="100",
        MIXCOACH_GENERATIONS_PER_HOUR="1000",
        MIXCOACH_GENERATIONS_PER_DAY="1000",
    )
    processes = Processes(logs=tmp_path, env=env, shared_data=True)  # one shared data folder
    try:
        a = processes.web("a")
        await a.ready()  # A migrates the fresh database first; B then finds it up to date
        b = processes.web("b")
        await b.ready()
        yield a, b
    finally:
        processes.close()
        await drop_redis_prefix(redis_url, redis_prefix)


async def _ready_on(upload_to: Web, follow_on: Web, token: str) -> str:
    async with httpx.AsyncClient(base_url=upload_to.url, timeout=60) as http:
        response = await upload(http, sine_wav(seconds=6.0, freq_hz=60.0, amplitude=0.9), token=token, name="Mix")
    track_id: str = response.json()["data"]["uploadTrack"]["id"]
    statuses = []
    async with ws_session(follow_on.url, token=token) as ws:
        async for frame in subscribe(ws, TRACK_EVENTS, {"id": track_id}):
            assert frame["type"] != "error", frame
            if frame["type"] == "next":
                statuses.append(frame["payload"]["data"]["trackEvents"]["status"])
    assert statuses[-1] == "READY", statuses
    return track_id


async def _rows(pg_url: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(pg_url.replace("postgres://", "postgresql://", 1))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


async def test_two_instances_share_events_limits_and_the_truth(instances: tuple[Web, Web], pg_url: str) -> None:
    a, b = instances
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=60) as on_a,
        httpx.AsyncClient(base_url=b.url, timeout=60) as on_b,
    ):
        # the limit holds across instances: 8 calls alternating A, B; the limit is 3 a minute per address
        results = [await gql(on_a if i % 2 == 0 else on_b, CREATE_CLIENT) for i in range(8)]
        tokens = [r["data"]["createClient"]["token"] for r in results if not r.get("errors")]
        assert len(tokens) == 3
        assert [error_codes(r) for r in results[3:]] == [["RATE_LIMITED"]] * 5
        token = tokens[0]

        track_id = await _ready_on(a, b, token)  # uploaded on A, followed on B

        requested = (await gql(on_a, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
        deltas, final = await follow_message(b.url, token, requested["id"])  # generated on A, followed on B
        stored = (await gql(on_b, MESSAGE, {"id": requested["id"]}, token=token))["data"]["message"]
        assert final == {"status": "COMPLETE", "content": stored["content"]}
        assert "".join(deltas) == stored["content"]
        chunks = [f"w{i} " for i in range(12)]
        # a replay of what came before the subscription, then runs of whole deltas (several may share an event)
        assert all(deltas) and set(itertools.accumulate(map(len, deltas))) <= set(
            itertools.accumulate(map(len, chunks))
        )

        session_id = requested["sessionId"]
        await _concurrent_followups(a, b, on_a, on_b, token, session_id, pg_url)
        await _restart_leaves_the_other_alone(a, b, on_a, token, session_id)


async def _concurrent_followups(
    a: Web,
    b: Web,
    on_a: httpx.AsyncClient,
    on_b: httpx.AsyncClient,
    token: str,
    session_id: str,
    pg_url: str,
) -> None:
    announced: list[dict[str, Any]] = []

    async def watch() -> None:
        async with ws_session(b.url, token=token) as ws:
            async for frame in subscribe(ws, SESSION_EVENTS, {"id": session_id}):
                if frame["type"] == "next":
                    announced.append(frame["payload"]["data"]["sessionEvents"])

    watcher = asyncio.create_task(watch())
    await asyncio.sleep(1.0)  # the subscription is in place before the questions go out
    questions = [f"question number {i} about the low end?" for i in range(FOLLOWUPS)]
    asked = await asyncio.gather(
        *(
            gql(on_a if i % 2 == 0 else on_b, ASK, {"s": session_id, "q": q}, token=token)
            for i, q in enumerate(questions)
        )
    )
    assert all(not r.get("errors") for r in asked), (
        [r.get("errors") for r in asked],
        a.log()[-6000:],
        b.log()[-6000:],
    )
    answers = [r["data"]["askFollowup"]["id"] for r in asked]
    for i, answer in enumerate(answers):  # followed on the other instance from the one asked
        _, final = await follow_message((b if i % 2 == 0 else a).url, token, answer)
        assert final["status"] == "COMPLETE", final
        assert f"[{questions[i][-40:]}]" in final["content"]  # it answers its own question

    pairs = await _rows(
        pg_url,
        "SELECT a.id AS answer, q.content AS question FROM message a JOIN message q ON q.id = a.question_id"
        " WHERE a.kind = 'FOLLOWUP' AND a.role = 'ASSISTANT' AND q.role = 'USER' AND q.thread_id = a.thread_id",
    )
    assert len(pairs) == FOLLOWUPS
    assert sorted(r["question"] for r in pairs) == sorted(questions)
    for _ in range(300):
        summaries = await _rows(pg_url, "SELECT summary_through, status FROM message WHERE role = 'SUMMARY'")
        if len(summaries) == FOLLOWUPS // EVERY and all(s["status"] != "STREAMING" for s in summaries):
            break
        await asyncio.sleep(0.1)
    assert sorted(s["summary_through"] for s in summaries) == list(range(EVERY, FOLLOWUPS + 1, EVERY))
    assert all(s["status"] == "COMPLETE" for s in summaries)
    for _ in range(100):
        if sum(e["role"] == "SUMMARY" and e["kind"] == "MESSAGE_FINISHED" for e in announced) == len(summaries):
            break
        await asyncio.sleep(0.1)
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    finished = [e for e in announced if e["kind"] == "MESSAGE_FINISHED"]
    assert sum(e["role"] == "SUMMARY" for e in finished) == FOLLOWUPS // EVERY  # announced, whichever wrote it
    assert sum(e["role"] == "ASSISTANT" for e in finished) == FOLLOWUPS
    del on_a, on_b


async def _restart_leaves_the_other_alone(a: Web, b: Web, on_a: httpx.AsyncClient, token: str, session_id: str) -> None:
    slow = (await gql(on_a, ASK, {"s": session_id, "q": f"please {SLOW}"}, token=token))["data"]["askFollowup"]
    await asyncio.sleep(1.0)  # A is writing it (30 s in all, so B restarts while it streams even on a busy machine)
    b.stop(signal.SIGTERM)
    b.start()
    await b.ready()  # B's start-up recovery ran
    now = (await gql(on_a, MESSAGE, {"id": slow["id"]}, token=token))["data"]["message"]
    assert now["status"] == "STREAMING", now  # not marked INTERRUPTED by B's restart
    deltas, final = await follow_message(b.url, token, slow["id"])
    assert final["status"] == "COMPLETE", final
    assert final["content"] == "".join(f"slow{i} " for i in range(SLOW_CHUNKS)) == "".join(deltas)
