"""Question understanding: 24 questions of the kinds musicians ask, each with what it must be understood as."""

from __future__ import annotations

import pytest

from services.analysis.result import Analysis
from services.coaching.lookups import Moment, understand
from tests.fakes.analysis_data import band_levels, make_analysis, timed_mix

# question -> (moment (start, end, label) or None, bands, measures, reference, change)
CASES: list[tuple[str, tuple[float, float, str] | None, tuple[str, ...], tuple[str, ...], bool, bool]] = [
    ("What happens at 2:42?", (160.0, 164.0, "2:42"), (), (), False, False),
    ("What happens at 2:42 — is the chorus too loud?", (160.0, 164.0, "2:42"), (), ("loudness",), False, False),
    ("what's going on around 1:05", (61.0, 69.0, "1:05"), (), (), False, False),
    ("is it clipping at 92 s?", (90.0, 94.0, "92 s"), (), ("clipping",), False, False),
    ("between 1:00 and 1:30, is it too wide?", (60.0, 90.0, "1:00-1:30"), (), ("mono",), False, False),
    ("How does the second chorus sound?", (150.0, 180.0, "chorus 2"), (), (), False, False),
    ("the last verse feels thin", (90.0, 150.0, "verse 2"), (), (), False, False),
    ("is the drop loud enough?", (150.0, 180.0, "chorus 2"), (), ("loudness",), False, False),
    ("How many dB should I cut the sub?", None, ("sub",), (), False, False),
    ("are the low mids muddy?", None, ("low_mid",), (), False, False),
    ("what about around 300 Hz", None, ("low_mid",), (), False, False),
    ("is there a problem at 3.5 kHz?", None, ("high_mid",), (), False, False),
    ("is the top end too bright", None, ("air",), (), False, False),
    ("is my kick too loud", None, ("bass",), ("loudness",), False, False),
    ("What is the tempo and key?", None, (), ("tempo", "key"), False, False),
    ("what bpm is this", None, (), ("tempo",), False, False),
    ("Is it mono?", None, (), ("mono",), False, False),
    ("Will it clip on Spotify?", None, (), ("platforms",), False, False),
    ("How loud is it?", None, (), ("loudness",), False, False),
    ("what sample rate is the file", None, (), ("file",), False, False),
    ("how does my low end compare to the reference?", None, ("sub", "bass"), (), True, False),
    ("is it louder than my ref", None, (), ("loudness",), True, False),
    ("Did I fix the clipping?", None, (), ("clipping",), False, True),
    ("is the new version better now?", None, (), (), False, True),
]


@pytest.mark.parametrize(("text", "moment", "bands", "measures", "reference", "change"), CASES)
def test_understand_reads_moment_band_measure_reference_and_change(
    text: str,
    moment: tuple[float, float, str] | None,
    bands: tuple[str, ...],
    measures: tuple[str, ...],
    reference: bool,
    change: bool,
) -> None:
    q = understand(text, analysis=timed_mix())
    got = None if q.moment is None else (q.moment.start_s, q.moment.end_s, q.moment.label)
    assert (got, q.bands, q.measures, q.reference, q.change) == (moment, bands, measures, reference, change)


def test_a_range_sent_by_the_client_wins_over_times_in_the_text() -> None:
    q = understand("what happens here, not at 0:10?", analysis=timed_mix(), time_range=(150.5, 171.25))
    assert q.moment is not None and (q.moment.start_s, q.moment.end_s) == (150.5, 171.25)


def test_a_section_the_analysis_lacks_is_reported_missing() -> None:
    q = understand("how is the third chorus?", analysis=timed_mix())
    assert q.moment is None and q.missing_section == "chorus 3"
    assert understand("what about the bridge", analysis=timed_mix()).missing_section == "bridge"


def test_a_drop_without_a_drop_section_is_the_loudest_section() -> None:
    q = understand("in the drop", analysis=timed_mix())
    assert q.moment is not None and q.moment.label == "chorus 2" and q.moment.note is not None
    assert "no section is labelled drop" in q.moment.note


