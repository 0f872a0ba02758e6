"""The measured data as the model sees it: compact lines with units, only the figures that matter."""

from __future__ import annotations

from services.analysis.result import Analysis
from services.diagnosis import Finding, FindingReport, ReferenceComparison, fmt, fmt_span, fmt_spans
from services.diagnosis.context import BAND_LABELS
from services.genres import Range


def _opt(value: float | None, unit: str) -> str:
    return "n/a" if value is None else fmt(value, unit)


def analysis_lines(a: Analysis) -> list[str]:
    """One line per area; figures the analysis could not measure are shown as n/a."""
    ld, dyn, st, bass = a.loudness, a.dynamics, a.stereo, a.bass
    bands = ", ".join(f"{b.band} {_opt(b.value, 'dB')}" for b in a.spectrum.band_levels_db)
    lines = [
        file_line(a),
        f"Loudness: integrated {_opt(ld.integrated_lufs, 'LUFS')}, "
        f"short-term max {_opt(ld.short_term_max_lufs, 'LUFS')}, "
        f"LRA {_opt(ld.loudness_range_lu, 'LU')}, true peak {_opt(ld.true_peak_dbtp, 'dBTP')}, "
        f"sample peak {_opt(ld.sample_peak_dbfs, 'dBFS')}",
        f"Dynamics: PLR {_opt(dyn.plr_db, 'dB')}, crest factor {_opt(dyn.crest_factor_db, 'dB')}, "
        f"limiting {'heavy' if dyn.heavy_limiting else 'not heavy'}",
        f"Tonal balance (band level vs total): {bands}",
        f"Stereo: side relative to mid {_opt(st.side_to_mid_db, 'dB')}, correlation {_opt(st.correlation, '')}, "
        f"mono loudness change {_opt(st.mono_loudness_change_db, 'dB')}, L-R balance {_opt(st.balance_db, 'dB')}"
        + _mono_losses(a),
        f"Low end (<120 Hz): side relative to mid {_opt(bass.low_end_side_to_mid_db, 'dB')}, "
        f"correlation {_opt(bass.low_end_correlation, '')}, "
        f"sub-to-bass {_opt(bass.sub_to_bass_db, 'dB')}"
        + (f", strongest peak {fmt(bass.low_peaks[0].frequency_hz, 'Hz')}" if bass.low_peaks else ""),
        f"Transients: {_opt(a.transients.onset_rate_per_s, '/s')} onsets; tempo {_tempo_text(a)}, key {_key_text(a)}",
        f"Clipping: {a.clipping.clip_runs} clip runs, {a.clipping.true_peak_overs} true-peak overs",
    ]
    if a.sections:
        lines.append(
            "Sections: "
            + "; ".join(f"{s.label} {fmt_span(s.start_s, s.end_s)} {_opt(s.loudness_lufs, 'LUFS')}" for s in a.sections)
        )
    if a.platforms:
        lines.append(
            "Platforms (gain applied): " + "; ".join(f"{p.platform} {_opt(p.gain_db, 'dB')}" for p in a.platforms)
        )
    return lines


def file_line(a: Analysis) -> str:
    """The file facts a model must not guess: format, sample rate, bit depth, channels, lossy or upsampled."""
    f, qc = a.file, a.qc
    depth = f"{f.bit_depth}-bit" if f.bit_depth else (f.subtype or "n/a")
    channels = {1: "mono", 2: "stereo"}.get(f.channels, f"{f.channels} channels")
    source = []
    if qc.likely_lossy:
        source.append(
            "likely lossy source" + (f" (cut-off {fmt(qc.lossy_cutoff_hz, 'Hz')})" if qc.lossy_cutoff_hz else "")
        )
    if qc.likely_resampled:
        source.append(
            "likely upsampled" + (f" (cut-off {fmt(qc.resampled_cutoff_hz, 'Hz')})" if qc.resampled_cutoff_hz else "")
        )
    return f"File: {f.format}, {fmt(f.sample_rate_hz, 'Hz')}, {depth}, {channels}, {fmt(f.duration_s, 's')}; " + (
        "; ".join(source) if source else "no sign of a lossy or upsampled source"
    )


