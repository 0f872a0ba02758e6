"""MAJOR tonal/bass findings on clean corpus tracks, from their measured band levels (no re-analysis).

"after" is the calibrated rule (``services.diagnosis.tonal``); "before" re-creates the rule it replaced: band level
relative to the total against the hand-set ranges of the previous ``genres.json`` (MAJOR from 3 dB outside).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.calibrate import corpus, measure
from bench.calibrate.targets import exclusion
from services.diagnosis.tonal import MAJOR_DB, causes, curve_off_bands, root_causes
from services.genres import match_genre

_OLD_GENRES_COMMIT = "5e4860f"  # the last commit before calibration
_OLD_NAME = {"cinematic": "classical", "chiptune": "electronic"}  # genres that did not exist then


def _old_ranges() -> dict[str, dict[str, list[float]]]:
    raw = subprocess.run(
        ["git", "show", f"{_OLD_GENRES_COMMIT}:services/genres/genres.json"], capture_output=True, text=True, check=True
    ).stdout
    return {g["name"]: g["targets"]["band_levels_db"] for g in json.loads(raw)["genres"]}


def _old_majors(levels: dict[str, float], ranges: dict[str, list[float]]) -> int:
    count = 0
    for band, (low, high) in ranges.items():
        v = levels[band]
        past = v - low if v < low else v - high if v > high else 0.0
        count += abs(past) >= 3.0
    return count


def clean_counts(cache: Path) -> str:
    """One line per genre: tracks, MAJOR tonal findings per track before and after."""
    doc = corpus.load()
    old = _old_ranges()
    rows: dict[str, list[tuple[int, int, int]]] = {}
    for t in corpus.tracks(cache):
        figures = measure.cached(cache, t)
        if exclusion(doc, figures) is not None or figures is None:
            continue
        raw = figures["band_levels_db"]
        assert isinstance(raw, dict)
        levels = {b: float(v) for b, v in raw.items()}
        targets = match_genre(t.genre).genre.targets
        thirds = figures["third_octave"]
        assert isinstance(thirds, list)
        curve = {float(c): float(v) for c, v in thirds if v is not None}
        after = sum(
            max(abs(o.past_db) for o in c) >= MAJOR_DB for c in root_causes(causes(curve_off_bands(curve, targets)))
        )
        minors = len(root_causes(causes(curve_off_bands(curve, targets))))
        before = _old_majors(levels, old[_OLD_NAME.get(t.genre, t.genre)])
        rows.setdefault(t.genre, []).append((before, after, minors))
    lines = ["clean corpus tracks: MAJOR tonal/bass findings per track (before -> after; all tonal findings after)"]
    total = [x for r in rows.values() for x in r]
    for genre, r in sorted(rows.items()):
        lines.append(f"  {genre:<11} {len(r):>4} tracks  {_mean(r, 0):.2f} -> {_mean(r, 1):.2f}; {_mean(r, 2):.2f}")
    lines.append(
        f"  {'all':<11} {len(total):>4} tracks  {_mean(total, 0):.2f} -> {_mean(total, 1):.2f}; {_mean(total, 2):.2f}"
    )
    return "\n".join(lines)


def _mean(rows: list[tuple[int, int, int]], i: int) -> float:
    return sum(r[i] for r in rows) / max(1, len(rows))
