"""Tonal balance: level-matched band curve against the genre's calibrated range, direction, severity, root cause.

Levels are built from the genre's own centre curve, so the tests hold whatever ``make calibrate`` measured.
"""

from __future__ import annotations

import math

import pytest

from services.diagnosis import Severity, diagnose
from services.diagnosis.balance import band_balance_db, level_match_db
from services.diagnosis.finding import Finding
from services.diagnosis.tonal import MAJOR_DB, MINOR_DB, severity_of
from services.domain import FeedbackType
from services.genres import GenreMatch, match_genre
from tests.fakes.analysis_data import make_analysis

BANDS = ("sub", "bass", "low_mid", "mid", "high_mid", "presence", "air")


def _centre(genre: GenreMatch) -> dict[str, float]:
    return dict(genre.genre.targets.band_centre_db)


def _as_shares(levels: dict[str, float]) -> dict[str, float]:
    """Re-normalise so the bands' powers add up to the total, as ``spectrum.band_levels_db`` always does."""
    total = sum(10 ** (v / 10) for v in levels.values())
    return {b: round(v - 10 * math.log10(total), 2) for b, v in levels.items()}


def _tonal(levels: dict[str, float], genre: GenreMatch) -> list[Finding]:
    bands = [{"band": b, "value": v} for b, v in levels.items()]
    analysis = make_analysis({"spectrum.band_levels_db": bands, "spectrum.resonances": []})
    report = diagnose(analysis, genre=genre, stage=FeedbackType.MIXDOWN)
    return [f for f in report.findings if f.id.startswith("tonal.") and "resonance" not in f.id]


def test_band_balance_ignores_the_overall_level_and_keeps_one_band_off_on_its_own() -> None:
    centre = {"a": -3.0, "b": -6.0, "c": -12.0, "d": -20.0}
    assert band_balance_db({b: v - 7.0 for b, v in centre.items()}, centre) == dict.fromkeys(centre, 0.0)
    moved = {**centre, "c": -2.0}
    assert band_balance_db(moved, centre) == {"a": 0.0, "b": 0.0, "c": 10.0, "d": 0.0}
    assert level_match_db({b: v - 4.0 for b, v in centre.items()}, centre) == -4.0


def test_a_release_on_its_genre_curve_has_no_tonal_findings() -> None:
    pop = match_genre("pop")
    assert _tonal(_as_shares(_centre(pop)), pop) == []


def test_a_sub_boost_is_one_root_cause_not_five_thin_bands() -> None:
    pop = match_genre("pop")
    boosted = _centre(pop)
    boosted["sub"] += 12.0
    findings = _tonal(_as_shares(boosted), pop)
    assert [f.id for f in findings] == ["tonal.sub_heavy"]
    sub = findings[0]
    assert sub.area == "bass" and sub.severity is Severity.MAJOR
    assert sub.measured[0].key == "spectrum.band_balance_db.sub" and sub.measured[0].value == pytest.approx(12.0, 0.1)
    assert sub.target is not None and sub.target.high is not None and sub.target.high < 12.0
    assert "thin against the total" in sub.detail


@pytest.mark.parametrize("band", BANDS)
@pytest.mark.parametrize("heavy", [True, False])
def test_each_band_is_reported_on_the_side_it_is_off(band: str, heavy: bool) -> None:
    genre = match_genre("cinematic")
    rng = genre.genre.targets.band_balance_db[band]
    assert rng.low is not None and rng.high is not None
    levels = _centre(genre)
    levels[band] += rng.high + MAJOR_DB + 0.5 if heavy else rng.low - MAJOR_DB - 0.5
    findings = _tonal(levels, genre)
    assert [f.id for f in findings] == [f"tonal.{band}_{'heavy' if heavy else 'light'}"]
    assert findings[0].severity is Severity.MAJOR
    assert findings[0].area == ("bass" if band in ("sub", "bass") else "tonal")
    assert findings[0].title.startswith("Too much" if heavy else "Not enough")


@pytest.mark.parametrize(
    ("past", "expected"),
    [(MINOR_DB - 0.2, None), (MINOR_DB + 0.2, Severity.MINOR), (MAJOR_DB - 0.2, Severity.MINOR),
     (MAJOR_DB + 0.2, Severity.MAJOR)],
)  # fmt: skip
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_severity_thresholds_on_both_sides(past: float, expected: Severity | None, sign: float) -> None:
    assert severity_of(sign * past) is expected
    genre = match_genre("pop")
    rng = genre.genre.targets.band_balance_db["mid"]
    assert rng.low is not None and rng.high is not None
    levels = _centre(genre)
    levels["mid"] += rng.high + past if sign > 0 else rng.low - past
    findings = _tonal(levels, genre)
    assert [f.severity for f in findings] == ([] if expected is None else [expected])


def test_adjacent_bands_off_together_are_one_finding_named_after_the_worst() -> None:
    pop = match_genre("pop")
    levels = _centre(pop)
    levels["high_mid"] += 9.0
    levels["presence"] += 12.0
    findings = _tonal(_as_shares(levels), pop)
    assert [f.id for f in findings] == ["tonal.presence_heavy"]
    assert "2.0 kHz-6.0 kHz range leans the same way" in findings[0].detail


def test_separate_causes_on_both_sides_are_separate_findings() -> None:
    pop = match_genre("pop")
    levels = _centre(pop)
    levels["sub"] += 12.0
    levels["air"] -= 14.0
    assert sorted(f.id for f in _tonal(_as_shares(levels), pop)) == ["tonal.air_light", "tonal.sub_heavy"]


def test_genre_decides_the_verdict() -> None:
    """The same dark curve is normal for one genre and dull for another (targets are per genre)."""
    techno, cinematic = match_genre("techno"), match_genre("cinematic")
    levels = _centre(cinematic)
    assert _tonal(levels, cinematic) == []
    assert any(f.id.endswith("_light") or f.id.endswith("_heavy") for f in _tonal(levels, techno))


def test_a_mild_opposite_reading_next_to_a_clear_cause_is_not_reported() -> None:
    """A clear excess makes a neighbour read slightly thin after level matching: only the cause is reported."""
    pop = match_genre("pop")
    ranges = pop.genre.targets.band_balance_db
    levels = _centre(pop)
    high, low = ranges["presence"].high, ranges["bass"].low
    assert high is not None and low is not None
    levels["presence"] += high + MAJOR_DB + 2.0
    levels["bass"] += low - (MINOR_DB + 0.5)  # a MINOR "thin" reading on the other side
    assert [f.id for f in _tonal(levels, pop)] == ["tonal.presence_heavy"]
    levels["bass"] += -MAJOR_DB  # MAJOR on its own: a second cause, reported
    assert sorted(f.id for f in _tonal(levels, pop)) == ["tonal.bass_light", "tonal.presence_heavy"]
