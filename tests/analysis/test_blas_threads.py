"""Importing the analysis holds numpy's BLAS to one thread unless the environment chose (``services.analysis.blas``).

Each case runs in a fresh interpreter: the setting only acts before numpy's first import, long past in this
test process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_PROBE = (
    "import os\nimport services.analysis\nfrom threadpoolctl import threadpool_info\n"
    "blas = [i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas']\n"
    "print(os.environ['OPENBLAS_NUM_THREADS'], *blas)"
)


def _probe(**env: str) -> list[str]:
    child_env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | env
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=child_env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_import_gives_blas_one_thread() -> None:
    assert _probe() == ["1", "1"]


def test_an_explicit_setting_is_kept() -> None:
    assert _probe(OPENBLAS_NUM_THREADS="2")[0] == "2"