def test_priority_questions_are_recognised_but_a_first_chorus_is_a_moment() -> None:
    assert understand("what should I fix first?", analysis=timed_mix()).priority
    q = understand("how is the first chorus?", analysis=timed_mix())
    assert not q.priority and q.moment is not None and q.moment.label == "chorus 1"


def _three_verses() -> Analysis:
    """intro, verse ×3 (the last one "Verse", as a labeller may write it), one chorus; 200 s long."""
    spans = [("intro", 0.0, 20.0, -14.0), ("verse", 20.0, 60.0, -11.0), ("chorus", 60.0, 100.0, -6.0),
             ("verse", 100.0, 140.0, -10.5), ("Verse", 140.0, 200.0, -10.0)]  # fmt: skip
    sections = [
        {"index": i, "label": label, "start_s": a, "end_s": b, "loudness_lufs": lufs, "width_pct": 20.0,
         "band_levels_db": band_levels()}
        for i, (label, a, b, lufs) in enumerate(spans)
    ]  # fmt: skip
    return make_analysis({"sections": sections, "file.duration_s": 200.0})


def _moment(text: str, analysis: Analysis | None = None) -> tuple[float, float, str] | None:
    q = understand(text, analysis=analysis or timed_mix())
    return None if q.moment is None else (q.moment.start_s, q.moment.end_s, q.moment.label)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("what happens at 0:01?", (0.0, 3.0, "0:01")),  # never before the start
        ("around 0:02", (0.0, 6.0, "0:02")),
        ("at 2:59", (177.0, 180.0, "2:59")),  # never past the end
        ("at 1:05.5", (63.0, 67.0, "1:05")),
        ("at 30 sec", (28.0, 32.0, "30 s")),
        ("about 12.5 seconds in", (8.5, 16.5, "12.5 s")),
        ("near 1:00 or so", (56.0, 64.0, "1:00")),
        ("1:00 – 1:30", (60.0, 90.0, "1:00-1:30")),
        ("from 1:00 to 1:30", (60.0, 90.0, "1:00-1:30")),
        ("1:00 until 1:30", (60.0, 90.0, "1:00-1:30")),
        ("2:50-3:30", (170.0, 180.0, "2:50-3:30")),  # a range past the end stops at the end
        ("1:30-1:00", (88.0, 92.0, "1:30")),  # backwards: not a range, its first time is the moment
    ],
)
def test_times_become_spans_inside_the_track(text: str, moment: tuple[float, float, str]) -> None:
    assert _moment(text) == moment


def test_sections_are_picked_by_ordinal_and_label_whatever_its_case() -> None:
    song = _three_verses()
    assert _moment("the verse", song) == (20.0, 60.0, "verse 1")
    assert _moment("the last verse", song) == (140.0, 200.0, "Verse")
    assert _moment("the second verse", song) == (100.0, 140.0, "verse 2")
    assert _moment("verse 3", song) == (140.0, 200.0, "Verse")
    assert _moment("the 1st verse", song) == (20.0, 60.0, "verse 1")


def test_a_section_without_its_label_falls_back_to_the_loudest_only_for_drops_choruses_and_hooks() -> None:
    song = _three_verses()
    hook = understand("is the hook loud enough?", analysis=song)
    assert hook.moment is not None and (hook.moment.start_s, hook.moment.label) == (60.0, "chorus")
    assert hook.moment.note == "no section is labelled hook; the loudest section (chorus) is used"
    assert hook.missing_section is None
    assert understand("the second drop", analysis=song).missing_section == "drop 2"
    assert understand("the last drop", analysis=song).missing_section == "drop (last)"
    assert understand("the bridge", analysis=song).missing_section == "bridge"
    assert understand("the fourth verse", analysis=song).missing_section == "verse 4"
    assert understand("in part c", analysis=song).missing_section == "part c"
    assert understand("is the mix ok", analysis=song).missing_section is None


