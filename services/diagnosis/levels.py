"""Rules on level: loudness, dynamics, clipping and file QC. Each returns findings, never raises."""

from __future__ import annotations

from services.analysis.platforms import LOSSY_SAFE_DBTP
from services.analysis.result import PlatformResult
from services.diagnosis.context import Context, event_time_spans, measure, sections_where, severity_for
from services.diagnosis.finding import Finding, Measure, Severity, fmt
from services.genres import Range

_SEV = (Severity.INFO, Severity.MINOR, Severity.MAJOR)


def loudness_findings(ctx: Context) -> list[Finding]:
    lufs = ctx.analysis.loudness.integrated_lufs
    if lufs is None:
        return []
    target = ctx.targets.integrated_lufs
    past = target.distance(lufs)
    found: list[Finding] = []
    if past != 0:
        found.append(_loudness_window(ctx, lufs=lufs, past=past, target=target))
    found.extend(_mix_peaks(ctx))
    found.extend(_platforms(ctx))
    return found


def _loudness_window(ctx: Context, *, lufs: float, past: float, target: Range) -> Finding:
    louder = past > 0
    who = "a mix going to mastering" if not ctx.is_master else f"typical {ctx.genre.genre.label} masters"
    level = severity_for(past, minor=0.0, major=3.0 if ctx.is_master else 6.0)
    severity = _SEV[level] if ctx.is_master or louder else Severity.INFO
    spans = sections_where(ctx.analysis.sections, value_of=lambda s: s.loudness_lufs, outside=target, above=louder)
    return Finding(
        id="loudness.too_loud" if louder else "loudness.too_quiet",
        area="loudness",
        severity=severity,
        title=f"{'Louder' if louder else 'Quieter'} than {who}",
        detail=f"Integrated loudness is {fmt(lufs, 'LUFS')}, {fmt(abs(past), 'LU')} "
        f"{'above' if louder else 'below'} the {fmt(target.low or 0, 'LUFS')} to "
        f"{fmt(target.high or 0, 'LUFS')} range.",
        measured=(measure("loudness.integrated_lufs", "Integrated loudness", lufs, "LUFS"),),
        target=target,
        time_ranges=spans,
        evidence=("loudness.integrated_lufs", "sections.loudness_lufs"),
    )


def _mix_peaks(ctx: Context) -> list[Finding]:
    window = ctx.rules.sample_peak_dbfs
    peak = ctx.analysis.loudness.sample_peak_dbfs
    if window is None or peak is None or window.contains(peak) or peak < (window.low or 0):
        return []
    return [
        Finding(
            id="loudness.mix_peaks_hot",
            area="loudness",
            severity=Severity.MAJOR if peak > -1.0 else Severity.MINOR,
            title="Not enough headroom for mastering",
            detail=f"Sample peak is {fmt(peak, 'dBFS')}; a mix for mastering usually peaks between "
            f"{fmt(window.low or 0, 'dBFS')} and {fmt(window.high or 0, 'dBFS')}.",
            measured=(measure("loudness.sample_peak_dbfs", "Sample peak", peak, "dBFS"),),
            target=window,
            evidence=("loudness.sample_peak_dbfs",),
        )
    ]


def _platforms(ctx: Context) -> list[Finding]:
    if not ctx.is_master or not ctx.analysis.platforms:
        return []
    turned = [p for p in ctx.analysis.platforms if p.gain_db is not None and p.gain_db <= -2.0]
    risky = [p for p in ctx.analysis.platforms if p.lossy_clip_risk]
    found: list[Finding] = []
    if turned:
        found.append(
            Finding(
                id="loudness.platform_turn_down",
                area="loudness",
                severity=Severity.INFO,
                title="Streaming platforms will turn this down",
                detail="; ".join(f"{p.platform}: {fmt(p.gain_db or 0, 'dB')}" for p in turned) + ".",
                measured=tuple(
                    measure(f"platforms.{p.platform}.gain_db", f"{p.platform} gain", p.gain_db or 0, "dB")
                    for p in turned
                ),
                evidence=("platforms.gain_db",),
            )
        )
    if risky:
        found.append(_encoding_headroom(ctx, risky))
    return found


