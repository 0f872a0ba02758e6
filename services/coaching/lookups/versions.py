"""The ``version_changes`` lookup: what changed since the previous version, as JSON with units in the keys.

Answers "did I fix what you flagged?": the findings resolved, new and still there (each with its measured figures
in both versions), the headline figures before and after, and the band deltas.
"""

from __future__ import annotations

from services.diagnosis import Finding, rounded
from services.diagnosis.versions import VersionComparison


def _measured(f: Finding) -> list[dict[str, object]]:
    return [
        {"label": m.label, "value": None if m.value is None else rounded(m.value, m.unit), "unit": m.unit}
        for m in f.measured
    ]


def version_changes(cmp: VersionComparison | None) -> dict[str, object]:
    """The comparison as a lookup result; ``{"error": ...}`` when the track has no previous version."""
    if cmp is None:
        return {"error": "this track has no earlier version to compare with"}
    return {
        "previous_version": cmp.before_version,
        "version": cmp.after_version,
        "resolved": [{"id": f.id, "title": f.title, "measured_before": _measured(f)} for f in cmp.resolved],
        "new": [{"id": f.id, "title": f.title, "measured": _measured(f)} for f in cmp.new],
        "still": [
            {
                "id": c.after.id,
                "title": c.after.title,
                "measured_before": _measured(c.before),
                "measured": _measured(c.after),
            }  # fmt: skip
            for c in cmp.still
        ],
        "figures": [
            {"key": f.key, "label": f.label, "unit": f.unit, "before": f.before, "after": f.after, "delta": f.delta}
            for f in cmp.figures
            if f.delta
        ],
        "band_deltas_db": dict(cmp.band_deltas_db),
    }
