"""No orphan processes: after the server is SIGKILLed, its analysis workers and the multiprocessing resource
tracker exit too, so nothing piles up across restarts.

The real CLI (``mixcoach serve``) runs in its own session, so every process it starts, directly or not, carries
that session id even after it is re-parented; ``/proc`` is scanned for them (Linux only).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.audio_files import sine_wav
from tests.graphql_client import gql, new_token, upload

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

CLI = Path(sys.executable).with_name("mixcoach")
STATUS = "{ tracks(first: 10) { edges { node { status } } } }"
WORKERS = 2


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, session id) of a live process; None once it is gone or only a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may contain spaces and parentheses
    state, ppid, sid = fields[0], int(fields[1]), int(fields[3])
    return None if state in ("Z", "X") else (state, ppid, sid)


def _session(sid: int) -> dict[int, str]:
    """Every live process in session ``sid``, with its command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None and stat[2] == sid:
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "MIXCOACH_DATA_DIR": str(tmp_path / "data"),
        "MIXCOACH_ANALYSIS_WORKERS": str(WORKERS),
        "MIXCOACH_LLM": "builtin",
    }
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(CLI), "serve", "--log-level", "warning"], env=env, stdout=log, stderr=log, start_new_session=True
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        for pid in _session(process.pid):  # never leave anything behind, even when the test failed
            os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait()
        log.close()


async def _wait_healthy(http: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        assert process.poll() is None, "the server exited"
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the server did not start")


async def _both_analysing(http: httpx.AsyncClient, token: str) -> None:
    """Wait until every worker is busy; on a loaded machine one analysis may finish first, so queue another."""
    for attempt in range(600):
        listed = await gql(http, STATUS, token=token)
        statuses = [edge["node"]["status"] for edge in listed["data"]["tracks"]["edges"]]
        if statuses.count("ANALYZING") == WORKERS:
            return
        if len(statuses) - statuses.count("READY") < WORKERS and len(statuses) < 8:
            response = await upload(http, _long_sine(attempt), token=token)
            assert "errors" not in response.json()
        await asyncio.sleep(0.05)
    raise AssertionError("the analyses did not start")


def _long_sine(i: int) -> bytes:
    """Twenty minutes of audio: long enough that a worker is still busy when the server dies."""
    return sine_wav(seconds=1200, sr=8000, freq_hz=200 + 50 * i)


async def test_processes_none_outlive_a_sigkilled_server(serve: tuple[subprocess.Popen[bytes], str]) -> None:
    process, url = serve
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        await _wait_healthy(http, process)
        token = await new_token(http)
        for i in range(WORKERS):
            response = await upload(http, _long_sine(i), token=token)
            assert "errors" not in response.json()
        await _both_analysing(http, token)

    for _ in range(300):  # a track reads ANALYZING just before its job reaches the pool, which spawns on demand
        helpers = {pid: cmd for pid, cmd in _session(process.pid).items() if pid != process.pid}
        if sum("spawn_main" in cmd for cmd in helpers.values()) == WORKERS:
            break
        await asyncio.sleep(0.1)
    assert sum("spawn_main" in cmd for cmd in helpers.values()) == WORKERS, helpers
    assert any("resource_tracker" in cmd for cmd in helpers.values()), helpers

    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    for _ in range(300):  # a generous deadline (30 s); they go at once
        if not _session(process.pid):
            break
        await asyncio.sleep(0.1)
    assert _session(process.pid) == {}, "orphans left after SIGKILL"
