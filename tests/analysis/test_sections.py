"""Sections: a short loud passage is found, labels are honest about structure, every section has its own figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from services.analysis.labels import label_sections
from services.analysis.result import BandValue, Section
from tests.fakes.audio import Audio, pink_noise, sequence, sine, write_wav

SR = 22050


def _noise(seconds: float, rms_dbfs: float, seed: int) -> Audio:
    return pink_noise(sr=SR, seconds=seconds, rms_dbfs=rms_dbfs, channels=2, seed=seed)


def test_a_10_s_passage_14_lu_louder_is_its_own_section(tmp_path: Path) -> None:
    y = sequence(_noise(40, -30.0, 1), _noise(10, -16.0, 2), _noise(40, -30.0, 3))
    sections = analyze(write_wav(tmp_path / "p.wav", y, SR, subtype="FLOAT")).sections
    assert len(sections) == 3
    loud = sections[1]
    assert loud.start_s == pytest.approx(40.0, abs=1.5) and loud.end_s == pytest.approx(50.0, abs=1.5)
    assert loud.label == "loud passage"
    assert sections[0].loudness_lufs is not None and loud.loudness_lufs is not None
    assert loud.loudness_lufs - sections[0].loudness_lufs == pytest.approx(14.0, abs=1.0)
    assert {s.label for s in (sections[0], sections[2])} == {"part A"}


def test_a_10_s_quiet_passage_is_found_and_named_quiet(tmp_path: Path) -> None:
    y = sequence(_noise(40, -16.0, 1), _noise(10, -30.0, 2), _noise(40, -16.0, 3))
    sections = analyze(write_wav(tmp_path / "q.wav", y, SR, subtype="FLOAT")).sections
    assert [s.label for s in sections] == ["part A", "quiet passage", "part A"]


def _tone_part(seconds: float, freq: float, level: float, seed: int) -> Audio:
    tone = sine(freq, sr=SR, seconds=seconds, level_dbfs=level, channels=2)
    return tone + _noise(seconds, level - 12.0, seed)


def test_repeating_verse_chorus_structure_gets_song_form_names(tmp_path: Path) -> None:
    verse = [_tone_part(20, 220.0, -24.0, i) for i in range(3)]
    chorus = [_tone_part(20, 1760.0, -14.0, 10 + i) for i in range(3)]
    y = sequence(verse[0], chorus[0], verse[1], chorus[1], verse[2], chorus[2])
    labels = [s.label for s in analyze(write_wav(tmp_path / "vc.wav", y, SR, subtype="FLOAT")).sections]
    assert labels == ["verse", "chorus"] * 3


def _section(i: int, lufs: float, mid_db: float) -> Section:
    bands = [BandValue(band=b, value=v) for b, v in (("bass", -3.0), ("mid", mid_db))]
    return Section(index=i, label="section", start_s=60.0 * i, end_s=60.0 * i + 60.0, loudness_lufs=lufs,
                   width_pct=20.0, band_levels_db=bands)  # fmt: skip


def test_a_through_composed_piece_gets_no_chorus() -> None:
    """Three unlike parts that never come back (an orchestral piece): no verse/chorus/intro/outro names."""
    parts = [_section(0, -24.0, -10.0), _section(1, -18.0, -3.0), _section(2, -21.0, -20.0)]
    labels = [s.label for s in label_sections(parts)]
    assert labels == ["part A", "part B", "part C"]
    assert not {"chorus", "verse", "intro", "outro", "drop"} & set(labels)


def test_two_sections_are_never_chorus_and_outro() -> None:
    labels = [s.label for s in label_sections([_section(0, -16.0, -5.0), _section(1, -24.0, -5.0)])]
    assert labels == ["part A", "part B"]
    long_quiet_end = [_section(0, -16.0, -5.0), _section(1, -24.0, -5.0).model_copy(update={"start_s": 191.0})]
    assert [s.label for s in label_sections(long_quiet_end)] == ["part A", "quiet passage"]


def test_every_section_has_its_own_width_and_band_levels(tmp_path: Path) -> None:
    mono = np.repeat(pink_noise(sr=SR, seconds=30, rms_dbfs=-20.0, seed=1)[:, None], 2, axis=1)
    wide = _noise(30, -20.0, 2)  # independent channels: side as loud as mid
    sections = analyze(write_wav(tmp_path / "w.wav", sequence(mono, wide), SR, subtype="FLOAT")).sections
    assert len(sections) == 2
    first, second = sections
    assert first.side_to_mid_db is not None and first.side_to_mid_db <= -30.0  # mono but for one straddling frame
    assert second.side_to_mid_db == pytest.approx(0.0, abs=1.0)
    assert first.correlation == pytest.approx(1.0, abs=0.01) and second.correlation == pytest.approx(0.0, abs=0.1)
    assert all(len(s.band_levels_db) == 7 for s in sections)
