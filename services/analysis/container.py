"""Read the size a WAV/AIFF header *declares* for its audio data, where a plain PCM WAV's samples start, and
whether a CAF file has any audio at all.

Why: libsndfile silently clamps a truncated WAV to the bytes present and happily opens a header claiming
billions of frames; comparing the declared size with the file size lets us name those files corrupt instead of
measuring half a song. A CAF written with no audio has no ``data`` chunk, which both decoders call damaged; it is
empty, and saying so tells the person what to fix.
"""

from __future__ import annotations

import struct

HEAD_BYTES = 1 << 16  # read this much of the file to find the data chunk


def declared_data_bytes(head: bytes) -> int | None:
    """Bytes of sample data the header promises, or ``None`` when the container is not RIFF/AIFF."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _chunk_size(head, chunk=b"data", little=True, start=12)
    if len(head) >= 12 and head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        size = _chunk_size(head, chunk=b"SSND", little=False, start=12)
        return None if size is None else max(0, size - 8)
    return None


def wav_pcm_layout(head: bytes) -> tuple[int, int, int] | None:
    """``(data offset, channels, bytes per sample)`` of a little-endian integer-PCM WAV whose ``fmt `` and ``data``
    chunks both start within ``head``; ``None`` for anything else (the caller lets libsndfile decode it)."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    fmt = _find_chunk(head, chunk=b"fmt ", little=True, start=12)
    data = _find_chunk(head, chunk=b"data", little=True, start=12)
    if fmt is None or data is None or fmt[1] < 16 or fmt[0] + 8 + 16 > len(head):
        return None
    tag, channels, _, _, align, bits = struct.unpack("<HHIIHH", head[fmt[0] + 8 : fmt[0] + 24])
    width = bits // 8
    if tag not in (1, 0xFFFE) or bits not in (16, 24) or channels < 1 or align != width * channels:
        return None
    return data[0] + 8, channels, width


def _chunk_size(head: bytes, *, chunk: bytes, little: bool, start: int) -> int | None:
    found = _find_chunk(head, chunk=chunk, little=little, start=start)
    return None if found is None else found[1]


def _find_chunk(head: bytes, *, chunk: bytes, little: bool, start: int) -> tuple[int, int] | None:
    """``(offset, declared size)`` of the first ``chunk`` whose header lies within ``head``."""
    fmt = "<I" if little else ">I"
    pos = start
    while pos + 8 <= len(head):
        cid = head[pos : pos + 4]
        (size,) = struct.unpack(fmt, head[pos + 4 : pos + 8])
        if cid == chunk:
            return pos, int(size)
        pos += 8 + size + (size & 1)
    return None


def caf_without_audio(head: bytes, *, size: int) -> bool:
    """A CAF file whose chunks (all within ``head``) hold no audio: no ``data`` chunk, or one with no packets."""
    if len(head) < 8 or head[:4] != b"caff":
        return False
    pos = 8
    while pos + 12 <= len(head):
        (length,) = struct.unpack(">q", head[pos + 4 : pos + 12])
        if head[pos : pos + 4] == b"data":  # its first 4 bytes are an edit count, not audio
            return 0 <= length <= 4 or (length == -1 and size - pos - 12 <= 4)
        if length < 0:
            return False
        pos += 12 + length
    return pos >= size
