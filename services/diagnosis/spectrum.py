"""Rules on frequency: tonal balance, resonances and transient density (stereo and low end: ``stereo``, ``bass``)."""

from __future__ import annotations

import math

from services.analysis.result import Resonance
from services.diagnosis.context import Context, measure
from services.diagnosis.finding import Finding, Severity, fmt
from services.diagnosis.tonal import balance_findings

_RESONANCE_MIN_DB = 6.0
_SAME_RESONANCE_OCTAVES = 1 / 3


def tonal_findings(ctx: Context) -> list[Finding]:
    """The band curve against the genre's calibrated curve (``tonal``), then resonances."""
    return [*balance_findings(ctx), *_resonances(ctx)]


def _resonances(ctx: Context) -> list[Finding]:
    peaks = sorted(ctx.analysis.spectrum.resonances, key=lambda r: -r.prominence_db)
    found = []
    for res in _distinct([r for r in peaks if r.prominence_db >= _RESONANCE_MIN_DB])[:2]:
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


def _distinct(peaks: list[Resonance]) -> list[Resonance]:
    """The strongest peak of each cluster: two peaks within a third of an octave are one resonance heard once, so
    they make one finding, not two with the same title.

    Two peaks shown as the same frequency ("9.0 kHz" twice) are always within a third of an octave above 4 Hz
    (the display rounds to 1 Hz below 1 kHz and 100 Hz above), so the octave test alone merges them.
    """
    kept: list[Resonance] = []
    for res in peaks:
        same = any(abs(math.log2(res.frequency_hz / k.frequency_hz)) < _SAME_RESONANCE_OCTAVES for k in kept)
        if not same:
            kept.append(res)
    return kept


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
