"""What was measured in a stretch of time, in one band over time, and in each section.

Short-term loudness (3 s windows, about one a second) and L/R correlation are read from their timelines;
band levels, width and side-to-mid come from the sections the span overlaps (sections are the finest grain the
analysis keeps per band); clip runs and true-peak overs are counted inside the span.
"""

from __future__ import annotations

import math

from services.analysis.result import BAND_EDGES_HZ, Analysis, BandValue, Section, Timeline
from services.diagnosis import rounded

Lookup = dict[str, object]


def _r(value: float | None, unit: str) -> float | None:
    return None if value is None else rounded(value, unit)


def _bands(values: list[BandValue]) -> dict[str, float]:
    return {b.band: rounded(b.value, "dB") for b in values if b.value is not None}


def _inside(timeline: Timeline, start_s: float, end_s: float) -> list[float]:
    """Values whose time falls in the span; the nearest one when the span is shorter than the point spacing."""
    pairs = [(t, v) for t, v in zip(timeline.times_s, timeline.values, strict=False) if v is not None]
    inside = [v for t, v in pairs if start_s <= t <= end_s]
    if inside or not pairs:
        return inside
    middle = (start_s + end_s) / 2
    return [min(pairs, key=lambda p: abs(p[0] - middle))[1]]


def _energy_mean_lufs(values: list[float]) -> float:
    return 10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values))


def section_names(sections: list[Section]) -> list[str]:
    """ "chorus 2" for the second chorus; a label used once keeps its plain name."""
    counts = {s.label: sum(1 for o in sections if o.label == s.label) for s in sections}
    seen: dict[str, int] = {}
    names = []
    for s in sections:
        seen[s.label] = seen.get(s.label, 0) + 1
        names.append(f"{s.label} {seen[s.label]}" if counts[s.label] > 1 else s.label)
    return names


def _section(section: Section, name: str) -> Lookup:
    return {
        "name": name,
        "start_s": rounded(section.start_s, "s"),
        "end_s": rounded(section.end_s, "s"),
        "loudness_lufs": _r(section.loudness_lufs, "LUFS"),
        "width_pct": _r(section.width_pct, "%"),
        "side_to_mid_db": _r(getattr(section, "side_to_mid_db", None), "dB"),
        "correlation": _r(getattr(section, "correlation", None), ""),
        "band_levels_db": _bands(section.band_levels_db),
    }


def section_figures(analysis: Analysis) -> Lookup:
    """Every section with its loudness, width and band levels (dB relative to the section's total)."""
    names = section_names(analysis.sections)
    return {
        "track_integrated_lufs": _r(analysis.loudness.integrated_lufs, "LUFS"),
        "sections": [_section(s, n) for s, n in zip(analysis.sections, names, strict=True)],
    }


def _loudness(analysis: Analysis, start_s: float, end_s: float) -> Lookup | None:
    values = _inside(analysis.loudness.short_term_timeline, start_s, end_s)
    if not values:
        return None
    mean = rounded(_energy_mean_lufs(values), "LUFS")
    track = analysis.loudness.integrated_lufs
    return {
        "mean_lufs": mean,
        "mean_minus_track_db": None if track is None else rounded(mean - rounded(track, "LUFS"), "dB"),
        "max_lufs": rounded(max(values), "LUFS"),
        "min_lufs": rounded(min(values), "LUFS"),
        "points": len(values),
    }


def _merged(spans: object, start_s: float, end_s: float) -> list[tuple[float, float, int]]:
    """Merged event spans (start, end, count) overlapping the window, when the analysis keeps them."""
    rows = spans if isinstance(spans, list) else []
    return [
        (float(r.start_s), float(r.end_s), int(r.count))
        for r in rows
        if getattr(r, "start_s", end_s) <= end_s and getattr(r, "end_s", start_s) >= start_s
    ]


