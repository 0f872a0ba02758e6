"""Tonal-balance findings: the band curve against the genre's calibrated curve, reported as root causes.

Each band's balance (``balance.band_balance_db``) is judged against the genre's p10-p90 range from real releases
(widened for genres the corpus only stands in for). Adjacent bands off in the same direction are one cause and one
finding, named after the band furthest out; a heavy band that holds most of the power says that it is why the rest
reads thin against the total, instead of five "not enough" findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.analysis.result import BAND_EDGES_HZ, Analysis, BandValue, Section
from services.diagnosis.balance import band_balance_db, band_means_db, curve_balance_db, level_match_db
from services.diagnosis.context import BAND_LABELS, Context, band_value, measure, merge_spans
from services.diagnosis.finding import Finding, Severity, TimeSpan, fmt
from services.genres import Range, Targets

MINOR_DB = 1.0  # this far outside the genre's range: worth a look
MAJOR_DB = 4.0  # this far outside: a clear tonal problem (a 6 dB EQ move over an octave gets here)
ROOT_CAUSE_DB = 2.0  # the other bands read at least this much thin against the total because of one band


@dataclass(frozen=True)
class Off:
    band: str
    balance_db: float
    past_db: float  # outside the range: negative below, positive above
    target: Range


def _levels(values: list[BandValue]) -> dict[str, float]:
    return {b.band: float(b.value) for b in values if b.value is not None}


def curve_off_bands(curve: dict[float, float], targets: Targets) -> list[Off]:
    """From the 1/3-octave curve: bands whose octave-smoothed balance goes ``MINOR_DB`` past the genre's range.

    Finer than the seven bands: an octave boost inside a wide band (200-300 Hz, 2-5 kHz) shows at full size.
    """
    means = band_means_db(curve_balance_db(curve, targets.third_octave_centre_db), BAND_EDGES_HZ)
    out = []
    for band, value in means.items():
        rng = targets.band_curve_db.get(band)
        if rng is not None and abs(past := rng.distance(value)) >= MINOR_DB:
            out.append(Off(band=band, balance_db=value, past_db=past, target=rng))
    return out


def track_off_bands(analysis: Analysis, targets: Targets) -> list[Off]:
    """The 1/3-octave judgement when the analysis has the curve, else the seven bands."""
    curve = {t.center_hz: t.level_db for t in analysis.spectrum.third_octave if t.level_db is not None}
    if curve and targets.third_octave_centre_db:
        return curve_off_bands(curve, targets)
    return off_bands(_levels(analysis.spectrum.band_levels_db), targets)


def off_bands(levels: dict[str, float], targets: Targets) -> list[Off]:
    """The bands whose balance is at least ``MINOR_DB`` outside the genre's range, low to high."""
    t = targets
    balance = band_balance_db(levels, t.band_centre_db)
    out = []
    for band in BAND_EDGES_HZ:
        rng = t.band_balance_db.get(band)
        if band not in balance or rng is None:
            continue
        past = rng.distance(balance[band])
        if abs(past) >= MINOR_DB:
            out.append(Off(band=band, balance_db=balance[band], past_db=past, target=rng))
    return out


def causes(off: list[Off]) -> list[list[Off]]:
    """Runs of adjacent bands off in the same direction (one cause each)."""
    order = list(BAND_EDGES_HZ)
    groups: list[list[Off]] = []
    for o in off:
        last = groups[-1][-1] if groups else None
        adjacent = last is not None and order.index(o.band) == order.index(last.band) + 1
        if adjacent and last is not None and (o.past_db > 0) == (last.past_db > 0):
            groups[-1].append(o)
        else:
            groups.append([o])
    return groups


def severity_of(past_db: float) -> Severity | None:
    """MAJOR from ``MAJOR_DB`` outside the range, MINOR from ``MINOR_DB``, nothing closer."""
    size = abs(past_db)
    return Severity.MAJOR if size >= MAJOR_DB else Severity.MINOR if size >= MINOR_DB else None


