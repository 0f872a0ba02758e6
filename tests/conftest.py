"""Shared fixtures: a real database (SQLite file, and PostgreSQL when configured) and a live server.

- ``db_url``: parametrised over ``sqlite`` (a file in ``tmp_path``) and ``postgres``. The postgres case runs when
  ``MIXCOACH_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it), in a fresh database created for the test and
  dropped after; a server that cannot be reached then fails the test. Without the variable it is skipped.
- ``settings``: ``Settings`` for that database with a temporary data dir; override fields with
  ``settings.model_copy(update=...)``.
- ``live_server``: a factory that serves ``create_app(settings)`` with uvicorn on 127.0.0.1 (port 0) in a thread
  and returns its base URL, so HTTP and WebSocket tests are real round trips. ``server`` is one such URL.
  Tortoise binds one global ORM context per process, so only one server may run at a time: stop one (or don't
  request ``server``) before starting another.
- ``http``: an ``httpx.AsyncClient`` for ``server``. GraphQL helpers live in ``tests/graphql_client.py``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from services.runtime import Runtime, build_runtime
from tests.fakes.processes import admin_sql

POSTGRES_ENV = "MIXCOACH_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'mixcoach.sqlite3'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    name = f"mixcoach_test_{uuid.uuid4().hex[:12]}"
    await admin_sql(base, f'CREATE DATABASE "{name}"')
    parts = urlsplit(base)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        await admin_sql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=db_url,
        analysis_workers=2,
        create_client_per_minute=50,
        shutdown_grace_s=0,  # a stopping test server interrupts at once, as before graceful shutdown
    )


class _ServerThread:
    def __init__(self, settings: Settings) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        app = create_app(settings)
        # Like `mixcoach serve`: forwarded addresses are the app's business (api.proxies), never uvicorn's.
        config = uvicorn.Config(app, lifespan="on", ws="websockets-sansio", log_level="warning", proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)
        self.sock.close()


@pytest.fixture
def live_server() -> Iterator[Callable[[Settings], _ServerThread]]:
    started: list[_ServerThread] = []

    def start(settings: Settings) -> _ServerThread:
        server = _ServerThread(settings)
        server.start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def server(live_server: Callable[[Settings], _ServerThread], settings: Settings) -> str:
    return live_server(settings).url


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=60) as client:
        yield client


REDIS_ENV = "MIXCOACH_TEST_REDIS_URL"


def redis_url_or_skip() -> str:
    """The test Redis (``.ci/run`` sets ``MIXCOACH_TEST_REDIS_URL``); skipped when unset, like PostgreSQL."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set")
    return url


async def drop_redis_prefix(url: str, prefix: str) -> None:
    """Delete every key a test wrote under its own prefix."""
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own, so tests sharing one Redis never see each other's keys."""
    return f"mixcoach-test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture(params=["embedded", "redis"])
async def runtime_mode(request: pytest.FixtureRequest, redis_prefix: str) -> AsyncIterator[Runtime]:
    """A ``Runtime`` in each mode: this process's memory, and a real Redis under a fresh prefix."""
    if request.param == "embedded":
        runtime = build_runtime(None)
        yield runtime
        await runtime.aclose()
        return
    url = redis_url_or_skip()
    runtime = build_runtime(url, prefix=redis_prefix)
    try:
        yield runtime
    finally:
        await runtime.aclose()
        await drop_redis_prefix(url, redis_prefix)