def _encoding_headroom(ctx: Context, risky: list[PlatformResult]) -> Finding:
    """Advice, never a blocker: under -1 dBTP is AES TD1004's margin for lossy encoders. Whether an encode really
    goes over 0 dBTP is measured (``delivery._encoded``), so this finding only claims what it measured."""
    worst = max(v for p in risky if (v := p.resulting_true_peak_dbtp) is not None)
    detail = (
        f"After normalisation the true peak is up to {fmt(worst, 'dBTP')} on "
        + ", ".join(p.platform for p in risky)
        + f", above the {fmt(LOSSY_SAFE_DBTP, 'dBTP')} that lossy encoders need as room (AES TD1004)."
    )
    if ctx.analysis.encoded_peaks:
        hottest = max(ctx.analysis.encoded_peaks, key=lambda p: p.true_peak_dbtp)
        reach = fmt(hottest.true_peak_dbtp, "dBTP")
        detail += f" Encoded with {hottest.codec} and decoded, the hottest moments reach {reach}."
    return Finding(
        id="clipping.lossy_clip_risk",
        area="clipping",
        severity=Severity.MINOR,
        title="Little headroom for lossy encoding",
        detail=detail,
        measured=tuple(
            measure(f"platforms.{p.platform}.resulting_true_peak_dbtp", f"{p.platform} true peak", v, "dBTP")
            for p in risky
            if (v := p.resulting_true_peak_dbtp) is not None
        ),
        target=Range(low=None, high=LOSSY_SAFE_DBTP, unit="dBTP"),
        evidence=("platforms.lossy_clip_risk", "platforms.resulting_true_peak_dbtp", "encoded_peaks"),
    )


def dynamics_findings(ctx: Context) -> list[Finding]:
    dyn = ctx.analysis.dynamics
    found: list[Finding] = []
    if dyn.plr_db is not None and (past := ctx.targets.plr_db.distance(dyn.plr_db)) != 0:
        squashed = past < 0
        level = severity_for(past, minor=0.0, major=2.0)
        found.append(
            Finding(
                id="dynamics.over_compressed" if squashed else "dynamics.very_dynamic",
                area="dynamics",
                severity=_SEV[level] if squashed else Severity.INFO,
                title="Peaks are squashed for the genre" if squashed else "More dynamic than the genre usually is",
                detail=f"PLR (true peak minus loudness) is {fmt(dyn.plr_db, 'dB')}; "
                f"target {fmt(ctx.targets.plr_db.low or 0, 'dB')} to {fmt(ctx.targets.plr_db.high or 0, 'dB')}.",
                measured=(measure("dynamics.plr_db", "PLR", dyn.plr_db, "dB"),)
                + (
                    ()
                    if dyn.crest_factor_db is None
                    else (measure("dynamics.crest_factor_db", "Crest factor", dyn.crest_factor_db, "dB"),)
                ),
                target=ctx.targets.plr_db,
                evidence=("dynamics.plr_db", "dynamics.crest_factor_db"),
            )
        )
    lra = ctx.analysis.loudness.loudness_range_lu
    if lra is not None and (past := ctx.targets.loudness_range_lu.distance(lra)) != 0:
        found.append(
            Finding(
                id="dynamics.lra_narrow" if past < 0 else "dynamics.lra_wide",
                area="dynamics",
                severity=Severity.MINOR if abs(past) >= 2 else Severity.INFO,
                title="Little movement between quiet and loud parts"
                if past < 0
                else "Large level swings between parts",
                detail=f"Loudness range is {fmt(lra, 'LU')}; target {fmt(ctx.targets.loudness_range_lu.low or 0, 'LU')}"
                f" to {fmt(ctx.targets.loudness_range_lu.high or 0, 'LU')}.",
                measured=(measure("loudness.loudness_range_lu", "Loudness range", lra, "LU"),),
                target=ctx.targets.loudness_range_lu,
                evidence=("loudness.loudness_range_lu", "loudness.short_term_timeline"),
            )
        )
    if not ctx.rules.allows_limiting and dyn.heavy_limiting:
        found.append(
            Finding(
                id="dynamics.mix_bus_limiting",
                area="dynamics",
                severity=Severity.MAJOR,
                title="Mix-bus limiting on a mixdown",
                detail="The mix looks limited: " + ("; ".join(dyn.limiting_evidence) or "peaks are flattened") + ".",
                measured=() if dyn.plr_db is None else (measure("dynamics.plr_db", "PLR", dyn.plr_db, "dB"),),
                evidence=("dynamics.heavy_limiting", "dynamics.limiting_evidence"),
            )
        )
    return found


