"""``python -m bench.eval [--per-genre N] [--matrix-per-genre N] [--audit-only] [--holdout]``: what judgement
quality looks like on real music.

First the full twelve-flaw matrix and the first-move table through the real pipeline (``bench.eval.matrix``), on
the pip-shipped tracks and, when the calibration cache exists, the first ``--matrix-per-genre`` corpus tracks of
each genre; then the clean-release audit and the tonal figures over the calibration corpus (skipped without the
cache). ``--holdout`` prints the audit on the hold-out packages only (a report, never tuned on).
"""

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
from bench.eval import audit
from bench.eval.clean import clean_counts
from bench.eval.matrix import Source, matrix_tables, pip_sources
from bench.eval.simulate import simulated_matrix
from services.analysis import analyze
from services.diagnosis import diagnose
from services.diagnosis.tonal import causes, range_off_bands, root_causes
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes import pip_music
from tests.fakes.flaws import FLAWS, Flaw, apply, normalise

TONAL_AREAS = ("tonal", "bass")


def _found(report_ids: list[tuple[str, str]], flaw: Flaw) -> bool:
    suffix = "heavy" if flaw.heavy else "light"
    return any(fid in {f"tonal.{b}_{suffix}" for b in flaw.bands} for fid, _ in report_ids)


def _diagnose(y: np.ndarray, sr: int, genre: str, tmp: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(findings now, findings of the genre range alone) as (id, severity), tonal and bass only."""
    path = tmp / "eval.wav"
    sf.write(str(path), y, sr, subtype="FLOAT")
    analysis = analyze(str(path))
    report = diagnose(analysis, genre=match_genre(genre), stage=FeedbackType.MIXDOWN)
    now = [(f.id, f.severity.value) for f in report.findings if f.area in TONAL_AREAS and "resonance" not in f.id]
    curve = {t.center_hz: t.level_db for t in analysis.spectrum.third_octave if t.level_db is not None}
    groups = root_causes(causes(range_off_bands(curve, match_genre(genre).genre.targets)))
    ranged = [(f"tonal.{o.band}_{'heavy' if o.past_db > 0 else 'light'}", "") for g in groups for o in g]
    return now, ranged


def _pick(cache: Path, per_genre: int) -> list[corpus.Track]:
    doc = corpus.load()
    chosen: dict[str, list[corpus.Track]] = {}
    for t in corpus.interleaved(corpus.tracks(cache)):
        if exclusion(doc, measure.cached(cache, t)) is None and len(chosen.setdefault(t.genre, [])) < per_genre:
            chosen[t.genre].append(t)
    return [t for ts in chosen.values() for t in ts]


def _corpus_sources(cache: Path, per_genre: int) -> list[Source]:
    """The first corpus tracks of each genre as 30 s excerpts, levelled like the pip tracks."""
    out = []
    for t in _pick(cache, per_genre):
        y, sr = sf.read(str(corpus.local_file(cache, t)), dtype="float64", always_2d=True)
        if y.shape[1] != 2:
            continue
        out.append(Source(t.path.rsplit("/", 1)[-1], t.genre, pip_music.cut(y, sr), sr))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval")
    parser.add_argument("--cache", default=os.environ.get("MIXCOACH_CALIBRATE_CACHE", ".cache/calibrate"))
    parser.add_argument("--per-genre", type=int, default=3)
    parser.add_argument("--matrix-per-genre", type=int, default=1)
    parser.add_argument("--audit-cache", default=os.environ.get("MIXCOACH_EVAL_CACHE", ".cache/eval"))
    parser.add_argument("--audit-only", action="store_true", help="only the clean-release audit")
    parser.add_argument("--holdout", action="store_true", help="only the audit of the hold-out packages")
    parser.add_argument("--cached-only", action="store_true", help="audit only the tracks analysed before")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    cache = Path(args.cache)
    if args.holdout:
        rows = audit.holdout_rows(Path(args.audit_cache) / "holdout", cached_only=args.cached_only)
        print(audit.table(rows, title="HOLD-OUT clean-release audit (master review; report only, never tuned on)"))
        return 0
    corpus_there = (cache / "measured").is_dir()
    if not args.audit_only:
        extra = _corpus_sources(cache, args.matrix_per_genre) if corpus_there else []
        print(matrix_tables(pip_sources() + extra), flush=True)
    if not corpus_there:
        print(f"\nno calibration cache at {cache}: run `make calibrate` for the corpus figures")
        return 0
    rows = audit.corpus_rows(cache, Path(args.audit_cache) / "corpus", cached_only=args.cached_only)
    print(audit.table(rows, title="clean-release audit over the calibration corpus (master review)"), flush=True)
    if args.audit_only:
        return 0
    print(clean_counts(cache))
    print(simulated_matrix(cache))
    header = ["track", "genre", "clean MAJOR", *[f.name for f in FLAWS]]
    print(" | ".join(header))
    hits = [[0, 0] for _ in FLAWS]
    tracks = _pick(cache, args.per_genre)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for t in tracks:
            y, sr = sf.read(str(corpus.local_file(cache, t)), dtype="float64", always_2d=True)
            start = int(min(0.3 * len(y), max(0, len(y) - 90 * sr)))
            y = normalise(y[start : start + 90 * sr])
            clean, _ = _diagnose(y, sr, t.genre, tmp)
            row = [t.path.rsplit("/", 1)[-1], t.genre, str(sum(s in ("MAJOR", "CRITICAL") for _, s in clean))]
            for i, flaw in enumerate(FLAWS):
                now, ranged = _diagnose(apply(y, sr, flaw), sr, t.genre, tmp)
                before, after = _found(ranged, flaw), _found(now, flaw)
                hits[i][0] += before
                hits[i][1] += after
                row.append(f"{'found' if before else 'MISSED'} -> {'found' if after else 'MISSED'}")
            print(" | ".join(row), flush=True)
    print(" | ".join(["detected", "", "", *[f"{b}/{len(tracks)} -> {a}/{len(tracks)}" for b, a in hits]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
