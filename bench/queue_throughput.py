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
import sys
import tempfile
import time
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx

from tests.api.audio_files import sine_wav
from tests.fakes.processes import Processes, drop_database, fresh_database, poll_ready, process_env
from tests.fakes.s3_server import create_bucket, moto_server
from tests.graphql_client import new_token, upload

BUCKET = "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"


async def _statuses(url: str) -> list[str]:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return [row["status"] for row in await connection.fetch("SELECT status FROM track")]
    finally:
        await connection.close()


async def _one_run(base: str, endpoint: str, workdir: Path, *, workers: int, tracks: int) -> float:
    """Analysis jobs per minute with ``workers`` workers."""
    url = await fresh_database(base, prefix="mixcoach_bench")
    env = process_env(
        workdir,
        DATABASE_URL=url,
        MIXCOACH_QUEUE="postgres",
        MIXCOACH_REDIS_URL=os.environ.get("MIXCOACH_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        MIXCOACH_REDIS_PREFIX=f"{url.rsplit('/', 1)[-1]}:",
        MIXCOACH_MIGRATE_ON_START="false",
        MIXCOACH_S3_BUCKET=BUCKET,
        MIXCOACH_S3_ENDPOINT=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        MIXCOACH_WORKER_CONCURRENCY="1",
        MIXCOACH_LLM="builtin",
        MIXCOACH_UPLOADS_PER_HOUR="1000",
        MIXCOACH_UPLOADS_PER_DAY="1000",
    )
    processes = Processes(logs=workdir, env=env)
    try:
        await asyncio.to_thread(processes.migrate)
        web = processes.web("web")
        async with httpx.AsyncClient(base_url=web.url, timeout=120) as http:
            await poll_ready(http)
            token = await new_token(http)
            for i in range(tracks):
                await upload(http, sine_wav(seconds=60, freq_hz=220 + 10 * i), token=token)
        for w in range(workers):
            processes.worker(f"bench-{w}", log_level="warning")
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
        for name in list(processes.processes):
            processes.stop(name)
        await drop_database(base, url)


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
