"""``python -m bench.read_speed``: the GraphQL session read against a raw Starlette endpoint, side by side.

For SQLite and PostgreSQL (``MIXCOACH_BENCH_POSTGRES_URL``, default the local test server; skipped when it is not
reachable): seed one session of 50 messages (one a 16 KB answer), start ``mixcoach serve`` (under
``bench.gc_probe``) and ``bench.raw_read`` on the same database, check both return the same JSON, then load each in
turn with keep-alive connections (wrk, else ``bench.load``'s Python client) at c=1, 10 and 100. Prints req/s,
p50/p99 and GraphQL as a share of raw, the longest GC pause the server took under the read load, and read
throughput of ``mixcoach serve --workers 1`` and ``--workers 2`` (those need Redis, ``MIXCOACH_BENCH_REDIS_URL``).
``READ_SECONDS`` (default 5) is the duration of each run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench.load import LoadResult, Request, run_load
from bench.server import free_port
from schema.ids import encode_id
from services import domain
from services.store.database import apply_migrations, open_database
from services.store.models import ClientModel, MessageModel, SessionModel, TrackModel

POSTGRES_URL = os.environ.get("MIXCOACH_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MIXCOACH_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SECONDS = float(os.environ.get("READ_SECONDS", "5"))
CONCURRENCY = (1, 10, 100)
MESSAGES = 50
LONG_ANSWER_BYTES = 16 * 1024
READ = (
    "query($id: ID!) { session(id: $id) { title messages(first: 50) { edges { node "
    "{ id role content status createdAt } } } } }"
)


async def seed(db_url: str) -> tuple[str, int]:
    """A client, a track, a session and 50 messages (alternating question/answer, one 16 KB answer)."""
    await apply_migrations(db_url)
    token = secrets.token_urlsafe(32)
    async with open_database(db_url, migrate_first=False):
        client = await ClientModel.create(token_hash=hashlib.sha256(token.encode()).hexdigest())
        track = await TrackModel.create(owner=client, name="bench", original_filename="bench.wav", content_hash="0")
        session = await SessionModel.create(owner=client, track=track, title="Bench session")
        for i in range(MESSAGES):
            user = i % 2 == 0
            content = ("x" * 63 + "\n") * (LONG_ANSWER_BYTES // 64) if i == 1 else f"message {i}: " + "words " * 40
            await MessageModel.create(
                session=session,
                role=domain.MessageRole.USER if user else domain.MessageRole.ASSISTANT,
                kind=domain.MessageKind.FOLLOWUP,
                content=content,
                findings=None if user else [{"id": "low_end", "severity": 0.5, "detail": "y" * 200}],
                grounding=None if user else {"numbers": [{"text": "3 dB", "traced": True}] * 10},
            )
    return token, session.id


@contextmanager
def _process(argv: list[str], env: dict[str, str], url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(argv, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    try:
        for _ in range(600):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{argv} did not start; see {log}")
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_env(db_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": db_url,
        "MIXCOACH_DATA_DIR": str(data_dir),
        "MIXCOACH_LLM": "builtin",
        "MIXCOACH_REQUESTS_PER_MINUTE": "100000000",
        "MIXCOACH_ANALYSIS_WORKERS": "1",
    }


def _graphql_request(port: int, token: str, session_id: int) -> Request:
    body = json.dumps({"query": READ, "variables": {"id": encode_id("Session", session_id)}}).encode()
    headers = (("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"))
    return Request(url=f"http://127.0.0.1:{port}/graphql", method="POST", body=body, headers=headers)


def _row(name: str, c: int, result: LoadResult, share: str = "") -> str:
    bad = f"  ({result.errors} errors)" if result.errors else ""
    return f"{name:<10} {c:>4} {result.rps:>9.0f} {result.p50_ms:>8.1f} {result.p99_ms:>8.1f} {share:>8}{bad}"


def compare(db_name: str, db_url: str, work: Path) -> None:
    token, session_id = asyncio.run(seed(db_url))
    gql_port, raw_port, stats = free_port(), free_port(), work / f"gc-{db_name}.json"
    # Both servers log warnings only: uvicorn's access log line per request is not part of either read.
    serve = [
        sys.executable,
        "-m",
        "bench.gc_probe",
        str(stats),
        "serve",
        "--port",
        str(gql_port),
        "--log-level",
        "warning",
    ]
    raw = [sys.executable, "-m", "bench.raw_read", "--port", str(raw_port), "--db", db_url]
    env = _server_env(db_url, work / db_name)
    gql_request = _graphql_request(gql_port, token, session_id)
    raw_request = Request(
        url=f"http://127.0.0.1:{raw_port}/raw/{session_id}", headers=(("Authorization", f"Bearer {token}"),)
    )
    with (
        _process(serve, env, f"http://127.0.0.1:{gql_port}/healthz",
                 work / f"serve-{db_name}.log") as server,
        _process(raw, {}, f"http://127.0.0.1:{raw_port}/", work / f"raw-{db_name}.log"),
    ):  # fmt: skip
        headers = dict(gql_request.headers)
        via_graphql = httpx.post(gql_request.url, content=gql_request.body, headers=headers).json()
        via_raw = httpx.get(raw_request.url, headers=dict(raw_request.headers)).json()
        if via_graphql != via_raw:
            raise SystemExit(f"the raw endpoint differs from GraphQL:\n{via_graphql}\n{via_raw}")
        run_load(gql_request, connections=10, seconds=1.0)  # warm-up for both
        run_load(raw_request, connections=10, seconds=1.0)
        server.send_signal(signal.SIGUSR1)  # forget start-up collections
        print(
            f"\n{db_name}: session read, {MESSAGES} messages (one {LONG_ANSWER_BYTES // 1024} KB), "
            f"{SECONDS:g} s per run"
        )
        print(f"{'endpoint':<10} {'c':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'of raw':>8}")
        for c in CONCURRENCY:
            g = run_load(gql_request, connections=c, seconds=SECONDS)
            r = run_load(raw_request, connections=c, seconds=SECONDS)
            print(_row("graphql", c, g, f"{100 * g.rps / r.rps:.1f} %"))
            print(_row("raw", c, r))
        server.send_signal(signal.SIGUSR2)
        time.sleep(0.5)
        gc_stats = json.loads(stats.read_text())
        print(
            f"GC in the GraphQL server under the read load: longest pause {gc_stats['max_ms']:.1f} ms "
            f"({gc_stats['max_cpu_ms']:.1f} ms of CPU), "
            f"{gc_stats['count']} collections, {gc_stats['total_ms']:.0f} ms in all; longest by generation "
            + ", ".join(f"{g}: {ms:.1f} ms" for g, ms in sorted(gc_stats["by_generation"].items()))
        )
        print(f"(load generator: {g.tool})")


def workers(db_url: str, work: Path) -> None:
    """Read throughput of one and two worker processes sharing Redis (the scale-out runtime's bus)."""
    token, session_id = asyncio.run(seed(db_url))
    print(f"\nworkers: session read on PostgreSQL with Redis, c=10 and c=100, {SECONDS:g} s per run")
    print(f"{'workers':<10} {'c':>4} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for n in (1, 2):
        port = free_port()
        prefix = f"mixcoach-bench-{uuid.uuid4().hex[:8]}:"
        env = _server_env(db_url, work / f"workers-{n}") | {
            "MIXCOACH_REDIS_URL": REDIS_URL, "MIXCOACH_REDIS_PREFIX": prefix,
        }  # fmt: skip
        argv = [
            sys.executable,
            "-m",
            "api.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(n),
            "--log-level",
            "warning",
        ]
        request = _graphql_request(port, token, session_id)
        with _process(argv, env, f"http://127.0.0.1:{port}/healthz", work / f"workers-{n}.log"):
            run_load(request, connections=10, seconds=1.0)
            for c in (10, 100):
                result = run_load(request, connections=c, seconds=SECONDS)
                print(_row(str(n), c, result))


async def _postgres_database() -> str | None:
    """A fresh database on the bench server, or None when it cannot be reached."""
    name = f"mixcoach_bench_{uuid.uuid4().hex[:10]}"
    try:
        conn = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1), timeout=3)
    except (OSError, asyncpg.PostgresError):
        return None
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))


async def _drop(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def main() -> None:
    only = set(sys.argv[1:]) or {"sqlite", "postgres", "workers"}
    with tempfile.TemporaryDirectory(prefix="mixcoach-read-") as tmp:
        work = Path(tmp)
        if "sqlite" in only:
            compare("sqlite", f"sqlite://{work / 'read.sqlite3'}", work)
        for part in ("postgres", "workers"):
            if part not in only:
                continue
            pg = asyncio.run(_postgres_database())
            if pg is None:
                print(f"\n{part}: PostgreSQL at {POSTGRES_URL} is not reachable; skipped")
                continue
            try:
                compare("postgres", pg, work) if part == "postgres" else workers(pg, work)
            finally:
                asyncio.run(_drop(pg))


if __name__ == "__main__":
    main()
