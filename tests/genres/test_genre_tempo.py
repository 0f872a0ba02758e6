"""The genre settles a half/double-time tempo reading before the facts of an answer are built."""

from __future__ import annotations

import pytest

from services import domain
from services.coaching.generation import facts_from
from tests.fakes.analysis_data import make_analysis


@pytest.mark.parametrize(
    ("genre", "expected"),
    [("dubstep", 140.0), ("lo-fi", 70.0), (None, 70.0)],  # general counts 70-180: the audio's reading stands
)
def test_facts_take_the_octave_the_genre_is_counted_in(genre: str | None, expected: float) -> None:
    analysis = make_analysis({"musical.tempo_bpm": 70.0, "musical.tempo_alternative_bpm": 140.0})
    facts = facts_from(
        analysis, genre=genre, stage=domain.FeedbackType.MIXDOWN, profile=domain.FeedbackProfile.DETAILED
    )
    assert facts.analysis.musical.tempo_bpm == expected