def _tempo_text(a: Analysis) -> str:
    """The tempo, and its half/double-time alternative when the audio supports both about equally."""
    alt = a.musical.tempo_alternative_bpm
    return _opt(a.musical.tempo_bpm, "BPM") + (f" (or {fmt(alt, 'BPM')}: half/double time unclear)" if alt else "")


def _key_text(a: Analysis) -> str:
    """The key, or both candidates when the analysis could not choose (the model must not state one as fact)."""
    m = a.musical
    if not m.key:
        return "n/a"
    if m.key_ambiguous:
        return f"ambiguous ({m.key} or {m.key_runner_up or 'a close neighbour'})"
    return m.key


def _mono_losses(a: Analysis) -> str:
    """Bands that lose 1 dB or more when folded to mono (where a mono speaker thins the mix)."""
    lost = [b for b in a.stereo.mono_band_loss_db if b.value is not None and b.value <= -1.0]
    return "; mono loss " + ", ".join(f"{b.band} {fmt(b.value or 0.0, 'dB')}" for b in lost) if lost else ""


def target_text(target: Range | None) -> str:
    if target is None:
        return ""
    if target.low is None:
        return f"at most {fmt(target.high or 0, target.unit)}"
    if target.high is None:
        return f"at least {fmt(target.low, target.unit)}"
    return f"{fmt(target.low, target.unit)} to {fmt(target.high, target.unit)}"


def finding_line(index: int, finding: Finding) -> str:
    measured = ", ".join(f"{m.label} {_opt(m.value, m.unit)}" for m in finding.measured)
    parts = [f"{index}. [{finding.severity.value}] {finding.title}. {finding.detail}"]
    if measured:
        parts.append(f"Measured: {measured}.")
    if finding.target is not None:
        parts.append(f"Target: {target_text(finding.target)}.")
    if finding.time_ranges:
        parts.append("Where: " + fmt_spans(finding.time_ranges, more=finding.more_spans, limit=4) + ".")
    return " ".join(parts)


def findings_lines(report: FindingReport, *, limit: int = 8) -> list[str]:
    verdict = [] if report.verdict is None else [_verdict_line(report)]
    if not report.findings:
        return ["No problems found against the targets.", *verdict]
    return [finding_line(i, f) for i, f in enumerate(report.findings[:limit], start=1)] + verdict


def _verdict_line(report: FindingReport) -> str:
    """The delivery check: only delivery defects block; the other findings are advice."""
    verdict = report.verdict
    if verdict is None or verdict.ready:
        return "Delivery check: READY (no delivery defects; the findings above are advice)."
    return "Delivery check: NOT READY. Blocking: " + " ".join(b.reason for b in verdict.blockers)


def reference_lines(cmp: ReferenceComparison) -> list[str]:
    bands = ", ".join(
        f"{BAND_LABELS[b].split(' (')[0]} {'+' if d > 0 else ''}{fmt(d, 'dB')}" for b, d in cmp.band_deltas_db.items()
    )
    rest = [
        ("width (side-to-mid)", cmp.side_to_mid_delta_db, "dB"),
        ("PLR", cmp.plr_delta_db, "dB"),
        ("LRA", cmp.lra_delta_lu, "LU"),
        ("low-end width (side-to-mid)", cmp.low_end_side_to_mid_delta_db, "dB"),
        ("low-end correlation", cmp.low_end_correlation_delta, ""),
    ]
    deltas = ", ".join(f"{name} {'+' if v > 0 else ''}{fmt(v, unit)}" for name, v, unit in rest if v is not None)
    return [
        f"Reference turned {'up' if cmp.matched_gain_db > 0 else 'down'} by {fmt(abs(cmp.matched_gain_db), 'dB')} "
        "to match the track's loudness before comparing (track minus reference).",
        f"Per band: {bands}",
        f"Other: {deltas}",
    ]
