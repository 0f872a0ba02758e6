"""The prompt's data block states an ambiguous key and an unclear half/double tempo as such."""

from __future__ import annotations

from services.coaching.prompts.data import analysis_lines
from tests.fakes.analysis_data import make_analysis


def _transients_line(overrides: dict[str, object]) -> str:
    return next(line for line in analysis_lines(make_analysis(overrides)) if line.startswith("Transients"))


def test_ambiguous_key_names_both_candidates() -> None:
    line = _transients_line({"musical.key_ambiguous": True, "musical.key_runner_up": "C major"})
    assert "key ambiguous (A minor or C major)" in line


def test_clear_key_and_tempo_read_as_before() -> None:
    assert _transients_line({}).endswith("tempo 122 BPM, key A minor")


def test_tempo_alternative_is_mentioned() -> None:
    line = _transients_line({"musical.tempo_alternative_bpm": 61.0})
    assert "tempo 122 BPM (or 61 BPM: half/double time unclear)" in line
