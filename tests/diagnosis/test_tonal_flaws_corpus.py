"""The tonal flaw matrix on real released tracks of the calibration corpus (three genres).

Needs ``make calibrate`` (the audio lives in the gitignored cache, never in git), so it skips without it; the
CI-runnable twin on numpy audio is ``test_tonal_flaws.py`` and the full matrix is ``make eval``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.diagnosis.test_tonal_flaws import found, tonal_findings, wrong_way
from tests.fakes.audio import write_wav
from tests.fakes.flaws import FLAWS, apply, normalise

CACHE = Path(os.environ.get("MIXCOACH_CALIBRATE_CACHE", Path(__file__).resolve().parents[2] / ".cache/calibrate"))
GENRES = ("pop", "electronic", "cinematic")
EXCERPT_S = 45

pytestmark = pytest.mark.skipif(
    not (CACHE / "measured").is_dir(), reason=f"no calibration cache at {CACHE}: run `make calibrate` first"
)


def _first_track(genre: str) -> tuple[str, Path]:
    """The first usable corpus track of the genre, in the corpus's own interleaved order (not hand-picked)."""
    from bench.calibrate import corpus, measure
    from bench.calibrate.targets import exclusion

    doc = corpus.load()
    for t in corpus.interleaved(corpus.tracks(CACHE)):
        if t.genre == genre and exclusion(doc, measure.cached(CACHE, t)) is None:
            return t.name, corpus.local_file(CACHE, t)
    pytest.skip(f"no {genre} track in the calibration cache")


def _cells(genre: str, folder: Path) -> tuple[str, list[tuple[str, bool, list[str]]]]:
    """(track, [(flaw, found, wrong-way findings)]) for the genre's first corpus track."""
    name, path = _first_track(genre)
    y, sr = sf.read(str(path), dtype="float64", always_2d=True)
    start = int(min(0.3 * len(y), max(0, len(y) - EXCERPT_S * sr)))
    y = normalise(np.asarray(y[start : start + EXCERPT_S * sr]))
    cells = []
    for flaw in FLAWS:
        flawed = write_wav(folder / f"{genre}.wav", apply(y, sr, flaw), sr, subtype="FLOAT")
        findings = tonal_findings(flawed, genre)
        cells.append((flaw.name, found(findings, flaw), wrong_way(findings, flaw)))
    return name, cells


def test_tonal_flaws_on_real_releases_of_three_genres(tmp_path: Path) -> None:
    """Never the wrong way round on the flaw's own bands; most flaws found (the corpus matrix is in the docs)."""
    results = {genre: _cells(genre, tmp_path) for genre in GENRES}
    for _genre, (name, cells) in results.items():
        for flaw, _, wrong in cells:
            assert wrong == [], (name, flaw)
    found_cells = sum(hit for _, cells in results.values() for _, hit, _ in cells)
    assert found_cells >= 2 * len(GENRES), results