def test_a_part_is_found_by_its_letter() -> None:
    parts = [
        {"index": i, "label": f"part {x}", "start_s": 30.0 * i, "end_s": 30.0 * (i + 1), "loudness_lufs": -10.0,
         "width_pct": 20.0, "band_levels_db": band_levels()}
        for i, x in enumerate("AB")
    ]  # fmt: skip
    song = make_analysis({"sections": parts})
    assert _moment("how is part b?", song) == (30.0, 60.0, "part B")


def test_a_clients_range_is_labelled_the_selected_range() -> None:
    q = understand("what about this bit", analysis=timed_mix(), time_range=(10.0, 20.0))
    assert q.moment == Moment(10.0, 20.0, "the selected range")


@pytest.mark.parametrize(
    ("text", "bands"),
    [
        ("what about 250 Hz", ("low_mid",)),  # a band edge belongs to the band above it
        ("what about 60 Hz", ("bass",)),
        ("is 4 kHz harsh", ("presence",)),
        ("anything at 12 kHz?", ("air",)),
        ("what about 10 Hz", ()),  # below every band
        ("how are the mids", ("mid",)),
        ("the 808 is weak", ("sub",)),
        ("too much sibilance", ("presence",)),
        ("is the vocal harsh", ("high_mid",)),
        ("it sounds boxy", ("low_mid",)),
        ("more sparkle?", ("air",)),
        ("how is the mix", ()),
    ],
)
def test_bands_are_read_from_frequencies_and_words(text: str, bands: tuple[str, ...]) -> None:
    assert understand(text, analysis=timed_mix()).bands == bands


@pytest.mark.parametrize(
    ("text", "measures"),
    [
        ("is it loud enough for spotify", ("platforms",)),  # the platform's loudness, not the file's
        ("will the peaks distort on youtube", ("platforms",)),
        ("is the true peak ok", ("clipping",)),
        ("is it too quiet", ("loudness",)),
        ("is it too wide", ("mono",)),
        ("is it an mp3", ("file",)),
        ("what scale is it in", ("key",)),
    ],
)
def test_measurements_are_routed_by_their_words(text: str, measures: tuple[str, ...]) -> None:
    assert understand(text, analysis=timed_mix()).measures == measures


def test_reference_change_amount_and_priority_are_flags_of_their_own() -> None:
    mix = timed_mix()
    assert understand("how does it sound vs. the track I like", analysis=mix).reference
    assert not understand("how does it sound", analysis=mix).reference
    assert understand("is it better than before?", analysis=mix).change
    assert understand("compared with my last bounce", analysis=mix).change
    assert not understand("is it good?", analysis=mix).change
    assert understand("by how much should I cut?", analysis=mix).amount
    assert not understand("should I cut?", analysis=mix).amount
    assert understand("what is most important?", analysis=mix).priority
    assert not understand("what is wrong?", analysis=mix).priority


def test_edge_cases_of_times_ordinals_parts_and_kilohertz() -> None:
    assert _moment("from 1:00-1:00") == (58.0, 62.0, "1:00")  # an empty range is its time
    assert understand("the first bridge", analysis=timed_mix()).missing_section == "bridge 1"
    assert understand("what happens at 1:00?", analysis=timed_mix()).missing_section is None
    assert understand("this bit", analysis=timed_mix(), time_range=(1.0, 2.0)).missing_section is None
    assert understand("is 5.999 kHz harsh", analysis=timed_mix()).bands == ("presence",)
    parts = [
        {"index": i, "label": f"part {x}", "start_s": 30.0 * i, "end_s": 30.0 * (i + 1), "loudness_lufs": -10.0,
         "width_pct": 20.0, "band_levels_db": band_levels()}
        for i, x in enumerate("AB")
    ]  # fmt: skip
    song = make_analysis({"sections": parts})
    assert _moment("the second verse, part b", song) == (30.0, 60.0, "part B")  # a named part wins over words
