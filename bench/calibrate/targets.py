"""Per-genre band curves from the measured corpus: percentiles written to ``services/genres/calibration.json``.

For each genre group: the median band levels (the genre's curve) and p10/p90 of the levels and of the band balance
(``services.diagnosis.balance``) over its tracks. ``general`` pools every track. Also writes the manifest
(``bench/calibrate/MANIFEST.tsv``) and the tables of ``docs/calibration.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench.calibrate.corpus import Track
from services.analysis.result import BAND_EDGES_HZ
from services.diagnosis.balance import band_balance_db, band_means_db, curve_balance_db, shape_residual_db

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "services" / "genres" / "calibration.json"
MANIFEST = Path(__file__).with_name("MANIFEST.tsv")
PERCENTILES = (10, 50, 90)
SHAPE_PERCENTILES = (5, 95)  # the local shape spreads less, so its range can afford to hold more of the corpus
BANDS = tuple(BAND_EDGES_HZ)
CURVE_HZ = (25.0, 16000.0)  # above 16 kHz lossy encoders cut; below 25 Hz is rumble


def exclusion(doc: dict[str, object], figures: dict[str, object] | None) -> str | None:
    """Why a measured track is left out of the targets (None: it is used)."""
    if figures is None:
        return "not analysable"
    if float(str(figures["duration_s"])) < float(str(doc["min_duration_s"])):
        return "shorter than a piece"
    if int(str(figures["sample_rate_hz"])) < int(str(doc["min_sample_rate_hz"])):
        return "low sample rate (no air band)"
    cutoff = figures.get("lossy_cutoff_hz")
    if cutoff is not None and float(str(cutoff)) < float(str(doc["min_lossy_cutoff_hz"])):
        return "lossy low-pass below 15 kHz"
    levels = figures["band_levels_db"]
    if not isinstance(levels, dict) or any(levels.get(b) is None for b in BANDS):
        return "silent band"
    return None


def _levels(figures: dict[str, object]) -> dict[str, float]:
    raw = figures["band_levels_db"]
    assert isinstance(raw, dict)
    return {b: float(raw[b]) for b in BANDS}


def _thirds(figures: dict[str, object]) -> dict[float, float]:
    """The track's 1/3-octave curve from 25 Hz to 16 kHz, relative to its own median level."""
    raw = figures["third_octave"]
    assert isinstance(raw, list)
    curve = {float(c): float(v) for c, v in raw if v is not None and CURVE_HZ[0] <= c <= CURVE_HZ[1]}
    mid = float(np.median(list(curve.values())))
    return {c: v - mid for c, v in curve.items()}


def group_thirds(curves: list[dict[float, float]]) -> dict[str, object]:
    """The genre's median 1/3-octave curve, p10/p90 of each band's mean octave-smoothed balance against it, and
    p5/p95 of the local shape (``shape_residual_db``) at every 1/3 octave."""
    centres = sorted(set.intersection(*(set(c) for c in curves)))
    centre = {c: float(np.median([cv[c] for cv in curves])) for c in centres}
    means = [band_means_db(curve_balance_db(cv, centre), BAND_EDGES_HZ) for cv in curves]
    return {
        "third_octave_db": [[c, round(v, 1)] for c, v in centre.items()],
        "band_curve_db": {
            b: [round(float(np.percentile([m[b] for m in means], p)), 1) for p in (PERCENTILES[0], PERCENTILES[-1])]
            for b in BANDS
        },
        "shape_db": _shape_ranges([shape_residual_db(cv, centre) for cv in curves]),
    }


def _shape_ranges(shapes: list[dict[float, float]]) -> list[list[float]]:
    """``[centre Hz, low dB, high dB]`` per 1/3 octave every track has."""
    common = sorted(set.intersection(*(set(s) for s in shapes)))
    return [
        [c, *(round(float(np.percentile([s[c] for s in shapes], p)), 1) for p in SHAPE_PERCENTILES)] for c in common
    ]


