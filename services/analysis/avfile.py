"""Decoding through PyAV (FFmpeg's libraries in a wheel) for what libsndfile cannot read.

Why a second decoder: AAC/M4A (phone memos, GarageBand and Logic bounces), ALAC, WMA, compressed AIFF-C, CAF
codecs and the sound of video files are everyday inputs, and libsndfile reads none of them. soundfile stays first
for what it reads (it is exact and fast); this module is the fallback. Frames come out of the demuxer one packet
at a time and are regrouped into fixed blocks, so memory stays flat. Every FFmpeg failure is translated here into
words a musician can act on: decoder text never reaches the user.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import BinaryIO

import av
import av.container
import numpy as np
import numpy.typing as npt

from services.analysis.config import AnalysisConfig
from services.analysis.result import FileInfo
from services.errors import AnalysisError, AudioTooLong, CorruptAudio, EmptyAudio, UnsupportedFormat

_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "MP4", "asf": "WMA", "caf": "CAF", "aiff": "AIFF",
               "matroska,webm": "MATROSKA", "avi": "AVI", "aac": "AAC", "wav": "WAV", "flac": "FLAC",
               "ogg": "OGG", "mp3": "MP3", "mpeg": "MPEG", "mpegts": "MPEG-TS"}  # fmt: skip
_PCM_BITS = re.compile(r"pcm_[suf](\d+)")
_HELP = "Export it again as WAV, FLAC, AIFF, M4A (AAC or ALAC), OGG/Opus or MP3."


class NotDecodable(Exception):
    """FFmpeg could not open the file at all; the caller words the refusal (it knows what the file looked like)."""


def open_av(
    source: str | os.PathLike[str] | BinaryIO, *, origin: int, config: AnalysisConfig, refusal: AnalysisError
) -> AvAudio:
    """The file through FFmpeg, or ``refusal`` (libsndfile's verdict, in words) when FFmpeg cannot open it either."""
    if not isinstance(source, (str, os.PathLike)):
        source.seek(origin)
    try:
        return AvAudio(source, block_frames=config.block_frames, max_duration_s=config.max_duration_s)
    except NotDecodable:
        raise refusal from None


def av_file_info(audio: AvAudio, *, config: AnalysisConfig) -> FileInfo:
    """Header facts and the same sanity checks as for libsndfile files (rate range, empty stream, length limit)."""
    sr = audio.sample_rate_hz
    if sr < 8000 or sr > 384000:
        raise UnsupportedFormat(f"Sample rate {sr} Hz is outside the supported 8-384 kHz range.")
    if audio.declared_frames == 0:
        raise EmptyAudio("The file contains no audio frames (zero-length audio).")
    frames = audio.declared_frames or 0
    if frames / sr > config.max_duration_s:
        raise AudioTooLong(
            f"The audio is {frames / sr / 60:,.1f} min long; the limit is "
            f"{config.max_duration_s / 60:,.0f} min. Upload a shorter excerpt."
        )
    return FileInfo(
        format=audio.container,
        subtype=audio.codec,
        sample_rate_hz=sr,
        channels=audio.channels,
        bit_depth=audio.bit_depth,
        duration_s=frames / sr,
        frames=frames,
        note=audio.note,
    )


class AvAudio:
    """The first audio stream of a container FFmpeg can open; yields float32 ``(frames, channels)`` blocks."""

    def __init__(self, source: str | os.PathLike[str] | BinaryIO, *, block_frames: int, max_duration_s: float) -> None:
        try:
            self._container = av.open(os.fspath(source) if isinstance(source, (str, os.PathLike)) else source, mode="r")
        except av.EOFError as exc:  # the container ends before its first packet: a header and nothing else
            raise EmptyAudio(
                f"The file ends right after its header: it holds no audio (zero-length) or was cut off. {_HELP}"
            ) from exc
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise NotDecodable from exc
        try:
            self._stream = self._first_audio()
        except BaseException:
            self._container.close()
            raise
        cc = self._stream.codec_context
        self.sample_rate_hz = int(cc.sample_rate or 0)
        self.channels = int(cc.layout.nb_channels) if cc.layout else int(cc.channels)
        self.container = _CONTAINERS.get(self._container.format.name, self._container.format.name.upper())
        self.codec = str(cc.name).upper()
        self.bit_depth = _bit_depth(str(cc.name), bytes(cc.extradata or b""))
        self.declared_frames = self._declared_frames()
        self.note = self._note()
        self._block = block_frames
        self._max_frames = int(max_duration_s * max(1, self.sample_rate_hz))

    def close(self) -> None:
        self._container.close()

    def _first_audio(self) -> av.AudioStream:
        streams, demuxer = self._container.streams, self._container.format.name
        if demuxer == "image2" or demuxer.endswith("_pipe"):
            raise UnsupportedFormat(f"This is a picture, not audio. {_HELP}")
        if not streams.audio:
            if streams.video:
                raise EmptyAudio("The video has no audio track, so there is nothing to measure. "
                                 "Export the audio or a video that has sound.")  # fmt: skip
            raise EmptyAudio(f"The file holds no audio track (zero-length or missing audio). {_HELP}")
        stream = streams.audio[0]
        if not stream.codec_context.sample_rate:
            raise CorruptAudio(f"The audio track declares no sample rate; the file is damaged. {_HELP}")
        return stream

    def _declared_frames(self) -> int | None:
        seconds: float | None = None
        if self._stream.duration is not None and self._stream.time_base is not None:
            seconds = float(self._stream.duration * self._stream.time_base)
        elif self._container.duration is not None:
            seconds = self._container.duration / av.time_base
        return None if seconds is None else max(0, round(seconds * self.sample_rate_hz))

    def _note(self) -> str | None:
        streams = self._container.streams
        if streams.video and not _is_cover_art(self._container):
            extra = f"the first of {len(streams.audio)} audio tracks" if len(streams.audio) > 1 else "the audio track"
            return f"Measured {extra} of a video file; the picture is ignored."
        if len(streams.audio) > 1:
            return f"Measured the first of {len(streams.audio)} audio tracks in the file."
        return None

    def blocks(self) -> Iterator[npt.NDArray[np.float32]]:
        """Decoded float32 blocks of ``block_frames`` (the last shorter); ``CorruptAudio`` on decoder errors."""
        layout = self._stream.codec_context.layout
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=self.sample_rate_hz)
        pending: list[npt.NDArray[np.float32]] = []
        have = done = 0
        for planes in self._planes(resampler):
            pending.append(planes)
            have += planes.shape[1]
            if done + have > self._max_frames:
                raise AudioTooLong(f"The audio is longer than the {self._max_frames / self.sample_rate_hz / 60:,.0f}"
                                   " min limit. Upload a shorter excerpt.")  # fmt: skip
            while have >= self._block:
                joined = np.concatenate(pending, axis=1)
                yield np.ascontiguousarray(joined[:, : self._block].T)
                pending, have, done = [joined[:, self._block :]], have - self._block, done + self._block
        if have:
            yield np.ascontiguousarray(np.concatenate(pending, axis=1).T)

    def _planes(self, resampler: av.AudioResampler) -> Iterator[npt.NDArray[np.float32]]:
        frames = 0
        try:
            for frame in self._container.decode(self._stream):
                for out in resampler.resample(frame):
                    frames += out.samples
                    yield np.asarray(out.to_ndarray(), dtype=np.float32)
            for out in resampler.resample(None):
                yield np.asarray(out.to_ndarray(), dtype=np.float32)
        except (av.FFmpegError, ValueError) as exc:
            seconds = frames / self.sample_rate_hz
            raise CorruptAudio(
                f"The audio data is damaged after {seconds:.1f} s and cannot be decoded. {_HELP}"
            ) from exc


def _is_cover_art(container: av.container.InputContainer) -> bool:
    """An M4A/MP3 cover picture shows up as a one-frame video stream; it does not make the file a video."""
    return all(s.disposition & av.stream.Disposition.attached_pic for s in container.streams.video)


def _bit_depth(codec: str, extradata: bytes) -> int | None:
    """Source bit depth of lossless codecs (``None`` for lossy ones): PCM from its name, ALAC from its magic cookie,
    FLAC from STREAMINFO (the decoder does not report it)."""
    pcm = _PCM_BITS.match(codec)
    if pcm:
        return int(pcm.group(1))
    if codec == "alac" and len(extradata) >= 24:
        cookie = extradata[12:] if extradata[4:8] == b"alac" else extradata
        return int(cookie[5]) or None
    if codec == "flac" and len(extradata) >= 18:
        info = extradata[8:] if extradata[:4] == b"fLaC" else extradata
        return (((info[12] & 0x01) << 4) | (info[13] >> 4)) + 1
    return None
