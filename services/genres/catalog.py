"""Loads ``genres.json`` once into frozen records: each genre's master targets and the per-stage rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from services.domain import FeedbackType

GENERAL = "general"


@dataclass(frozen=True)
class Range:
    """An inclusive target range; ``None`` on a side means unbounded there."""

    low: float | None
    high: float | None
    unit: str

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def distance(self, value: float) -> float:
        """How far outside the range ``value`` is (0 inside); negative below, positive above."""
        if self.low is not None and value < self.low:
            return value - self.low
        if self.high is not None and value > self.high:
            return value - self.high
        return 0.0


@dataclass(frozen=True)
class ConditionalTarget:
    """A band's level predicted from the track's own curve around it (``services.diagnosis.conditional``).

    Levels are 1/3-octave means relative to the median of ``reference_hz``; the prediction is ``intercept`` plus
    ``coefficients`` times the means of ``features_hz``; ``residual`` is the range of the (leave-one-out) residual
    over the calibration corpus. Pooled over every genre: it reads the track against itself, not its genre.
    """

    band: str
    target_hz: tuple[float, float]
    reference_hz: tuple[float, float]
    features_hz: tuple[tuple[float, float], ...]
    intercept: float
    coefficients: tuple[float, ...]
    residual: Range
    tracks: int
    source: str


@dataclass(frozen=True)
class Targets:
    """The ranges a finished master of a genre usually falls in (units in ``Range.unit``)."""

    integrated_lufs: Range
    plr_db: Range
    loudness_range_lu: Range
    side_to_mid_db: Range  # stereo width: side level relative to mid, dB (p10-p90 of the corpus group)
    correlation: Range  # the L/R correlation those widths imply (0..1 scale, -1..1 possible)
    low_end_width_pct: Range
    low_end_correlation: Range
    onset_rate_per_s: Range
    band_levels_db: dict[str, Range]  # per band, dB relative to the 20 Hz-20 kHz total (p10-p90 of the corpus)
    band_centre_db: dict[str, float] = field(default_factory=dict)  # the genre's median curve, same units
    band_balance_db: dict[str, Range] = field(default_factory=dict)  # band minus centre, after level matching
    third_octave_centre_db: dict[float, float] = field(default_factory=dict)  # the genre's median 1/3-octave curve
    band_curve_db: dict[str, Range] = field(default_factory=dict)  # band mean of the 1/3-octave balance
    third_octave_shape_db: dict[float, Range] = field(default_factory=dict)  # local shape against the own trend
    conditional: tuple[ConditionalTarget, ...] = ()  # bands predicted from the track's own neighbours

    @property
    def width_pct(self) -> Range:
        """The width range as side-over-mid power in % (the old unit, derived from ``side_to_mid_db``)."""
        return Range(
            low=None if self.side_to_mid_db.low is None else round(100.0 * 10 ** (self.side_to_mid_db.low / 10), 1),
            high=None if self.side_to_mid_db.high is None else round(100.0 * 10 ** (self.side_to_mid_db.high / 10), 1),
            unit="%",
        )


@dataclass(frozen=True)
class Tonal:
    """Where a genre's band targets come from: a calibrated corpus group, widened for genres it only stands in for."""

    calibration: str  # a group of calibration.json
    widen_db: float
    tracks: int
    source: str


@dataclass(frozen=True)
class Stereo:
    """Where a genre's width and correlation ranges come from: a calibrated corpus group (as ``Tonal``)."""

    calibration: str  # a group of stereo_calibration.json
    widen_db: float
    tracks: int
    source: str


@dataclass(frozen=True)
class Genre:
    name: str
    label: str
    aliases: tuple[str, ...]
    subgenres: tuple[str, ...]
    form: str  # "song", "edm" or "through-composed": the section names its structure can have
    tempo_bpm: tuple[float, float]  # the range it is usually counted in; settles half- vs double-time readings
    targets: Targets
    tonal: Tonal
    stereo: Stereo


@dataclass(frozen=True)
class StageRules:
    """How a stage changes the genre targets (e.g. a mixdown keeps headroom and avoids mix-bus limiting)."""

    stage: FeedbackType
    label: str
    integrated_lufs: Range | None  # None: use the genre's master range
    sample_peak_dbfs: Range | None
    true_peak_max_dbtp: float | None
    plr_offset_db: float
    loudness_range_offset_lu: float
    allows_limiting: bool
    note: str


def _range(raw: list[float | None], unit: str) -> Range:
    return Range(low=raw[0], high=raw[1], unit=unit)


def _widened(raw: list[float], widen_db: float) -> Range:
    return Range(low=round(raw[0] - widen_db, 1), high=round(raw[-1] + widen_db, 1), unit="dB")


def _targets(raw: dict[str, Any], units: dict[str, str], tonal: Tonal, stereo: Stereo) -> Targets:
    """A genre's targets: its own loudness/dynamics ranges plus its calibration groups' band curve and width."""
    plain = {k: _range(v, units[k]) for k, v in raw.items()}
    group = _calibration()["groups"][tonal.calibration]
    width = _stereo_calibration()["groups"][stereo.calibration]
    side = _widened(width["side_to_mid_db"], stereo.widen_db)
    w = tonal.widen_db
    return Targets(
        side_to_mid_db=side,
        correlation=Range(low=round(_correlation_at(side.high or 0.0), 2), high=1.0, unit=""),
        band_levels_db={b: _widened(v, w) for b, v in group["band_levels_db"].items()},
        band_centre_db={b: float(v[1]) for b, v in group["band_levels_db"].items()},
        band_balance_db={b: _widened(v, w) for b, v in group["band_balance_db"].items()},
        third_octave_centre_db={float(c): float(v) for c, v in group["third_octave_db"]},
        band_curve_db={b: _widened(v, w) for b, v in group["band_curve_db"].items()},
        third_octave_shape_db={float(c[0]): _widened(c[1:], w) for c in group.get("shape_db", [])},
        conditional=conditional_targets(),
        **plain,
    )


