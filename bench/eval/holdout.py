"""The hold-out packages (``wesnoth-1.16-music``, ``immich-memories-music``), fetched into their own cache.

Issue 9 keeps them out of calibration, tuning and tests so that they can tell whether the targets generalise.
This module is the only code that fetches them, and only for ``python -m bench.eval --holdout``, which prints the
clean-release audit on them: a report, never an input to a threshold. Their genres are set from what the
packages say they are, before looking at any figure: Battle for Wesnoth's score is orchestral (cinematic);
immich-memories' bundled slideshow music names its style in each file name (``calm_acoustic_1.opus``,
``happy_electronic_2.opus``): acoustic is folk / acoustic, electronic is electronic.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from bench.calibrate.corpus import _AUDIO

WESNOTH = "wesnoth-1.16-music"
IMMICH = "immich-memories-music"
_MIN_BYTES = 400_000  # as the corpus: jingles and effects are smaller than a piece of music


def _wesnoth(cache: Path) -> Path:
    debs, root = cache / "debs", cache / "x" / WESNOTH
    debs.mkdir(parents=True, exist_ok=True)
    if not list(debs.glob(f"{WESNOTH}_*.deb")):
        subprocess.run(["apt-get", "download", WESNOTH], cwd=debs, check=True)
    if not root.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        deb = sorted(debs.glob(f"{WESNOTH}_*.deb"))[-1]
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def _immich(cache: Path) -> Path:
    wheels, root = cache / "wheels", cache / "x" / IMMICH
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob("immich_memories_music-*")):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(wheels), IMMICH], check=True)
    if not root.exists():
        wheel = sorted(wheels.glob("immich_memories_music-*.whl"))[-1]
        with zipfile.ZipFile(wheel) as z:
            z.extractall(root)
    return root


def tracks(cache: Path) -> list[tuple[str, str, Path]]:
    """``(name, genre, path)`` of every hold-out piece of music, the two packages taking turns (so a partial run
    covers both)."""
    wesnoth = [(f"{WESNOTH}:{p.name}", "cinematic", p) for p in _music(_wesnoth(cache))]
    immich = [
        (f"{IMMICH}:{p.name}", "electronic" if "electronic" in p.name else "folk", p) for p in _music(_immich(cache))
    ]
    out: list[tuple[str, str, Path]] = []
    for i in range(max(len(wesnoth), len(immich))):
        out.extend(rows[i] for rows in (wesnoth, immich) if i < len(rows))
    return out


def _music(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in _AUDIO and p.stat().st_size >= _MIN_BYTES)
