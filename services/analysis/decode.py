"""The one place audio is decoded: soundfile first, PyAV (``avfile``) for the rest; header checks, then blocks.

Why blocks: an hour-long 48 kHz stereo file is 1.4 GB as float32; reading ``block_frames`` at a time keeps
memory flat. Why header checks first: a too-long or lying header must fail in milliseconds, before decoding.
Every libsndfile failure is translated here into an ``AnalysisError`` a person can act on.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import numpy.typing as npt
import soundfile as sf

from services.analysis.config import AnalysisConfig
from services.analysis.container import HEAD_BYTES, caf_without_audio, declared_data_bytes, wav_pcm_layout
from services.analysis.result import FileInfo
from services.errors import AudioTooLong, CorruptAudio, EmptyAudio, InvalidSamples, UnsupportedFormat

if TYPE_CHECKING:
    from services.analysis.avfile import AvAudio

Source = str | os.PathLike[str] | BinaryIO

SUPPORTED_FORMATS = {"WAV", "WAVEX", "RF64", "W64", "FLAC", "AIFF", "OGG", "MP3", "CAF"}
_AUDIO_EXTENSIONS = {".wav", ".wave", ".flac", ".aif", ".aiff", ".aifc", ".ogg", ".oga", ".opus", ".mp3", ".w64",
                     ".m4a", ".mp4", ".m4v", ".mov", ".aac", ".alac", ".caf", ".wma", ".asf", ".mkv",
                     ".webm"}  # fmt: skip
_MAGIC = (b"RIFF", b"RF64", b"FORM", b"fLaC", b"OggS", b"ID3", b"riff", b"caff", b"0&\xb2u")
_ESTIMATED_LENGTH = {"MP3", "OGG"}
_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "FLOAT": 32, "DOUBLE": 64,
         "ALAC_16": 16, "ALAC_20": 20, "ALAC_24": 24, "ALAC_32": 32}  # fmt: skip
# Integer PCM WAV samples numpy converts itself: libsndfile's conversion costs ~6 ns a sample (most of the decoding
# time of a 24-bit song; ~140 ms of 4 minutes), numpy's strided shift and scale under 2. The values are identical:
# every 16- or 24-bit integer is exact in float32 and the scale is a power of two, as in libsndfile.
_NUMPY_PCM = {("WAV", "PCM_16"): 2, ("WAV", "PCM_24"): 3, ("WAVEX", "PCM_16"): 2, ("WAVEX", "PCM_24"): 3}
_MP3_SEGMENTS = 16
_MP3_MIN_SEGMENT = 1 << 20
_HELP = "Export it again as WAV, FLAC, AIFF, M4A (AAC or ALAC), OGG/Opus or MP3."


class AudioReader:
    """An open, header-checked audio file that yields float32 ``(frames, channels)`` blocks exactly once."""

    def __init__(self, source: Source, *, config: AnalysisConfig) -> None:
        self._config = config
        self._source = source
        self._origin = 0 if isinstance(source, (str, os.PathLike)) else source.tell()
        head, size, name = _sniff(source)
        self._av: AvAudio | None = None
        self._file: sf.SoundFile | None = None
        try:
            self._file = _open(source, head=head, name=name)
        except (UnsupportedFormat, CorruptAudio) as refusal:
            if caf_without_audio(head, size=size):
                raise EmptyAudio("The CAF file holds no audio (zero-length). Export it again with the sound.") from None
            from services.analysis.avfile import open_av  # PyAV (~50 ms to import) only when libsndfile refuses

            self._av = open_av(source, origin=self._origin, config=config, refusal=refusal)
        self._pcm: tuple[int, int] | None = None  # (data offset, bytes per sample) when numpy converts the samples
        try:
            if self._file is not None:
                self.info = _check_header(self._file, head=head, size=size, config=config)
                self._pcm = _numpy_pcm(head, info=self.info)
            elif self._av is not None:
                from services.analysis.avfile import av_file_info

                self.info = av_file_info(self._av, config=config)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> AudioReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._av is not None:
            self._av.close()

    def blocks(self) -> Iterator[npt.NDArray[np.float32]]:
        """Decoded blocks; raises ``CorruptAudio`` on decoder errors or a short read, ``InvalidSamples`` on NaN."""
        total = 0
        # Integer samples cannot be NaN or infinite: only float data (and decoders' float output) needs the scan.
        exact = self._av is None and self.info.subtype.startswith(("PCM_", "ALAC_"))
        if self._av is not None:
            source = self._av.blocks()
        elif self._pcm is not None:
            source = self._pcm_blocks(*self._pcm)
        else:
            source = self._mp3_blocks() if self.info.format == "MP3" else self._read_blocks()
        for block in source:
            if not exact and not np.isfinite(block.sum(dtype=np.float64)):
                at = (total + int(np.argmax(~np.isfinite(block).all(axis=1)))) / self.info.sample_rate_hz
                raise InvalidSamples(
                    f"The file contains invalid samples (NaN or infinity) at {at:.2f} s; re-render it from your DAW."
                )
            total += len(block)
            yield block
        _check_length(total, info=self.info, lenient=self._av is not None)

    def _read_blocks(self) -> Iterator[npt.NDArray[np.float32]]:
        f, size = self._file, self._config.block_frames
        done = 0
        while f is not None:
            block = self._guarded(lambda: f.read(size, dtype="float32", always_2d=True), at=done)
            if len(block) == 0:
                return
            done += len(block)
            yield block
            if len(block) < size:
                return

    def _pcm_blocks(self, offset: int, width: int) -> Iterator[npt.NDArray[np.float32]]:
        """Blocks of an integer PCM WAV read as bytes from the data chunk and converted by numpy, as many frames as
        libsndfile reports (a short file yields fewer, which ``blocks`` then calls truncated). Each block is the
        transpose of a channel-first array, so the engine's channel-first copy is free."""
        channels, size = self.info.channels, self._config.block_frames
        frame_bytes = channels * width
        left = self.info.frames
        with _byte_stream(self._source) as fh:
            fh.seek(self._origin + offset)
            while left > 0:
                want = min(size, left)
                data = _read_up_to(fh, want * frame_bytes)
                n = len(data) // frame_bytes
                if n == 0:
                    return
                yield _pcm_floats(data, frames=n, channels=channels, width=width).T
                left -= n
                if n < want:
                    return

    def _mp3_blocks(self) -> Iterator[npt.NDArray[np.float32]]:
        """MP3 in a few large segments, each decoded by ONE read on a freshly opened, seeked handle.

        libsndfile 1.2.2 resets its mpg123 decoder at every read-call boundary of a VBR file on the same handle
        (about 4600 samples of silence or garbage each time), so ordinary block reads would be wrong; a seek on
        a fresh handle is sample-exact. At most ``_MP3_SEGMENTS`` segments (each seek rescans the frames before
        it) and at least ``_MP3_MIN_SEGMENT`` frames each, so memory stays bounded by a sixteenth of the file.
        """
        segment = max(_MP3_MIN_SEGMENT, -(-self.info.frames // _MP3_SEGMENTS))
        start = 0
        while True:
            data = self._guarded(partial(self._read_segment, start, segment), at=start)
            for offset in range(0, len(data), self._config.block_frames):
                yield data[offset : offset + self._config.block_frames]
            start += len(data)
            if len(data) < segment:
                return

    def _read_segment(self, start: int, frames: int) -> npt.NDArray[np.float32]:
        if start == 0 and self._file is not None:
            out: npt.NDArray[np.float32] = self._file.read(frames, dtype="float32", always_2d=True)
            return out
        if not isinstance(self._source, (str, os.PathLike)):
            self._source.seek(self._origin)
        with sf.SoundFile(self._source) as fresh:
            fresh.seek(start)
            out = fresh.read(frames, dtype="float32", always_2d=True)
            return out

    def _guarded(self, read: Callable[[], npt.NDArray[Any]], *, at: int) -> npt.NDArray[Any]:
        try:
            return read()
        except sf.LibsndfileError as exc:
            seconds = at / self.info.sample_rate_hz
            raise CorruptAudio(
                f"The audio data is damaged after {seconds:.1f} s and cannot be decoded. {_HELP}"
            ) from exc


@contextmanager
def _byte_stream(source: Source) -> Iterator[BinaryIO]:
    """The source as a binary stream: a path opened here (and closed after), a file-like as it is."""
    if isinstance(source, (str, os.PathLike)):
        with Path(source).open("rb") as fh:
            yield fh
    else:
        yield source


def _read_up_to(fh: BinaryIO, size: int) -> bytes:
    """``size`` bytes, fewer only at the end of the stream (a raw stream may return less than asked at any read)."""
    data = fh.read(size)
    if len(data) in (0, size):
        return data
    parts = [data]
    got = len(data)
    while got < size and (more := fh.read(size - got)):
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _numpy_pcm(head: bytes, *, info: FileInfo) -> tuple[int, int] | None:
    """``(data offset, bytes per sample)`` if numpy can convert this file's samples (``_NUMPY_PCM``)."""
    width = _NUMPY_PCM.get((info.format, info.subtype))
    layout = wav_pcm_layout(head)
    if width is None or layout is None or layout[1:] != (info.channels, width):
        return None
    return layout[0], width


def _pcm_floats(data: bytes, *, frames: int, channels: int, width: int) -> npt.NDArray[np.float32]:
    """Interleaved little-endian 16- or 24-bit samples as channel-first float32 in [-1, 1)."""
    out = np.empty((channels, frames), dtype=np.float32)
    if width == 2:
        ints = np.frombuffer(data, dtype="<i2", count=frames * channels).reshape(frames, channels).T
        np.multiply(ints, np.float32(2.0**-15), out=out)
        return out
    padded = np.empty(len(data) + 1, dtype=np.uint8)  # the last sample's 4-byte read needs one byte more
    padded[:-1] = np.frombuffer(data, dtype=np.uint8)
    padded[-1] = 0
    # Each sample's 3 bytes read as the low bytes of a little-endian int32 (the top byte belongs to the next
    # sample): shifting left by 8 drops it and leaves the sample scaled to the int32 range.
    words = np.ndarray((channels, frames), dtype="<i4", buffer=padded, strides=(3, 3 * channels))
    np.multiply(np.left_shift(words, 8), np.float32(2.0**-31), out=out, dtype=np.float32)
    return out


def probe(source: Source, *, config: AnalysisConfig) -> FileInfo:
    """Header-only facts and sanity checks (format, length limit, truncation); decodes nothing."""
    with AudioReader(source, config=config) as reader:
        return reader.info


def _sniff(source: Source) -> tuple[bytes, int, str]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            with path.open("rb") as fh:
                head = fh.read(HEAD_BYTES)
            return head, path.stat().st_size, path.name
        except FileNotFoundError as exc:
            raise CorruptAudio(f"No audio file at {path}.") from exc
        except IsADirectoryError as exc:
            raise CorruptAudio(f"{path} is a folder, not an audio file.") from exc
    pos = source.tell()
    head = source.read(HEAD_BYTES)
    size = source.seek(0, io.SEEK_END) - pos
    source.seek(pos)
    return head, size, str(getattr(source, "name", "") or "")


def _open(source: Source, *, head: bytes, name: str) -> sf.SoundFile:
    if not head:
        raise EmptyAudio("The file is empty (0 bytes); upload the exported audio file.")
    try:
        return sf.SoundFile(source)
    except sf.LibsndfileError as exc:
        ext = Path(name).suffix.lower()
        if head.startswith(_MAGIC) or ext in _AUDIO_EXTENSIONS or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
            raise CorruptAudio(
                f"The file looks like audio{f' ({ext})' if ext else ''} but cannot be decoded: "
                f"it is damaged or not really that format. {_HELP}"
            ) from exc
        raise UnsupportedFormat(f"Unsupported audio format{f' ({ext})' if ext else ''}. {_HELP}") from exc


def _check_header(f: sf.SoundFile, *, head: bytes, size: int, config: AnalysisConfig) -> FileInfo:
    fmt, subtype, sr, ch = str(f.format), str(f.subtype), int(f.samplerate), int(f.channels)
    if fmt not in SUPPORTED_FORMATS:
        raise UnsupportedFormat(f"{fmt} files are not supported. {_HELP}")
    if sr < 8000 or sr > 384000:
        raise UnsupportedFormat(f"Sample rate {sr} Hz is outside the supported 8-384 kHz range.")
    bits = _BITS.get(subtype)
    declared = declared_data_bytes(head)
    if declared is not None and declared > size:  # compressed AIFF-C (IMA ADPCM...) too: its bytes are declared
        claim = f"{declared / max(1, bits // 8 * ch) / sr:,.1f} s" if bits else f"{declared:,} bytes"
        raise CorruptAudio(
            f"The file is truncated or its header is wrong: it claims {claim} of audio "
            f"but holds only {size:,} bytes. Export it again."
        )
    frames = int(f.frames)
    if frames <= 0:
        raise EmptyAudio("The file contains no audio frames (zero-length audio).")
    duration = frames / sr
    if duration > config.max_duration_s:
        raise AudioTooLong(
            f"The audio is {duration / 60:,.1f} min long; the limit is "
            f"{config.max_duration_s / 60:,.0f} min. Upload a shorter excerpt."
        )
    return FileInfo(
        format=fmt,
        subtype=subtype,
        sample_rate_hz=sr,
        channels=ch,
        bit_depth=bits if fmt not in _ESTIMATED_LENGTH else None,
        duration_s=duration,
        frames=frames,
    )


def _check_length(total: int, *, info: FileInfo, lenient: bool) -> None:
    """``lenient`` for FFmpeg containers, whose declared length is rounded and may count codec priming."""
    if total == 0:
        raise EmptyAudio("The file contains no decodable audio.")
    slack = max(info.sample_rate_hz // 2, info.frames // 50) if lenient else 0
    if info.format not in _ESTIMATED_LENGTH and total < info.frames - slack:
        raise CorruptAudio(
            f"The file is truncated: only {total / info.sample_rate_hz:.1f} s of the "
            f"{info.duration_s:.1f} s its header declares could be decoded. Export it again."
        )
