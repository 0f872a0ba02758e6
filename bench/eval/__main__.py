"""``python -m bench.eval [--per-genre N]``: print the flaw matrix and the clean-track figures."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from bench.calibrate import corpus, measure
from bench.calibrate.targets import exclusion
from bench.eval.clean import clean_counts
from bench.eval.simulate import simulated_matrix
from services.analysis import analyze
from services.diagnosis import diagnose
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.flaws import FLAWS, Flaw, apply, normalise

TONAL_AREAS = ("tonal", "bass")


def _found(report_ids: list[tuple[str, str]], flaw: Flaw) -> bool:
    suffix = "heavy" if flaw.heavy else "light"
    return any(fid in {f"tonal.{b}_{suffix}" for b in flaw.bands} for fid, _ in report_ids)


def _diagnose(y: np.ndarray, sr: int, genre: str, tmp: Path) -> list[tuple[str, str]]:
    path = tmp / "eval.wav"
    sf.write(str(path), y, sr, subtype="FLOAT")
    report = diagnose(analyze(str(path)), genre=match_genre(genre), stage=FeedbackType.MIXDOWN)
    return [(f.id, f.severity.value) for f in report.findings if f.area in TONAL_AREAS and "resonance" not in f.id]


def _pick(cache: Path, per_genre: int) -> list[corpus.Track]:
    doc = corpus.load()
    chosen: dict[str, list[corpus.Track]] = {}
    for t in corpus.interleaved(corpus.tracks(cache)):
        if exclusion(doc, measure.cached(cache, t)) is None and len(chosen.setdefault(t.genre, [])) < per_genre:
            chosen[t.genre].append(t)
    return [t for ts in chosen.values() for t in ts]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval")
    parser.add_argument("--cache", default=os.environ.get("MIXCOACH_CALIBRATE_CACHE", ".cache/calibrate"))
    parser.add_argument("--per-genre", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    cache = Path(args.cache)
    print(clean_counts(cache))
    print(simulated_matrix(cache))
    header = ["track", "genre", "clean MAJOR", *[f.name for f in FLAWS]]
    print(" | ".join(header))
    hits = [0] * len(FLAWS)
    tracks = _pick(cache, args.per_genre)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for t in tracks:
            y, sr = sf.read(str(corpus.local_file(cache, t)), dtype="float64", always_2d=True)
            start = int(min(0.3 * len(y), max(0, len(y) - 90 * sr)))
            y = normalise(y[start : start + 90 * sr])
            clean = _diagnose(y, sr, t.genre, tmp)
            row = [t.path.rsplit("/", 1)[-1], t.genre, str(sum(s in ("MAJOR", "CRITICAL") for _, s in clean))]
            for i, flaw in enumerate(FLAWS):
                ok = _found(_diagnose(apply(y, sr, flaw), sr, t.genre, tmp), flaw)
                hits[i] += ok
                row.append("found" if ok else "MISSED")
            print(" | ".join(row), flush=True)
    print(" | ".join(["detected", "", "", *[f"{h}/{len(tracks)}" for h in hits]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
