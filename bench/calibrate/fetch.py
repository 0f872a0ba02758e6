"""Download the corpus packages with ``apt-get download`` (no root install) and unpack them with ``dpkg-deb -x``."""

from __future__ import annotations

import logging
import subprocess
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
            root.parent.mkdir(parents=True, exist_ok=True)  # dpkg-deb -x makes the leaf folder, not its parents
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return versions


def unpacked(cache: Path, package: str) -> Path:
    return cache / "x" / package