def group_curve(levels: list[dict[str, float]]) -> dict[str, object]:
    """Percentiles of the band levels and of the band balance over one group's tracks."""
    matrix = np.array([[lv[b] for b in BANDS] for lv in levels])
    centre = {b: float(np.median(matrix[:, i])) for i, b in enumerate(BANDS)}
    balance = np.array([[band_balance_db(lv, centre)[b] for b in BANDS] for lv in levels])
    return {
        "tracks": len(levels),
        "band_levels_db": {
            b: [round(float(np.percentile(matrix[:, i], p)), 1) for p in PERCENTILES] for i, b in enumerate(BANDS)
        },
        "band_balance_db": {
            b: [round(float(np.percentile(balance[:, i], p)), 1) for p in (PERCENTILES[0], PERCENTILES[-1])]
            for i, b in enumerate(BANDS)
        },
    }


def rebuild(
    doc: dict[str, object], *, versions: dict[str, str], tracks: list[Track], measured: dict[str, dict[str, object]]
) -> None:
    """Write calibration.json, the manifest and the docs tables from the measured corpus."""
    rows, used, thirds = [], [], []
    for t in tracks:
        figures = measured.get(t.name)
        why = exclusion(doc, figures)
        rows.append((t, figures, why))
        if why is None and figures is not None:
            used.append((t, _levels(figures)))
            thirds.append(_thirds(figures))
    genres = sorted({t.genre for t, _ in used})
    groups = {
        g: group_curve([lv for t, lv in used if t.genre == g])
        | group_thirds([c for (t, _), c in zip(used, thirds, strict=True) if t.genre == g])
        for g in genres
    }
    groups["general"] = group_curve([lv for _, lv in used]) | group_thirds(thirds)
    for g in genres:
        counts: dict[str, int] = {}
        for t, _ in used:
            if t.genre == g:
                counts[t.package] = counts.get(t.package, 0) + 1
        groups[g]["packages"] = counts
    data: dict[str, object] = {
        "about": f"Band curves measured by 'make calibrate' with our own analysis on {len(used)} tracks of Debian "
        f"game and free-culture soundtrack packages ({len(versions)} packages, bench/calibrate/MANIFEST.tsv); per "
        "genre group the centre is the median band level and the ranges are p10-p90; the local shape ranges "
        "(shape_db) are p5-p95 (docs/calibration.md).",
        "percentiles": list(PERCENTILES),
        "shape_percentiles": list(SHAPE_PERCENTILES),
        "corpus": {"packages": versions, "tracks": len(used), "listed": len(rows)},
        "groups": groups,
        **_conditional(thirds),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    rebuild_stereo(rows, packages=len(versions))
    _manifest(rows, versions)
    from bench.calibrate.report import write_docs

    write_docs(data)


def _conditional(thirds: list[dict[float, float]]) -> dict[str, object]:
    """The conditional-target models (``bench.calibrate.conditional``), pooled over every used track."""
    from bench.calibrate import conditional

    return {"conditional_about": conditional.about(len(thirds)), "conditional": conditional.fit_all(thirds)}


def rebuild_conditional(doc: dict[str, object], *, tracks: list[Track], measured: dict[str, dict[str, object]]) -> None:
    """Refit only the conditional-target models in calibration.json (the genre curves are left as they are)."""
    thirds = [_thirds(f) for t in tracks if (f := measured.get(t.name)) is not None and exclusion(doc, f) is None]
    data = json.loads(OUT.read_text(encoding="utf-8"))
    data.update(_conditional(thirds))
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def rebuild_stereo(rows: list[tuple[Track, dict[str, object] | None, str | None]], *, packages: int) -> None:
    """The per-genre stereo width ranges (``bench.calibrate.stereo``) from the tracks the tonal curves use."""
    from bench.calibrate import stereo

    widths: dict[str, list[float]] = {}
    for t, f, why in rows:
        if why is None and f is not None and f.get("width_pct") is not None:
            widths.setdefault(t.genre, []).append(float(str(f["width_pct"])))
    stereo.rebuild(widths, tracks=sum(len(w) for w in widths.values()), packages=packages)


def _manifest(rows: list[tuple[Track, dict[str, object] | None, str | None]], versions: dict[str, str]) -> None:
    lines = ["package\tversion\tpath\tgenre\tduration_s\tsample_rate_hz\ttempo_bpm\tonset_rate_per_s\tused"]
    keys = ("duration_s", "sample_rate_hz", "tempo_bpm", "onset_rate_per_s")
    for t, f, why in rows:
        figures = ["" if f is None or f.get(k) is None else str(f[k]) for k in keys]
        lines.append("\t".join([t.package, versions.get(t.package, ""), t.path, t.genre, *figures, why or "yes"]))
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")
