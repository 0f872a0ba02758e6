"""Conditional targets: 2-5 kHz judged against what the track's own neighbours predict (``make calibrate``'s model).

The case the genre range and the local shape both miss (issue 9's funk cell): a track light at 2-5 kHz given +8 dB
there lands inside the genre's range, and the running trend of the local shape leans halfway into a bump that wide.
Curves are a genre's median 1/3-octave curve bent the way real masters differ; the findings are the real ones.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from services.diagnosis import diagnose
from services.diagnosis.conditional import _HALF_THIRD, mean_between, residual_db, target_db
from services.diagnosis.finding import Finding, fmt
from services.diagnosis.tonal import _merged, _predicted_detail, curve_off_bands, predicted_off_bands, range_off_bands
from services.domain import FeedbackType
from services.genres import ConditionalTarget, Range, match_genre
from services.genres.catalog import conditional_targets
from tests.fakes.analysis_data import make_analysis
from tests.fakes.flaws import FLAWS

_EQ = {f.name: f for f in FLAWS}


def _centre(genre: str) -> dict[float, float]:
    return dict(match_genre(genre).genre.targets.third_octave_centre_db)


def _eq(curve: dict[float, float], flaw: str) -> dict[float, float]:
    """The flaw's EQ (``tests.fakes.flaws``, the matrix's own) on the 1/3-octave curve."""
    gain = _EQ[flaw].gain_db(np.array(list(curve), dtype=np.float64))
    return {c: v + float(g) for (c, v), g in zip(curve.items(), gain, strict=True)}


def _darker(curve: dict[float, float]) -> dict[float, float]:
    """Darker above 1 kHz by 2.5 dB per octave, the way real masters differ: light at 2-5 kHz for its genre."""
    return {c: v - 2.5 * max(0.0, math.log2(c / 1000.0)) for c, v in curve.items()}


def _tonal(curve: dict[float, float], genre: str) -> list[Finding]:
    thirds = [{"center_hz": c, "level_db": round(v, 2)} for c, v in curve.items()]
    analysis = make_analysis({"spectrum.third_octave": thirds, "spectrum.resonances": []})
    report = diagnose(analysis, genre=match_genre(genre), stage=FeedbackType.MIXDOWN)
    return [f for f in report.findings if f.id.startswith("tonal.") and "resonance" not in f.id]


def test_the_model_is_data_with_its_provenance() -> None:
    (model,) = conditional_targets()
    assert model.band == "high_mid" and model.target_hz == (2000.0, 5000.0)
    assert model.tracks >= 150 and "leave-one-out" in model.source
    assert model.residual.low is not None and model.residual.high is not None
    assert model.residual.high - model.residual.low < 16.0  # far narrower than the band's own spread


@pytest.mark.parametrize("genre", ["pop", "funk", "cinematic", "rock"])
def test_a_genre_median_curve_sits_inside_the_prediction(genre: str) -> None:
    assert not predicted_off_bands(_centre(genre), match_genre(genre).genre.targets)


def test_a_boost_on_a_darker_track_is_found_against_its_neighbours() -> None:
    """A funk master darker above 1 kHz (-2.5 dB per octave) given the matrix's +8 dB at 2-5 kHz: the band lands
    inside funk's range and the local shape stays under its bar, but the track's own neighbours predict less."""
    boosted = _eq(_darker(_centre("funk")), "+8 dB at 2-5 kHz")
    targets = match_genre("funk").genre.targets
    assert not [o for o in range_off_bands(boosted, targets) if o.band == "high_mid"]
    (reading,) = predicted_off_bands(boosted, targets)
    assert reading.band == "high_mid" and reading.past_db > 0
    found = [f for f in _tonal(boosted, "funk") if f.id in ("tonal.high_mid_heavy", "tonal.presence_heavy")]
    assert found and found[0].measured[0].label == "upper mids vs own neighbours"
    assert "what the rest of this track's spectrum (500 Hz-1.2 kHz and 8.0 kHz-12.5 kHz)" in found[0].detail
    assert "2.0 kHz-5.0 kHz" in found[0].detail and not found[0].time_ranges
    assert not [f for f in _tonal(boosted, "funk") if f.id in ("tonal.high_mid_light", "tonal.presence_light")]


@pytest.mark.parametrize("genre", ["funk", "pop", "cinematic"])
def test_the_darker_track_alone_reads_as_predicted(genre: str) -> None:
    assert not predicted_off_bands(_darker(_centre(genre)), match_genre(genre).genre.targets)


@pytest.mark.parametrize("flaw", ["+12 dB shelf below 60 Hz", "+8 dB at 200-300 Hz"])
def test_low_end_flaws_leave_the_prediction_alone(flaw: str) -> None:
    """The predictors sit above 500 Hz: a sub shelf or a 200-300 Hz boost cannot make 2-5 kHz read off."""
    (model,) = conditional_targets()
    clean = residual_db(_centre("pop"), model)
    flawed = residual_db(_eq(_centre("pop"), flaw), model)
    assert clean is not None and flawed is not None and abs(flawed - clean) < 0.2


def _model(*, features: tuple[tuple[float, float], ...] = ((500.0, 1000.0),), coefficients: tuple[float, ...] = (0.0,),
           intercept: float = -3.0) -> ConditionalTarget:  # fmt: skip
    return ConditionalTarget(band="high_mid", target_hz=(2000.0, 4000.0), reference_hz=(500.0, 1000.0),
                             features_hz=features, intercept=intercept, coefficients=coefficients,
                             residual=Range(low=-6.0, high=6.0, unit="dB"), tracks=1, source="")  # fmt: skip


def test_a_span_takes_the_thirds_within_half_a_third_of_its_nominal_edges() -> None:
    low, high = 1000.0 / _HALF_THIRD, 2000.0 * _HALF_THIRD
    assert mean_between({low: 1.0, 1000.0: 2.0, 2000.0: 3.0, high: 6.0}, 1000.0, 2000.0) == 3.0
    assert mean_between({low * 0.99: 10.0, 1000.0: 2.0, high * 1.01: 10.0}, 1000.0, 2000.0) == 2.0
    assert mean_between({2000.0: 3.0}, 1000.0, 2000.0) == 3.0
    assert mean_between({500.0: 1.0, 8000.0: 1.0}, 1000.0, 2000.0) is None


def test_the_target_is_the_span_level_above_the_reference_median() -> None:
    curve = {500.0: -4.0, 1000.0: -2.0, 1250.0: 0.0, 2000.0: 5.0, 4000.0: 7.0}
    assert target_db(curve, _model()) == 9.0  # a mean of 6 over the median of -3 (1250 Hz is past 1 kHz)
    assert target_db({2000.0: 5.0, 4000.0: 5.0}, _model()) is None, "no reference thirds"
    assert target_db({500.0: 0.0, 1000.0: 0.0}, _model()) is None, "no target thirds"


def test_the_residual_needs_every_feature_and_is_rounded_to_a_hundredth() -> None:
    curve = {500.0: 0.0, 1000.0: 0.0, 2000.0: 5.123, 4000.0: 5.123}
    assert residual_db(curve, _model()) == 8.12
    assert residual_db(curve, _model(features=((100.0, 200.0),))) is None, "a feature span with no thirds"
    with pytest.raises(ValueError):
        residual_db(curve, _model(features=((500.0, 1000.0), (2000.0, 4000.0))))  # a model one coefficient short


def test_the_reading_against_neighbours_in_words_and_figures() -> None:
    """The boosted funk master's reading: how far past the residual range (to a hundredth), the range as its target,
    and the sentence with both figures, which way and the move that would do it."""
    boosted = _eq(_darker(_centre("funk")), "+8 dB at 2-5 kHz")
    (model,) = conditional_targets()
    (reading,) = predicted_off_bands(boosted, match_genre("funk").genre.targets)
    assert model.residual.high is not None
    assert reading.target == model.residual
    assert reading.past_db == pytest.approx(reading.balance_db - model.residual.high, abs=0.005)
    assert reading.past_db != round(reading.past_db), "kept to a hundredth"
    (found,) = [f for f in _tonal(boosted, "funk") if f.id == "tonal.high_mid_heavy"]
    assert found.target == model.residual
    assert found.detail.startswith(
        f"Around 2.0 kHz-5.0 kHz the curve sits {fmt(reading.balance_db, 'dB')} above what the rest of this track's "
        f"spectrum (500 Hz-1.2 kHz and 8.0 kHz-12.5 kHz) predicts, {fmt(reading.past_db, 'dB')} further than "
        f"{model.tracks} released tracks show, as an EQ boost over that span would: check that it is meant."
    )


def test_a_span_below_its_prediction_reads_as_a_cut() -> None:
    words = _predicted_detail(_model(), value_db=-9.0, past_db=-3.0)
    assert words == (
        "Around 2.0 kHz-4.0 kHz the curve sits 9.0 dB below what the rest of this track's spectrum (500 Hz-1.0 kHz) "
        "predicts, 3.0 dB further than 1 released tracks show, as an EQ cut over that span would: check that it is "
        "meant."
    )


def test_feature_spans_join_in_the_words_only_when_they_touch() -> None:
    assert _merged(((1300.0, 2000.0), (500.0, 1000.0))) == [(500.0, 2000.0)]  # 1.3 kHz is within 1.3 × 1 kHz
    assert _merged(((500.0, 1000.0), (1400.0, 2000.0))) == [(500.0, 1000.0), (1400.0, 2000.0)]
    assert _merged(((500.0, 1000.0), (2000.0, 4000.0))) == [(500.0, 1000.0), (2000.0, 4000.0)]


def test_a_weaker_reading_against_neighbours_does_not_replace_a_stronger_one() -> None:
    """+12 dB at 2-5 kHz on funk's median curve: the track's neighbours see it, but the shape reading is further out,
    so it is the one kept for the band."""
    boosted = {c: v + (12.0 if 2000.0 <= c <= 5000.0 else 0.0) for c, v in _centre("funk").items()}
    targets = match_genre("funk").genre.targets
    (predicted,) = predicted_off_bands(boosted, targets)
    (kept,) = [o for o in curve_off_bands(boosted, targets) if o.band == "high_mid"]
    assert kept.predicted is None and kept.strength > predicted.strength
