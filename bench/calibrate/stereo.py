"""Per-genre stereo width ranges from the measured corpus, written to ``services/genres/stereo_calibration.json``.

Width is the side level relative to the mid in dB (``10 log10`` of side over mid power: -60 mono, about -10 a
typical mix, 0 uncorrelated): bounded in practice, unlike the percentage it replaces. Each group's range is
p10-p90 over its tracks. The correlation floor a genre's normal mixes reach follows from the wide end: for two
channels of equal level, L/R correlation = (mid - side) / (mid + side) in power, so a p90 width of w (power
ratio) means correlations down to (1 - w) / (1 + w) are normal for the genre. That is why an orchestral or ambient
mix, wide and decorrelated by nature, is not told it has "phase problems".

A separate file from ``calibration.json`` (the tonal curves) so either can be rebuilt without the other.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "services" / "genres" / "stereo_calibration.json"
PERCENTILES = (10, 50, 90)
MIN_TRACKS = 8  # fewer tracks than this give no usable p10-p90: the genre borrows the pooled 'general' range


def side_to_mid_db(width_pct: float) -> float:
    """A side-over-mid power percentage as dB, floored at -60 (mono)."""
    return max(-60.0, 10.0 * math.log10(max(width_pct / 100.0, 1e-6)))


def correlation_at(side_to_mid: float) -> float:
    """L/R correlation of two equal-level channels whose side sits ``side_to_mid`` dB relative to the mid."""
    w = 10.0 ** (side_to_mid / 10.0)
    return float((1.0 - w) / (1.0 + w))


def group_stereo(widths_pct: list[float]) -> dict[str, object]:
    """Percentiles of the side-to-mid level over one group's tracks, and the correlation they imply."""
    db = np.array([side_to_mid_db(w) for w in widths_pct])
    p10, p50, p90 = (round(float(np.percentile(db, p)), 1) for p in PERCENTILES)
    return {
        "tracks": len(widths_pct),
        "side_to_mid_db": [p10, p50, p90],
        "correlation": [round(correlation_at(p90), 2), round(correlation_at(p10), 2)],
    }


def rebuild(widths: dict[str, list[float]], *, tracks: int, packages: int) -> dict[str, object]:
    """Write the stereo calibration from each genre group's measured widths (``general`` pools them all)."""
    groups = {g: group_stereo(w) for g, w in sorted(widths.items()) if len(w) >= MIN_TRACKS}
    groups["general"] = group_stereo([w for ws in widths.values() for w in ws])
    data: dict[str, object] = {
        "about": f"Stereo width measured by 'make calibrate' with our own analysis on {tracks} tracks of {packages} "
        "Debian game and free-culture soundtrack packages (bench/calibrate/MANIFEST.tsv, the same tracks as "
        f"calibration.json): per genre group of at least {MIN_TRACKS} tracks (smaller groups borrow 'general'), "
        "side level relative to mid in dB (p10, median, p90); the correlation range is the one those widths imply "
        "for equal-level channels, (1 - w) / (1 + w) with w the side-to-mid power ratio at p90 and p10 "
        "(docs/calibration.md).",
        "percentiles": list(PERCENTILES),
        "groups": groups,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return data
