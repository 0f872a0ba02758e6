"""Download the corpus packages with ``apt-get download`` (no root install) and unpack them with ``dpkg-deb -x``."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

HOLD_OUT = ("wesnoth", "immich-memories-music")  # kept out of calibration, tuning and tests (issue 9)


def _check_not_held_out(package: str) -> None:
    if any(h in package for h in HOLD_OUT):
        raise SystemExit(f"{package} is a hold-out package and must not be used for calibration")


def deb_path(cache: Path, package: str) -> Path | None:
    """The downloaded ``.deb`` of ``package`` in the cache, if any."""
    found = sorted((cache / "debs").glob(f"{package}_*.deb"))
    return found[-1] if found else None


def fetch(cache: Path, packages: list[str]) -> dict[str, str]:
    """Download what is missing, unpack every package once; returns package -> version."""
    for p in packages:
        _check_not_held_out(p)
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if deb_path(cache, p) is None]
    if missing:
        log.info("apt-get download %s", " ".join(missing))
        subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True)
    versions = {}
    for p in packages:
        deb = deb_path(cache, p)
        if deb is None:
            raise SystemExit(f"apt-get did not download {p}")
        versions[p] = deb.name.split("_")[1]
        root = unpacked(cache, p)
        if not root.exists():
            _unpack(deb, root)
    return versions


def _unpack(deb: Path, root: Path) -> None:
    """Unpack into a private folder, then rename it into place.

    A folder that exists is taken as finished, so it must never be seen half-written: two runs sharing one cache
    would otherwise measure a package while the other is still unpacking it. The loser of the rename race throws
    its own copy away.
    """
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(staging)], check=True)
    try:
        os.rename(staging, root)
    except OSError:  # another run put it in place first
        shutil.rmtree(staging)


def unpacked(cache: Path, package: str) -> Path:
    return cache / "x" / package
