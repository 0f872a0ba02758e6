"""``python -m bench.queue_throughput [tracks]``: analysis jobs per minute through the PostgreSQL queue, with 1 and
with 2 ``mixcoach worker`` processes (concurrency 1 each), audio in moto's S3 server.

For each worker count: a fresh database, one web instance (distributed mode) receives ``tracks`` uploads of one
minute each (distinct content, so nothing is reused) while no worker runs; then the workers start, and the clock
runs from the first track turning ANALYZING to the last turning READY. Worker start-up (spawning the analysis pool)
is therefore not counted. Needs PostgreSQL at ``MIXCOACH_TEST_POSTGRES_URL`` (default: the local ``test``
database's server). Figures depend on the machine's cores and load; on a 2-core box 2 workers cannot double.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import httpx

from tests.api.audio_files import sine_wav
from tests.fakes.s3_server import create_bucket, free_port, moto_server
from tests.graphql_client import new_token, upload

BIN = Path(sys.executable).parent
BUCKET = "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"


async def _admin(base: str, sql: str) -> None:
    connection = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _statuses(url: str) -> list[str]:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return [row["status"] for row in await connection.fetch("SELECT status FROM track")]
    finally:
        await connection.close()


async def _one_run(base: str, endpoint: str, workdir: Path, *, workers: int, tracks: int) -> float:
    """Analysis jobs per minute with ``workers`` workers."""
    name = f"mixcoach_bench_{uuid.uuid4().hex[:10]}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "DATABASE_URL": url,
        "MIXCOACH_QUEUE": "postgres",
        "MIXCOACH_REDIS_URL": os.environ.get("MIXCOACH_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "MIXCOACH_REDIS_PREFIX": f"{name}:",
        "MIXCOACH_MIGRATE_ON_START": "false",
        "MIXCOACH_S3_BUCKET": BUCKET,
        "MIXCOACH_S3_ENDPOINT": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "MIXCOACH_WORKER_CONCURRENCY": "1",
        "MIXCOACH_LLM": "builtin",
        "MIXCOACH_UPLOADS_PER_HOUR": "1000",
        "MIXCOACH_UPLOADS_PER_DAY": "1000",
        "PORT": str(port),
    }
    processes: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], data: str) -> None:
        with (workdir / f"{data}.log").open("ab") as log:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "mixcoach"), *args],
                    env=env | {"MIXCOACH_DATA_DIR": str(workdir / data)},
                    stdout=log,
                    stderr=log,
                )
            )

    try:
        migrate = [str(BIN / "mixcoach"), "migrate"]
        await asyncio.to_thread(subprocess.run, migrate, env=env | {"MIXCOACH_DATA_DIR": str(workdir)}, check=True)
        start(["serve", "--log-level", "warning"], "web")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            for _ in range(600):
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            token = await new_token(http)
            for i in range(tracks):
                await upload(http, sine_wav(seconds=60, freq_hz=220 + 10 * i), token=token)
        for w in range(workers):
            start(["worker", "--name", f"bench-{w}", "--log-level", "warning"], f"worker-{w}")
        started = finished = None
        while finished is None:
            statuses = await _statuses(url)
            if started is None and any(s != "QUEUED" for s in statuses):
                started = time.perf_counter()
            if statuses.count("READY") + statuses.count("FAILED") == tracks:
                finished = time.perf_counter()
            await asyncio.sleep(0.05)
        assert started is not None
        assert statuses.count("READY") == tracks, statuses
        return tracks / (finished - started) * 60
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main(tracks: int) -> None:
    base = os.environ.get("MIXCOACH_TEST_POSTGRES_URL", DEFAULT_PG)
    with tempfile.TemporaryDirectory(prefix="mixcoach-queue-bench-") as tmp, moto_server(Path(tmp)) as endpoint:
        create_bucket(endpoint, BUCKET)
        print(f"analysis jobs per minute: {tracks} one-minute tracks, PostgreSQL queue, moto S3, concurrency 1 each")
        print(f"{'workers':>8} {'jobs/min':>9}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for workers in (1, 2):
            rate = await _one_run(base, endpoint, Path(tmp), workers=workers, tracks=tracks)
            print(f"{workers:>8} {rate:>9.1f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 12))
