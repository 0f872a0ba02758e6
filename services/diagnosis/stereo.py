"""Rules on the stereo image and the low end: mono files, polarity, phase, width (judged by genre), balance.

Why width is in dB of side relative to mid: a percentage of side over mid power runs to "447 %" for out-of-phase
material, which nobody can read; side-to-mid dB is bounded in practice (-60 mono, about -10 a typical mix,
0 uncorrelated). Why negative low-end correlation is its own rule: it means one channel's bass is inverted or
delayed, so the fix is a polarity flip or alignment; making the bass mono would cancel it.
"""

from __future__ import annotations

import math

from services.analysis.result import Timeline, TimeRange
from services.diagnosis.context import BAND_LABELS, Context, band_value, capped_spans, measure, merge_spans
from services.diagnosis.context import sections_where as _sections_where
from services.diagnosis.finding import Finding, Measure, Severity, TimeSpan, fmt
from services.genres import Range

_POLARITY_CORRELATION = -0.2  # below this in a low band: inverted or misaligned, not "wide"
_MONO_CONTENT_DB = -40.0  # side this far below mid in a stereo file: the content is mono
_LOW_BANDS = ("sub", "bass")  # the low end; opposed low mids and up are the phase rule's (a wide, odd mix)
_LOW_SHARE = 0.1  # a band with less of the low end's power than this cannot audibly cancel it
_PHASE_MARGIN = 0.2  # correlation below the genre's widest normal mix by this much: parts cancel in mono
_PHASE_FLOOR_MIN = 0.1  # the pooled corpus's floor (p90 width -2.7 dB: 0.30, less the margin); see _genre_phase_floor


def side_mid_db(pct: float | None) -> float | None:
    """A side-over-mid power percentage as dB (the unit findings use), ``None`` for 0 %."""
    if pct is None or pct <= 0:
        return None
    return max(-60.0, 10.0 * math.log10(max(pct / 100.0, 1e-6)))


def _spans(ranges: list[TimeRange], timeline: Timeline | None = None) -> tuple[tuple[TimeSpan, ...], int]:
    """Out-of-phase ranges, plus the points of a correlation timeline below 0, merged over the whole track."""
    rows = [TimeSpan(start_s=round(r.start_s, 1), end_s=round(r.end_s, 1)) for r in ranges]
    if timeline is not None:
        times = timeline.times_s
        for i, (t, v) in enumerate(zip(times, timeline.values, strict=False)):
            if v is not None and v < 0:
                rows.append(
                    TimeSpan(start_s=round(t, 1), end_s=round(times[i + 1] if i + 1 < len(times) else t + 1, 1))
                )
    return capped_spans(merge_spans(rows, gap_s=0.5))


def stereo_findings(ctx: Context) -> list[Finding]:
    """A mono file gets one finding and nothing else; a stereo file is checked for polarity, phase and width."""
    if ctx.analysis.qc.is_mono_file:
        return [_mono_file()]
    found = _low_polarity(ctx)
    if ctx.analysis.qc.is_dual_mono:
        return found  # reported once, by the file checks
    mono = _mono_content(ctx)
    if mono is not None:
        return [*found, mono]
    found.extend(_phase(ctx, polarity=bool(found)))
    found.extend(_width(ctx))
    found.extend(_balance(ctx))
    return found


def _mono_file() -> Finding:
    return Finding(
        id="stereo.mono_file",
        area="stereo",
        severity=Severity.INFO,
        title="Mono file",
        detail="The file has one channel, so there is no stereo image to judge; it plays centred on both speakers.",
        measured=(),
        evidence=("qc.is_mono_file",),
    )


def _mono_content(ctx: Context) -> Finding | None:
    st = ctx.analysis.stereo
    if st.side_to_mid_db is None or st.side_to_mid_db > _MONO_CONTENT_DB:
        return None
    return Finding(
        id="stereo.mono_content",
        area="stereo",
        severity=Severity.MAJOR if ctx.is_review else Severity.MINOR,
        title="Mono content in a stereo file",
        detail=f"The side signal is {fmt(st.side_to_mid_db, 'dB')} relative to the mid: left and right carry "
        "(almost) the same signal. Check the export or panning, or deliver it as mono on purpose.",
        measured=(measure("stereo.side_to_mid_db", "Side relative to mid", st.side_to_mid_db, "dB"),),
        target=Range(low=_MONO_CONTENT_DB, high=None, unit="dB"),
        evidence=("stereo.side_to_mid_db",),
    )


