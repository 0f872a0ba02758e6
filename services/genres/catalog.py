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
class Targets:
    """The ranges a finished master of a genre usually falls in (units in ``Range.unit``)."""

    integrated_lufs: Range
    plr_db: Range
    loudness_range_lu: Range
    width_pct: Range
    low_end_width_pct: Range
    low_end_correlation: Range
    onset_rate_per_s: Range
    band_levels_db: dict[str, Range]  # per band, dB relative to the 20 Hz-20 kHz total (p10-p90 of the corpus)
    band_centre_db: dict[str, float] = field(default_factory=dict)  # the genre's median curve, same units
    band_balance_db: dict[str, Range] = field(default_factory=dict)  # band minus centre, after level matching
    third_octave_centre_db: dict[float, float] = field(default_factory=dict)  # the genre's median 1/3-octave curve
    band_curve_db: dict[str, Range] = field(default_factory=dict)  # band mean of the 1/3-octave balance
    third_octave_shape_db: dict[float, Range] = field(default_factory=dict)  # local shape against the own trend


@dataclass(frozen=True)
class Tonal:
    """Where a genre's band targets come from: a calibrated corpus group, widened for genres it only stands in for."""

    calibration: str  # a group of calibration.json
    widen_db: float
    tracks: int
    source: str


@dataclass(frozen=True)
class Genre:
    name: str
    label: str
    aliases: tuple[str, ...]
    subgenres: tuple[str, ...]
    targets: Targets
    tonal: Tonal


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


def _targets(raw: dict[str, Any], units: dict[str, str], tonal: Tonal) -> Targets:
    """A genre's targets: its own loudness/dynamics/stereo ranges plus its calibration group's band curve."""
    plain = {k: _range(v, units[k]) for k, v in raw.items()}
    group = _calibration()["groups"][tonal.calibration]
    w = tonal.widen_db
    return Targets(
        band_levels_db={b: _widened(v, w) for b, v in group["band_levels_db"].items()},
        band_centre_db={b: float(v[1]) for b, v in group["band_levels_db"].items()},
        band_balance_db={b: _widened(v, w) for b, v in group["band_balance_db"].items()},
        third_octave_centre_db={float(c): float(v) for c, v in group["third_octave_db"]},
        band_curve_db={b: _widened(v, w) for b, v in group["band_curve_db"].items()},
        third_octave_shape_db={float(c[0]): _widened(c[1:], w) for c in group.get("shape_db", [])},
        **plain,
    )


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


def _genre(raw: dict[str, Any], units: dict[str, str]) -> Genre:
    tonal = _tonal(raw["tonal"])
    return Genre(
        name=raw["name"],
        label=raw["label"],
        aliases=tuple(raw["aliases"]),
        subgenres=tuple(raw["subgenres"]),
        targets=_targets(raw["targets"], units, tonal),
        tonal=tonal,
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
    return f"{_document()['source']} {_calibration()['about']}"


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
