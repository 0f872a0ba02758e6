"""The builtin engine's answer to "did I fix what you flagged?", read from the ``version_changes`` lookup."""

from __future__ import annotations

from collections.abc import Mapping

NO_VERSIONS = (
    "I can't compare versions here: this track has no earlier version. Upload the new bounce with *Upload a new "
    "version* (previousVersionId in the API), then ask again in its conversation; I will compare it with this one."
)


def _figures(measured: object) -> str:
    if not isinstance(measured, list):
        return ""
    parts = [
        f"{m['value']:g} {'' if m['unit'] == 'count' else m['unit']}".strip()
        for m in measured
        if isinstance(m, dict) and m.get("value") is not None
    ]
    return ", ".join(parts[:2])


def _titles(rows: object, *, before: bool) -> list[str]:
    if not isinstance(rows, list):
        return []
    lines = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        old = _figures(row.get("measured_before")) if before else ""
        now = _figures(row.get("measured"))
        moved = f" ({old} → {now})" if old and now else f" ({old or now})" if old or now else ""
        lines.append(f"- {row['title']}{moved}")
    return lines


def change_lines(d: Mapping[str, object]) -> list[str]:
    """Resolved, still there, new: the three lists a producer checks after a new bounce."""
    if "error" in d:
        return [NO_VERSIONS]
    head = f"Version {d['version']} against version {d['previous_version']} (same genre and stage):"
    lines = [head]
    resolved, still, new = d.get("resolved"), d.get("still"), d.get("new")
    if isinstance(resolved, list) and resolved:
        lines += ["Fixed:", *_titles(resolved, before=True)]
    if isinstance(still, list) and still:
        lines += ["Still there:", *_titles(still, before=True)]
    if isinstance(new, list) and new:
        lines += ["New in this version:", *_titles(new, before=False)]
    if len(lines) == 1:
        lines.append("Neither version has findings: nothing was flagged, and nothing new is.")
    return lines
