"""Rules on frequency and space: tonal balance, resonances, stereo image, low end and transient density."""

from __future__ import annotations

from services.analysis.result import Timeline
from services.diagnosis.context import Context, measure, merge_spans, sections_where
from services.diagnosis.finding import Finding, Severity, TimeSpan, fmt
from services.diagnosis.tonal import balance_findings
from services.genres import Range

_RESONANCE_MIN_DB = 6.0


def tonal_findings(ctx: Context) -> list[Finding]:
    """The band curve against the genre's calibrated curve (``tonal``), then resonances."""
    return [*balance_findings(ctx), *_resonances(ctx)]


def _resonances(ctx: Context) -> list[Finding]:
    peaks = sorted(ctx.analysis.spectrum.resonances, key=lambda r: -r.prominence_db)
    found = []
    for res in [r for r in peaks if r.prominence_db >= _RESONANCE_MIN_DB][:2]:
        found.append(
            Finding(
                id=f"tonal.resonance_{round(res.frequency_hz)}hz",
                area="tonal",
                severity=Severity.MAJOR if res.prominence_db >= 10.0 else Severity.MINOR,
                title=f"Resonance around {fmt(res.frequency_hz, 'Hz')}",
                detail=f"A narrow peak at {fmt(res.frequency_hz, 'Hz')} stands {fmt(res.prominence_db, 'dB')} "
                "above the smoothed spectrum.",
                measured=(
                    measure("spectrum.resonances.frequency_hz", "Frequency", res.frequency_hz, "Hz"),
                    measure("spectrum.resonances.prominence_db", "Prominence", res.prominence_db, "dB"),
                ),
                evidence=("spectrum.resonances",),
            )
        )
    return found


def stereo_findings(ctx: Context) -> list[Finding]:
    st = ctx.analysis.stereo
    found: list[Finding] = []
    if st.width_pct is not None and (past := ctx.targets.width_pct.distance(st.width_pct)) != 0:
        wide = past > 0
        found.append(
            Finding(
                id="stereo.too_wide" if wide else "stereo.narrow",
                area="stereo",
                severity=Severity.MINOR,
                title="Very wide stereo image" if wide else "Narrow stereo image",
                detail=f"Side-to-mid energy is {fmt(st.width_pct, '%')}; the genre usually sits between "
                f"{fmt(ctx.targets.width_pct.low or 0, '%')} and {fmt(ctx.targets.width_pct.high or 0, '%')}.",
                measured=(measure("stereo.width_pct", "Width", st.width_pct, "%"),),
                target=ctx.targets.width_pct,
                time_ranges=sections_where(
                    ctx.analysis.sections, value_of=lambda s: s.width_pct, outside=ctx.targets.width_pct, above=wide
                ),
                evidence=("stereo.width_pct", "sections.width_pct"),
            )
        )
    found.extend(_phase(ctx))
    if st.balance_db is not None and abs(st.balance_db) > 1.0:
        side = "left" if st.balance_db > 0 else "right"
        found.append(
            Finding(
                id="stereo.balance",
                area="stereo",
                severity=Severity.MAJOR if abs(st.balance_db) > 3.0 else Severity.MINOR,
                title=f"Image leans {side}",
                detail=f"The {side} channel is {fmt(abs(st.balance_db), 'dB')} louder.",
                measured=(measure("stereo.balance_db", "Left minus right", st.balance_db, "dB"),),
                target=Range(low=-1.0, high=1.0, unit="dB"),
                evidence=("stereo.balance_db",),
            )
        )
    return found


def _negative_spans(timeline: Timeline) -> list[TimeSpan]:
    spans = []
    for i, (t, v) in enumerate(zip(timeline.times_s, timeline.values, strict=False)):
        if v is not None and v < 0:
            end = timeline.times_s[i + 1] if i + 1 < len(timeline.times_s) else t + 1.0
            spans.append(TimeSpan(start_s=round(t, 1), end_s=round(end, 1)))
    return spans