def _low_polarity(ctx: Context) -> list[Finding]:
    """Negative correlation in a low band: one channel is inverted or delayed there."""
    st = ctx.analysis.stereo
    bad = [
        (b, c)
        for b in _LOW_BANDS
        if (c := band_value(st.correlation_per_band, b)) is not None
        and c < _POLARITY_CORRELATION
        and _low_end_share(ctx, b) >= _LOW_SHARE
    ]
    low = ctx.analysis.bass.low_end_correlation
    if not bad and (low is None or low >= _POLARITY_CORRELATION):
        return []
    band, corr = min(bad, key=lambda p: p[1]) if bad else ("sub", low or 0.0)
    loss = band_value(st.mono_band_loss_db, band)
    spans, more = _spans(st.low_end_out_of_phase)
    measured = [measure(f"stereo.correlation_per_band.{band}", f"{_short(band)} correlation", corr, "")]
    if loss is not None:
        measured.append(measure(f"stereo.mono_band_loss_db.{band}", f"{_short(band)} loss in mono", loss, "dB"))
    where = "" if not spans else " over most of the track" if _covers(spans, ctx) else " in places"
    return [
        Finding(
            id="stereo.low_polarity",
            area="stereo",
            severity=Severity.CRITICAL if ctx.is_review else Severity.MAJOR,
            title=f"Polarity problem in the {_short(band)}",
            detail=f"In the {BAND_LABELS[band]} left and right are opposed (correlation {fmt(corr, '')}){where}, so "
            f"that range cancels when played in mono"
            + (f" ({fmt(loss, 'dB')})" if loss is not None else "")
            + ". One channel of a bass source is inverted or delayed: flip its polarity or align it. Do not make "
            "it mono, which would cancel it.",
            measured=tuple(measured),
            target=Range(low=0.0, high=1.0, unit=""),
            time_ranges=spans,
            evidence=("stereo.correlation_per_band", "stereo.low_end_out_of_phase", "stereo.mono_band_loss_db"),
            event_count=len(st.low_end_out_of_phase) or None,
            more_spans=more,
        )
    ]


def _low_end_share(ctx: Context, band: str) -> float:
    """The band's share of the sub + bass power (1.0 when the band levels are not measured).

    Why: a near-empty band's correlation is that of reverb tails and noise; in the corpus a sub band 23 dB below
    the total read -0.47 while the low end as a whole was in phase (0.63), and folding it to mono would change
    the total by a hundredth of a dB.
    """
    levels = {b: band_value(ctx.analysis.spectrum.band_levels_db, b) for b in _LOW_BANDS}
    if any(v is None for v in levels.values()):
        return 1.0
    power = {b: 10.0 ** ((v or 0.0) / 10.0) for b, v in levels.items()}
    return float(power[band] / max(1e-30, sum(power.values())))


def _covers(spans: tuple[TimeSpan, ...], ctx: Context) -> bool:
    total = sum(s.end_s - s.start_s for s in spans)
    return total >= 0.5 * max(1e-3, ctx.analysis.file.duration_s)


def _genre_phase_floor(ctx: Context) -> tuple[float, float]:
    """Correlation and mono loss the genre's widest normal mix reaches, with a margin: below them is a problem.

    Both follow from the genre's calibrated width (``targets.side_to_mid_db``, p90 of its releases): an
    uncorrelated-wide orchestral mix is normal, a pop mix that wide is not. For equal-level channels with side
    power ``w`` times the mid's, correlation is (1 - w) / (1 + w) and folding to mono keeps 1 / (1 + w) of the power.

    Why the correlation floor never goes below ``_PHASE_FLOOR_MIN``: the pop group's p90 width (-1.5 dB, 0.17)
    less the margin is -0.03, and a correlation below 0 is already the inverted reading, so "loses level in mono"
    could never fire by correlation for the eleven genres that use that group. 0.1 is the floor of the pooled
    corpus (189 tracks) and about that of the widest other groups (ambient and cinematic, 0.11).
    """
    wide = 10.0 ** ((ctx.targets.side_to_mid_db.high or 0.0) / 10.0)
    floor = ctx.targets.correlation.low if ctx.targets.correlation.low is not None else (1 - wide) / (1 + wide)
    return max(_PHASE_FLOOR_MIN, floor - _PHASE_MARGIN), 10.0 * math.log10(1.0 / (1.0 + wide)) - 1.5


