"""``/readyz`` names each dependency and fails (503) when one does; the S3 audio store streams and reads ranges;
in the distributed mode a web instance defers jobs, and deleting a track cancels its queued job.

Real parts only: the app served by uvicorn, SQLite or PostgreSQL, Redis on 127.0.0.1:6379, and moto's S3 server.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from pydantic import SecretStr

from api.settings import Settings
from services.analysis import analyze
from services.store.audio_store import ReceivedFile
from services.store.audio_store_s3 import S3AudioStore
from services.store.ranged import StoredObject
from tests.api.audio_files import sine_wav
from tests.conftest import POSTGRES_ENV, _ServerThread, drop_redis_prefix, redis_url_or_skip
from tests.fakes.s3_server import create_bucket, free_port, moto_server
from tests.graphql_client import gql, new_token, upload

BUCKET = "readiness"
DELETE = "mutation($id: ID!) { deleteTrack(id: $id) }"


async def test_readiness_analysis_reads_the_object_by_ranges_as_it_reads_the_file(tmp_path: Path, s3: str) -> None:
    store = S3AudioStore(
        bucket=BUCKET, scratch=tmp_path, endpoint=s3, region="us-east-1", access_key_id="t", secret_access_key="t"
    )
    store.prepare()
    audio = sine_wav(seconds=3.0, freq_hz=1000.0)
    local = tmp_path / "mix.wav"
    local.write_bytes(audio)
    incoming = tmp_path / "incoming" / "upload.wav"
    incoming.write_bytes(audio)
    sha = hashlib.sha256(audio).hexdigest()
    await store.keep(ReceivedFile(path=incoming, sha256=sha, size_bytes=len(audio)), filename="mix.wav")
    async with store.analysis_source(sha, suffix="wav") as source:
        assert isinstance(source, StoredObject)
        with pickle.loads(pickle.dumps(source)).open() as stream:  # as an analysis process receives it
            ranged = analyze(stream)
    from_file = analyze(local)
    assert ranged.loudness.integrated_lufs == from_file.loudness.integrated_lufs
    assert ranged.loudness.true_peak_dbtp == from_file.loudness.true_peak_dbtp


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        create_bucket(endpoint, BUCKET)
        yield endpoint


def _s3_settings(settings: Settings, endpoint: str, bucket: str = BUCKET) -> Settings:
    return settings.model_copy(
        update={
            "s3_bucket": bucket,
            "s3_endpoint": endpoint,
            "s3_access_key_id": SecretStr("test"),
            "s3_secret_access_key": SecretStr("test"),
        }
    )


async def test_readiness_reports_each_dependency_when_all_answer(
    live_server: Callable[[Settings], _ServerThread], settings: Settings
) -> None:
    server = live_server(settings.model_copy(update={"redis_url": "redis://127.0.0.1:6379/0"}))
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert set(checks) == {"database", "queue", "storage", "redis"}
    assert all(check["ok"] for check in checks.values())
    assert checks["queue"]["detail"] == "in-process"


async def test_readiness_fails_naming_the_dependency_that_does_not_answer(
    live_server: Callable[[Settings], _ServerThread], settings: Settings
) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    server = live_server(settings.model_copy(update={"redis_url": nowhere}))
    async with httpx.AsyncClient(base_url=server.url) as http:
        ready = await http.get("/readyz")
        alive = await http.get("/healthz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["redis"]["ok"] is False and "Connection refused" in checks["redis"]["error"]  # redis-py said it
    assert checks["database"]["ok"] is True
    assert alive.status_code == 200  # not ready, but alive: a balancer stops routing, nothing restarts it


async def test_readiness_fails_when_the_bucket_is_missing(
    s3: str, live_server: Callable[[Settings], _ServerThread], settings: Settings
) -> None:
    server = live_server(_s3_settings(settings, s3, bucket="no-such-bucket"))
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


async def test_readiness_s3_store_streams_back_and_reads_ranges(tmp_path: Path, s3: str) -> None:
    store = S3AudioStore(
        bucket=BUCKET, scratch=tmp_path, endpoint=s3, region="us-east-1", access_key_id="t", secret_access_key="t"
    )
    store.prepare()
    content = os.urandom(3 * 1024 * 1024 + 17)  # several read chunks, an odd tail
    sha = hashlib.sha256(content).hexdigest()
    incoming = tmp_path / "incoming" / "upload.wav"
    incoming.write_bytes(content)
    await store.keep(ReceivedFile(path=incoming, sha256=sha, size_bytes=len(content)), filename="mix.wav")
    assert not incoming.exists()  # uploaded, local copy dropped

    assert await store.read_range(sha, start=1000, length=100) == content[1000:1100]
    async with store.analysis_source(sha, suffix="wav") as source:
        assert isinstance(source, StoredObject) and source.name.endswith(".wav")
        with source.open() as stream:  # read by ranges, not copied: nothing lands in the scratch folder
            assert stream.read(10) == content[:10]
            stream.seek(-17, io.SEEK_END)
            assert stream.read() == content[-17:]
            stream.seek(5)
            assert stream.read() == content[5:]
        assert not list((tmp_path / "incoming").iterdir())

    await store.delete(sha)
    async with store.analysis_source(sha, suffix="wav") as gone:
        assert gone is None
    assert "readiness" in await store.check()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    name = f"mixcoach_ready_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _jobs(url: str) -> list[tuple[str, str]]:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await connection.fetch(
            "SELECT lock, status::text FROM procrastinate_jobs WHERE task_name = 'mixcoach.analyse' ORDER BY id"
        )
        return [(row["lock"], row["status"]) for row in rows]
    finally:
        await connection.close()


async def test_readiness_distributed_web_defers_and_a_deleted_track_cancels_its_job(
    postgres_url: str,
    s3: str,
    tmp_path: Path,
    live_server: Callable[[Settings], _ServerThread],
    redis_prefix: str,
) -> None:
    """No worker runs here: the upload's job waits in the queue, and deleting the track cancels it."""
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=postgres_url,
        queue="postgres",
        redis_url=redis_url_or_skip(),
        redis_prefix=redis_prefix,
    )
    server = live_server(_s3_settings(settings, s3))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["queue"]["detail"].startswith("procrastinate")
        token = await new_token(http)
        track = (await upload(http, sine_wav(seconds=2), token=token)).json()["data"]["uploadTrack"]
        assert track["status"] == "QUEUED"
        [(lock, status)] = await _jobs(postgres_url)
        assert status == "todo" and lock.startswith("track-")
        deleted = await gql(http, DELETE, {"id": track["id"]}, token=token)
        assert "errors" not in deleted, deleted
    assert await _jobs(postgres_url) == [(lock, "cancelled")]
    await drop_redis_prefix(str(settings.redis_url), redis_prefix)
    assert not any((tmp_path / "data" / "audio").rglob("*"))  # the audio went to the bucket, not the folder
