"""Every kind of unusable input raises a typed ``AnalysisError`` with a message in words, quickly."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from services.analysis import AnalysisConfig, analyze, probe
from services.errors import (
    AnalysisError,
    AudioTooLong,
    BadUserInput,
    CorruptAudio,
    EmptyAudio,
    InvalidSamples,
    UnsupportedFormat,
)
from tests.fakes.audio import pink_noise, sine, write_wav


def _assert_words(err: AnalysisError) -> None:
    words = str(err).split()
    assert len(words) >= 5 and "Traceback" not in str(err) and "0x" not in str(err)


def _wav_bytes(seconds: float = 4.0, *, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, sine(440.0, sr=44100, seconds=seconds, channels=2), 44100, format="WAV", subtype=subtype)
    return buf.getvalue()


def test_truncated_wav_is_corrupt(tmp_path: Path) -> None:
    data = _wav_bytes()
    path = tmp_path / "cut.wav"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptAudio) as info:
        analyze(path)
    assert "truncated" in str(info.value)
    _assert_words(info.value)


def test_truncated_flac_is_corrupt(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.flac", pink_noise(sr=44100, seconds=6.0, channels=2), 44100, subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptAudio) as info:
        analyze(path)
    _assert_words(info.value)


def test_random_bytes_with_audio_extension_are_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp3"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(CorruptAudio) as info:
        analyze(path)
    _assert_words(info.value)


def test_unknown_format_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "song.xyz"
    path.write_bytes(b"MIXCOACH-NOT-A-FORMAT" + bytes(range(256)) * 8)
    with pytest.raises(UnsupportedFormat) as info:
        analyze(path)
    assert "WAV" in str(info.value)
    _assert_words(info.value)


def test_m4a_header_without_audio_is_corrupt(tmp_path: Path) -> None:
    """M4A is read through FFmpeg now; a bare ``ftyp`` box followed by zeros is a damaged file, not a format."""
    path = tmp_path / "song.m4a"
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(2000))
    with pytest.raises(CorruptAudio) as info:
        analyze(path)
    assert "(.m4a)" in str(info.value) and "M4A" in str(info.value)
    _assert_words(info.value)


def test_format_soundfile_reads_but_we_do_not_support_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "x.au"
    sf.write(path, sine(440.0, sr=8000, seconds=1.0), 8000, format="AU")
    with pytest.raises(UnsupportedFormat) as info:
        analyze(path)
    _assert_words(info.value)


def test_zero_length_audio_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros((0, 2)), 44100)
    with pytest.raises(EmptyAudio) as info:
        analyze(path)
    _assert_words(info.value)


def test_zero_byte_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    path.write_bytes(b"")
    with pytest.raises(EmptyAudio):
        analyze(path)


def test_header_claiming_billions_of_frames_fails_fast(tmp_path: Path) -> None:
    head = bytearray(_wav_bytes(0.1))
    data_at = head.index(b"data")
    head[data_at + 4 : data_at + 8] = struct.pack("<I", 0xFFFFFFF0)
    path = tmp_path / "liar.wav"
    path.write_bytes(bytes(head))
    with pytest.raises(CorruptAudio) as info:
        probe(path, config=AnalysisConfig())
    assert "claims" in str(info.value)
    _assert_words(info.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_samples_are_invalid(tmp_path: Path, bad: float) -> None:
    y = sine(440.0, sr=44100, seconds=3.0, channels=2)
    y[70000, 1] = bad
    path = write_wav(tmp_path / "nan.wav", y, 44100, subtype="FLOAT")
    with pytest.raises(InvalidSamples) as info:
        analyze(path)
    assert "1.59 s" in str(info.value)
    _assert_words(info.value)


def test_too_long_is_rejected_from_the_header(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "long.wav", sine(440.0, sr=8000, seconds=12.0), 8000)
    with pytest.raises(AudioTooLong) as info:
        probe(path, config=AnalysisConfig(max_duration_s=10.0))
    _assert_words(info.value)
    with pytest.raises(AudioTooLong):
        analyze(path, config=AnalysisConfig(max_duration_s=10.0))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CorruptAudio) as info:
        analyze(tmp_path / "nope.wav")
    _assert_words(info.value)


def test_invalid_config_is_rejected() -> None:
    with pytest.raises(BadUserInput) as info:
        AnalysisConfig(block_frames=10, max_duration_s=-1.0)
    assert "block_frames" in str(info.value) and "max_duration_s" in str(info.value)


def test_file_like_random_bytes_are_unsupported() -> None:
    with pytest.raises(UnsupportedFormat):
        analyze(io.BytesIO(b"hello, this is not audio at all" * 100))
