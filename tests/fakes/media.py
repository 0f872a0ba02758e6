"""Compressed and video test media encoded with PyAV's bundled FFmpeg (made in the test, never downloaded).

``encode_audio`` writes ``y`` (``(frames, channels)`` float) with any audio encoder the wheel has (aac, alac,
flac, wmav2, libopus, pcm_s24be) into any container (mp4/m4a/mov/caf/aiff/asf/matroska); ``with_video`` adds a
small moving picture stream first, as a phone or screen recording has.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tests.fakes.audio import Audio

_LOSSY = {"aac", "wmav2", "libopus", "opus", "libmp3lame", "vorbis"}


def encode_audio(
    path: Path,
    y: Audio,
    sr: int,
    *,
    codec: str,
    container: str | None = None,
    with_video: bool = False,
    audio: bool = True,
) -> Path:
    """Write ``y`` at ``sr`` as ``codec`` in ``container`` (default: from the suffix); returns ``path``."""
    x = np.ascontiguousarray(np.atleast_2d(y.T if y.ndim == 2 else y[None]), dtype=np.float32)
    layout = "mono" if x.shape[0] == 1 else "stereo"
    with av.open(str(path), "w", format=container) as out:
        video = _add_video(out) if with_video else None
        stream = _audio_stream(out, codec, sr=sr, layout=layout) if audio else None
        if stream is not None and codec in _LOSSY:
            stream.bit_rate = 128_000  # wmav2 refuses to open without one
        out.start_encoding()  # writes the header even when no packet follows (a zero-length stream)
        if video is not None:
            _write_video(out, video, seconds=x.shape[1] / sr)
        if stream is not None:
            _write_audio(out, stream, x, sr=sr)
    return path


def _audio_stream(out: av.container.OutputContainer, codec: str, *, sr: int, layout: str) -> av.AudioStream:
    stream = out.add_stream(codec, rate=sr, layout=layout)
    if not isinstance(stream, av.AudioStream):
        raise TypeError(f"{codec} is not an audio encoder")
    return stream


def _add_video(out: av.container.OutputContainer) -> av.VideoStream:
    name = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    video = out.add_stream(name, rate=10)
    if not isinstance(video, av.VideoStream):
        raise TypeError(f"{name} is not a video encoder")
    video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
    return video


def _write_video(out: av.container.OutputContainer, video: av.VideoStream, *, seconds: float) -> None:
    for i in range(max(1, round(seconds * 10))):
        img = np.full((48, 64, 3), (i * 7) % 255, dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        for packet in video.encode(frame):
            out.mux(packet)
    for packet in video.encode(None):
        out.mux(packet)


def _write_audio(out: av.container.OutputContainer, stream: av.AudioStream, x: np.ndarray, *, sr: int) -> None:
    fmt = stream.codec_context.format.name
    size = stream.codec_context.frame_size or 1024
    layout = stream.codec_context.layout.name
    for i in range(0, x.shape[1], size):
        chunk = x[:, i : i + size]
        frame = _frame(chunk, fmt=fmt, layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def _frame(chunk: np.ndarray, *, fmt: str, layout: str) -> av.AudioFrame:
    """A frame in the encoder's own sample format (planar or packed, float or integer)."""
    base = fmt.rstrip("p")
    if base in ("s16", "s32"):
        info = np.iinfo(np.int16) if base == "s16" else np.iinfo(np.int32)
        data = np.clip(np.round(chunk * (info.max + 1.0)), info.min, info.max).astype(info.dtype)
    else:
        data = chunk.astype(np.float64 if base == "dbl" else np.float32)
    if not fmt.endswith("p"):
        data = data.T.reshape(1, -1)
    return av.AudioFrame.from_ndarray(np.ascontiguousarray(data), format=fmt, layout=layout)
