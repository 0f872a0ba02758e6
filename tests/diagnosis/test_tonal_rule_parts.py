"""The parts of the tonal judgement on known answers: the curve maths, the two signals' thresholds, causes, root
causes, flanks, the finding's words and spans, resonances and transient density.

Thresholds come from the modules' named constants (``MINOR_DB``, ``MAJOR_DB``, ``SHAPE_*``, ``ROOT_CAUSE_DB``), so
the tests hold when they are tuned; a flipped side or comparison fails them.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.analysis.result import BAND_EDGES_HZ
from services.diagnosis import Severity, diagnose, stage_targets
from services.diagnosis import balance as bl
from services.diagnosis import tonal as tn
from services.diagnosis.finding import Finding
from services.diagnosis.shape import SHAPE_MAJOR_DB, SHAPE_MINOR_DB, shape_detail
from services.diagnosis.spectrum import _RESONANCE_MIN_DB
from services.diagnosis.tonal import Off
from services.domain import FeedbackType
from services.genres import Range, match_genre
from tests.fakes.analysis_data import band_levels, make_analysis

POP = match_genre("pop")
_ANY = Range(low=-1.0, high=1.0, unit="dB")


# --- the curve maths -------------------------------------------------------------------------------------------


def test_curve_balance_removes_the_level_and_smooths_over_an_octave() -> None:
    centre = {100.0: -3.0, 200.0: -1.0, 400.0: 0.0, 800.0: -2.0, 1600.0: -6.0}
    curve = {c: v + 5.0 for c, v in centre.items()}
    curve[400.0] += 6.0
    assert bl.curve_balance_db(curve, centre) == {100.0: 0.0, 200.0: 2.0, 400.0: 2.0, 800.0: 2.0, 1600.0: 0.0}
    assert bl.curve_balance_db({100.0: 1.0, 200.0: 1.0}, {100.0: 0.0, 200.0: 0.0}) == {}
    small = {c: 0.0 for c in centre} | {400.0: 1.0}
    assert bl.curve_balance_db(small, dict.fromkeys(centre, 0.0))[400.0] == 0.33
    assert bl.curve_balance_db({100.0: 1.0, 200.0: 1.0, 300.0: 4.0}, {100.0: 0.0, 200.0: 0.0, 300.0: 0.0, 400.0: 0.0})


def test_the_robust_offset_leaves_a_boosted_octave_out_of_the_level_match() -> None:
    assert bl._robust_offset([0.0, 0.0, 0.0, 1.0, 5.0, 5.0, 5.0]) == 0.0  # the plain median would be 1.0
    assert bl._robust_offset([0.0, 0.0, 0.0, 3.0, 3.0, 10.0, 10.0]) == 0.0  # 3 dB away still agrees
    assert bl._robust_offset([-40.0, -30.0, -20.0, -10.0, 0.0, 2.0, 20.0, 30.0, 40.0]) == 0.0  # too few agree
    assert bl._robust_offset([5.0, 5.0, 5.0, 6.0, 10.0, 10.0, 10.0]) == 5.0  # away from zero too
    assert bl._robust_offset([-40.0, -30.0, -20.0, -10.0, 0.0, 1.0, 2.5, 30.0, 40.0]) == 1.0  # a third agree: enough
    assert bl._robust_offset([-40.0, -30.0, -20.0, -10.0, 0.0, 1.0, 2.5, 30.0, 40.0, 50.0]) == 1.0  # 3 of 10


def test_band_means_average_the_thirds_centred_in_each_band() -> None:
    smoothed = {100.0: 1.0, 200.0: 2.0, 400.0: 4.0, 800.0: 9.0}
    edges = {"a": (100.0, 400.0), "b": (400.0, 1000.0), "c": (2000.0, 3000.0)}
    assert bl.band_means_db(smoothed, edges) == {"a": 1.5, "b": 6.5}
    assert bl.band_means_db({100.0: 1.0, 200.0: 2.0, 300.0: 2.0}, {"a": (100.0, 400.0)}) == {"a": 1.67}


def test_the_shape_residual_follows_a_tilt_and_keeps_a_bump() -> None:
    centres = [100.0 * 2 ** (i / 3) for i in range(17)]
    flat = dict.fromkeys(centres, 0.0)
    tilt = {c: 1.5 * i for i, c in enumerate(centres)}
    assert all(v == 0.0 for c, v in bl.shape_residual_db(tilt, flat).items() if 6 <= centres.index(c) <= 10)
    bump = {c: (6.0 if i == 8 else 0.0) for i, c in enumerate(centres)}
    shape = bl.shape_residual_db(bump, flat)
    assert [shape[centres[i]] for i in range(6, 11)] == [0.0, 2.0, 2.0, 2.0, 0.0]
    one = bl.shape_residual_db({c: (1.0 if i == 8 else 0.0) for i, c in enumerate(centres)}, flat)
    assert one[centres[8]] == 0.33
    short = {c: 0.0 for c in centres[:10]}
    assert bl.shape_residual_db(short, short) == {}
    enough = {c: 0.0 for c in centres[:11]}
    assert len(bl.shape_residual_db(enough, enough)) == 11  # one full window is enough
    edge = {c: (6.0 if i == 0 else 0.0) for i, c in enumerate(centres)}
    assert bl.shape_residual_db(edge, flat)[centres[0]] == 3.0  # the end point is smoothed with its one neighbour


def test_the_level_match_is_what_most_bands_agree_on() -> None:
    centre = {"a": -3.0, "b": -6.0, "c": -12.0}
    assert bl.level_match_db({"a": -5.0, "b": -9.0, "c": 0.0}, centre) == -2.0
    assert bl.level_match_db({}, centre) is None and bl.band_balance_db({}, centre) == {}
    assert bl.band_balance_db({"a": 0.001, "b": 0.0, "c": 1.234}, {"a": 0.0, "b": 0.0, "c": 0.0})["c"] == 1.23
    assert tn.severity_of(tn.MINOR_DB) is Severity.MINOR and tn.severity_of(-tn.MAJOR_DB) is Severity.MAJOR


# --- the two signals' severities ------------------------------------------------------------------------------


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_shape_severity_and_strength_at_their_thresholds(sign: float) -> None:
    def shape(past: float) -> Off:
        return Off(band="mid", balance_db=past, past_db=sign * past, target=_ANY, shape_hz=1000.0)

    assert shape(SHAPE_MINOR_DB - 0.01).severity is None
    assert shape(SHAPE_MINOR_DB).severity is Severity.MINOR
    assert shape(SHAPE_MAJOR_DB - 0.01).severity is Severity.MINOR
    assert shape(SHAPE_MAJOR_DB).severity is Severity.MAJOR
    assert shape(SHAPE_MAJOR_DB).strength == 1.0
    ranged = Off(band="mid", balance_db=0.0, past_db=sign * tn.MAJOR_DB, target=_ANY)
    assert ranged.strength == 1.0 and ranged.severity is Severity.MAJOR
    assert Off(band="mid", balance_db=0.0, past_db=sign * 2 * tn.MAJOR_DB, target=_ANY).strength == 2.0


def _curve_with_band(band: str, shift: float) -> dict[float, float]:
    centre = dict(POP.genre.targets.third_octave_centre_db)
    lo, hi = BAND_EDGES_HZ[band]
    return {c: v + (shift if lo <= c < hi else 0.0) for c, v in centre.items()}


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_curve_range_signal_fires_from_minor_db_past_the_genre_range_on_its_side(sign: float) -> None:
    targets = POP.genre.targets
    rng = targets.band_curve_db["mid"]
    assert rng.low is not None and rng.high is not None
    per_db = bl.band_means_db(bl.curve_balance_db(_curve_with_band("mid", 1.0), targets.third_octave_centre_db),
                              {"mid": BAND_EDGES_HZ["mid"]})["mid"]  # fmt: skip
    edge = rng.high if sign > 0 else rng.low

    def off(past: float) -> list[Off]:
        return [o for o in tn.range_off_bands(_curve_with_band("mid", (edge + sign * past) / per_db), targets)
                if o.band == "mid"]  # fmt: skip

    assert off(tn.MINOR_DB - 0.05) == []
    found = off(tn.MINOR_DB + 0.05)
    assert len(found) == 1 and (found[0].past_db > 0) is (sign > 0) and found[0].target == rng
    assert found[0].severity is Severity.MINOR and found[0].shape_hz is None
    assert found[0].balance_db - edge == pytest.approx(found[0].past_db, abs=0.011)
    major = off(tn.MAJOR_DB + 0.05)
    assert major[0].severity is Severity.MAJOR


def test_the_seven_band_path_is_used_without_a_curve() -> None:
    targets = stage_targets(POP, FeedbackType.MIXDOWN)
    levels = dict(targets.band_centre_db)
    rng = targets.band_balance_db["air"]
    assert rng.low is not None
    levels["air"] += rng.low - tn.MAJOR_DB - 0.5
    bands = [{"band": b, "value": v} for b, v in levels.items()]
    analysis = make_analysis({"spectrum.band_levels_db": bands, "spectrum.third_octave": []})
    off = tn.track_off_bands(analysis, targets)
    assert [(o.band, o.past_db < 0, o.shape_hz) for o in off] == [("air", True, None)]
    thirds = [{"center_hz": c, "level_db": v} for c, v in _curve_with_band("air", 0.0).items()]
    on_curve = make_analysis({"spectrum.band_levels_db": bands, "spectrum.third_octave": thirds})
    assert tn.track_off_bands(on_curve, targets) == []


# --- causes, root causes, flanks -------------------------------------------------------------------------------


def _off(band: str, past: float, shape_hz: float | None = None) -> Off:
    return Off(band=band, balance_db=past, past_db=past, target=_ANY, shape_hz=shape_hz)


def test_causes_group_adjacent_bands_off_the_same_way_only() -> None:
    offs = [_off("sub", 5.0), _off("bass", 2.0), _off("low_mid", -2.0), _off("high_mid", -3.0), _off("presence", -2.0)]
    groups = tn.causes(offs)
    assert [[o.band for o in g] for g in groups] == [["sub", "bass"], ["low_mid"], ["high_mid", "presence"]]
    assert tn.causes([]) == []


def test_root_causes_keep_the_leading_side_and_only_major_or_local_readings_on_the_other() -> None:
    lead, mild, major, local = (
        _off("sub", 9.0),
        _off("air", -1.5),
        _off("mid", -tn.MAJOR_DB),
        _off("high_mid", -1.6, 3000.0),
    )
    assert tn.root_causes([[lead], [mild]]) == [[lead]]
    assert tn.root_causes([[lead], [mild], [major], [local]]) == [[lead], [major], [local]]
    flipped = [_off("sub", -9.0)], [_off("air", 1.5)]
    assert tn.root_causes(list(flipped)) == [flipped[0]]
    same_side = [[_off("sub", 2.0)], [_off("air", 1.5)]]
    assert tn.root_causes(same_side) == same_side


def test_a_local_reading_next_to_a_band_off_the_other_way_is_its_flank() -> None:
    ranged = [_off("high_mid", 6.0)]
    assert tn._flank(_off("mid", -2.0, 1600.0), ranged)  # adjacent band, other way
    assert not tn._flank(_off("mid", 2.0, 1600.0), ranged)  # same way: a second reading, not a flank
    assert tn._flank(_off("low_mid", -2.0, 500.0 * 0.99), ranged) is False  # two bands off, out of reach
    near = _off("low_mid", -1.0, 2000.0 / 2**tn.FLANK_OCTAVES)
    assert tn._flank(Off(band="low_mid", balance_db=0.0, past_db=-1.0, target=_ANY, shape_hz=near.shape_hz), ranged)
    strong = Off(band="low_mid", balance_db=0.0, past_db=-tn.FLANK_RATIO * 6.0 * SHAPE_MAJOR_DB / tn.MAJOR_DB,
                 target=_ANY, shape_hz=near.shape_hz)  # fmt: skip
    assert not tn._flank(strong, ranged)  # twice as far out: a cause of its own


def test_a_narrow_bump_inside_the_genre_range_is_found_by_its_shape_on_its_side() -> None:
    targets = POP.genre.targets
    curve = _curve_with_band("high_mid", 0.0)
    curve[2511.9] += 15.0
    assert tn.range_off_bands(curve, targets) == []
    off = tn.curve_off_bands(curve, targets)
    assert [(o.band, o.shape_hz is not None, o.past_db > 0) for o in off] == [
        ("mid", True, True),
        ("high_mid", True, True),
    ]
    assert off[1].severity is Severity.MAJOR and off[1].target == targets.third_octave_shape_db[off[1].shape_hz or 0.0]


# --- the finding -----------------------------------------------------------------------------------------------


def _tonal(overrides: dict[str, Any]) -> list[Finding]:
    report = diagnose(make_analysis({"spectrum.resonances": [], **overrides}), genre=POP, stage=FeedbackType.MIXDOWN)
    return [f for f in report.findings if f.id.startswith("tonal.") and "resonance" not in f.id]


def test_a_heavy_band_finding_reads_its_balance_level_target_and_the_sections_that_are_heavy_too() -> None:
    levels = dict(POP.genre.targets.band_centre_db)
    rng = POP.genre.targets.band_balance_db["low_mid"]
    assert rng.high is not None
    levels["low_mid"] += rng.high + tn.MAJOR_DB + 1.0
    heavy_section = band_levels(**levels)
    found = _tonal({"spectrum.band_levels_db": band_levels(**levels), "sections.1.band_levels_db": heavy_section,
                    "sections.2.band_levels_db": heavy_section, "sections.0.band_levels_db": [],
                    "sections.1.start_s": 30.34, "sections.2.end_s": 120.06})  # fmt: skip
    assert [f.id for f in found] == ["tonal.low_mid_heavy"]
    f = found[0]
    assert (f.area, f.severity, f.title) == ("tonal", Severity.MAJOR, "Too much low mids (250-500 Hz)")
    assert [m.key for m in f.measured] == ["spectrum.band_balance_db.low_mid", "spectrum.band_levels_db.low_mid"]
    assert [m.label for m in f.measured] == ["low mids vs genre curve", "low mids level"]
    assert [(t.start_s, t.end_s) for t in f.time_ranges] == [(30.3, 120.1)]  # an empty section is skipped
    assert f.measured[0].value is not None and rng.high is not None and f.measured[0].value > rng.high
    assert f.detail.startswith("Once the overall level is matched, the low mids (250-500 Hz) sit ")
    assert f" dB above the {POP.genre.label} curve, " in f.detail and f.target == rng


def test_a_light_band_finding_spans_the_light_sections_and_names_no_root_cause() -> None:
    levels = dict(POP.genre.targets.band_centre_db)
    rng = POP.genre.targets.band_balance_db["presence"]
    assert rng.low is not None
    levels["presence"] += rng.low - tn.MAJOR_DB - 1.0
    found = _tonal(
        {"spectrum.band_levels_db": band_levels(**levels), "sections.3.band_levels_db": band_levels(**levels)}
    )
    assert [f.id for f in found] == ["tonal.presence_light"]
    f = found[0]
    assert f.title == "Not enough presence (4-6 kHz)" and " dB below the " in f.detail
    assert "thin against the total" not in f.detail
    assert [(t.start_s, t.end_s) for t in f.time_ranges] == [(120.0, 180.0)]


def test_the_root_cause_sentence_appears_from_root_cause_db_of_level_match() -> None:
    centre = POP.genre.targets.band_centre_db
    rng = POP.genre.targets.band_balance_db["sub"]
    assert rng.high is not None
    boosted = {**centre, "sub": centre["sub"] + rng.high + tn.MAJOR_DB}
    for match, said in ((-tn.ROOT_CAUSE_DB, True), (-tn.ROOT_CAUSE_DB + 0.1, False)):
        levels = {b: v + (match if b != "sub" else 0.0) for b, v in boosted.items()}
        f = _tonal({"spectrum.band_levels_db": band_levels(**levels)})
        assert [x.id for x in f] == ["tonal.sub_heavy"]
        assert ("every other band reads about " in f[0].detail) is said, match
        assert f[0].detail.endswith("rather than boosting the rest." if said else "releases in the genre reach.")
    levels = {b: v + (-3.0 if b != "sub" else 0.0) for b, v in boosted.items()}
    detail = _tonal({"spectrum.band_levels_db": band_levels(**levels)})[0].detail
    assert detail.endswith("reads about 3.0 dB thin against the total: fix the sub rather than boosting the rest.")


def test_the_shape_finding_says_bulge_or_dip_against_its_own_trend() -> None:
    assert shape_detail(3150.0, shape_db=4.0, past_db=2.0, genre="pop") == (
        "Around 3.1 kHz the curve bulges 4.0 dB above its own trend, 2.0 dB more than pop releases show there, as an "
        "EQ boost over about an octave would: check that it is meant."
    )
    assert shape_detail(3150.0, shape_db=2.0, past_db=0.5, genre="pop").startswith("Around 3.1 kHz the curve bulges")
    dip = shape_detail(315.0, shape_db=-4.0, past_db=-2.0, genre="rock")
    assert dip.startswith("Around 315 Hz the curve dips 4.0 dB below its own trend") and "EQ cut" in dip


# --- resonances and transients ----------------------------------------------------------------------------------


def test_resonances_from_the_minimum_prominence_major_from_ten_db_two_at_most_loudest_first() -> None:
    def res(*peaks: tuple[float, float]) -> list[Finding]:
        rows = [{"frequency_hz": f, "prominence_db": p} for f, p in peaks]
        report = diagnose(make_analysis({"spectrum.resonances": rows}), genre=POP, stage=FeedbackType.MIXDOWN)
        return [f for f in report.findings if "resonance" in f.id]

    assert res((300.0, _RESONANCE_MIN_DB - 0.1)) == []
    assert [f.id for f in res((300.0, _RESONANCE_MIN_DB))] == ["tonal.resonance_300hz"]
    # within a third of an octave: one resonance, named by the stronger peak; an octave apart: two
    assert [f.id for f in res((300.0, 9.0), (360.0, 12.0))] == ["tonal.resonance_360hz"]
    assert [f.id for f in res((300.0, 9.0), (600.0, 12.0))] == ["tonal.resonance_600hz", "tonal.resonance_300hz"]
    found = res((300.0, _RESONANCE_MIN_DB), (1234.4, 10.0), (90.0, 9.9), (4000.0, 12.0))
    assert [(f.id, f.severity) for f in found] == [("tonal.resonance_4000hz", Severity.MAJOR),
                                                   ("tonal.resonance_1234hz", Severity.MAJOR)]  # fmt: skip
    assert found[0].detail.startswith("A narrow peak at 4.0 kHz stands 12.0 dB above its surroundings")
    assert found[0].evidence == ("spectrum.resonances",)
    minor = res((90.0, 9.9))[0]
    assert minor.severity is Severity.MINOR and minor.title == "Resonance around 90 Hz"
    assert [(m.key, m.value) for m in minor.measured] == [("spectrum.resonances.frequency_hz", 90.0),
                                                          ("spectrum.resonances.prominence_db", 9.9)]  # fmt: skip


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_transient_density_busy_above_and_sparse_below_the_genre(sign: float) -> None:
    rng = POP.genre.targets.onset_rate_per_s
    assert rng.low is not None and rng.high is not None
    edge = rng.high if sign > 0 else rng.low

    def found(rate: float) -> list[Finding]:
        report = diagnose(make_analysis({"transients.onset_rate_per_s": rate}), genre=POP, stage=FeedbackType.MIXDOWN)
        return [f for f in report.findings if f.area == "transients"]

    assert found(edge) == []
    out = found(edge + sign * 0.1)
    assert [(f.id, f.severity) for f in out] == [
        ("transients.busy" if sign > 0 else "transients.sparse", Severity.INFO)
    ]
    assert out[0].title == ("Very dense transients" if sign > 0 else "Few distinct transients")
    assert out[0].target == rng and out[0].detail.startswith(f"{edge + sign * 0.1:.1f}/s detected onsets per second")
    assert [(m.key, m.unit) for m in out[0].measured] == [("transients.onset_rate_per_s", "/s")]
    assert out[0].evidence == ("transients.onset_rate_per_s", "transients.onset_count")
    assert out[0].detail.endswith(f"the genre usually has {rng.low:.1f}/s to {rng.high:.1f}/s.")


# --- the shape signal's own rules ---------------------------------------------------------------------------------


def test_a_side_lobe_is_a_larger_excursion_the_other_way_within_side_lobe_thirds() -> None:
    from services.diagnosis.shape import SIDE_LOBE, _side_lobe

    reach = [0.0] * (2 * SIDE_LOBE + 3)
    i = 1
    for j, expected in ((i + SIDE_LOBE, True), (i + SIDE_LOBE + 1, False)):
        past = list(reach)
        past[i], past[j] = 2.0, -2.5
        assert _side_lobe(past, i) is expected, j
    assert not _side_lobe([2.0, 0.0, -2.0], 0)  # as large, not larger
    assert not _side_lobe([2.0, 0.0, 3.0], 0)  # larger, but the same way
    assert _side_lobe([-3.0, 0.0, 2.0], 2) and not _side_lobe([-3.0, 0.0, 2.0], 0)


def test_the_shape_signal_keeps_the_furthest_third_per_band_from_shape_minor_db() -> None:
    from services.diagnosis import shape as sh

    targets = POP.genre.targets
    centres = sorted(targets.third_octave_centre_db)
    flat = dict.fromkeys(centres, 0.0)
    narrow = Range(low=-0.01, high=0.01, unit="dB")
    fake = type(targets)(**{**targets.__dict__, "third_octave_centre_db": flat,
                            "third_octave_shape_db": dict.fromkeys(centres, narrow)})  # fmt: skip
    i = centres.index(1000.0) if 1000.0 in centres else len(centres) // 2
    for size, found in ((3 * (SHAPE_MINOR_DB + 0.01) - 0.2, False), (3 * (SHAPE_MINOR_DB + 0.01) + 0.2, True)):
        curve = {c: (size if k == i else 0.0) for k, c in enumerate(centres)}
        out = sh.shape_off_bands(curve, fake)
        hit = [o for o in out if o.past_db > 0]
        assert bool(hit) is found, size
    curve = {c: (9.0 if k == i else 0.0) for k, c in enumerate(centres)}
    out = sh.shape_off_bands(curve, fake)
    mid = [o for o in out if o.band == "mid"]
    assert len(mid) == 1 and mid[0].past_db > 0 and mid[0].shape_db == pytest.approx(3.0, abs=0.01)
    assert mid[0].centre_hz == centres[i - 1]  # three equal readings: the first is kept
    assert all(
        o.band in BAND_EDGES_HZ and BAND_EDGES_HZ[o.band][0] <= o.centre_hz < BAND_EDGES_HZ[o.band][1] for o in out
    )


def _shape(band: str, past: float, hz: float) -> Off:
    return Off(band=band, balance_db=past, past_db=past, target=_ANY, shape_hz=hz)


def test_flank_signs_only_the_opposite_way_counts() -> None:
    assert tn._flank(_shape("mid", -2.0, 600.0), [_off("high_mid", 0.5)])  # a small excess is still an excess
    assert not tn._flank(_shape("mid", -2.0, 600.0), [_off("high_mid", 0.0)])  # on the edge: neither way
    assert tn._flank(_shape("mid", 0.5, 600.0), [_off("high_mid", -3.0)])
    assert tn._flank(_shape("mid", 0.0, 600.0), [_off("high_mid", 3.0)])
    assert tn._flank(_shape("mid", -2.0, 600.0), [_off("air", -6.0), _off("high_mid", 6.0)])  # looks past the first


def test_flank_adjacent_band_wherever_the_third_is() -> None:
    assert tn._flank(_shape("mid", -2.0, 600.0), [_off("high_mid", 6.0)])
    assert tn._flank(_shape("high_mid", -2.0, 3000.0), [_off("high_mid", 6.0)])
    assert not tn._flank(_shape("low_mid", -2.0, 300.0), [_off("high_mid", 6.0)])


def test_flank_reach_is_flank_octaves_beyond_the_band_edges_and_weaker_than_flank_ratio() -> None:
    low, high = BAND_EDGES_HZ["sub"]
    reach = 2.0**tn.FLANK_OCTAVES
    sub = [_off("sub", 6.0)]
    assert tn._flank(_shape("low_mid", -2.0, high * reach), sub)  # the edge of the reach
    assert tn._flank(_shape("low_mid", -2.0, high * 1.5), sub)
    assert tn._flank(_shape("low_mid", -2.0, low / reach), sub)
    assert not tn._flank(_shape("low_mid", -2.0, high * reach * 1.03), sub)
    assert not tn._flank(_shape("low_mid", -2.0, low / reach / 1.03), sub)
    strong = [_off("sub", 2 * tn.MAJOR_DB)]  # strength 2
    assert tn._flank(_shape("low_mid", -1.5 * SHAPE_MAJOR_DB, high), strong)  # 1.5 < FLANK_RATIO * 2
    assert not tn._flank(_shape("low_mid", -4.0 * SHAPE_MAJOR_DB, high), strong)  # 4.0: twice as far out


def test_a_run_of_three_bands_names_the_whole_span() -> None:
    group = [_off("sub", 5.0), _off("bass", 6.0), _off("low_mid", 5.0)]
    assert tn._span_text(group) == "20 Hz-500 Hz"


def test_curve_readings_drop_flanks_keep_the_stronger_signal_per_band_and_go_on_to_the_next_band() -> None:
    """A fake genre: flat curve, every band's range +-1 dB, a narrow shape range at three thirds only."""
    targets = POP.genre.targets
    centres = sorted(targets.third_octave_centre_db)
    wide, narrow = Range(low=-100.0, high=100.0, unit="dB"), Range(low=-0.01, high=0.01, unit="dB")
    shape = {c: narrow if c in (316.2, 1000.0, 10000.0) else wide for c in centres}
    ranges = {b: Range(low=-1.0, high=1.0, unit="dB") for b in BAND_EDGES_HZ}
    fake = type(targets)(**{**targets.__dict__, "third_octave_centre_db": dict.fromkeys(centres, 0.0),
                            "third_octave_shape_db": shape, "band_curve_db": ranges})  # fmt: skip
    lo, hi = BAND_EDGES_HZ["mid"]
    curve = {c: (6.0 if lo <= c < hi else 0.0) for c in centres}
    curve[1000.0] += 6.0  # a weaker local bump inside the boosted band: the range reading stays
    curve[316.2] -= 6.0  # a dip next to the boosted band: its flank, dropped
    curve[10000.0] += 6.0  # a bump far away: kept
    off = tn.curve_off_bands(curve, fake)
    assert [(o.band, o.shape_hz) for o in off] == [("mid", None), ("air", 10000.0)]
    assert off[0].past_db > tn.MAJOR_DB and off[1].past_db == pytest.approx(1.99)


