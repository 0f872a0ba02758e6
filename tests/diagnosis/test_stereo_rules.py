"""Stereo and low-end rules: polarity is never "make it mono", width in side-to-mid dB, judged by genre."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from services.coaching.builtin.moves import fix_for
from services.diagnosis import Severity, diagnose
from services.diagnosis.finding import Finding
from services.domain import FeedbackProfile, FeedbackType
from services.genres import catalog, list_genres, match_genre
from tests.fakes.analysis_data import make_analysis

POP = match_genre("pop")


def _findings(
    overrides: dict[str, Any], *, genre: str = "pop", stage: FeedbackType = FeedbackType.MIXDOWN
) -> list[Finding]:
    return diagnose(make_analysis(overrides), genre=match_genre(genre), stage=stage).findings


def _by_area(findings: list[Finding], *areas: str) -> list[Finding]:
    return [f for f in findings if f.area in areas]


def _bands(**values: float) -> list[dict[str, Any]]:
    return [{"band": b, "value": v} for b, v in values.items()]


def _flipped_bass(sign: float) -> dict[str, Any]:
    return {
        "stereo.correlation_per_band": _bands(sub=-0.97 * sign, bass=-0.9 * sign, low_mid=0.4, mid=0.6),
        "stereo.mono_band_loss_db": _bands(sub=-25.0 if sign > 0 else 0.0, bass=-12.0 if sign > 0 else 0.0),
        "stereo.low_end_out_of_phase": [{"start_s": 0.5, "end_s": 179.0}] if sign > 0 else [],
        "bass.low_end_correlation": -0.95 * sign,
        "bass.low_end_width_pct": 3800.0 if sign > 0 else 1.0,
    }


def test_opposed_low_end_is_a_polarity_finding_with_band_span_and_loss_never_mono_advice() -> None:
    found = _findings(_flipped_bass(1.0))
    polarity = next(f for f in found if f.id == "stereo.low_polarity")
    assert polarity.severity is Severity.MAJOR
    assert "sub" in polarity.title and polarity.time_ranges[0].start_s == 0.5
    assert {m.key: m.value for m in polarity.measured}["stereo.mono_band_loss_db.sub"] == -25.0
    assert "bass.wide_low_end" not in [f.id for f in found]
    for profile in FeedbackProfile:
        advice = fix_for(polarity, profile).lower()
        assert "polarity" in advice
        assert any(w in advice for w in ("do not make it mono", "making it mono would cancel", "no mono-maker"))
    mono_recipes = ("make the bass and kick mono", "side high-pass", "below 120 hz in the centre")
    for f in _by_area(found, "bass", "stereo"):
        for profile in FeedbackProfile:
            assert not any(r in fix_for(f, profile).lower() for r in mono_recipes), f.id


def test_in_phase_low_end_has_no_polarity_finding() -> None:
    assert "stereo.low_polarity" not in [f.id for f in _findings(_flipped_bass(-1.0))]


def test_polarity_is_critical_at_master_review() -> None:
    found = _findings(_flipped_bass(1.0), stage=FeedbackType.MASTER_REVIEW)
    assert next(f for f in found if f.id == "stereo.low_polarity").severity is Severity.CRITICAL


def test_a_mono_file_is_reported_as_mono_once() -> None:
    found = _findings({"qc.is_mono_file": True, "stereo.width_pct": 0.0, "stereo.side_to_mid_db": -60.0,
                       "bass.low_end_width_pct": 0.0, "file.channels": 1})  # fmt: skip
    stereo = _by_area(found, "stereo", "bass")
    assert [f.id for f in stereo] == ["stereo.mono_file"]


def test_mono_content_in_a_stereo_file_is_named_as_such() -> None:
    found = _findings({"stereo.side_to_mid_db": -52.0, "stereo.width_pct": 0.0})
    ids = [f.id for f in _by_area(found, "stereo")]
    assert ids == ["stereo.mono_content"]


@pytest.mark.parametrize(("side_db", "slug"), [(6.5, "stereo.too_wide"), (-25.0, "stereo.narrow")])
def test_width_is_judged_in_side_to_mid_db_in_the_right_direction(side_db: float, slug: str) -> None:
    found = _findings({"stereo.side_to_mid_db": side_db})
    width = [f for f in found if f.id in ("stereo.too_wide", "stereo.narrow")]
    assert [f.id for f in width] == [slug]
    assert width[0].measured[0].unit == "dB" and width[0].measured[0].value == side_db
    assert width[0].target is not None and width[0].target.unit == "dB"
    assert width[0].target == POP.genre.targets.side_to_mid_db  # pop's calibrated range (stereo_calibration.json)
    assert "%" not in width[0].detail


def test_width_inside_the_genre_range_is_no_finding() -> None:
    assert not [f for f in _findings({"stereo.side_to_mid_db": -6.0}) if f.id.startswith("stereo.")]


def _at_the_wide_end_of(genre: str) -> dict[str, Any]:
    """A mix as wide as the genre's calibrated p90, with the correlation and mono loss that width implies."""
    t = match_genre(genre).genre.targets
    assert t.side_to_mid_db.high is not None and t.correlation.low is not None
    w = 10 ** (t.side_to_mid_db.high / 10)
    return {
        "stereo.side_to_mid_db": t.side_to_mid_db.high,
        "stereo.width_pct": 100 * w,
        "stereo.correlation": t.correlation.low,
        "stereo.mono_loudness_change_db": 10 * math.log10(1 / (1 + w)),
    }


