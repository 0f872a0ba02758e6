"""The flaw matrix over every clean corpus track, fast: each flaw's EQ added to the measured 1/3-octave curve.

No re-analysis (the full matrix with analysis is the per-track table of ``make eval``); the judgement is the real
one (``services.diagnosis.tonal.curve_off_bands``), so this shows how often each flaw is found per genre.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.calibrate import corpus, measure
from bench.calibrate.targets import exclusion
from services.diagnosis.tonal import causes, curve_off_bands, root_causes
from services.genres import match_genre
from tests.fakes.flaws import FLAWS, Flaw


def _found(curve: dict[float, float], genre: str, flaw: Flaw) -> bool:
    flawed = {c: v + float(flaw.gain_db(np.array([c]))[0]) for c, v in curve.items()}
    side = 1.0 if flaw.heavy else -1.0
    groups = root_causes(causes(curve_off_bands(flawed, match_genre(genre).genre.targets)))
    return any(o.band in flaw.bands and o.past_db * side > 0 for g in groups for o in g)


def simulated_matrix(cache: Path) -> str:
    """Per genre: the share of its clean tracks on which each flaw is found."""
    doc = corpus.load()
    hits: dict[str, list[list[bool]]] = {}
    for t in corpus.tracks(cache):
        figures = measure.cached(cache, t)
        if figures is None or exclusion(doc, figures) is not None:
            continue
        raw = figures["third_octave"]
        assert isinstance(raw, list)
        curve = {float(c): float(v) for c, v in raw if v is not None}
        hits.setdefault(t.genre, []).append([_found(curve, t.genre, f) for f in FLAWS])
    lines = ["flaw found, share of clean tracks (EQ applied to the measured 1/3-octave curve)",
             "  genre       tracks  " + "  ".join(f.name for f in FLAWS)]  # fmt: skip
    everything = [row for rows in hits.values() for row in rows]
    for genre, rows in [*sorted(hits.items()), ("all", everything)]:
        shares = [sum(r[i] for r in rows) / len(rows) for i in range(len(FLAWS))]
        lines.append(f"  {genre:<11} {len(rows):>6}  " + "  ".join(f"{s:>{len(f.name)}.0%}" for s, f in
                                                                zip(shares, FLAWS, strict=True)))  # fmt: skip
    return "\n".join(lines)
