"""Genre targets as GraphQL types: the stage-adjusted ranges the findings judge a track against.

The figures come from ``services.genres`` (``genres.json``) through ``services.diagnosis.genre_stage_targets``,
the same function the findings use, so a chart drawn from these fields and the findings always agree.
"""

from __future__ import annotations

import strawberry

from services import domain
from services.analysis.result import BAND_EDGES_HZ
from services.diagnosis import BAND_LABELS, genre_stage_targets
from services.diagnosis.finding import fmt
from services.genres import Genre, Range, Targets, stage_rules


@strawberry.type
class TargetRange:
    low: float | None
    high: float | None
    unit: str

    @strawberry.field(  # type: ignore[untyped-decorator]
        description='The range as shown to people: "-14.0 to -8.0 LUFS", "at least 16", "at most -1.0 dBTP".'
    )
    def text(self) -> str:
        if self.low is not None and self.high is not None:
            low, high = fmt(self.low, self.unit), fmt(self.high, self.unit)
            unit = high.rsplit(" ", 1)[1] if " " in high else ""
            return f"{low.removesuffix(' ' + unit) if unit else low} to {high}"  # the unit once, at the end
        if self.low is not None:
            return f"at least {fmt(self.low, self.unit)}"
        if self.high is not None:
            return f"at most {fmt(self.high, self.unit)}"
        return "—"

    @classmethod
    def from_domain(cls, rng: Range | None) -> TargetRange | None:
        return None if rng is None else cls(low=rng.low, high=rng.high, unit=rng.unit)

    @classmethod
    def required(cls, rng: Range) -> TargetRange:
        return cls(low=rng.low, high=rng.high, unit=rng.unit)


@strawberry.type(
    description="The target for one band, measured on real releases of the genre (docs/calibration.md). low/high: "
    "the band's level in dB relative to the 20 Hz-20 kHz total (p10-p90); centre: the genre's median; "
    "balanceLow/balanceHigh: the band level against the genre's median band levels once the overall level is "
    "matched; curveLow/curveHigh: the same on the 1/3-octave curve (octave-smoothed, averaged over the band), the "
    "range the tonal findings judge a measured track against (a tonal finding's target)."
)
class BandTarget:
    band: str = strawberry.field(description='Band name as in analysis "spectrum.band_levels_db", e.g. "low_mid".')
    label: str
    low_hz: float
    high_hz: float
    low: float | None
    high: float | None
    unit: str
    centre: float | None = None
    balance_low: float | None = None
    balance_high: float | None = None
    curve_low: float | None = None
    curve_high: float | None = None


@strawberry.type(description="A genre's target ranges at one stage, as the findings use them.")
class GenreTargets:
    genre: str
    type: domain.FeedbackType
    integrated_lufs: TargetRange
    plr_db: TargetRange
    loudness_range_lu: TargetRange
    side_to_mid_db: TargetRange = strawberry.field(
        description="Stereo width the genre's releases reach: side level relative to mid, dB (-60 mono, about -10 "
        "a typical mix, 0 side as loud as mid); p10-p90 of the calibration corpus (Genre.stereoSource)."
    )
    correlation: TargetRange = strawberry.field(
        description="L/R correlation normal for the genre (-1..1): the low end is the correlation its widest normal "
        "mix (the p90 width) implies; the phase finding fires 0.2 below it."
    )
    width_pct: TargetRange = strawberry.field(
        deprecation_reason="Unbounded unit; use sideToMidDb (the same ratio in dB).",
        description="sideToMidDb as side power over mid power, %.",
    )
    low_end_width_pct: TargetRange
    low_end_correlation: TargetRange
    onset_rate_per_s: TargetRange
    band_levels_db: list[BandTarget] = strawberry.field(description="Every band, low to high frequency.")
    sample_peak_dbfs: TargetRange | None = strawberry.field(description="Set for a mixdown (headroom to leave).")
    true_peak_max_dbtp: float | None = strawberry.field(description="Ceiling for a master; null for a mixdown.")
    note: str = strawberry.field(description="What the stage changes, in words.")

    @classmethod
    def for_genre(cls, genre: Genre, stage: domain.FeedbackType) -> GenreTargets:
        t = genre_stage_targets(genre, stage)
        rules = stage_rules(stage)
        return cls(
            genre=genre.name,
            type=stage,
            integrated_lufs=TargetRange.required(t.integrated_lufs),
            plr_db=TargetRange.required(t.plr_db),
            loudness_range_lu=TargetRange.required(t.loudness_range_lu),
            side_to_mid_db=TargetRange.required(t.side_to_mid_db),
            correlation=TargetRange.required(t.correlation),
            width_pct=TargetRange.required(t.width_pct),
            low_end_width_pct=TargetRange.required(t.low_end_width_pct),
            low_end_correlation=TargetRange.required(t.low_end_correlation),
            onset_rate_per_s=TargetRange.required(t.onset_rate_per_s),
            band_levels_db=[_band(name, rng, t) for name, rng in _in_frequency_order(t.band_levels_db)],
            sample_peak_dbfs=TargetRange.from_domain(rules.sample_peak_dbfs),
            true_peak_max_dbtp=rules.true_peak_max_dbtp,
            note=rules.note,
        )


def _in_frequency_order(bands: dict[str, Range]) -> list[tuple[str, Range]]:
    return sorted(bands.items(), key=lambda item: BAND_EDGES_HZ[item[0]][0])


def _band(name: str, rng: Range, targets: Targets) -> BandTarget:
    low_hz, high_hz = BAND_EDGES_HZ[name]
    balance = targets.band_balance_db.get(name)
    curve = targets.band_curve_db.get(name)
    return BandTarget(
        band=name,
        label=BAND_LABELS[name],
        low_hz=low_hz,
        high_hz=high_hz,
        low=rng.low,
        high=rng.high,
        unit=rng.unit,
        centre=targets.band_centre_db.get(name),
        balance_low=None if balance is None else balance.low,
        balance_high=None if balance is None else balance.high,
        curve_low=None if curve is None else curve.low,
        curve_high=None if curve is None else curve.high,
    )