@cache
def conditional_targets() -> tuple[ConditionalTarget, ...]:
    """The pooled conditional-target models of calibration.json (none before ``make calibrate`` fitted them).

    Not widened for genres the corpus only stands in for: the prediction comes from the track's own curve, so a
    borrowed genre curve plays no part in it.
    """
    doc = _calibration()
    about = str(doc.get("conditional_about", ""))
    return tuple(
        ConditionalTarget(
            band=str(m["band"]),
            target_hz=(float(m["target_hz"][0]), float(m["target_hz"][1])),
            reference_hz=(float(m["reference_hz"][0]), float(m["reference_hz"][1])),
            features_hz=tuple((float(lo), float(hi)) for lo, hi in m["features_hz"]),
            intercept=float(m["intercept"]),
            coefficients=tuple(float(c) for c in m["coefficients"]),
            residual=Range(low=float(m["residual_db"][0]), high=float(m["residual_db"][1]), unit="dB"),
            tracks=int(m["tracks"]),
            source=about,
        )
        for m in doc.get("conditional", [])
    )


def _correlation_at(side_to_mid_db: float) -> float:
    """L/R correlation of equal-level channels whose side sits this many dB relative to the mid."""
    w = 10.0 ** (side_to_mid_db / 10.0)
    return float((1.0 - w) / (1.0 + w))


def _stereo(raw: dict[str, Any], label: str) -> Stereo:
    """A genre's width group: its own calibrated group when the corpus has one, else the group its band curve
    comes from, else the pooled ``general`` group (a group with too few tracks has none).

    Borrowed ranges are not widened (unlike borrowed band curves): a wider width range also lowers the
    correlation floor, and the phase rule would go quiet for the genres with the least data.
    """
    groups = _stereo_calibration()["groups"]
    name = raw["tonal"]["calibration"]
    if name not in groups:
        name = GENERAL
    group = groups[name]
    if name == raw["name"]:
        source = f"calibrated on {group['tracks']} tracks of the corpus group '{name}'"
    else:
        source = (f"borrowed from the calibrated group '{name}' ({group['tracks']} tracks): the corpus has too few "
                  f"{label} tracks for a range of its own")  # fmt: skip
    return Stereo(calibration=name, widen_db=0.0, tracks=int(group["tracks"]), source=source)


def _tonal(raw: dict[str, Any]) -> Tonal:
    group = _calibration()["groups"][raw["calibration"]]
    widen = float(raw.get("widen_db", 0.0))
    source = raw.get("source") or f"calibrated on {group['tracks']} tracks of the corpus group '{raw['calibration']}'"
    return Tonal(calibration=raw["calibration"], widen_db=widen, tracks=int(group["tracks"]), source=source)


@cache
def _document() -> dict[str, Any]:
    text = resources.files("services.genres").joinpath("genres.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def _calibration() -> dict[str, Any]:
    """The band curves ``make calibrate`` measured on real releases (see docs/calibration.md)."""
    text = resources.files("services.genres").joinpath("calibration.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def _stereo_calibration() -> dict[str, Any]:
    """The width ranges ``make calibrate`` measured on real releases (``bench/calibrate/stereo.py``)."""
    text = resources.files("services.genres").joinpath("stereo_calibration.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _genre(raw: dict[str, Any], units: dict[str, str]) -> Genre:
    tonal = _tonal(raw["tonal"])
    stereo = _stereo(raw, raw["label"])
    return Genre(
        name=raw["name"],
        label=raw["label"],
        aliases=tuple(raw["aliases"]),
        subgenres=tuple(raw["subgenres"]),
        form=str(raw["form"]),
        tempo_bpm=(float(raw["tempo_bpm"][0]), float(raw["tempo_bpm"][1])),
        targets=_targets(raw["targets"], units, tonal, stereo),
        tonal=tonal,
        stereo=stereo,
    )


@cache
def _genres() -> tuple[Genre, ...]:
    doc = _document()
    return tuple(_genre(g, doc["units"]) for g in doc["genres"])


def list_genres(*, include_general: bool = False) -> list[Genre]:
    """Every known genre in catalogue order (``general``, the fallback, only on request)."""
    return [g for g in _genres() if include_general or g.name != GENERAL]


def get_genre(name: str) -> Genre:
    """The genre with this canonical ``name``; ``general`` when there is none."""
    by_name = {g.name: g for g in _genres()}
    return by_name.get(name, by_name[GENERAL])


def data_source() -> str:
    """Where the figures come from, in words (shown by the CLI and in docs)."""
    return f"{_document()['source']} {_calibration()['about']} {_stereo_calibration()['about']}"


@cache
def stage_rules(stage: FeedbackType) -> StageRules:
    """The rules of one stage, read from the data file."""
    raw = _document()["stages"][stage.value]
    lufs = raw["integrated_lufs"]
    peak = raw["sample_peak_dbfs"]
    return StageRules(
        stage=stage,
        label=raw["label"],
        integrated_lufs=None if lufs == "genre" else _range(lufs, "LUFS"),
        sample_peak_dbfs=None if peak is None else _range(peak, "dBFS"),
        true_peak_max_dbtp=raw["true_peak_max_dbtp"],
        plr_offset_db=float(raw["plr_offset_db"]),
        loudness_range_offset_lu=float(raw["loudness_range_offset_lu"]),
        allows_limiting=raw["mix_bus_limiting"] == "allowed",
        note=raw["note"],
    )
