"""Tonal-balance findings: the band curve against the genre's calibrated curve, reported as root causes.

Each band's balance (``balance.band_balance_db``) is judged against the genre's p10-p90 range from real releases
(widened for genres the corpus only stands in for). Adjacent bands off in the same direction are one cause and one
finding, named after the band furthest out; a heavy band that holds most of the power says that it is why the rest
reads thin against the total, instead of five "not enough" findings.

A second signal (``services.diagnosis.shape``) catches what the genre range cannot: a bump or dip against the track's
own smoothed curve, further out than real releases show, on a band whose level is still inside the genre's range.
A third (``services.diagnosis.conditional``) judges a band against what the track's own neighbours predict, for a
bump as wide as 2-5 kHz that the local shape's running trend leans into.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.analysis.result import BAND_EDGES_HZ, Analysis, BandValue, Section
from services.diagnosis.balance import band_balance_db, band_means_db, curve_balance_db, level_match_db
from services.diagnosis.conditional import residual_db
from services.diagnosis.context import BAND_LABELS, Context, band_value, measure, merge_spans
from services.diagnosis.finding import Finding, Severity, TimeSpan, fmt
from services.diagnosis.shape import SHAPE_MAJOR_DB, SHAPE_MINOR_DB, shape_detail, shape_off_bands
from services.genres import ConditionalTarget, Range, Targets

MINOR_DB = 1.0  # this far outside the genre's range: worth a look
MAJOR_DB = 4.0  # this far outside: a clear tonal problem (a 6 dB EQ move over an octave gets here)
FLANK_OCTAVES = 1.34  # a local reading this close to a band off the other way (four thirds) ...
FLANK_RATIO = 2.0  # ... and less than this many times as far out is that band's flank
ROOT_CAUSE_DB = 2.0  # the other bands read at least this much thin against the total because of one band
PREDICTED_MINOR_DB = 1.0  # this far past the corpus's residual range (p1-p99): worth a look
PREDICTED_MAJOR_DB = 3.0  # this far: a clear excess or lack against the track's own neighbours


@dataclass(frozen=True)
class Off:
    band: str
    balance_db: float
    past_db: float  # outside the range: negative below, positive above
    target: Range
    shape_hz: float | None = None  # set when the local shape is off here (balance_db is then against the own trend)
    predicted: ConditionalTarget | None = None  # set when judged against its own neighbours' prediction

    @property
    def strength(self) -> float:
        """How far out, in units of this signal's MAJOR distance (1.0: just MAJOR), so the signals compare."""
        major = MAJOR_DB if self.shape_hz is None else SHAPE_MAJOR_DB
        return abs(self.past_db) / (PREDICTED_MAJOR_DB if self.predicted is not None else major)

    @property
    def local(self) -> bool:
        """Read against the track's own curve (its trend or its neighbours), which level matching cannot mirror."""
        return self.shape_hz is not None or self.predicted is not None

    @property
    def centre_hz(self) -> float:
        """Where the reading sits (the shape's third, the predicted span's middle); 0 for a genre-range reading."""
        if self.predicted is not None:
            return float((self.predicted.target_hz[0] * self.predicted.target_hz[1]) ** 0.5)
        return self.shape_hz or 0.0

    @property
    def severity(self) -> Severity | None:
        size = abs(self.past_db)
        if self.predicted is not None:
            return (
                Severity.MAJOR if size >= PREDICTED_MAJOR_DB else Severity.MINOR if size >= PREDICTED_MINOR_DB else None
            )
        if self.shape_hz is None:
            return severity_of(self.past_db)
        return Severity.MAJOR if size >= SHAPE_MAJOR_DB else Severity.MINOR if size >= SHAPE_MINOR_DB else None


def _levels(values: list[BandValue]) -> dict[str, float]:
    return {b.band: float(b.value) for b in values if b.value is not None}


def curve_off_bands(curve: dict[float, float], targets: Targets) -> list[Off]:
    """All three signals on the 1/3-octave curve, one reading per band, low to high.

    The one further out (in units of each signal's MAJOR distance). A shape reading that points against a genre
    range reading next to it is its flank (``_flank``) and is dropped.
    """
    by_band = {o.band: o for o in range_off_bands(curve, targets)}
    for s in shape_off_bands(curve, targets):
        off = Off(band=s.band, balance_db=s.shape_db, past_db=s.past_db, target=s.target, shape_hz=s.centre_hz)
        if _flank(off, list(by_band.values())):
            continue
        ranged = by_band.get(s.band)
        if ranged is None or off.strength > ranged.strength:
            by_band[s.band] = off
    for p in predicted_off_bands(curve, targets):
        if _flank(p, list(by_band.values())):
            continue
        known = by_band.get(p.band)
        if known is None or p.strength > known.strength:
            by_band[p.band] = p
    return [by_band[b] for b in BAND_EDGES_HZ if b in by_band]


