"""Formats libsndfile cannot read, decoded through PyAV: each container decodes, and hostile files get words.

Every file is encoded in the test with the FFmpeg inside PyAV's wheel (``tests/fakes/media.py``). Loudness is
compared with the same noise written as WAV: lossless codecs must agree to 0.05 LU, lossy ones to 1 LU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import AnalysisConfig, analyze, probe
from services.analysis.decode import AudioReader
from services.errors import AnalysisError, CorruptAudio, EmptyAudio, UnsupportedFormat
from tests.fakes.audio import Audio, pink_noise, write_wav
from tests.fakes.media import encode_audio

SR = 44100
# (file name, encoder, muxer or None for the suffix's, format reported, codec reported, bit depth, lossless)
CASES = [
    ("memo.m4a", "aac", None, "MP4", "AAC", None, False),
    ("bounce.m4a", "alac", None, "MP4", "ALAC", 24, True),
    ("take.wma", "wmav2", "asf", "WMA", "WMAV2", None, False),
    ("stem.caf", "alac", None, "CAF", "ALAC", 24, True),
    ("mix.mkv", "flac", None, "MATROSKA", "FLAC", 16, True),
]
# (file name, encoder, muxer) of AIFF-C variants; libsndfile reads these itself
AIFC = [("little.aifc", "pcm_s16le", "aiff"), ("float.aifc", "pcm_f32be", "aiff"), ("ima.aifc", "adpcm_ima_qt", "aiff")]
LEAKS = ("ffmpeg", "avcodec", "errno", "libsndfile", "possibly a pipe", "patches welcome", "invalid data found")


@pytest.fixture(scope="module")
def noise() -> Audio:
    return 0.5 * pink_noise(sr=SR, seconds=6.0, rms_dbfs=-20.0, channels=2)


@pytest.fixture(scope="module")
def reference_lufs(noise: Audio, tmp_path_factory: pytest.TempPathFactory) -> float:
    lufs = analyze(write_wav(tmp_path_factory.mktemp("ref") / "ref.wav", noise, SR)).loudness.integrated_lufs
    assert lufs is not None
    return lufs


def _assert_in_words(exc: AnalysisError) -> None:
    message = str(exc)
    assert message and message[0].isupper() and message.endswith(".")
    assert not any(leak in message.lower() for leak in LEAKS), message


@pytest.mark.parametrize(("name", "codec", "muxer", "fmt", "subtype", "bits", "lossless"), CASES)
def test_container_decodes_with_its_facts_and_loudness(
    tmp_path: Path, noise: Audio, reference_lufs: float, name: str, codec: str, muxer: str | None,
    fmt: str, subtype: str, bits: int | None, lossless: bool,
) -> None:  # fmt: skip
    result = analyze(encode_audio(tmp_path / name, noise, SR, codec=codec, container=muxer))
    assert (result.file.format, result.file.subtype, result.file.bit_depth) == (fmt, subtype, bits)
    assert (result.file.sample_rate_hz, result.file.channels) == (SR, 2)
    assert result.file.duration_s == pytest.approx(6.0, abs=0.1)
    assert result.file.note is None
    assert result.loudness.integrated_lufs == pytest.approx(reference_lufs, abs=0.05 if lossless else 1.0)


@pytest.mark.parametrize(("name", "codec", "muxer"), AIFC)
def test_aiff_c_variants_decode(tmp_path: Path, noise: Audio, reference_lufs: float, name: str, codec: str,
                                muxer: str) -> None:  # fmt: skip
    path = encode_audio(tmp_path / name, noise, SR, codec=codec, container=muxer)
    assert path.read_bytes()[8:12] == b"AIFC"
    result = analyze(path)
    assert result.file.format == "AIFF"
    assert result.loudness.integrated_lufs == pytest.approx(reference_lufs, abs=0.1)


@pytest.mark.parametrize("name", ["phone.mp4", "screen.mov"])
def test_video_file_measures_its_first_audio_track_and_says_so(
    tmp_path: Path, noise: Audio, reference_lufs: float, name: str
) -> None:
    result = analyze(encode_audio(tmp_path / name, noise, SR, codec="aac", with_video=True))
    assert result.file.note is not None and "video" in result.file.note
    assert result.file.duration_s == pytest.approx(6.0, abs=0.1)
    assert result.loudness.integrated_lufs == pytest.approx(reference_lufs, abs=1.0)


def test_upload_probe_accepts_m4a_and_reads_blocks_of_bounded_size(tmp_path: Path, noise: Audio) -> None:
    path = encode_audio(tmp_path / "memo.m4a", noise, SR, codec="aac")
    config = AnalysisConfig(block_frames=8192)
    info = probe(path, config=config)
    assert (info.format, info.sample_rate_hz, info.channels) == ("MP4", SR, 2)
    with AudioReader(path, config=config) as reader:
        sizes = [len(block) for block in reader.blocks()]
    assert max(sizes) == 8192 and sum(sizes) == pytest.approx(6.0 * SR, abs=0.1 * SR)


def test_m4a_from_an_open_binary_file(tmp_path: Path, noise: Audio) -> None:
    path = encode_audio(tmp_path / "memo.m4a", noise, SR, codec="aac")
    with path.open("rb") as fh:
        assert analyze(fh).file.format == "MP4"


@pytest.mark.parametrize(("name", "codec", "muxer"), [(c[0], c[1], c[2]) for c in CASES] + [("clip.mp4", "aac", None)])
def test_truncated_file_is_corrupt_audio_in_words(tmp_path: Path, noise: Audio, name: str, codec: str,
                                                  muxer: str | None) -> None:  # fmt: skip
    raw = encode_audio(tmp_path / name, noise, SR, codec=codec, container=muxer).read_bytes()
    cut = tmp_path / f"cut{Path(name).suffix}"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CorruptAudio) as caught:
        analyze(cut)
    _assert_in_words(caught.value)


@pytest.mark.parametrize(("name", "codec", "muxer", "fmt"), [(c[0], c[1], c[2], c[3]) for c in CASES])
def test_wrong_extension_is_decoded_by_content(tmp_path: Path, noise: Audio, name: str, codec: str,
                                               muxer: str | None, fmt: str) -> None:  # fmt: skip
    raw = encode_audio(tmp_path / name, noise, SR, codec=codec, container=muxer).read_bytes()
    renamed = tmp_path / "misnamed.wav"
    renamed.write_bytes(raw)
    assert analyze(renamed).file.format == fmt


@pytest.mark.parametrize("suffix", [".m4a", ".mp4", ".wma", ".caf", ".mov"])
def test_text_with_a_media_extension_is_refused_in_words(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"notes{suffix}"
    path.write_bytes(b"these are my lyrics, not audio\n" * 200)
    with pytest.raises((CorruptAudio, UnsupportedFormat)) as caught:
        analyze(path)
    assert suffix in str(caught.value)
    _assert_in_words(caught.value)


@pytest.mark.parametrize(("name", "codec", "muxer", "video"),
                         [("empty.m4a", "aac", None, False), ("empty.wma", "wmav2", "asf", False),
                          ("empty.mp4", "aac", None, True), ("empty.caf", "alac", None, False),
                          ("empty.mkv", "flac", None, False),
                          ("empty.aifc", "adpcm_ima_qt", "aiff", False)])  # fmt: skip
def test_zero_length_audio_stream_is_empty_audio(tmp_path: Path, name: str, codec: str, muxer: str | None,
                                                 video: bool) -> None:  # fmt: skip
    path = encode_audio(tmp_path / name, np.zeros((0, 2)), SR, codec=codec, container=muxer, with_video=video)
    with pytest.raises(EmptyAudio) as caught:
        analyze(path)
    _assert_in_words(caught.value)


@pytest.mark.parametrize("name", ["silent.mp4", "silent.mov", "silent.mkv"])
def test_video_without_audio_is_empty_audio_naming_the_missing_track(tmp_path: Path, noise: Audio, name: str) -> None:
    path = encode_audio(tmp_path / name, noise, SR, codec="aac", with_video=True, audio=False)
    with pytest.raises(EmptyAudio, match="no audio track") as caught:
        probe(path, config=AnalysisConfig())
    _assert_in_words(caught.value)


@pytest.mark.parametrize(("name", "codec", "muxer"), AIFC)
def test_truncated_aiff_c_is_corrupt_audio_in_words(tmp_path: Path, noise: Audio, name: str, codec: str,
                                                    muxer: str) -> None:  # fmt: skip
    """Compressed AIFF-C too: libsndfile would quietly measure the half that is left."""
    raw = encode_audio(tmp_path / name, noise, SR, codec=codec, container=muxer).read_bytes()
    cut = tmp_path / f"cut{Path(name).suffix}"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CorruptAudio, match="truncated") as caught:
        analyze(cut)
    _assert_in_words(caught.value)


@pytest.mark.parametrize(("name", "codec", "muxer"), AIFC)
def test_aiff_c_with_a_wrong_extension_is_decoded_by_content(tmp_path: Path, noise: Audio, name: str, codec: str,
                                                             muxer: str) -> None:  # fmt: skip
    raw = encode_audio(tmp_path / name, noise, SR, codec=codec, container=muxer).read_bytes()
    renamed = tmp_path / "misnamed.m4a"
    renamed.write_bytes(raw)
    assert probe(renamed, config=AnalysisConfig()).format == "AIFF"
