"""Delivery checks, the verdict, the reference comparison and loudness jumps: each limit probed on both sides.

The delivery limits are the module's named constants, so a changed spec moves the tests with it; a flipped
comparison or a swapped side (louder/quieter than the reference, up/down) turns them red.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.diagnosis import Severity, diagnose
from services.diagnosis import delivery as dl
from services.diagnosis.finding import MAX_SPANS, Finding
from services.diagnosis.reference import _BAND_MAJOR_DB, _BAND_MINOR_DB, _WIDTH_DB, compare, reference_findings
from services.diagnosis.timeline import JUMP_LU
from services.domain import FeedbackType
from services.genres import Range, match_genre
from tests.fakes.analysis_data import band_levels, make_analysis

POP = match_genre("pop")
MIX, MASTER, REVIEW = FeedbackType.MIXDOWN, FeedbackType.MASTERING, FeedbackType.MASTER_REVIEW
_EDGES = {"head_silence_s": 0.0, "tail_silence_s": 0.0, "first_sample_dbfs": -120.0, "last_sample_dbfs": -120.0}


def _report(overrides: dict[str, Any], stage: FeedbackType = REVIEW) -> list[Finding]:
    return diagnose(make_analysis({"edges": dict(_EDGES), **overrides}), genre=POP, stage=stage).findings


def _one(overrides: dict[str, Any], slug: str, stage: FeedbackType = REVIEW) -> Finding | None:
    found = [f for f in _report(overrides, stage) if f.id == slug]
    return found[0] if found else None


# --- format and edges -------------------------------------------------------------------------------------------


def test_sample_rate_and_bit_depth_below_the_spec_only() -> None:
    assert _one({"file.sample_rate_hz": dl.MIN_SAMPLE_RATE_HZ}, "qc.low_sample_rate") is None
    rate = _one({"file.sample_rate_hz": dl.MIN_SAMPLE_RATE_HZ - 1}, "qc.low_sample_rate")
    assert rate is not None and (rate.severity, rate.area) == (Severity.MAJOR, "qc")
    assert rate.target == Range(low=dl.MIN_SAMPLE_RATE_HZ, high=None, unit="Hz") and rate.evidence == ("file",)
    assert rate.measured[0].key == "file.sample_rate_hz" and rate.measured[0].value == dl.MIN_SAMPLE_RATE_HZ - 1
    assert _one({"file.bit_depth": dl.MIN_BIT_DEPTH}, "qc.low_bit_depth") is None
    assert _one({"file.bit_depth": None}, "qc.low_bit_depth") is None
    depth = _one({"file.bit_depth": dl.MIN_BIT_DEPTH - 1}, "qc.low_bit_depth")
    assert depth is not None and depth.detail.startswith(f"The file is {dl.MIN_BIT_DEPTH - 1}-bit; deliver 16-bit")
    assert depth.target == Range(low=dl.MIN_BIT_DEPTH, high=None, unit="count")
    assert (depth.measured[0].key, depth.measured[0].unit) == ("file.bit_depth", "count")


@pytest.mark.parametrize(("end", "limit"), [("head", dl._HEAD_SILENCE_S), ("tail", dl._TAIL_SILENCE_S)])
def test_silence_at_either_end_past_its_limit(end: str, limit: float) -> None:
    assert _one({f"edges.{end}_silence_s": limit}, f"qc.{end}_silence") is None
    found = _one({f"edges.{end}_silence_s": limit + 0.1}, f"qc.{end}_silence")
    assert found is not None and found.severity is Severity.MAJOR
    word = "start" if end == "head" else "end"
    assert found.title == f"Digital silence at the {word}"
    assert found.detail == f"{limit + 0.1:.1f} s of digital silence at the {word}; keep it under {limit:.1f} s."
    assert found.target == Range(low=None, high=limit, unit="s") and found.evidence == (f"edges.{end}_silence",)
    assert (found.measured[0].key, found.measured[0].label, found.measured[0].unit) == (f"edges.{end}_silence_s",
                                                                                       "Silence", "s")  # fmt: skip


@pytest.mark.parametrize(("end", "which"), [("head", "first"), ("tail", "last")])
def test_a_click_at_either_end_above_minus_forty_dbfs(end: str, which: str) -> None:
    assert _one({f"edges.{which}_sample_dbfs": dl._CLICK_DBFS}, f"qc.{end}_click") is None
    assert _one({f"edges.{which}_sample_dbfs": None}, f"qc.{end}_click") is None
    found = _one({f"edges.{which}_sample_dbfs": dl._CLICK_DBFS + 0.1}, f"qc.{end}_click")
    assert found is not None and found.measured[0].key == f"edges.{which}_sample_dbfs"
    assert found.detail.startswith(f"The {which} sample is at {dl._CLICK_DBFS + 0.1:.1f} dBFS")
    assert found.detail.endswith("mid-waveform, which clicks; add a short fade.") and found.measured[0].unit == "dBFS"
    assert found.target == Range(low=None, high=dl._CLICK_DBFS, unit="dBFS")


def test_delivery_checks_are_for_masters_only_and_need_edges() -> None:
    bad = {"file.sample_rate_hz": 22050, "edges.head_silence_s": 9.0,
           "encoded_peaks": [{"codec": "AAC", "true_peak_dbtp": 2.0}]}  # fmt: skip
    assert not [f for f in _report(bad, MIX) if f.id.startswith(("qc.low", "qc.head", "clipping.encoded"))]
    assert _one({"edges": None}, "qc.head_silence", MASTER) is None
    assert _one({"edges.head_silence_s": 9.0}, "qc.head_silence", MASTER) is not None


def test_encoded_overs_from_zero_dbtp_with_the_ceiling_cut_from_the_worst() -> None:
    def peaks(*tps: float) -> dict[str, Any]:
        return {"encoded_peaks": [{"codec": f"c{i}", "true_peak_dbtp": tp} for i, tp in enumerate(tps)]}

    assert _one(peaks(0.0, -0.5), "clipping.encoded_true_peak_over") is None
    review = _one(peaks(0.4, 1.1, -0.2), "clipping.encoded_true_peak_over")
    master = _one(peaks(0.1), "clipping.encoded_true_peak_over", MASTER)
    assert review is not None and review.severity is Severity.MAJOR
    assert master is not None and master.severity is Severity.MINOR
    assert [(m.key, m.value) for m in review.measured] == [("encoded_peaks.c0", 0.4), ("encoded_peaks.c1", 1.1)]
    assert review.detail == (
        "Encoded and decoded with real encoders, the hottest moments go over 0 dBTP: c0 0.4 dBTP, c1 1.1 dBTP. "
        "Lower the limiter ceiling by at least 2.1 dB (a -1 dBTP ceiling leaves encoders room)."
    )
    assert review.target == Range(low=None, high=0.0, unit="dBTP")


# --- the verdict ---------------------------------------------------------------------------------------------


def test_each_blocker_has_its_reason_and_the_blocking_severity_is_respected() -> None:
    report = diagnose(make_analysis({"edges": dict(_EDGES), "clipping.clip_runs": 2}), genre=POP, stage=REVIEW)
    assert report.verdict is not None and not report.verdict.ready
    assert [(b.finding_id, b.reason) for b in report.verdict.blockers] == [
        ("clipping.clipped_samples", "Digital clipping.")
    ]
    minor_dc = Finding(id="qc.dc_offset", area="qc", severity=Severity.MINOR, title="", detail="", measured=())
    major_dc = Finding(id="qc.dc_offset", area="qc", severity=Severity.MAJOR, title="", detail="", measured=())
    taste = Finding(id="tonal.sub_heavy", area="bass", severity=Severity.CRITICAL, title="", detail="", measured=())
    assert dl.delivery_verdict([minor_dc, taste]).ready
    verdict = dl.delivery_verdict([minor_dc, major_dc])
    assert not verdict.ready and [b.reason for b in verdict.blockers] == ["DC offset."]
    info_clip = Finding(id="clipping.clipped_samples", area="clipping", severity=Severity.INFO, title="", detail="",
                        measured=())  # fmt: skip
    assert dl.delivery_verdict([info_clip]).ready


# --- reference comparison ---------------------------------------------------------------------------------------


def test_reference_comparison_matches_loudness_and_keeps_the_references_own_figures() -> None:
    track = make_analysis({"loudness.integrated_lufs": -10.0, "loudness.true_peak_dbtp": -1.0})
    ref = make_analysis({"loudness.integrated_lufs": -7.0, "loudness.true_peak_dbtp": 0.5,
                         "spectrum.band_levels_db": band_levels(air=-18.5), "stereo.side_to_mid_db": -7.5,
                         "bass.low_end_correlation": 0.75})  # fmt: skip
    cmp = compare(track, ref)
    assert cmp is not None
    assert (cmp.matched_gain_db, cmp.loudness_delta_lu) == (-3.0, -3.0)
    assert cmp.band_deltas_db["air"] == -2.0 and cmp.band_deltas_db["mid"] == 0.0
    assert cmp.true_peak_delta_db == pytest.approx(-1.0 - (0.5 - 3.0))
    assert (cmp.reference_integrated_lufs, cmp.reference_true_peak_dbtp) == (-7.0, 0.5)
    assert cmp.side_to_mid_delta_db == 2.0 and cmp.low_end_correlation_delta == pytest.approx(0.2)
    fine = compare(track, make_analysis({"stereo.side_to_mid_db": -7.504, "loudness.integrated_lufs": -7.496,
                                         "spectrum.band_levels_db": band_levels(air=-18.5044)}))  # fmt: skip
    assert fine is not None and fine.side_to_mid_delta_db == 2.0  # rounded to two decimals
    assert (fine.matched_gain_db, fine.loudness_delta_lu, fine.band_deltas_db["air"]) == (-2.5, -2.5, -2.0)
    partial = make_analysis(
        {"spectrum.band_levels_db": [{"band": "sub", "value": -9.5}, {"band": "air", "value": None}]}
    )
    some = compare(track, partial)
    assert some is not None and list(some.band_deltas_db) == ["sub"]  # a band one side lacks is left out
    assert compare(make_analysis({"loudness.integrated_lufs": None}), ref) is None
    assert compare(track, make_analysis({"loudness.integrated_lufs": None})) is None
    no_tp = compare(track, make_analysis({"loudness.true_peak_dbtp": None}))
    assert no_tp is not None and no_tp.true_peak_delta_db is None and no_tp.reference_true_peak_dbtp is None


@pytest.mark.parametrize(("band", "verb"), [("sub", "is"), ("low_mid", "are"), ("high_mid", "are"), ("air", "is")])
def test_reference_band_details_agree_in_number(band: str, verb: str) -> None:
    ref = make_analysis({"spectrum.band_levels_db": band_levels(**{band: -30.0})})
    cmp = compare(make_analysis(), ref)
    assert cmp is not None
    found = [f for f in reference_findings(cmp) if f.id == f"reference.{band}"]
    assert len(found) == 1 and f") {verb} " in found[0].detail, found[0].detail


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_reference_band_findings_say_more_or_less_minor_then_major(sign: float) -> None:
    def finding(delta: float) -> Finding | None:
        ref = make_analysis({"spectrum.band_levels_db": band_levels(mid=-8.5 - delta)})
        cmp = compare(typical := make_analysis(), ref)
        assert cmp is not None and typical is not None
        found = [f for f in reference_findings(cmp) if f.id == "reference.mid"]
        return found[0] if found else None

    assert finding(sign * (_BAND_MINOR_DB - 0.1)) is None
    minor = finding(sign * _BAND_MINOR_DB)
    edge = finding(sign * (_BAND_MAJOR_DB - 0.1))
    major = finding(sign * _BAND_MAJOR_DB)
    assert minor is not None and minor.severity is Severity.MINOR
    assert edge is not None and edge.severity is Severity.MINOR
    assert major is not None and major.severity is Severity.MAJOR and major.area == "tonal"
    word, more = ("louder", "More") if sign > 0 else ("quieter", "Less")
    assert major.title == f"{more} mids (500 Hz-2 kHz) than the reference"
    assert (
        major.detail
        == f"At matched loudness the mids (500 Hz-2 kHz) are {_BAND_MAJOR_DB:.1f} dB {word} than in the reference."
    )
    assert major.measured[0].key == "reference.band_deltas_db.mid" and major.measured[0].value == sign * _BAND_MAJOR_DB
    assert major.evidence == ("reference.band_deltas_db.mid", "reference.matched_gain_db")
    assert (major.measured[0].label, major.measured[0].unit) == ("mids vs reference", "dB")  # a name, not the key


def test_reference_low_bands_are_bass_findings() -> None:
    cmp = compare(make_analysis(), make_analysis({"spectrum.band_levels_db": band_levels(sub=-14.5, bass=0.0)}))
    assert cmp is not None
    assert [(f.id, f.area) for f in reference_findings(cmp)] == [("reference.sub", "bass"), ("reference.bass", "bass")]


@pytest.mark.parametrize(
    ("path", "key", "limit", "area", "title", "unit"),
    [("stereo.side_to_mid_db", "side_to_mid_delta_db", _WIDTH_DB, "stereo", "Width differs from the reference", "dB"),
     ("dynamics.plr_db", "plr_delta_db", 2.0, "dynamics", "Dynamics differ from the reference", "dB"),
     ("loudness.loudness_range_lu", "lra_delta_lu", 2.0, "dynamics", "Loudness range differs from the reference",
      "LU"),
     ("bass.low_end_side_to_mid_db", "low_end_side_to_mid_delta_db", _WIDTH_DB, "bass",
      "Low-end width differs from the reference", "dB")],
)  # fmt: skip
def test_reference_scalar_differences_from_their_limit_with_a_signed_detail(
    path: str, key: str, limit: float, area: str, title: str, unit: str
) -> None:
    base = make_analysis()
    value = {"stereo.side_to_mid_db": -5.5, "dynamics.plr_db": 7.8, "loudness.loudness_range_lu": 5.2,
             "bass.low_end_side_to_mid_db": -14.0}[path]  # fmt: skip
    for delta, expected in ((limit - 0.1, False), (limit, True), (-limit, True), (-(limit - 0.1), False)):
        cmp = compare(base, make_analysis({path: value - delta}))
        assert cmp is not None
        found = [f for f in reference_findings(cmp) if f.id == f"reference.{key}"]
        assert bool(found) is expected, delta
        if found:
            f = found[0]
            assert (f.area, f.severity, f.title) == (area, Severity.MINOR, title)
            assert (f.measured[0].key, f.measured[0].label, f.measured[0].unit) == (f"reference.{key}", title, unit)
            assert f.evidence == (f"reference.{key}", "reference.matched_gain_db")
            side = " in side level relative to mid" if key.endswith("side_to_mid_delta_db") else ""
            assert f.detail == f"Track minus reference: {'+' if delta > 0 else '-'}{abs(delta):.1f} {unit}{side}."


# --- loudness jumps -------------------------------------------------------------------------------------------


def test_a_jump_of_exactly_the_limit_counts_and_says_which_way() -> None:
    times = [float(t) for t in range(10)]
    up = [-20.0] * 5 + [-20.0 + JUMP_LU] * 5
    down = [-20.0] * 5 + [-20.0 - JUMP_LU - 1.0] * 5
    under = [-20.0] * 5 + [-20.0 + JUMP_LU - 0.1] * 5
    found = _one({"loudness.short_term_timeline": {"times_s": times, "values": up}}, "loudness.jumps", MASTER)
    assert found is not None and found.measured[0].value == JUMP_LU and found.event_count == 1
    assert (found.measured[0].key, found.measured[0].label, found.measured[0].unit) == (
        "loudness.short_term_timeline", "Biggest jump", "LU")  # fmt: skip
    assert found.evidence == ("loudness.short_term_timeline",) and found.more_spans == 0
    assert found.detail == (f"Short-term loudness jumps by {JUMP_LU:.1f} LU or more within a second 1 time(s), the "
                            f"biggest up by {JUMP_LU:.1f} LU. Fine if it is the arrangement; check automation and "
                            "edits if not.")  # fmt: skip
    mixed = [-20.0] * 3 + [-20.0 + 2 * JUMP_LU] * 3 + [-20.0 + JUMP_LU - 0.5] * 4  # up a lot, then down less
    both = _one({"loudness.short_term_timeline": {"times_s": times, "values": mixed}}, "loudness.jumps", MASTER)
    assert both is not None and "the biggest up by" in both.detail and both.measured[0].value == 2 * JUMP_LU
    assert f"the biggest up by {JUMP_LU:.1f} LU." in found.detail
    fall = _one({"loudness.short_term_timeline": {"times_s": times, "values": down}}, "loudness.jumps", MASTER)
    assert fall is not None and f"the biggest down by {JUMP_LU + 1.0:.1f} LU." in fall.detail
    assert fall.measured[0].value == -(JUMP_LU + 1.0)
    assert _one({"loudness.short_term_timeline": {"times_s": times, "values": under}}, "loudness.jumps") is None


def test_jumps_over_silence_are_skipped_and_close_ones_merge() -> None:
    times = [0.0, 1.0, 2.0, 3.0, 4.34, 10.0, 11.0]
    values: list[float | None] = [-20.0, None, -5.0, -20.0, -5.0, -5.0, -20.0]
    found = _one({"loudness.short_term_timeline": {"times_s": times, "values": values}}, "loudness.jumps", MASTER)
    assert found is not None and found.event_count == 3
    assert [(t.start_s, t.end_s) for t in found.time_ranges] == [(2.0, 4.3), (10.0, 11.0)]
    assert found.more_spans == 0


def test_jump_spans_keep_a_tenth_of_a_second_and_merge_only_within_a_second_and_a_half() -> None:
    times, values = [10.27, 11.27, 13.27, 14.27], [-20.0, -5.0, -5.0, -20.0]  # up, steady for 2 s, down
    found = _one({"loudness.short_term_timeline": {"times_s": times, "values": values}}, "loudness.jumps", MASTER)
    assert found is not None and found.event_count == 2
    assert [(t.start_s, t.end_s) for t in found.time_ranges] == [(10.3, 11.3), (13.3, 14.3)]


def test_jump_spans_past_the_cap_are_counted() -> None:
    times: list[float] = []
    values: list[float | None] = []
    for k in range(MAX_SPANS + 2):  # a jump every 4 s, the points between them unmeasured
        times += [4.0 * k, 4.0 * k + 1.0, 4.0 * k + 2.0]
        values += [-20.0, -5.0, None]
    found = _one({"loudness.short_term_timeline": {"times_s": times, "values": values}}, "loudness.jumps", MASTER)
    assert found is not None and found.event_count == MAX_SPANS + 2
    assert len(found.time_ranges) == MAX_SPANS and found.more_spans == 2
