"""MAJOR tonal/bass findings on clean corpus tracks, from their measured band levels (no re-analysis).

"before" re-creates the rule calibration replaced: band level relative to the total against the hand-set ranges of
the previous ``genres.json`` (MAJOR from 3 dB outside); "range" is the calibrated genre range alone
(``tonal.range_off_bands``); "now" adds the local-shape signal (``tonal.curve_off_bands``), the current rule.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.calibrate import corpus, measure
from bench.calibrate.targets import exclusion
from services.diagnosis.finding import Severity
from services.diagnosis.tonal import Off, causes, curve_off_bands, range_off_bands, root_causes
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
    rows: dict[str, list[tuple[int, ...]]] = {}
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
        ranged, now = _groups(range_off_bands(curve, targets)), _groups(curve_off_bands(curve, targets))
        before = _old_majors(levels, old[_OLD_NAME.get(t.genre, t.genre)])
        rows.setdefault(t.genre, []).append((before, _majors(ranged), _majors(now), len(ranged), len(now)))
    lines = ["clean corpus tracks: MAJOR tonal/bass findings per track, before -> range -> now; all tonal findings, "
             "range -> now"]  # fmt: skip
    total = [x for r in rows.values() for x in r]
    for genre, r in [*sorted(rows.items()), ("all", total)]:
        lines.append(
            f"  {genre:<11} {len(r):>4} tracks  {_mean(r, 0):.2f} -> {_mean(r, 1):.2f} -> {_mean(r, 2):.2f}; "
            f"{_mean(r, 3):.2f} -> {_mean(r, 4):.2f}"
        )
    return "\n".join(lines)


def _groups(off: list[Off]) -> list[list[Off]]:
    return root_causes(causes(off))


def _majors(groups: list[list[Off]]) -> int:
    return sum(max(g, key=lambda o: o.strength).severity is Severity.MAJOR for g in groups)


def _mean(rows: list[tuple[int, ...]], i: int) -> float:
    return sum(r[i] for r in rows) / max(1, len(rows))