def test_wide_decorrelated_mix_is_normal_for_cinematic_and_ambient_but_flagged_for_a_narrower_genre() -> None:
    for genre in ("cinematic", "classical", "ambient"):
        found = _findings(_at_the_wide_end_of(genre), genre=genre, stage=FeedbackType.MASTERING)
        assert not [f.id for f in _by_area(found, "stereo")], genre
    rock, ambient = match_genre("rock").genre.targets, match_genre("ambient").genre.targets
    assert rock.correlation.low is not None and ambient.correlation.low is not None
    assert rock.correlation.low > ambient.correlation.low + 0.05  # the data: rock releases are narrower
    # as wide as ambient releases get: too wide for rock, a MINOR width finding there
    found = _findings(_at_the_wide_end_of("ambient"), genre="rock", stage=FeedbackType.MASTERING)
    assert [f.id for f in _by_area(found, "stereo")] == ["stereo.too_wide"]
    # a correlation between the two genres' floors: a phase finding for rock only
    between = {**_at_the_wide_end_of("ambient"), "stereo.mono_loudness_change_db": -1.0,
               "stereo.correlation": (rock.correlation.low + ambient.correlation.low) / 2 - 0.2}  # fmt: skip
    assert "stereo.phase" not in [f.id for f in _findings(between, genre="ambient", stage=FeedbackType.MASTERING)]
    phase = next(f for f in _findings(between, genre="rock", stage=FeedbackType.MASTERING) if f.id == "stereo.phase")
    assert phase.severity is Severity.MINOR and phase.target is not None
    assert phase.target.low == pytest.approx(rock.correlation.low - 0.2, abs=0.01)


def test_genre_width_and_correlation_targets_come_from_the_stereo_calibration() -> None:
    groups = json.loads((Path(catalog.__file__).parent / "stereo_calibration.json").read_text())["groups"]
    for genre in list_genres(include_general=True):
        group = groups[genre.stereo.calibration]
        t, widen = genre.targets, genre.stereo.widen_db
        assert t.side_to_mid_db.unit == "dB" and t.correlation.high == 1.0
        assert t.side_to_mid_db.low == pytest.approx(group["side_to_mid_db"][0] - widen, abs=0.05)
        assert t.side_to_mid_db.high == pytest.approx(group["side_to_mid_db"][2] + widen, abs=0.05)
        w = 10 ** ((t.side_to_mid_db.high or 0.0) / 10)
        assert t.correlation.low == pytest.approx((1 - w) / (1 + w), abs=0.01)  # wider end, lower correlation
        assert genre.stereo.calibration in genre.stereo.source
        if genre.stereo.calibration != genre.name:
            assert "borrowed" in genre.stereo.source


def test_an_inverted_mix_is_a_major_phase_problem() -> None:
    found = _findings({"stereo.correlation": -0.8, "stereo.mono_loudness_change_db": -12.0})
    phase = next(f for f in found if f.id == "stereo.phase")
    assert phase.severity is Severity.MAJOR and "polarity" in fix_for(phase, FeedbackProfile.PRO).lower()


def test_wide_but_in_phase_low_end_gets_mono_bass_advice() -> None:
    found = _findings({"bass.low_end_correlation": 0.3, "bass.low_end_side_to_mid_db": -2.0})
    wide = next(f for f in found if f.id == "bass.wide_low_end")
    assert wide.severity is Severity.MAJOR and wide.measured[0].unit == "dB"
    assert "stereo.low_polarity" not in [f.id for f in found]


def test_a_decorrelated_low_end_is_major_in_pop_and_techno_but_advice_in_orchestral_and_ambient() -> None:
    wide_low = {"bass.low_end_correlation": 0.3, "bass.low_end_side_to_mid_db": -2.0}
    for genre, severity in (("pop", Severity.MAJOR), ("techno", Severity.MAJOR), ("cinematic", Severity.MINOR),
                            ("ambient", Severity.MINOR), ("classical", Severity.MINOR)):  # fmt: skip
        wide = next(f for f in _findings(wide_low, genre=genre) if f.id == "bass.wide_low_end")
        assert wide.severity is severity, genre
        assert ("spaced microphones" in wide.detail) is (severity is Severity.MINOR)
    narrow_enough = {"bass.low_end_correlation": 0.7, "bass.low_end_side_to_mid_db": -2.0}
    assert next(f for f in _findings(narrow_enough) if f.id == "bass.wide_low_end").severity is Severity.MINOR


def test_opposed_low_mids_or_a_near_empty_sub_are_not_a_low_end_polarity_problem() -> None:
    low_mids = {"stereo.correlation_per_band": _bands(sub=0.8, bass=0.4, low_mid=-0.3, mid=-0.2)}
    assert "stereo.low_polarity" not in [f.id for f in _findings(low_mids)]
    faint_sub = {
        "stereo.correlation_per_band": _bands(sub=-0.47, bass=0.58, low_mid=0.43, mid=0.5),
        "spectrum.band_levels_db": [
            {"band": "sub", "value": -23.5},
            {"band": "bass", "value": -6.3},
            {"band": "low_mid", "value": -4.4},
        ],  # fmt: skip
    }
    assert "stereo.low_polarity" not in [f.id for f in _findings(faint_sub)]
    loud = [{"band": "sub", "value": -8.0}, {"band": "bass", "value": -6.3}, {"band": "low_mid", "value": -4.4}]
    loud_sub = {**faint_sub, "spectrum.band_levels_db": loud}
    polarity = next(f for f in _findings(loud_sub) if f.id == "stereo.low_polarity")
    assert "sub" in polarity.title
