"""Edge cases: silence, very short audio, sample rates, bit depths, formats, multichannel, file-like input."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from services.analysis import SCHEMA_VERSION, Analysis, AnalysisConfig, analyze, probe
from services.analysis.decode import AudioReader
from tests.fakes.audio import pink_noise, sine, write_wav


def _no_nan(obj: object) -> None:
    text = json.dumps(obj, allow_nan=False)  # raises on NaN/inf
    assert "Infinity" not in text


def test_digital_silence_gives_null_loudness_with_reasons(tmp_path: Path) -> None:
    result = analyze(write_wav(tmp_path / "z.wav", np.zeros((44100 * 5, 2)), 44100))
    data = result.to_json_dict()
    _no_nan(data)
    assert result.loudness.integrated_lufs is None
    assert result.loudness.unavailable["integrated_lufs"] == "digital silence"
    assert result.loudness.true_peak_dbtp is None and result.dynamics.plr_db is None
    assert all(p.gain_db is None for p in result.platforms)


@pytest.mark.parametrize(("seconds", "momentary", "short_term"), [(0.3, False, False), (1.0, True, False)])
def test_short_audio_gives_null_windows_with_reasons(
    tmp_path: Path, seconds: float, momentary: bool, short_term: bool
) -> None:
    y = sine(1000.0, sr=48000, seconds=seconds, level_dbfs=-20.0, channels=2)
    result = analyze(write_wav(tmp_path / "s.wav", y, 48000))
    _no_nan(result.to_json_dict())
    lo = result.loudness
    assert (lo.momentary_max_lufs is not None) is momentary
    assert (lo.short_term_max_lufs is not None) is short_term
    assert "shorter than 3 s" in lo.unavailable["short_term_max_lufs"]
    assert lo.loudness_range_lu is None
    if not momentary:
        assert "400 ms" in lo.unavailable["momentary_max_lufs"] and lo.integrated_lufs is None
    assert lo.true_peak_dbtp == pytest.approx(-20.0, abs=0.2)


@pytest.mark.parametrize("sr", [8000, 22050, 44100, 96000, 192000])
def test_sample_rates_from_8_to_192_khz_agree_on_loudness(tmp_path: Path, sr: int) -> None:
    y = sine(997.0, sr=sr, seconds=4.0, level_dbfs=-18.0, channels=2)
    result = analyze(write_wav(tmp_path / "r.wav", y, sr))
    assert result.file.sample_rate_hz == sr
    assert result.loudness.integrated_lufs == pytest.approx(-18.0, abs=0.1)
    assert result.loudness.true_peak_dbtp == pytest.approx(-18.0, abs=0.3)


@pytest.mark.parametrize(("subtype", "bits"), [("PCM_16", 16), ("PCM_24", 24), ("PCM_32", 32), ("FLOAT", 32)])
def test_bit_depths(tmp_path: Path, subtype: str, bits: int) -> None:
    y = pink_noise(sr=44100, seconds=4.0, rms_dbfs=-20.0, channels=2)
    result = analyze(write_wav(tmp_path / "b.wav", y, 44100, subtype=subtype))
    assert result.file.bit_depth == bits and result.file.subtype == subtype


@pytest.mark.parametrize(
    ("name", "subtype", "sr"),
    [
        ("a.flac", "PCM_24", 44100),
        ("a.aiff", "PCM_16", 44100),
        ("a.ogg", "VORBIS", 44100),
        ("a.ogg", "OPUS", 48000),
        ("a.mp3", "MPEG_LAYER_III", 44100),
    ],
)
def test_formats_read_through_soundfile(tmp_path: Path, name: str, subtype: str, sr: int) -> None:
    y = sine(1000.0, sr=sr, seconds=5.0, level_dbfs=-20.0, channels=2)
    result = analyze(write_wav(tmp_path / name, y, sr, subtype=subtype))
    assert result.loudness.integrated_lufs == pytest.approx(-20.0, abs=0.5)
    assert result.file.subtype == subtype


def test_eight_channel_file_is_measured(tmp_path: Path) -> None:
    y = pink_noise(sr=48000, seconds=4.0, rms_dbfs=-25.0, channels=8)
    result = analyze(write_wav(tmp_path / "71.wav", y, 48000))
    assert result.file.channels == 8 and len(result.loudness.true_peak_per_channel_dbtp) == 8
    assert result.loudness.integrated_lufs is not None


def test_file_like_source_and_progress(tmp_path: Path) -> None:
    buf = io.BytesIO()
    sf.write(buf, pink_noise(sr=44100, seconds=6.0, channels=2), 44100, format="FLAC")
    buf.seek(0)
    seen: list[tuple[float, str]] = []
    result = analyze(buf, on_progress=lambda fraction, stage: seen.append((fraction, stage)))
    assert result.file.format == "FLAC"
    assert seen[0] == (0.0, "probe") and seen[-1] == (1.0, "done")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_probe_reads_only_the_header(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "p.wav", sine(440.0, sr=44100, seconds=2.0, channels=2), 44100, subtype="PCM_16")
    info = probe(path, config=AnalysisConfig())
    assert (info.format, info.subtype, info.channels, info.bit_depth, info.frames) == ("WAV", "PCM_16", 2, 16, 88200)


def test_result_round_trips_through_json(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "j.wav", pink_noise(sr=44100, seconds=12.0, channels=2), 44100)
    result = analyze(path)
    data = result.to_json_dict()
    _no_nan(data)
    assert data["schema_version"] == SCHEMA_VERSION
    loudness = data["loudness"]
    assert isinstance(loudness, dict)
    assert set(loudness) >= {
        "integrated_lufs",
        "momentary_max_lufs",
        "short_term_max_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
    }
    assert Analysis.model_validate(data) == result
    timeline = result.loudness.short_term_timeline
    assert len(timeline.times_s) == len(timeline.values) and 8 <= len(timeline.times_s) <= 12


def test_long_timelines_are_thinned(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "l.wav", pink_noise(sr=8000, seconds=60.0, channels=2), 8000)
    result = analyze(path, config=AnalysisConfig(timeline_max_points=20))
    assert 10 <= len(result.loudness.short_term_timeline.times_s) <= 20
    assert len(result.stereo.correlation_timeline.times_s) <= 20
    assert all(v is None or math.isfinite(v) for v in result.stereo.correlation_timeline.values)


def test_mp3_is_decoded_without_block_boundary_glitches(tmp_path: Path) -> None:
    """libsndfile 1.2.2 corrupts VBR MP3 read in several calls; the decoder must not depend on block size."""
    y = sine(1000.0, sr=44100, seconds=8.0, level_dbfs=-20.0, channels=2)
    path = write_wav(tmp_path / "v.mp3", y, 44100, subtype="MPEG_LAYER_III")
    small = analyze(path, config=AnalysisConfig(block_frames=4096))
    large = analyze(path, config=AnalysisConfig(block_frames=1 << 22))
    assert small.loudness.integrated_lufs == pytest.approx(-20.0, abs=0.1)
    assert small.loudness.integrated_lufs == large.loudness.integrated_lufs
    assert small.loudness.loudness_range_lu == pytest.approx(0.0, abs=0.2)


def test_long_mp3_is_read_in_segments_exactly(tmp_path: Path) -> None:
    """Segments (fresh handle + seek + one read each) reproduce a single whole-file read sample for sample."""
    y = pink_noise(sr=44100, seconds=60.0, rms_dbfs=-16.0, channels=2, seed=5)
    path = write_wav(tmp_path / "long.mp3", y, 44100, subtype="MPEG_LAYER_III")
    whole, _ = sf.read(path, dtype="float32", always_2d=True)
    with AudioReader(path, config=AnalysisConfig(block_frames=8192)) as reader:
        streamed = np.concatenate(list(reader.blocks()))
    assert streamed.shape == whole.shape
    assert np.array_equal(streamed, whole)


def test_mp3_from_a_file_object_is_read_in_segments(tmp_path: Path) -> None:
    y = pink_noise(sr=44100, seconds=50.0, rms_dbfs=-16.0, channels=2, seed=6)
    data = write_wav(tmp_path / "f.mp3", y, 44100, subtype="MPEG_LAYER_III").read_bytes()
    from_path = analyze(tmp_path / "f.mp3")
    from_bytes = analyze(io.BytesIO(data))
    assert from_bytes.loudness.integrated_lufs == from_path.loudness.integrated_lufs
    assert from_bytes.file.frames == from_path.file.frames
