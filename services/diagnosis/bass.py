"""Rules on the low end: side content below 120 Hz and how steady the low end is over time.

Opposed (negatively correlated) low end is not judged here: ``stereo.low_polarity`` reports it, because its fix is
a polarity flip or alignment, and the mono-bass advice given for a wide low end would cancel it.

A decorrelated low end is MAJOR only in genres built on a mono low end (song and EDM forms: kick and bass in the
centre for clubs, mono playback and vinyl). In through-composed genres (orchestral, classical, ambient) it comes
from spaced microphones and wide pads, as the corpus shows (their releases are the widest, ``targets.side_to_mid_db``),
so it stays advice.
"""

from __future__ import annotations

from services.diagnosis.context import Context, measure
from services.diagnosis.finding import Finding, Severity, fmt
from services.diagnosis.stereo import side_mid_db
from services.genres import Range

_POLARITY_CORRELATION = -0.2
# bass.low_end_jumps_db over 66 whole tracks of the calibration corpus (every third track in corpus order, all 8
# genre groups; docs/calibration.md): median 2.3 dB, p90 4.5 dB, p95 5.3 dB. The finding fires past the p90.
TYPICAL_LOW_END_JUMPS_DB = 2.3
LOW_END_JUMPS_DB = 4.5


def bass_findings(ctx: Context) -> list[Finding]:
    if ctx.analysis.qc.is_mono_file or ctx.analysis.qc.is_dual_mono:
        return _uneven(ctx)
    return _wide(ctx) + _uneven(ctx)


def _wide(ctx: Context) -> list[Finding]:
    bass = ctx.analysis.bass
    corr = bass.low_end_correlation
    width = (
        bass.low_end_side_to_mid_db if bass.low_end_side_to_mid_db is not None else side_mid_db(bass.low_end_width_pct)
    )
    if corr is not None and corr < _POLARITY_CORRELATION:
        return []  # a polarity problem, see the module docstring
    high = side_mid_db(ctx.targets.low_end_width_pct.high)
    wide = width is not None and high is not None and width > high
    loose = corr is not None and corr < (ctx.targets.low_end_correlation.low or -1.0)
    if not (wide or loose):
        return []
    spaced = ctx.genre.genre.form == "through-composed"
    measured = tuple(
        m
        for m in (
            None
            if width is None
            else measure("bass.low_end_side_to_mid_db", "Low-end side relative to mid", width, "dB"),
            None if corr is None else measure("bass.low_end_correlation", "Low-end correlation", corr, ""),
        )
        if m is not None
    )
    return [
        Finding(
            id="bass.wide_low_end",
            area="bass",
            severity=Severity.MAJOR if corr is not None and corr < 0.5 and not spaced else Severity.MINOR,
            title="Low end is not mono enough",
            detail="Below about 120 Hz the left and right channels differ (but are not opposed), which weakens the "
            "bass on club systems and mono playback and can upset a vinyl cut."
            + (
                f" In {ctx.genre.genre.label} recordings this usually comes from spaced microphones or wide pads: "
                "keep it unless the low end sounds vague in mono."
                if spaced
                else ""
            ),
            measured=measured,
            target=Range(low=None, high=high, unit="dB"),
            evidence=("bass.low_end_side_to_mid_db", "bass.low_end_correlation"),
        )
    ]


def _uneven(ctx: Context) -> list[Finding]:
    """A low end whose level jumps against the rest of the mix from second to second (uneven bass notes or kicks).

    Judged on ``bass.low_end_jumps_db``, which leaves out section-level changes, so a breakdown or a drop never
    fires it; the absolute spread of the low band did on any arrangement with one."""
    jumps = ctx.analysis.bass.low_end_jumps_db
    if jumps is None or jumps <= LOW_END_JUMPS_DB:
        return []
    return [
        Finding(
            id="bass.uneven_low_end",
            area="bass",
            severity=Severity.MINOR,
            title="Low end jumps around in level",
            detail=f"Against everything above it, the low end (below 250 Hz) jumps by {fmt(jumps, 'dB')} (standard "
            f"deviation) from second to second, more than in nine of ten released tracks "
            f"({fmt(TYPICAL_LOW_END_JUMPS_DB, 'dB')} is typical); breakdowns and drops are not counted. "
            "Listen for bass notes or kicks that stick out or vanish.",
            measured=(measure("bass.low_end_jumps_db", "Low-end jumps", jumps, "dB"),),
            target=Range(low=None, high=LOW_END_JUMPS_DB, unit="dB"),
            evidence=("bass.low_end_jumps_db",),
        )
    ]
