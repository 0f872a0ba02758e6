"""Sentences from lookups: what the offline engine says about a span, a band, a figure or the reference.

Every figure is quoted from the lookup result it came from (already rounded there), so the grounding check traces
each one to that result and a test can compare the text with the lookup.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.diagnosis import BAND_LABELS, fmt, fmt_time

Lookup = Mapping[str, object]


def num(d: Lookup, key: str) -> float | None:
    value = d.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rows(d: Lookup, key: str) -> list[Lookup]:
    value = d.get(key)
    return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []


def _span(d: Lookup) -> str:
    return f"{fmt_time(num(d, 'start_s') or 0.0)}-{fmt_time(num(d, 'end_s') or 0.0)}"


def _bands_text(levels: object, bands: tuple[str, ...]) -> str:
    if not isinstance(levels, Mapping):
        return ""
    chosen = [b for b in (bands or tuple(levels)) if isinstance(levels.get(b), int | float)]
    return ", ".join(f"{BAND_LABELS.get(b, b)} {fmt(float(levels[b]), 'dB')}" for b in chosen)


def section_line(s: Lookup, bands: tuple[str, ...] = ()) -> str:
    parts = [f"The {s.get('name')} ({_span(s)})"]
    if (lufs := num(s, "loudness_lufs")) is not None:
        parts.append(f"is at {fmt(lufs, 'LUFS')} integrated")
    extras = []
    if (stm := num(s, "side_to_mid_db")) is not None:  # bounded and comparable, so preferred to width in %
        extras.append(f"side {fmt(stm, 'dB')} relative to mid")
    elif (width := num(s, "width_pct")) is not None:
        extras.append(f"width {fmt(width, '%')}")
    if (corr := num(s, "correlation")) is not None:
        extras.append(f"correlation {fmt(corr, '')}")
    text = " ".join(parts) + (", " + ", ".join(extras) if extras else "")
    levels = _bands_text(s.get("band_levels_db"), bands)
    if levels:
        text += f"; against the section's total: {levels}"
    return text + "."


def span_lines(d: Lookup, *, label: str, bands: tuple[str, ...]) -> list[str]:
    """Loudness, sections, correlation and events of a span."""
    lines = []
    loud = d.get("short_term_loudness")
    head = f"{label} ({_span(d)})" if label != _span(d) else label
    if isinstance(loud, Mapping) and (mean := num(loud, "mean_lufs")) is not None:
        text = f"Around {head}, short-term loudness averages {fmt(mean, 'LUFS')}"
        low, high = num(loud, "min_lufs"), num(loud, "max_lufs")
        if low is not None and high is not None and high != low:
            text += f" (from {fmt(low, 'LUFS')} to {fmt(high, 'LUFS')})"
        diff, track = num(loud, "mean_minus_track_db"), num(d, "track_integrated_lufs")
        if diff is not None and track is not None:
            side = "above" if diff > 0 else "below" if diff < 0 else "level with"
            amount = f"{fmt(abs(diff), 'dB')} " if diff else ""
            text += f", {amount}{side} the whole track's {fmt(track, 'LUFS')}"
        lines.append(text + ".")
    else:
        lines.append(f"There is no loudness reading for {head} (silence, or too short to measure).")
    lines.extend(section_line(s, bands) for s in _rows(d, "sections"))
    corr = d.get("correlation")
    if isinstance(corr, Mapping) and (mean_c := num(corr, "mean")) is not None:
        lines.append(f"L/R correlation there averages {fmt(mean_c, '')} (lowest {fmt(num(corr, 'min') or 0.0, '')}).")
    lines.append(events_line(d))
    phase = _rows(d, "out_of_phase")
    if phase:
        lines.append("Out of phase at " + ", ".join(_span(p) for p in phase) + ".")
    return lines


def events_line(d: Lookup) -> str:
    ev = d.get("events")
    if not isinstance(ev, Mapping):
        return ""
    clips, overs = int(num(ev, "clip_runs") or 0), int(num(ev, "true_peak_overs") or 0)
    if not clips and not overs:
        return "No clipped samples or true-peak overs in this span."
    parts = []
    if clips:
        times = ev.get("clip_times_s")
        at = ", ".join(fmt_time(float(t)) for t in times) if isinstance(times, list) else ""
        parts.append(f"{clips} clip run{'s' * (clips != 1)}" + (f" (at {at})" if at else ""))
    if overs:
        peak = num(ev, "max_over_dbtp")
        parts.append(f"{overs} true-peak over{'s' * (overs != 1)}" + (f" up to {fmt(peak, 'dBTP')}" if peak else ""))
    return "In this span: " + " and ".join(parts) + "."


def band_lines(d: Lookup) -> list[str]:
    band = str(d.get("band"))
    label = BAND_LABELS.get(band, band)
    head = f"The {label}"
    level, share = num(d, "track_level_db"), num(d, "track_share_pct")
    if level is None:
        return [f"{head} could not be measured on this track."]
    text = f"{head} sit at {fmt(level, 'dB')} against the track's total"
    text += f" ({fmt(share, '%')} of the energy)." if share is not None else "."
    lines = [text]
    rows = _rows(d, "by_section")
    if len(rows) > 1:
        by = ", ".join(f"{r.get('name')}: {fmt(num(r, 'level_db') or 0.0, 'dB')}" for r in rows)
        spread = num(d, "spread_db")
        lines.append(f"By section: {by}" + (f" (a spread of {fmt(spread, 'dB')})." if spread is not None else "."))
    extras = []
    if (corr := num(d, "correlation")) is not None:
        extras.append(f"correlation {fmt(corr, '')}")
    if (width := num(d, "width_pct")) is not None:
        extras.append(f"width {fmt(width, '%')}")
    if extras:
        lines.append(f"In stereo the {label} have " + ", ".join(extras) + ".")
    return lines


def reference_lines(d: Lookup, *, bands: tuple[str, ...]) -> list[str]:
    if "error" in d:
        return [f"{d['error']}, so I can't compare."]
    lines = []
    t_l, r_l = num(d, "track_integrated_lufs"), num(d, "reference_integrated_lufs")
    if t_l is not None and r_l is not None:
        text = f"Your track is at {fmt(t_l, 'LUFS')}, the reference at {fmt(r_l, 'LUFS')}"
        t_tp, r_tp = num(d, "track_true_peak_dbtp"), num(d, "reference_true_peak_dbtp")
        if t_tp is not None and r_tp is not None:
            text += f"; true peak {fmt(t_tp, 'dBTP')} against {fmt(r_tp, 'dBTP')}"
        lines.append(text + ".")
    deltas = d.get("band_deltas_db")
    if isinstance(deltas, Mapping):
        chosen = [b for b in (bands or tuple(deltas)) if isinstance(deltas.get(b), int | float)]
        words = []
        for b in chosen:
            delta = float(deltas[b])
            how = "more" if delta > 0 else "less" if delta < 0 else "the same"
            words.append(
                f"{BAND_LABELS.get(b, b)} {fmt(abs(delta), 'dB')} {how}"
                if delta
                else f"{BAND_LABELS.get(b, b)} the same"
            )
        if words:
            lines.append("At matched loudness, against the reference: " + "; ".join(words) + ".")
    if not bands and (width := num(d, "side_to_mid_delta_db")) is not None:
        lines.append(f"Width differs by {fmt(width, 'dB')} in side-to-mid level (yours minus the reference).")
    return lines