def root_causes(groups: list[list[Off]]) -> list[list[Off]]:
    """Drop mild readings that only mirror the main cause.

    Level matching leans a little towards whatever was boosted (or away from what was cut), so a clear excess can
    make an untouched band read slightly thin. When causes point both ways, the side of the largest one stays,
    and the other side only where it is MAJOR on its own.
    """
    if len({_main(g).past_db > 0 for g in groups}) < 2:
        return groups
    lead = _main(max(groups, key=lambda g: abs(_main(g).past_db))).past_db > 0
    return [g for g in groups if (_main(g).past_db > 0) == lead or severity_of(_main(g).past_db) is Severity.MAJOR]


def _main(group: list[Off]) -> Off:
    return max(group, key=lambda o: abs(o.past_db))


def balance_findings(ctx: Context) -> list[Finding]:
    """One finding per cause: a run of adjacent bands off the genre's curve in one direction."""
    return [_finding(ctx, group) for group in root_causes(causes(track_off_bands(ctx.analysis, ctx.targets)))]


def _span_text(group: list[Off]) -> str:
    low = BAND_EDGES_HZ[group[0].band][0]
    high = BAND_EDGES_HZ[group[-1].band][1]
    return f"{fmt(low, 'Hz')}-{fmt(high, 'Hz')}"


def _finding(ctx: Context, group: list[Off]) -> Finding:
    main = _main(group)
    heavy = main.past_db > 0
    label = BAND_LABELS[main.band]
    genre = ctx.genre.genre.label
    where = "above" if heavy else "below"
    detail = (
        f"Once the overall level is matched, the {label} sit {fmt(abs(main.balance_db), 'dB')} {where} the "
        f"{genre} curve, {fmt(abs(main.past_db), 'dB')} past the range releases in the genre reach."
    )
    if len(group) > 1:
        detail += f" The whole {_span_text(group)} range leans the same way: one cause, so one fix."
    detail += _root_cause(ctx, main) if heavy else ""
    level = band_value(ctx.analysis.spectrum.band_levels_db, main.band)
    measured = [measure(f"spectrum.band_balance_db.{main.band}", f"{_short(main.band)} vs genre curve",
                        main.balance_db, "dB")]  # fmt: skip
    if level is not None:
        measured.append(measure(f"spectrum.band_levels_db.{main.band}", f"{_short(main.band)} level", level, "dB"))
    return Finding(
        id=f"tonal.{main.band}_{'heavy' if heavy else 'light'}",
        area="bass" if main.band in ("sub", "bass") else "tonal",
        severity=severity_of(main.past_db) or Severity.MINOR,
        title=f"{'Too much' if heavy else 'Not enough'} {label}",
        detail=detail,
        measured=tuple(measured),
        target=main.target,
        time_ranges=_sections_off(ctx, main.band, target=main.target, above=heavy),
        evidence=(f"spectrum.band_levels_db.{main.band}", "sections.band_levels_db"),
    )


def _root_cause(ctx: Context, main: Off) -> str:
    """Say when this band is why every other band reads thin against the total (the old, misleading view)."""
    levels = _levels(ctx.analysis.spectrum.band_levels_db)
    match = level_match_db(levels, ctx.targets.band_centre_db)
    if match is None or match > -ROOT_CAUSE_DB:
        return ""
    return (
        f" It holds so much of the power that every other band reads about {fmt(-match, 'dB')} thin against the "
        f"total: fix the {_short(main.band)} rather than boosting the rest."
    )


def _sections_off(ctx: Context, band: str, *, target: Range, above: bool) -> tuple[TimeSpan, ...]:
    spans = []
    for section in ctx.analysis.sections:
        balance = _section_balance(ctx, section).get(band)
        if balance is None:
            continue
        past = target.distance(balance)
        if (past >= MINOR_DB and above) or (past <= -MINOR_DB and not above):
            spans.append(TimeSpan(start_s=round(section.start_s, 1), end_s=round(section.end_s, 1)))
    return merge_spans(spans, gap_s=0.01)


def _section_balance(ctx: Context, section: Section) -> dict[str, float]:
    return band_balance_db(_levels(section.band_levels_db), ctx.targets.band_centre_db)


def _short(band: str) -> str:
    """The band's name without its frequency span ("low mids"), for measure labels next to a value."""
    return BAND_LABELS[band].split(" (", 1)[0]
