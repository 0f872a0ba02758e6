"""Question understanding: 24 questions of the kinds musicians ask, each with what it must be understood as."""

from __future__ import annotations

import pytest

from services.lookups import understand
from tests.fakes.analysis_data import timed_mix

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
