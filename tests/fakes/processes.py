"""Real ``mixcoach`` processes for the scale-out tests and the queue benchmark: one place that launches them.

``Processes`` starts ``serve`` / ``worker`` as child processes of their own (a process group each, so a SIGKILL
takes the analysis pool with it), one log file a process, on one environment; a web instance keeps its port across
restarts, as it would behind a balancer. ``fresh_database`` / ``drop_database`` make and remove a PostgreSQL
database on the server named by a base URL, for a test module or a benchmark run of their own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import httpx

from tests.fakes.s3_server import free_port

MIXCOACH = Path(sys.executable).with_name("mixcoach")


def process_env(home: Path, **settings: str) -> dict[str, str]:
    """The environment of a child process: nothing of this one's but ``PATH``, plus the settings given."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "HOST": "127.0.0.1"} | settings


async def admin_sql(url: str, sql: str) -> None:
    """One statement on its own connection (``CREATE DATABASE`` cannot run in a transaction or a pool)."""
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def fresh_database(base: str, *, prefix: str = "mixcoach_test") -> str:
    """A new, empty database on ``base``'s server; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await admin_sql(base, f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


async def drop_database(base: str, url: str) -> None:
    """Drop the database ``url`` names, connected to ``base``, even with clients left."""
    name = urlsplit(url).path.lstrip("/")
    await admin_sql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def poll_ready(
    http: httpx.AsyncClient, path: str = "/readyz", *, alive: Callable[[], None] | None = None, tries: int = 600
) -> None:
    """Wait (0.1 s a try) until ``path`` answers 200; ``alive`` raises if the process died meanwhile."""
    for _ in range(tries):
        if alive is not None:
            alive()
        try:
            if (await http.get(path)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{http.base_url} did not answer {path} with 200")


@dataclass
class Web:
    """A web instance of ``Processes``, by name: the same address across restarts."""

    processes: Processes
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.processes.start(self.name, ["serve", "--log-level", "warning"], PORT=str(self.port))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.name in self.processes.processes:
            self.processes.stop(self.name, sig)

    def log(self) -> str:
        return self.processes.log(self.name)

    async def ready(self, path: str = "/healthz") -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as http:
            await poll_ready(http, path, alive=lambda: self.processes.check_alive(self.name))


@dataclass
class Processes:
    """Real ``mixcoach`` processes on one environment. ``shared_data``: one ``MIXCOACH_DATA_DIR`` for all (as
    instances sharing a disk); otherwise each process gets its own, so nothing passes through a shared folder."""

    logs: Path
    env: dict[str, str]
    shared_data: bool = False
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def start(self, name: str, args: list[str], **extra: str) -> None:
        data = self.logs / ("data" if self.shared_data else name)
        env = {"MIXCOACH_DATA_DIR": str(data)} | self.env | extra
        with (self.logs / f"{name}.log").open("ab") as log:  # the child keeps its own copy of the descriptor
            self.processes[name] = subprocess.Popen(
                [str(MIXCOACH), *args], env=env, stdout=log, stderr=log, start_new_session=True
            )

    def web(self, name: str) -> Web:
        """Start ``mixcoach serve`` (again, on the same port if it ran before)."""
        web = Web(self, name, self.ports.setdefault(name, free_port()))
        web.start()
        return web

    def worker(self, name: str, *, log_level: str = "info") -> None:
        self.start(name, ["worker", "--name", name, "--log-level", log_level])

    def migrate(self) -> None:
        """``mixcoach migrate`` once, to the end."""
        env = {"MIXCOACH_DATA_DIR": str(self.logs / "migrate")} | self.env
        subprocess.run([str(MIXCOACH), "migrate"], env=env, check=True, capture_output=True)

    def check_alive(self, name: str) -> None:
        process = self.processes[name]
        assert process.poll() is None, self.log(name)[-3000:]

    def kill(self, name: str) -> None:
        """SIGKILL the process and its process group (its analysis pool)."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self, name: str, sig: int = signal.SIGTERM, *, timeout_s: float = 60) -> int:
        """``sig`` to the process, as an orchestrator stops one (it stops its own pool); the group is SIGKILLed
        after ``timeout_s``. Its exit code."""
        process = self.processes.pop(name)
        if process.poll() is None:
            process.send_signal(sig)
        try:
            return process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait()

    def close(self) -> None:
        for name in list(self.processes):
            self.kill(name)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")