def test_a_band_missing_from_the_levels_does_not_stop_the_seven_band_judgement() -> None:
    targets = stage_targets(POP, FeedbackType.MIXDOWN)
    levels = {b: v for b, v in targets.band_centre_db.items() if b != "sub"}
    rng = targets.band_balance_db["air"]
    assert rng.high is not None
    levels["air"] += rng.high + tn.MAJOR_DB + 1.0
    assert [o.band for o in tn.off_bands(levels, targets)] == ["air"]


def test_a_local_shape_finding_names_its_third_and_carries_no_section_spans() -> None:
    curve = _curve_with_band("high_mid", 0.0)
    curve[2511.9] += 15.0
    thirds = [{"center_hz": c, "level_db": round(v, 2)} for c, v in curve.items()]
    levels = dict(POP.genre.targets.band_centre_db)
    rng = POP.genre.targets.band_balance_db["high_mid"]
    assert rng.high is not None
    levels["high_mid"] += rng.high + tn.MAJOR_DB + 1.0  # sections heavy there too: a band finding would span them
    found = _tonal({"spectrum.third_octave": thirds, "sections.1.band_levels_db": band_levels(**levels)})
    upper = next(f for f in found if f.id == "tonal.high_mid_heavy")
    assert upper.time_ranges == () and "its own trend" in upper.detail
    assert " more than Pop releases show there, as an EQ boost " in upper.detail  # the genre by name
    assert (upper.measured[0].label, upper.measured[0].unit) == ("upper mids vs own trend at 3.2 kHz", "dB")


def test_only_the_dominant_heavy_band_is_named_the_root_cause_never_a_light_one() -> None:
    """Every band but the bass reads thin against the total: fix the bass; the light air is not told to be fixed."""
    centre = POP.genre.targets.band_centre_db
    levels = {b: v - 3.0 * tn.ROOT_CAUSE_DB for b, v in centre.items()}
    levels["bass"], levels["air"] = centre["bass"] + 6.0, centre["air"] - 25.0
    found = {f.id: f for f in _tonal({"spectrum.band_levels_db": band_levels(**levels)})}
    assert found["tonal.bass_heavy"].detail.endswith(
        "every other band reads about 6.0 dB thin against the total: fix the bass rather than boosting the rest."
    )
    assert "holds so much of the power" not in found["tonal.air_light"].detail