def predicted_off_bands(curve: dict[float, float], targets: Targets) -> list[Off]:
    """Bands whose level sits ``PREDICTED_MINOR_DB`` past the corpus's residual range against what the track's own
    neighbours predict (``services.diagnosis.conditional``)."""
    out = []
    for model in targets.conditional:
        value = residual_db(curve, model)
        if value is not None and abs(past := model.residual.distance(value)) >= PREDICTED_MINOR_DB:
            out.append(Off(band=model.band, balance_db=value, past_db=round(past, 2), target=model.residual,
                           predicted=model))  # fmt: skip
    return out


def _flank(off: Off, ranged: list[Off]) -> bool:
    """A local reading next to a band that is off the other way: the running trend leans towards that band's excess
    (or away from its lack), so this reading is its flank, not a second cause. Next to: in the same or an adjacent
    band, or within ``FLANK_OCTAVES`` of it while not ``FLANK_RATIO`` times as far out."""
    order = list(BAND_EDGES_HZ)
    hz = off.centre_hz
    reach = 2.0**FLANK_OCTAVES
    for o in ranged:
        if (o.past_db > 0) == (off.past_db > 0):
            continue
        low, high = BAND_EDGES_HZ[o.band]
        if abs(order.index(o.band) - order.index(off.band)) <= 1:
            return True
        if low / reach <= hz <= high * reach and off.strength < FLANK_RATIO * o.strength:
            return True
    return False


def range_off_bands(curve: dict[float, float], targets: Targets) -> list[Off]:
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
    lead = _main(max(groups, key=lambda g: _main(g).strength)).past_db > 0
    return [g for g in groups if (_main(g).past_db > 0) == lead or _main(g).severity is Severity.MAJOR or _local(g)]


def _local(group: list[Off]) -> bool:
    """A local bump or dip (the shape signal) is read against the track's own trend, so level matching cannot
    mirror it: it stays whichever way the main cause points."""
    return _main(group).local


def _main(group: list[Off]) -> Off:
    return max(group, key=lambda o: o.strength)


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
        shape_detail(main.shape_hz, shape_db=main.balance_db, past_db=main.past_db, genre=genre)
        if main.shape_hz is not None
        else _predicted_detail(main.predicted, value_db=main.balance_db, past_db=main.past_db)
        if main.predicted is not None
        else (
            f"Once the overall level is matched, the {label} sit {fmt(abs(main.balance_db), 'dB')} {where} the "
            f"{genre} curve, {fmt(abs(main.past_db), 'dB')} past the range releases in the genre reach."
        )
    )
    if len(group) > 1:
        detail += f" The whole {_span_text(group)} range leans the same way: one cause, so one fix."
    detail += _root_cause(ctx, main) if heavy else ""
    level = band_value(ctx.analysis.spectrum.band_levels_db, main.band)
    against = "genre curve" if main.shape_hz is None else f"own trend at {fmt(main.shape_hz, 'Hz')}"
    if main.predicted is not None:
        against = "own neighbours"
    measured = [measure(f"spectrum.band_balance_db.{main.band}", f"{_short(main.band)} vs {against}",
                        main.balance_db, "dB")]  # fmt: skip
    if level is not None:
        measured.append(measure(f"spectrum.band_levels_db.{main.band}", f"{_short(main.band)} level", level, "dB"))
    return Finding(
        id=f"tonal.{main.band}_{'heavy' if heavy else 'light'}",
        area="bass" if main.band in ("sub", "bass") else "tonal",
        severity=main.severity or Severity.MINOR,
        title=f"{'Too much' if heavy else 'Not enough'} {label}",
        detail=detail,
        measured=tuple(measured),
        target=main.target,
        time_ranges=() if main.local else _sections_off(ctx, main.band, target=main.target, above=heavy),
        evidence=(f"spectrum.band_levels_db.{main.band}", "sections.band_levels_db"),
    )


def _predicted_detail(model: ConditionalTarget, *, value_db: float, past_db: float) -> str:
    """The words of a reading against the track's own neighbours: which span, which way, how far past releases."""
    heavy = past_db > 0
    low, high = model.target_hz
    around = " and ".join(f"{fmt(lo, 'Hz')}-{fmt(hi, 'Hz')}" for lo, hi in _merged(model.features_hz))
    return (
        f"Around {fmt(low, 'Hz')}-{fmt(high, 'Hz')} the curve sits {fmt(abs(value_db), 'dB')} "
        f"{'above' if heavy else 'below'} what the rest of this track's spectrum ({around}) predicts, "
        f"{fmt(abs(past_db), 'dB')} further than {model.tracks} released tracks show, as an EQ "
        f"{'boost' if heavy else 'cut'} over that span would: check that it is meant."
    )


def _merged(spans: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
    """Adjacent feature spans joined, for the words (500-800 Hz and 1-1.25 kHz read as one span)."""
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] * 1.3:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


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
