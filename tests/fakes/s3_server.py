"""moto in server mode: a real S3 HTTP endpoint on a free loopback port, started by the test that needs it.

Data lives in the moto process's memory and goes with it. ``create_bucket`` uses a plain HTTP PUT, which moto
accepts without a signature (obstore itself cannot create buckets).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

MOTO = Path(sys.executable).with_name("moto_server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def create_bucket(endpoint: str, bucket: str) -> None:
    response = httpx.put(f"{endpoint}/{bucket}", timeout=10)
    response.raise_for_status()


@contextmanager
def moto_server(log_dir: Path) -> Iterator[str]:
    """Start moto, wait until it answers, yield its endpoint URL; kill it after."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with (log_dir / "moto.log").open("wb") as log:
        process = subprocess.Popen([str(MOTO), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    try:
        for _ in range(300):
            try:
                httpx.get(endpoint, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("moto did not start")
        yield endpoint
    finally:
        process.kill()
        process.wait()
