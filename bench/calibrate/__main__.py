"""``python -m bench.calibrate [--cache DIR] [--measure-only] [--conditional-only]``: fetch, measure, rebuild."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from bench.calibrate import corpus, fetch, measure

log = logging.getLogger("bench.calibrate")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate")
    parser.add_argument("--cache", default=os.environ.get("MIXCOACH_CALIBRATE_CACHE", ".cache/calibrate"))
    parser.add_argument("--measure-only", action="store_true", help="fetch and measure, do not write targets")
    parser.add_argument("--cached-only", action="store_true", help="use only tracks measured before (no analysis)")
    parser.add_argument("--stereo-only", action="store_true", help="rebuild only the stereo width ranges")
    parser.add_argument("--conditional-only", action="store_true", help="refit only the conditional targets")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cache = Path(args.cache)
    doc = corpus.load()
    packages = doc["packages"]
    assert isinstance(packages, dict)
    versions = fetch.fetch(cache, sorted(packages))
    tracks = corpus.tracks(cache)
    measured = {}
    for i, track in enumerate(corpus.interleaved(tracks)):
        figures = measure.cached(cache, track) if args.cached_only else measure.measure(cache, track)
        if figures is not None:
            measured[track.name] = figures
        if i % 10 == 0:
            log.info("measured %d/%d", i + 1, len(tracks))
    if args.measure_only:
        return 0
    from bench.calibrate import targets

    if args.stereo_only:
        rows = [(t, measured.get(t.name), targets.exclusion(doc, measured.get(t.name))) for t in tracks]
        targets.rebuild_stereo(rows, packages=len(versions))
        return 0
    if args.conditional_only:
        targets.rebuild_conditional(doc, tracks=tracks, measured=measured)
        return 0
    targets.rebuild(doc, versions=versions, tracks=tracks, measured=measured)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
