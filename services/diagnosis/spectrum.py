"""Rules on frequency: tonal balance, resonances and transient density (stereo and low end: ``stereo``, ``bass``)."""

from __future__ import annotations

from collections.abc import Callable

from services.analysis.result import Section
from services.diagnosis.context import BAND_LABELS, Context, band_value, measure, sections_where
from services.diagnosis.finding import Finding, Severity, fmt

_RESONANCE_MIN_DB = 6.0


def tonal_findings(ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    for band, target in ctx.targets.band_levels_db.items():
        level = band_value(ctx.analysis.spectrum.band_levels_db, band)
        if level is None or abs(past := target.distance(level)) < 0.5:
            continue
        heavy = past > 0
        spans = sections_where(ctx.analysis.sections, value_of=_band_of(band), outside=target, above=heavy)
        found.append(
            Finding(
                id=f"tonal.{band}_{'heavy' if heavy else 'light'}",
                area="bass" if band in ("sub", "bass") else "tonal",
                severity=Severity.MAJOR if abs(past) >= 3.0 else Severity.MINOR,
                title=f"{'Too much' if heavy else 'Not enough'} {BAND_LABELS[band]}",
                detail=f"The {BAND_LABELS[band]} sit at {fmt(level, 'dB')} of the total, {fmt(abs(past), 'dB')} "
                f"{'above' if heavy else 'below'} the {ctx.genre.genre.label} range.",
                measured=(measure(f"spectrum.band_levels_db.{band}", f"{_short(band)} level", level, "dB"),),
                target=target,
                time_ranges=spans,
                evidence=(f"spectrum.band_levels_db.{band}", "sections.band_levels_db"),
            )
        )
    found.extend(_resonances(ctx))
    return found


def _band_of(band: str) -> Callable[[Section], float | None]:
    def level(section: Section) -> float | None:
        return band_value(section.band_levels_db, band)

    return level


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
                "above its surroundings all through the track, whatever is playing: a resonance, not a note.",
                measured=(
                    measure("spectrum.resonances.frequency_hz", "Frequency", res.frequency_hz, "Hz"),
                    measure("spectrum.resonances.prominence_db", "Prominence", res.prominence_db, "dB"),
                ),
                evidence=("spectrum.resonances",),
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


def _short(band: str) -> str:
    """The band's name without its frequency span ("low mids"), for measure labels next to a value."""
    return BAND_LABELS[band].split(" (", 1)[0]
