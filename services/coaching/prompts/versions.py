"""The CHANGES block of a prompt: this version against the previous one, so a model can answer "did I fix what
you flagged?" from measurements rather than from memory of the thread."""

from __future__ import annotations

from services.diagnosis import fmt
from services.diagnosis.context import BAND_LABELS
from services.diagnosis.versions import VersionComparison


def _titles(label: str, titles: list[str]) -> list[str]:
    return [f"{label}: " + ("; ".join(titles) if titles else "none")]


def version_lines(cmp: VersionComparison) -> list[str]:
    """Findings resolved / still there / new, then the figures that moved and the band deltas."""
    lines = [
        *_titles("Resolved (flagged before, gone now)", [f.title for f in cmp.resolved]),
        *_titles("Still there", [c.after.title for c in cmp.still]),
        *_titles("New in this version", [f.title for f in cmp.new]),
    ]
    for f in cmp.figures:
        if f.delta and f.before is not None and f.after is not None:
            lines.append(f"{f.label}: {fmt(f.before, f.unit)} → {fmt(f.after, f.unit)}")
    bands = ", ".join(
        f"{BAND_LABELS[b].split(' (')[0]} {'+' if d > 0 else ''}{fmt(d, 'dB')}"
        for b, d in cmp.band_deltas_db.items()
        if d
    )
    if bands:
        lines.append(f"Band balance change (relative to the mix): {bands}")
    return lines
