"""``mixcoach serve --workers``: one process per core only with a shared bus; several without Redis are refused
before anything starts (live events and rate limits would silently split between processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api.commands.serve import worker_count
from api.settings import Settings


def test_the_default_is_one_per_core_with_redis_and_one_without(tmp_path: Path) -> None:
    embedded = Settings(_env_file=None, data_dir=tmp_path)
    shared = Settings(_env_file=None, data_dir=tmp_path, redis_url="redis://127.0.0.1:6379/0")
    assert worker_count(None, embedded) == 1
    assert worker_count(None, shared) == (os.cpu_count() or 1)
    assert worker_count(3, embedded) == 3
    assert worker_count(None, Settings(_env_file=None, data_dir=tmp_path, workers=2)) == 2


def test_several_workers_without_redis_are_refused(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIXCOACH_REDIS")}
    env |= {"MIXCOACH_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--port", "1", "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert "MIXCOACH_REDIS_URL" in done.stderr