def _phase(ctx: Context) -> list[Finding]:
    st = ctx.analysis.stereo
    mono = st.mono_loudness_change_db
    corr = st.correlation
    if (corr is None or corr >= 0.2) and (mono is None or mono > -1.5) and not st.out_of_phase:
        return []
    spans = merge_spans(
        [TimeSpan(start_s=round(r.start_s, 1), end_s=round(r.end_s, 1)) for r in st.out_of_phase]
        + _negative_spans(st.correlation_timeline),
        gap_s=0.5,
    )
    bad = (corr is not None and corr < 0) or (mono is not None and mono <= -3.0)
    measured = tuple(
        m
        for m in (
            None if corr is None else measure("stereo.correlation", "Correlation", corr, ""),
            None if mono is None else measure("stereo.mono_loudness_change_db", "Mono loudness change", mono, "dB"),
        )
        if m is not None
    )
    return [
        Finding(
            id="stereo.phase",
            area="stereo",
            severity=Severity.CRITICAL if corr is not None and corr < 0 else Severity.MAJOR if bad else Severity.MINOR,
            title="Phase problems: the mix loses level in mono",
            detail="Parts of the mix are out of phase between left and right, so they thin out or vanish on mono "
            "speakers.",
            measured=measured,
            target=Range(low=0.2, high=1.0, unit=""),
            time_ranges=spans,
            evidence=("stereo.correlation", "stereo.mono_loudness_change_db", "stereo.out_of_phase"),
        )
    ]


def bass_findings(ctx: Context) -> list[Finding]:
    bass = ctx.analysis.bass
    found: list[Finding] = []
    width, corr = bass.low_end_width_pct, bass.low_end_correlation
    wide = width is not None and width > (ctx.targets.low_end_width_pct.high or 100.0)
    loose = corr is not None and corr < (ctx.targets.low_end_correlation.low or -1.0)
    if wide or loose:
        measured = tuple(
            m
            for m in (
                None if width is None else measure("bass.low_end_width_pct", "Low-end width", width, "%"),
                None if corr is None else measure("bass.low_end_correlation", "Low-end correlation", corr, ""),
            )
            if m is not None
        )
        found.append(
            Finding(
                id="bass.wide_low_end",
                area="bass",
                severity=Severity.MAJOR if corr is not None and corr < 0.5 else Severity.MINOR,
                title="Low end is not mono enough",
                detail="Below about 120 Hz the left and right channels differ, which weakens the bass on club systems "
                "and mono playback and can upset a vinyl cut.",
                measured=measured,
                target=ctx.targets.low_end_width_pct,
                evidence=("bass.low_end_width_pct", "bass.low_end_correlation"),
            )
        )
    spread = bass.low_end_consistency_lu
    if spread is not None and spread > 3.0:
        found.append(
            Finding(
                id="bass.uneven_low_end",
                area="bass",
                severity=Severity.MINOR,
                title="Low end level jumps around",
                detail=f"Low-band loudness varies by {fmt(spread, 'LU')} (standard deviation) over the track.",
                measured=(measure("bass.low_end_consistency_lu", "Low-end spread", spread, "LU"),),
                target=Range(low=None, high=3.0, unit="LU"),
                evidence=("bass.low_end_consistency_lu",),
            )
        )
    return found


def transient_findings(ctx: Context) -> list[Finding]:
    rate = ctx.analysis.transients.onset_rate_per_s
    target = ctx.targets.onset_rate_per_s
    if rate is None or (past := target.distance(rate)) == 0:
        return []
    busy = past > 0
    return [
        Finding(
            id="transients.busy" if busy else "transients.sparse",
            area="transients",
            severity=Severity.INFO,
            title="Very dense transients" if busy else "Few distinct transients",
            detail=f"{fmt(rate, '/s')} detected onsets per second; the genre usually has "
            f"{fmt(target.low or 0, '/s')} to {fmt(target.high or 0, '/s')}.",
            measured=(measure("transients.onset_rate_per_s", "Onset rate", rate, "/s"),),
            target=target,
            evidence=("transients.onset_rate_per_s", "transients.onset_count"),
        )
    ]
