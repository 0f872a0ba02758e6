"""Plain statements of whole-track measurements (tempo, key, mono, platforms, loudness, clipping, file)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from services.coaching.builtin.readouts import Lookup, num
from services.diagnosis import fmt, fmt_time


def _tempo(d: Lookup) -> list[str]:
    bpm = num(d, "tempo_bpm")
    if bpm is None:
        return [f"The tempo could not be measured ({d.get('unavailable') or 'no steady beat found'})."]
    conf = num(d, "tempo_confidence")
    sure = "" if conf is None else f" (confidence {fmt(conf, '')}" + (", low" if conf < 0.5 else "") + ")"
    return [f"The measured tempo is {fmt(bpm, 'BPM')}{sure}."]


def _key(d: Lookup) -> list[str]:
    key = d.get("key")
    if not key:
        return [f"The key could not be measured ({d.get('unavailable') or 'no clear tonal centre'})."]
    conf = num(d, "key_confidence")
    sure = "" if conf is None else f" (confidence {fmt(conf, '')})"
    if d.get("ambiguous"):
        other = d.get("runner_up")
        between = f"{key} and {other}" if other else f"{key} and a close neighbour"
        return [f"The key is ambiguous: {between} fit about equally well{sure}."]
    return [f"The measured key is {key}{sure}."]


def _mono(d: Lookup) -> list[str]:
    if d.get("is_mono_file"):
        return ["Yes: the file itself has one channel."]
    if d.get("is_dual_mono"):
        return ["Yes, in effect: it is a stereo file whose two channels are identical."]
    lines = []
    corr, width = num(d, "correlation"), num(d, "width_pct")
    if corr is not None:
        text = f"No, it is stereo: L/R correlation {fmt(corr, '')} (1 would be mono)"
        lines.append(text + (f", width {fmt(width, '%')}." if width is not None else "."))
    if (loss := num(d, "mono_loudness_change_db")) is not None:
        lines.append(f"Summed to mono it changes by {fmt(loss, 'dB')} in loudness.")
    low_c, low_w = num(d, "low_end_correlation"), num(d, "low_end_width_pct")
    if low_c is not None:
        tail = f", width {fmt(low_w, '%')}." if low_w is not None else "."
        lines.append(f"Below {fmt(120.0, 'Hz')} the correlation is {fmt(low_c, '')}{tail}")
    spans = int(num(d, "out_of_phase_spans") or 0)
    if spans:
        lines.append(f"{spans} stretch{'es' * (spans != 1)} of the track run out of phase.")
    return lines or ["The stereo image could not be measured."]


def _platforms(d: Lookup) -> list[str]:
    rows = d.get("platforms")
    lines = []
    for p in rows if isinstance(rows, list) else []:
        if not isinstance(p, Mapping) or num(p, "gain_db") is None:
            continue
        gain, tp = num(p, "gain_db") or 0.0, num(p, "resulting_true_peak_dbtp")
        text = f"{p.get('platform')} plays it {'down' if gain < 0 else 'up'} by {fmt(abs(gain), 'dB')}"
        if tp is not None:
            text += f", peaking at {fmt(tp, 'dBTP')}"
        risk = "risks clipping after lossy encoding" if p.get("lossy_clip_risk") else "no clip risk"
        lines.append(f"{text}: {risk}.")
    if (tp_file := num(d, "true_peak_dbtp")) is not None:
        lines.append(f"The file's own true peak is {fmt(tp_file, 'dBTP')}.")
    return lines or ["The platform playback levels could not be worked out (loudness unmeasurable)."]


def _loudness(d: Lookup) -> list[str]:
    lufs = num(d, "integrated_lufs")
    if lufs is None:
        return ["The loudness could not be measured (mostly silence?)."]
    parts = [f"Integrated loudness is {fmt(lufs, 'LUFS')}"]
    for key, label, unit in (
        ("short_term_max_lufs", "short-term max", "LUFS"),
        ("loudness_range_lu", "loudness range", "LU"),
        ("true_peak_dbtp", "true peak", "dBTP"),
        ("plr_db", "peak-to-loudness ratio", "dB"),
    ):
        if (value := num(d, key)) is not None:
            parts.append(f"{label} {fmt(value, unit)}")
    return [", ".join(parts) + "."]


def _clipping(d: Lookup) -> list[str]:
    runs, overs = int(num(d, "clip_runs") or 0), int(num(d, "true_peak_overs") or 0)
    tp = num(d, "true_peak_dbtp")
    peak = "" if tp is None else f" True peak is {fmt(tp, 'dBTP')}."
    if not runs and not overs:
        return [f"No clipped runs and no true-peak overs were found.{peak}"]
    times = d.get("first_clip_times_s")
    at = ", ".join(fmt_time(float(t)) for t in times) if isinstance(times, list) and times else ""
    text = f"{runs} clipped run{'s' * (runs != 1)}" + (f" (first at {at})" if at else "")
    return [f"{text} and {overs} true-peak over{'s' * (overs != 1)}.{peak}"]


def _file(d: Lookup) -> list[str]:
    rate = num(d, "sample_rate_hz")
    bits = d.get("bit_depth")
    text = f"The file is {d.get('format')} ({d.get('subtype')})"
    if rate is not None:
        text += f", {fmt(rate, 'Hz')}"
    text += f", {bits}-bit" if bits else ", lossy (no bit depth)"
    text += f", {d.get('channels')} channel(s), {fmt_time(num(d, 'duration_s') or 0.0)} long."
    flags = [
        w for w, k in (("likely lossy-encoded", "likely_lossy"), ("likely upsampled", "likely_resampled")) if d.get(k)
    ]
    return [text, ("It looks " + " and ".join(flags) + ".") if flags else "No sign of lossy encoding or upsampling."]


STATEMENTS: dict[str, Callable[[Lookup], list[str]]] = {
    "tempo": _tempo,
    "key": _key,
    "mono": _mono,
    "platforms": _platforms,
    "loudness": _loudness,
    "clipping": _clipping,
    "file": _file,
}
