"""Findings copy as people read it: one finding per resonance, figures formatted once on the server."""

from __future__ import annotations

from schema.findings import Measure
from schema.targets import TargetRange
from services.diagnosis import diagnose
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import make_analysis


def _resonances(peaks: list[tuple[float, float]]) -> list[str]:
    analysis = make_analysis({"spectrum.resonances": [{"frequency_hz": f, "prominence_db": p} for f, p in peaks]})
    report = diagnose(analysis, genre=match_genre("pop"), stage=FeedbackType.MIXDOWN)
    return [f.title for f in report.findings if f.id.startswith("tonal.resonance")]


def test_copy_once_two_peaks_of_one_resonance_make_one_finding() -> None:
    # 8977 Hz and 9010 Hz both read "9.0 kHz"; 300 and 320 Hz lie within a third of an octave: one each.
    assert _resonances([(8977.0, 12.0), (9010.0, 11.0)]) == ["Resonance around 9.0 kHz"]
    assert _resonances([(300.0, 9.0), (320.0, 12.0)]) == ["Resonance around 320 Hz"]  # the stronger one
    assert _resonances([(300.0, 12.0), (2500.0, 9.0)]) == ["Resonance around 300 Hz", "Resonance around 2.5 kHz"]


def test_copy_once_figures_are_text_as_shown() -> None:
    assert Measure(key="clipping.clip_runs", label="Clip runs", value=74.0, unit="count").text() == "74"
    assert Measure(key="k", label="Frequency", value=8977.0, unit="Hz").text() == "9.0 kHz"
    assert Measure(key="k", label="Missing", value=None, unit="dB").text() == "—"
    assert TargetRange(low=-14.0, high=-8.0, unit="LUFS").text() == "-14.0 to -8.0 LUFS"
    assert TargetRange(low=2000.0, high=4000.0, unit="Hz").text() == "2.0 to 4.0 kHz"
    assert TargetRange(low=16.0, high=None, unit="count").text() == "at least 16"
    assert TargetRange(low=None, high=-1.0, unit="dBTP").text() == "at most -1.0 dBTP"
