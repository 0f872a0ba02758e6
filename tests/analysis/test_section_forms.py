"""Section names by the genre's form: "drop" where an EDM track's structure shows one, never chorus/drop in an
orchestral piece, song-form genres untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.analysis import analyze
from services.analysis.labels import labels_for_form, low_share_db
from services.analysis.result import Analysis, BandValue, Section
from services.diagnosis import diagnose
from services.domain import FeedbackType
from services.genres import get_genre, match_genre
from tests.fakes.audio import Audio, pink_noise, sequence, sine, write_wav

SR = 22050


def _pad(seconds: float, level: float, seed: int) -> Audio:
    """A breakdown: mid-range chord tones over quiet noise, no low end."""
    chord = sine(600.0, sr=SR, seconds=seconds, level_dbfs=level, channels=2)
    chord = chord + sine(900.0, sr=SR, seconds=seconds, level_dbfs=level - 3.0, channels=2)
    return chord + pink_noise(sr=SR, seconds=seconds, rms_dbfs=level - 14.0, channels=2, seed=seed)


def _drop(seconds: float, seed: int) -> Audio:
    """A drop: the same pad, plus a loud sub and bass line."""
    low = sine(55.0, sr=SR, seconds=seconds, level_dbfs=-10.0, channels=2)
    low = low + sine(110.0, sr=SR, seconds=seconds, level_dbfs=-14.0, channels=2)
    return _pad(seconds, -24.0, seed) + low


@pytest.fixture(scope="module")
def edm(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    y = sequence(_pad(24, -24.0, 1), _drop(24, 2), _pad(24, -24.0, 3), _drop(24, 4))
    path = write_wav(Path(tmp_path_factory.mktemp("edm")) / "edm.wav", y, SR, subtype="FLOAT")
    return analyze(path)


def _labels(analysis: Analysis, genre: str) -> list[str]:
    return [s.label for s in diagnose(analysis, genre=match_genre(genre), stage=FeedbackType.MIXDOWN).sections]


def test_an_edm_track_gets_a_drop_after_each_breakdown(edm: Analysis) -> None:
    assert len(edm.sections) == 4
    assert _labels(edm, "techno") == [edm.sections[0].label, "drop", edm.sections[2].label, "drop"]
    assert "drop" not in {s.label for s in edm.sections}  # the analysis alone does not know the genre


def test_the_same_structure_is_never_a_drop_or_chorus_in_an_orchestral_piece(edm: Analysis) -> None:
    labels = _labels(edm, "orchestral soundtrack")
    assert not {"drop", "chorus", "verse", "bridge"} & set(labels)
    assert labels[1] == labels[3] and labels[0] == labels[2]  # alike parts still share a name


def test_song_form_genres_keep_the_analysis_labels(edm: Analysis) -> None:
    assert _labels(edm, "pop") == [s.label for s in edm.sections]


def _section(i: int, lufs: float, *, sub: float, bass: float, mid: float = -3.0) -> Section:
    bands = [BandValue(band=b, value=v) for b, v in (("sub", sub), ("bass", bass), ("mid", mid))]
    return Section(index=i, label=f"part {i}", start_s=30.0 * i, end_s=30.0 * i + 30.0, loudness_lufs=lufs,
                   width_pct=20.0, band_levels_db=bands)  # fmt: skip


def test_a_drop_needs_the_jump_in_level_and_in_low_end() -> None:
    breakdown = _section(0, -18.0, sub=-20.0, bass=-14.0)
    louder_no_bass = _section(1, -12.0, sub=-20.0, bass=-14.0)
    bass_not_louder = _section(1, -16.5, sub=-8.0, bass=-5.0)
    drop = _section(1, -12.0, sub=-8.0, bass=-5.0)
    assert [s.label for s in labels_for_form([breakdown, drop], "edm")] == ["part 0", "drop"]
    assert [s.label for s in labels_for_form([breakdown, louder_no_bass], "edm")] == ["part 0", "part 1"]
    assert [s.label for s in labels_for_form([breakdown, bass_not_louder], "edm")] == ["part 0", "part 1"]
    # a bass-heavy jump that stays below the track's typical level is a build, not a drop
    quiet = _section(1, -30.0, sub=-8.0, bass=-5.0)
    long_loud = _section(2, -12.0, sub=-20.0, bass=-14.0).model_copy(update={"end_s": 600.0})
    low = _section(0, -36.0, sub=-20.0, bass=-14.0)
    assert labels_for_form([low, quiet, long_loud], "edm")[1].label == "part 1"


def test_low_share_adds_sub_and_bass_power() -> None:
    share = low_share_db(_section(0, -14.0, sub=-6.0, bass=-6.0))
    assert share == pytest.approx(-2.99, abs=0.01)  # two halves of -6 dB power: 10 log10(2 x 0.251)


def test_through_composed_form_replaces_song_form_names_only() -> None:
    verse, chorus = _section(0, -20.0, sub=-20.0, bass=-10.0), _section(1, -14.0, sub=-20.0, bass=-10.0, mid=-1.0)
    song = [s.model_copy(update={"label": lab}) for s, lab in ((verse, "verse"), (chorus, "chorus"))]
    labels = [s.label for s in labels_for_form(song, "through-composed")]
    assert not {"verse", "chorus"} & set(labels) and len(set(labels)) == 2
    plain = [verse.model_copy(update={"label": "part A"}), chorus.model_copy(update={"label": "loud passage"})]
    assert labels_for_form(plain, "through-composed") == plain


def test_genre_forms_are_data() -> None:
    assert get_genre("techno").form == "edm" and get_genre("house").form == "edm"
    assert {get_genre(g).form for g in ("cinematic", "classical", "ambient")} == {"through-composed"}
    assert get_genre("pop").form == "song" and get_genre("rock").form == "song"
