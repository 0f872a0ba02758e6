"""Integer PCM WAV samples are converted by numpy, not libsndfile (``decode._pcm_floats``): the samples must be
exactly libsndfile's, whatever the channel count, header variant, chunk layout, block size or source kind."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from services.analysis import AnalysisConfig
from services.analysis.decode import AudioReader

SR = 44100


def _samples(channels: int, frames: int = 20011) -> np.ndarray:
    x = np.clip(np.random.default_rng(channels).standard_normal((frames, channels)) * 0.4, -1.0, 1.0)
    x[0], x[1] = -1.0, 1.0  # both ends of the integer range
    return x


def _decoded(source: Path | io.BytesIO, *, block_frames: int) -> np.ndarray:
    with AudioReader(source, config=AnalysisConfig(block_frames=block_frames)) as reader:
        blocks = list(reader.blocks())
    assert max(len(b) for b in blocks) <= block_frames
    return np.concatenate(blocks)


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24"])
@pytest.mark.parametrize("container", ["WAV", "WAVEX"])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_numpy_pcm_equals_libsndfile(tmp_path: Path, subtype: str, container: str, channels: int) -> None:
    path = tmp_path / "take.wav"
    with sf.SoundFile(str(path), "w", samplerate=SR, channels=channels, subtype=subtype, format=container) as f:
        f.title = "a LIST chunk before the samples"
        f.write(_samples(channels))
    ref, _ = sf.read(str(path), dtype="float32", always_2d=True)
    got = _decoded(path, block_frames=4096)
    assert got.dtype == np.float32 and got.shape == ref.shape
    assert np.array_equal(got, ref)


def test_numpy_pcm_from_a_file_like_opened_mid_stream(tmp_path: Path) -> None:
    buf = io.BytesIO()
    sf.write(buf, _samples(2), SR, subtype="PCM_24", format="WAV")
    ref, _ = sf.read(io.BytesIO(buf.getvalue()), dtype="float32", always_2d=True)
    stream = io.BytesIO(b"prefix" + buf.getvalue())
    stream.seek(6)
    assert np.array_equal(_decoded(stream, block_frames=5000), ref)


class _Dribble(io.RawIOBase):
    """A raw stream that hands out at most 1000 bytes a read, as a network stream may."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._data.seek(offset, whence)

    def tell(self) -> int:
        return self._data.tell()

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 1000))
        memoryview(buffer)[: len(chunk)] = chunk
        return len(chunk)


def test_numpy_pcm_from_a_stream_that_returns_short_reads() -> None:
    buf = io.BytesIO()
    sf.write(buf, _samples(2), SR, subtype="PCM_16", format="WAV")
    ref, _ = sf.read(io.BytesIO(buf.getvalue()), dtype="float32", always_2d=True)
    assert np.array_equal(_decoded(_Dribble(buf.getvalue()), block_frames=4096), ref)  # type: ignore[arg-type]
