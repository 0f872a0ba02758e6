"""Scale-out on real parts: web instances and ``mixcoach worker`` processes on PostgreSQL, audio in an S3 server
(moto's server mode, started here), answers from the loopback fake OpenAI server, which counts requests.

Every process gets its own data folder, so nothing can pass through a shared disk: a worker reads the audio a web
instance received from the object store, or not at all. Workers are SIGKILLed mid-job to check that another one
finishes an analysis, and that an answer ends INTERRUPTED and a retry runs exactly once.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from tests.api.audio_files import sine_wav
from tests.conftest import POSTGRES_ENV, drop_redis_prefix, redis_url_or_skip
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.fakes.processes import MIXCOACH, Processes, drop_database, fresh_database, poll_ready, process_env
from tests.fakes.s3_server import create_bucket, moto_server
from tests.graphql_client import follow_message, gql, new_token, subscribe, upload, ws_session

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and SIGKILL")

BUCKET = "mixcoach-test"
TRACK = "query($id: ID!) { track(id: $id) { status errorCode errorMessage } }"
REQUEST = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id status } }"
MESSAGE = "query($id: ID!) { message(id: $id) { status errorCode content } }"
RETRY = "mutation($id: ID!) { retryMessage(id: $id) { id status } }"
DELETE = "mutation($id: ID!) { deleteTrack(id: $id) }"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh database for this module's processes, dropped after."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    url = asyncio.run(fresh_database(base, prefix="mixcoach_scale"))
    try:
        yield url
    finally:
        asyncio.run(drop_database(base, url))


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        create_bucket(endpoint, BUCKET)
        yield endpoint


@pytest.fixture(scope="module")
def shared_openai() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_openai(shared_openai: FakeOpenAIServer) -> FakeOpenAIServer:
    """The module's server, with this test's counts only."""
    shared_openai.requests.clear()
    shared_openai.streams.clear()
    shared_openai.script.clear()
    return shared_openai


@pytest.fixture(scope="module")
def migrated(database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """``mixcoach migrate`` once: the tables and procrastinate's schema, under the advisory lock."""
    home = tmp_path_factory.mktemp("migrate")
    env = process_env(home, DATABASE_URL=database, MIXCOACH_QUEUE="postgres", MIXCOACH_DATA_DIR=str(home))
    # Two at once, as two deploy jobs might: the advisory lock lets one apply everything; the other finds nothing
    # left to do (without it, the second procrastinate schema apply fails on types that already exist).
    runs = [subprocess.Popen([str(MIXCOACH), "migrate"], env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        _, errors = run.communicate(timeout=120)
        assert run.returncode == 0, errors
    return database


@pytest.fixture
def cluster(
    tmp_path: Path, migrated: str, s3_endpoint: str, fake_openai: FakeOpenAIServer, redis_prefix: str
) -> Iterator[Processes]:
    env = process_env(tmp_path) | {
        "DATABASE_URL": migrated,
        "MIXCOACH_QUEUE": "postgres",
        "MIXCOACH_REDIS_URL": redis_url_or_skip(),
        "MIXCOACH_REDIS_PREFIX": redis_prefix,
        "MIXCOACH_MIGRATE_ON_START": "false",
        "MIXCOACH_S3_BUCKET": BUCKET,
        "MIXCOACH_S3_ENDPOINT": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "MIXCOACH_WORKER_CONCURRENCY": "1",
        "MIXCOACH_WORKER_HEARTBEAT_S": "1",
        "MIXCOACH_STALLED_AFTER_S": "6",
        "MIXCOACH_SWEEP_EVERY_S": "1",
        "MIXCOACH_SHUTDOWN_GRACE_S": "5",
        "MIXCOACH_LLM": "openai",
        "OPENAI_BASE_URL": fake_openai.url,
        "OPENAI_API_KEY": "test-key",
        "MIXCOACH_LLM_MAX_RETRIES": "0",
        "MIXCOACH_CREATE_CLIENT_PER_MINUTE": "100",
    }
    running = Processes(logs=tmp_path, env=env)  # each process its own data folder: audio only via the bucket
    try:
        yield running
    finally:
        running.close()
        asyncio.run(drop_redis_prefix(env["MIXCOACH_REDIS_URL"], redis_prefix))


async def _track_status(http: httpx.AsyncClient, token: str, track_id: str) -> dict[str, Any]:
    body = await gql(http, TRACK, {"id": track_id}, token=token)
    track: dict[str, Any] = body["data"]["track"]
    return track


async def _wait_track(http: httpx.AsyncClient, token: str, track_id: str, want: set[str], limit_s: float) -> str:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        status = str((await _track_status(http, token, track_id))["status"])
        if status in want:
            return status
        await asyncio.sleep(0.1)
    raise AssertionError(f"track {track_id} never reached {want}")


async def _wait_message(http: httpx.AsyncClient, token: str, message_id: str, limit_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        message: dict[str, Any] = (await gql(http, MESSAGE, {"id": message_id}, token=token))["data"]["message"]
        if message["status"] != "STREAMING":
            return message
        await asyncio.sleep(0.1)
    raise AssertionError(f"message {message_id} is still STREAMING")


def _db_id(global_id: str) -> int:
    """``VHJhY2s6MQ==`` (``Track:1``) → 1: procrastinate's jobs carry database ids."""
    return int(base64.b64decode(global_id).decode().split(":", 1)[1])


async def _job_holder(cluster: Processes, call: str) -> str | None:
    """The worker that started the job called with ``call`` (e.g. ``track_id=3``), from procrastinate's log line
    ``Starting job mixcoach.analyse[1](track_id=3)``; None until one has."""
    for _ in range(600):
        for name in ("w1", "w2"):
            if name in cluster.processes and f"({call})" in cluster.log(name) and "Starting job" in cluster.log(name):
                return name
        await asyncio.sleep(0.05)
    return None


async def _job_status(database: str, lock: str, want: str) -> bool:
    """Whether the job with this lock reaches status ``want`` within 30 s."""
    connection = await asyncpg.connect(database.replace("postgres://", "postgresql://", 1))
    try:
        for _ in range(300):
            status = await connection.fetchval("SELECT status::text FROM procrastinate_jobs WHERE lock = $1", lock)
            if status == want:
                return True
            await asyncio.sleep(0.1)
        return False
    finally:
        await connection.close()


async def _upload_ready(http: httpx.AsyncClient, token: str) -> str:
    response = (await upload(http, sine_wav(seconds=5, sr=22050), token=token)).json()
    track_id: str = response["data"]["uploadTrack"]["id"]
    assert await _wait_track(http, token, track_id, {"READY", "FAILED"}, 60) == "READY"
    return track_id


async def test_scaleout_a_dead_workers_analysis_finishes_on_the_other(cluster: Processes) -> None:
    url = cluster.web("web").url
    cluster.worker("w1")
    cluster.worker("w2")
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        await poll_ready(http)
        token = await new_token(http)
        response = (await upload(http, sine_wav(seconds=600, sr=8000), token=token)).json()
        track_id = response["data"]["uploadTrack"]["id"]
        holder = await _job_holder(cluster, f"track_id={_db_id(track_id)}")
        assert holder in ("w1", "w2"), cluster.log("w1") + cluster.log("w2")
        assert (await _track_status(http, token, track_id))["status"] in ("QUEUED", "ANALYZING")
        cluster.kill(holder)
        survivor = "w2" if holder == "w1" else "w1"

        status = await _wait_track(http, token, track_id, {"READY", "FAILED"}, 75)
        assert status == "READY", (await _track_status(http, token, track_id), cluster.log(survivor))
        assert f"(track_id={_db_id(track_id)})" in cluster.log(survivor)  # the retried job ran there

        # Deleting a track mid-analysis aborts its running job.
        response = (await upload(http, sine_wav(seconds=600, sr=8000, freq_hz=500), token=token)).json()
        doomed = response["data"]["uploadTrack"]["id"]
        assert await _job_holder(cluster, f"track_id={_db_id(doomed)}") == survivor
        assert "errors" not in await gql(http, DELETE, {"id": doomed}, token=token)
        assert await _job_status(cluster.env["DATABASE_URL"], f"track-{_db_id(doomed)}", "aborted")


@contextlib.asynccontextmanager
async def _two_webs_and_two_workers(cluster: Processes) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Web instances A and B (clients for each, once ready) and workers w1 and w2 on one database, Redis and bucket."""
    url_a, url_b = cluster.web("web-a").url, cluster.web("web-b").url
    cluster.worker("w1")
    cluster.worker("w2")
    async with (
        httpx.AsyncClient(base_url=url_a, timeout=60) as a,
        httpx.AsyncClient(base_url=url_b, timeout=60) as b,
    ):
        await poll_ready(a)
        await poll_ready(b)
        yield a, b


async def test_scaleout_a_dead_workers_answer_is_interrupted_and_a_retry_runs_once(
    cluster: Processes, fake_openai: FakeOpenAIServer
) -> None:
    """Also: restarting web instance B leaves the answer a worker writes for A alone (not INTERRUPTED, not run
    twice)."""
    async with _two_webs_and_two_workers(cluster) as (a, b):
        token = await new_token(a)
        track_id = await _upload_ready(a, token)  # uploaded on A; analysed by a worker from the bucket

        slow = Reply(text=" ".join(f"word{i}" for i in range(200)), chunk_delay_s=0.1)
        fake_openai.push(slow)
        requested = (await gql(b, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
        message_id = requested["id"]
        for _ in range(600):  # the model has started answering
            if fake_openai.streams and fake_openai.streams[0].sent > 3:
                break
            await asyncio.sleep(0.05)
        holder = await _job_holder(cluster, f"message_id={_db_id(message_id)}")
        assert holder in ("w1", "w2")
        cluster.kill(holder)

        interrupted = await _wait_message(a, token, message_id, 60)
        assert (interrupted["status"], interrupted["errorCode"]) == ("FAILED", "INTERRUPTED")
        assert len(fake_openai.requests) == 1

        fake_openai.push(Reply(text=" ".join(["Lower the mix bus by 3.0 dB."] * 8), chunk_delay_s=0.1))
        retried = (await gql(a, RETRY, {"id": message_id}, token=token))["data"]["retryMessage"]
        assert retried["status"] == "STREAMING"

    # A deploy restarts B while the retry, asked on A, is being written. uvicorn drains, then re-raises the
    # SIGTERM it caught, so a clean stop ends by that signal (never SIGABRT, as obstore can at interpreter exit).
    assert cluster.stop("web-b") in (0, -signal.SIGTERM)
    async with httpx.AsyncClient(base_url=cluster.web("web-b").url, timeout=60) as b:
        await poll_ready(b)
        done = await _wait_message(b, token, message_id, 60)
        assert done["status"] == "COMPLETE", done
        assert "3.0 dB" in done["content"]
        await asyncio.sleep(3)  # several sweeps: nothing defers the finished attempt again
        assert len(fake_openai.requests) == 2  # one per attempt


async def _lose_jobs(database: str) -> int:
    """What a web instance dying between its commit and its defer leaves: rows that need a job, and no job (the
    rows are backdated past the sweep's grace period). Returns how many jobs were removed."""
    connection = await asyncpg.connect(database.replace("postgres://", "postgresql://", 1))
    try:
        removed = await connection.execute(
            "DELETE FROM procrastinate_jobs WHERE status = 'todo' AND task_name <> 'mixcoach.sweep'"
        )
        await connection.execute("UPDATE track SET updated_at = now() - interval '1 minute' WHERE status = 'QUEUED'")
        await connection.execute(
            "UPDATE message SET updated_at = now() - interval '1 minute' WHERE status = 'STREAMING'"
        )
        return int(removed.split()[-1])
    finally:
        await connection.close()


async def test_scaleout_rows_whose_job_was_lost_get_one_from_the_sweep(
    cluster: Processes, fake_openai: FakeOpenAIServer
) -> None:
    """Also: a worker stopped by SIGTERM finishes the answer it is writing before it exits."""
    url = cluster.web("web").url
    cluster.worker("w1")
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        await poll_ready(http)
        token = await new_token(http)
        ready_id = await _upload_ready(http, token)
        # SIGTERM mid-answer: the worker takes no new job but finishes this one (2 s, within its 5 s grace)
        fake_openai.push(Reply(text=" ".join(f"w{i}" for i in range(20)), chunk_delay_s=0.1))
        drained_id = (await gql(http, REQUEST, {"t": ready_id}, token=token))["data"]["requestFeedback"]["id"]
        for _ in range(600):
            if fake_openai.streams and fake_openai.streams[0].sent >= 2:
                break
            await asyncio.sleep(0.05)
        assert cluster.stop("w1") == 0  # a clean stop; nothing runs jobs now
        drained = (await gql(http, MESSAGE, {"id": drained_id}, token=token))["data"]["message"]
        assert drained["status"] == "COMPLETE", drained

        fake_openai.push(Reply(text="Cut 2.0 dB at 300 Hz."))
        message_id = (await gql(http, REQUEST, {"t": ready_id}, token=token))["data"]["requestFeedback"]["id"]
        response = (await upload(http, sine_wav(seconds=4, freq_hz=330), token=token)).json()
        queued_id = response["data"]["uploadTrack"]["id"]
        assert await _lose_jobs(cluster.env["DATABASE_URL"]) == 2

        cluster.worker("w2")  # its sweep finds both rows and defers their jobs
        assert await _wait_track(http, token, queued_id, {"READY", "FAILED"}, 60) == "READY"
        done = await _wait_message(http, token, message_id, 60)
        assert done["status"] == "COMPLETE" and "2.0 dB" in done["content"], done
        assert len(fake_openai.requests) == 2
    log = cluster.log("w2")
    assert "had no analysis job; deferring one" in log and "had no generation job; deferring one" in log


TRACK_EVENTS = "subscription($id: ID!) { trackEvents(trackId: $id) { status progress } }"
REQUEST_IN_SESSION = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id sessionId } }"
ASK = "mutation($s: ID!, $q: String!) { askFollowup(input: {sessionId: $s, question: $q}) { id } }"
SUMMARY_EVERY = 4
FOLLOWUPS = 20


def _echo(body: dict[str, Any]) -> Reply:
    """Small timed chunks; an answer repeats the question it answers, so its pairing is visible."""
    asked = body["messages"][-1]["content"] if len(body["messages"]) > 2 else ""
    return Reply(chunks=[f"w{i} " for i in range(12)] + ([f"[{asked[-40:]}]"] if asked else []), chunk_delay_s=0.02)


async def test_scaleout_live_events_cross_web_instances_and_workers(
    cluster: Processes, fake_openai: FakeOpenAIServer
) -> None:
    """The whole path on two web instances and two workers: uploaded on A and followed (``trackEvents``) on B while
    a worker analyses it; feedback asked on B and followed (``messageStream``) on A while a worker writes it: every
    delta once and in order, the stored text equals the streamed text. Then 20 follow-ups at once, split across A
    and B and written by both workers: each answer points at its own question, and each threshold gets exactly one
    summary (claimed in the database, deferred as a job)."""
    cluster.env["MIXCOACH_SUMMARY_EVERY"] = str(SUMMARY_EVERY)
    cluster.env["MIXCOACH_CONCURRENT_GENERATIONS"] = "100"
    async with _two_webs_and_two_workers(cluster) as (a, b):
        url_a, url_b = str(a.base_url).rstrip("/"), str(b.base_url).rstrip("/")
        token = await new_token(a)
        response = (await upload(a, sine_wav(seconds=5, sr=22050), token=token)).json()
        track_id = response["data"]["uploadTrack"]["id"]
        statuses: list[str] = []
        async with ws_session(url_b, token=token) as ws:
            async for frame in subscribe(ws, TRACK_EVENTS, {"id": track_id}):
                assert frame["type"] != "error", frame
                if frame["type"] == "next":
                    statuses.append(frame["payload"]["data"]["trackEvents"]["status"])
        assert statuses[-1] == "READY", statuses

        chunks = [f"c{i} " for i in range(40)]
        fake_openai.push(Reply(chunks=chunks, chunk_delay_s=0.05))
        requested = (await gql(b, REQUEST_IN_SESSION, {"t": track_id}, token=token))["data"]["requestFeedback"]
        deltas, final = await follow_message(url_a, token, requested["id"])
        stored = (await gql(a, MESSAGE, {"id": requested["id"]}, token=token))["data"]["message"]
        assert final == {"status": "COMPLETE", "content": stored["content"]}
        assert "".join(deltas) == stored["content"] == "".join(chunks)
        # a replay of what came before the subscription, then runs of whole deltas (several may share an event)
        assert all(deltas) and set(itertools.accumulate(map(len, deltas))) <= set(
            itertools.accumulate(map(len, chunks))
        )
        assert len(fake_openai.requests) == 1

        fake_openai.reply_fn = _echo
        try:
            questions = [f"question number {i} about the low end?" for i in range(FOLLOWUPS)]
            session_id = requested["sessionId"]
            asked = await asyncio.gather(
                *(gql(a if i % 2 else b, ASK, {"s": session_id, "q": q}, token=token) for i, q in enumerate(questions))
            )
            assert all(not r.get("errors") for r in asked), [r.get("errors") for r in asked]
            for i, result in enumerate(asked):
                _, answer = await follow_message(url_b if i % 2 else url_a, token, result["data"]["askFollowup"]["id"])
                assert answer["status"] == "COMPLETE", answer
                assert f"[{questions[i][-40:]}]" in answer["content"]  # it answers its own question
        finally:
            fake_openai.reply_fn = None
    pairs = await _fetch(
        cluster.env["DATABASE_URL"],
        "SELECT q.content AS question FROM message a JOIN message q ON q.id = a.question_id"
        " WHERE a.kind = 'FOLLOWUP' AND a.role = 'ASSISTANT' AND q.role = 'USER' AND q.thread_id = a.thread_id",
    )
    assert sorted(r["question"] for r in pairs) == sorted(questions)
    for _ in range(300):
        summaries = await _fetch(
            cluster.env["DATABASE_URL"], "SELECT summary_through, status FROM message WHERE role = 'SUMMARY'"
        )
        if len(summaries) == FOLLOWUPS // SUMMARY_EVERY and all(s["status"] != "STREAMING" for s in summaries):
            break
        await asyncio.sleep(0.1)
    assert sorted(s["summary_through"] for s in summaries) == list(range(SUMMARY_EVERY, FOLLOWUPS + 1, SUMMARY_EVERY))
    assert all(s["status"] == "COMPLETE" for s in summaries)
    assert "mixcoach.generate" in cluster.log("w1") + cluster.log("w2")


async def _fetch(database: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database.replace("postgres://", "postgresql://", 1))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()
