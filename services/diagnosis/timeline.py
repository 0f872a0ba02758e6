"""Events over time read from the stored timelines: sudden loudness jumps, merged into spans with a count.

Why INFO: a sudden jump is often the arrangement (a drop, a stop); it is worth knowing where, not a fault by itself.
The short-term loudness (3 s window) is sampled about once a second, so a step of 10 LU in the audio shows as a rise
of 5 LU or more between two neighbouring points.
"""

from __future__ import annotations

from services.diagnosis.context import Context, capped_spans, measure, merge_spans
from services.diagnosis.finding import Finding, Severity, TimeSpan, fmt

JUMP_LU = 5.0  # between neighbouring short-term points, about a second apart


def jump_findings(ctx: Context) -> list[Finding]:
    line = ctx.analysis.loudness.short_term_timeline
    jumps: list[tuple[float, float, float]] = []  # (start, end, change)
    points = list(zip(line.times_s, line.values, strict=False))
    for (t0, v0), (t1, v1) in zip(points, points[1:], strict=False):
        if v0 is not None and v1 is not None and abs(v1 - v0) >= JUMP_LU:
            jumps.append((t0, t1, v1 - v0))
    if not jumps:
        return []
    spans, more = capped_spans(
        merge_spans([TimeSpan(start_s=round(a, 1), end_s=round(b, 1)) for a, b, _ in jumps], gap_s=1.5)
    )
    biggest = max(jumps, key=lambda j: abs(j[2]))[2]
    return [
        Finding(
            id="loudness.jumps",
            area="loudness",
            severity=Severity.INFO,
            title="Sudden loudness jumps",
            detail=f"Short-term loudness jumps by {fmt(JUMP_LU, 'LU')} or more within a second "
            f"{len(jumps)} time(s), the biggest {'up' if biggest > 0 else 'down'} by {fmt(abs(biggest), 'LU')}. "
            "Fine if it is the arrangement; check automation and edits if not.",
            measured=(measure("loudness.short_term_timeline", "Biggest jump", biggest, "LU"),),
            time_ranges=spans,
            evidence=("loudness.short_term_timeline",),
            event_count=len(jumps),
            more_spans=more,
        )
    ]
