"""The flaw matrix over every clean corpus track, fast: each flaw's EQ added to the measured 1/3-octave curve.

No re-analysis (the full matrix with analysis is the per-track table of ``make eval``); the judgement is the real
one (``services.diagnosis.tonal.curve_off_bands``), so this shows how often each flaw is found per genre. Each cell
is "before -> after": the genre range alone (``range_off_bands``) and with the local-shape signal added. "wrong"
counts flawed tracks told the opposite direction on one of the flaw's bands when the clean track was not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.calibrate import corpus, measure
from bench.calibrate.targets import exclusion
from services.diagnosis.tonal import Off, causes, curve_off_bands, range_off_bands, root_causes
from services.genres import Targets, match_genre
from tests.fakes.flaws import FLAWS, Flaw

Judge = Callable[[dict[float, float], Targets], list[Off]]


def _named(curve: dict[float, float], genre: str, flaw: Flaw, judge: Judge, side: float) -> bool:
    groups = root_causes(causes(judge(curve, match_genre(genre).genre.targets)))
    return any(o.band in flaw.bands and o.past_db * side > 0 for g in groups for o in g)


def _row(curve: dict[float, float], genre: str) -> list[tuple[bool, bool, bool, bool]]:
    """Per flaw: found before, after; told the wrong way before, after (and not already on the clean track)."""
    out = []
    for flaw in FLAWS:
        flawed = {c: v + float(flaw.gain_db(np.array([c]))[0]) for c, v in curve.items()}
        side = 1.0 if flaw.heavy else -1.0
        found = [_named(flawed, genre, flaw, judge, side) for judge in (range_off_bands, curve_off_bands)]
        wrong = [
            _named(flawed, genre, flaw, judge, -side) and not _named(curve, genre, flaw, judge, -side)
            for judge in (range_off_bands, curve_off_bands)
        ]
        out.append((found[0], found[1], wrong[0], wrong[1]))
    return out


def simulated_matrix(cache: Path) -> str:
    """Per genre: the share of its clean tracks on which each flaw is found, before -> after (wrong way)."""
    doc = corpus.load()
    hits: dict[str, list[list[tuple[bool, bool, bool, bool]]]] = {}
    for t in corpus.tracks(cache):
        figures = measure.cached(cache, t)
        if figures is None or exclusion(doc, figures) is not None:
            continue
        raw = figures["third_octave"]
        assert isinstance(raw, list)
        hits.setdefault(t.genre, []).append(_row({float(c): float(v) for c, v in raw if v is not None}, t.genre))
    lines = ["flaw found, share of clean tracks (EQ applied to the measured 1/3-octave curve): genre range alone "
             "-> with the local shape (told the wrong way: before -> after)",
             "  genre       tracks  " + "  ".join(f"{f.name:>30}" for f in FLAWS)]  # fmt: skip
    everything = [row for rows in hits.values() for row in rows]
    for genre, rows in [*sorted(hits.items()), ("all", everything)]:
        cells = []
        for i in range(len(FLAWS)):
            before, after, w_before, w_after = (sum(r[i][k] for r in rows) / len(rows) for k in range(4))
            cells.append(f"{f'{before:.0%} -> {after:.0%} ({w_before:.0%} -> {w_after:.0%})':>30}")
        lines.append(f"  {genre:<11} {len(rows):>6}  " + "  ".join(cells))
    return "\n".join(lines)