def _events(analysis: Analysis, start_s: float, end_s: float) -> Lookup:
    """Clip runs and true-peak overs inside the window: counted from the merged spans over the whole track when
    the analysis has them (never capped), else from the capped event lists."""
    c = analysis.clipping
    clips = [e for e in c.clip_events if start_s <= e.time_s <= end_s]
    overs = [e for e in c.over_events if start_s <= e.time_s <= end_s]
    clip_spans = _merged(getattr(c, "clip_spans", None), start_s, end_s)
    over_spans = _merged(getattr(c, "over_spans", None), start_s, end_s)
    return {
        "clip_runs": sum(n for *_, n in clip_spans) if clip_spans else len(clips),
        "clip_times_s": [rounded(e.time_s, "s") for e in clips[:5]] or [rounded(a, "s") for a, *_ in clip_spans[:5]],
        "true_peak_overs": sum(n for *_, n in over_spans) if over_spans else len(overs),
        "max_over_dbtp": None if not overs else rounded(max(e.level_dbtp for e in overs), "dBTP"),
        "events_capped": c.events_capped and not clip_spans and not over_spans,
    }


def span_figures(analysis: Analysis, *, start_s: float, end_s: float) -> Lookup:
    """Loudness, correlation, overlapping sections (bands, width) and clip/over events between two times."""
    start_s, end_s = max(0.0, min(start_s, end_s)), max(start_s, end_s)
    correlation = _inside(analysis.stereo.correlation_timeline, start_s, end_s)
    names = section_names(analysis.sections)
    overlapping = [
        _section(s, n)
        for s, n in zip(analysis.sections, names, strict=True)
        if s.start_s < end_s and s.end_s > start_s or s.start_s <= start_s < s.end_s
    ]
    phase = [r for r in analysis.stereo.out_of_phase if r.start_s < end_s and r.end_s > start_s]
    return {
        "start_s": rounded(start_s, "s"),
        "end_s": rounded(end_s, "s"),
        "short_term_loudness": _loudness(analysis, start_s, end_s),
        "track_integrated_lufs": _r(analysis.loudness.integrated_lufs, "LUFS"),
        "correlation": None
        if not correlation
        else {"mean": rounded(sum(correlation) / len(correlation), ""), "min": rounded(min(correlation), "")},
        "sections": overlapping,
        "events": _events(analysis, start_s, end_s),
        "out_of_phase": [{"start_s": rounded(r.start_s, "s"), "end_s": rounded(r.end_s, "s")} for r in phase],
    }


def _per_band(values: list[BandValue], band: str, unit: str) -> float | None:
    return next((rounded(b.value, unit) for b in values if b.band == band and b.value is not None), None)


def band_over_time(analysis: Analysis, *, band: str) -> Lookup:
    """One band's level in each section (dB relative to that section), with its whole-track figures."""
    if band not in BAND_EDGES_HZ:
        return {"error": f"unknown band {band!r}; bands are {', '.join(BAND_EDGES_HZ)}"}
    low, high = BAND_EDGES_HZ[band]
    names = section_names(analysis.sections)
    rows = [
        {"name": n, "start_s": rounded(s.start_s, "s"), "end_s": rounded(s.end_s, "s"), "level_db": level}
        for s, n in zip(analysis.sections, names, strict=True)
        if (level := _per_band(s.band_levels_db, band, "dB")) is not None
    ]
    levels = [float(str(r["level_db"])) for r in rows]
    stereo = analysis.stereo
    return {
        "band": band,
        "low_hz": low,
        "high_hz": high,
        "track_level_db": _per_band(analysis.spectrum.band_levels_db, band, "dB"),
        "track_share_pct": _per_band(analysis.spectrum.bands, band, "%"),
        "correlation": _per_band(stereo.correlation_per_band, band, ""),
        "width_pct": _per_band(stereo.width_per_band_pct, band, "%"),
        "side_to_mid_db": _per_band(getattr(stereo, "side_to_mid_per_band_db", []), band, "dB"),
        "by_section": rows,
        "spread_db": rounded(max(levels) - min(levels), "dB") if levels else None,
    }