def _phase(ctx: Context, *, polarity: bool) -> list[Finding]:
    st = ctx.analysis.stereo
    corr, mono = st.correlation, st.mono_loudness_change_db
    floor, loss_floor = _genre_phase_floor(ctx)
    inverted = corr is not None and corr < 0.0
    decorrelated = (corr is not None and corr < floor) or (mono is not None and mono < loss_floor)
    if not (inverted or decorrelated) or (polarity and not inverted):
        return []
    spans, more = _spans(st.out_of_phase, st.correlation_timeline)
    losses = [
        measure(f"stereo.mono_band_loss_db.{b.band}", f"{_short(b.band)} loss in mono", b.value, "dB")
        for b in st.mono_band_loss_db
        if b.value is not None and b.value <= -1.5
    ]
    measured: list[Measure] = [] if corr is None else [measure("stereo.correlation", "Correlation", corr, "")]
    if mono is not None:
        measured.append(measure("stereo.mono_loudness_change_db", "Mono loudness change", mono, "dB"))
    return [
        Finding(
            id="stereo.phase",
            area="stereo",
            severity=(Severity.CRITICAL if ctx.is_review else Severity.MAJOR) if inverted else Severity.MINOR,
            title="Out of phase: the mix cancels in mono" if inverted else "The mix loses level in mono",
            detail="Left and right are mostly opposed, as if one channel were inverted; check the polarity of "
            "the master and of stereo sources."
            if inverted
            else f"Left and right are less alike than {ctx.genre.genre.label} mixes usually are, so parts thin out "
            "on mono speakers"
            + (": " + ", ".join(f"{m.label} {fmt(m.value or 0.0, 'dB')}" for m in losses) if losses else "")
            + ".",
            measured=tuple(measured + losses),
            target=Range(low=round(floor, 2), high=1.0, unit=""),
            time_ranges=spans,
            evidence=("stereo.correlation", "stereo.mono_loudness_change_db", "stereo.mono_band_loss_db"),
            event_count=len(st.out_of_phase) or None,
            more_spans=more,
        )
    ]


def _width(ctx: Context) -> list[Finding]:
    st = ctx.analysis.stereo
    value = st.side_to_mid_db if st.side_to_mid_db is not None else side_mid_db(st.width_pct)
    target = ctx.targets.side_to_mid_db
    if value is None or (past := target.distance(value)) == 0 or abs(past) < 1.0:
        return []
    wide = past > 0
    spans = _sections_where(ctx.analysis.sections, value_of=lambda s: s.side_to_mid_db, outside=target, above=wide)
    return [
        Finding(
            id="stereo.too_wide" if wide else "stereo.narrow",
            area="stereo",
            severity=Severity.MINOR,
            title="Very wide stereo image" if wide else "Narrow stereo image",
            detail=f"The side signal sits {fmt(value, 'dB')} relative to the mid (side-to-mid level: -60 dB is mono, "
            f"0 dB side as loud as mid); {ctx.genre.genre.label} mixes usually sit between "
            f"{fmt(target.low or -60.0, 'dB')} and {fmt(target.high or 0.0, 'dB')}.",
            measured=(measure("stereo.side_to_mid_db", "Side relative to mid", value, "dB"),),
            target=target,
            time_ranges=spans,
            evidence=("stereo.side_to_mid_db", "sections.side_to_mid_db"),
            event_count=len(spans) or None,
        )
    ]


def _balance(ctx: Context) -> list[Finding]:
    balance = ctx.analysis.stereo.balance_db
    if balance is None or abs(balance) <= 1.0:
        return []
    side = "left" if balance > 0 else "right"
    return [
        Finding(
            id="stereo.balance",
            area="stereo",
            severity=Severity.MAJOR if abs(balance) > 3.0 else Severity.MINOR,
            title=f"Image leans {side}",
            detail=f"The {side} channel is {fmt(abs(balance), 'dB')} louder.",
            measured=(measure("stereo.balance_db", "Left minus right", balance, "dB"),),
            target=Range(low=-1.0, high=1.0, unit="dB"),
            evidence=("stereo.balance_db",),
        )
    ]


def _short(band: str) -> str:
    return BAND_LABELS[band].split(" (", 1)[0]