def clipping_findings(ctx: Context) -> list[Finding]:
    clip = ctx.analysis.clipping
    found: list[Finding] = []
    if clip.clip_runs > 0:
        spans, more = event_time_spans(clip.clip_spans, legacy=[(e.time_s, e.time_s + 0.1) for e in clip.clip_events])
        found.append(
            Finding(
                id="clipping.clipped_samples",
                area="clipping",
                severity=Severity.CRITICAL if ctx.is_review or clip.clip_runs > 10 else Severity.MAJOR,
                title="Digital clipping",
                detail=f"{clip.clip_runs} runs of consecutive full-scale samples ({clip.clipped_samples} samples).",
                measured=(
                    measure("clipping.clip_runs", "Clip runs", clip.clip_runs, "count"),
                    measure("clipping.clipped_samples", "Clipped samples", clip.clipped_samples, "count"),
                ),
                time_ranges=spans,
                evidence=("clipping.clip_runs", "clipping.clip_spans"),
                event_count=clip.clip_runs,
                more_spans=more,
            )
        )
    found.extend(_true_peak(ctx))
    return found


def _true_peak(ctx: Context) -> list[Finding]:
    tp = ctx.analysis.loudness.true_peak_dbtp
    ceiling = ctx.rules.true_peak_max_dbtp
    if tp is None or (ceiling is None and tp <= 0.0) or (ceiling is not None and tp <= ceiling):
        return []
    limit = 0.0 if ceiling is None else ceiling
    clip = ctx.analysis.clipping
    spans, more = event_time_spans(clip.over_spans, legacy=[(e.time_s, e.time_s + 0.1) for e in clip.over_events])
    over_zero = tp > 0.0
    return [
        Finding(
            id="clipping.true_peak_over",
            area="clipping",
            severity=Severity.CRITICAL
            if over_zero and ctx.is_review
            else Severity.MAJOR
            if over_zero
            else Severity.MINOR,
            title="True peak above the ceiling",
            detail=f"True peak is {fmt(tp, 'dBTP')}, above {fmt(limit, 'dBTP')}{_overs_clause(clip.true_peak_overs)}.",
            measured=(measure("loudness.true_peak_dbtp", "True peak", tp, "dBTP"),),
            target=Range(low=None, high=limit, unit="dBTP"),
            time_ranges=spans,
            evidence=("loudness.true_peak_dbtp", "clipping.over_spans"),
            event_count=clip.true_peak_overs,
            more_spans=more,
        )
    ]


def qc_findings(ctx: Context) -> list[Finding]:
    qc = ctx.analysis.qc
    found: list[Finding] = []
    worst_dc = max((abs(v) for v in qc.dc_offset_pct), default=0.0)
    if worst_dc > 0.1:
        found.append(
            _qc(
                "qc.dc_offset",
                Severity.MAJOR if worst_dc > 1.0 else Severity.MINOR,
                "DC offset",
                f"The waveform is shifted off centre by {fmt(worst_dc, '%')} of full scale; high-pass or remove DC.",
                (measure("qc.dc_offset_pct", "DC offset", worst_dc, "%"),),
            )
        )
    if qc.likely_lossy:
        cutoff = (
            () if qc.lossy_cutoff_hz is None else (measure("qc.lossy_cutoff_hz", "Cut-off", qc.lossy_cutoff_hz, "Hz"),)
        )
        found.append(
            _qc(
                "qc.lossy_source",
                Severity.MAJOR if ctx.is_master else Severity.MINOR,
                "Looks like a lossy source",
                "The spectrum stops like an MP3/AAC encode; work from the lossless file.",
                cutoff,
            )
        )
    if qc.likely_resampled:
        cutoff = (
            ()
            if qc.resampled_cutoff_hz is None
            else (measure("qc.resampled_cutoff_hz", "Cut-off", qc.resampled_cutoff_hz, "Hz"),)
        )
        tip = "The top octave is empty as if upsampled; export at the session's native rate."
        found.append(_qc("qc.resampled", Severity.MINOR, "Looks resampled from a lower rate", tip, cutoff))
    if qc.is_dual_mono:
        level = Severity.MINOR if ctx.is_master else Severity.INFO
        tip = "Both channels are the same; deliver mono or check the export."
        found.append(_qc("qc.dual_mono", level, "Stereo file with identical channels", tip, ()))
    return found


def _qc(slug: str, severity: Severity, title: str, detail: str, measured: tuple[Measure, ...]) -> Finding:
    return Finding(
        id=slug,
        area="qc",
        severity=severity,
        title=title,
        detail=detail,
        measured=measured,
        evidence=(slug,),
    )


def _overs_clause(overs: int) -> str:
    """Name the excursions above 0 dBTP only when there are some: "0 overs" reads like a reading gone wrong."""
    if overs <= 0:
        return ""
    return f"; {overs} inter-sample {'over' if overs == 1 else 'overs'} above 0 dBTP"
