"""Uploaded audio, content-addressed by SHA-256. ``AudioStorage`` is the seam; ``AudioStore`` here keeps the files
on disk (``<data>/audio/<sha256[:2]>/<sha256>.<ext>``), the embedded default; ``services.store.audio_store_s3`` keeps
them in an S3-compatible object store, so that any worker on any machine can read what any web instance received.

Uploads are copied in chunks into a temporary file while hashing, so a file is never held whole in memory and a
file over the limit is abandoned as soon as it crosses it. Identical content is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio

from services.errors import BadUserInput, PayloadTooLarge
from services.store.ranged import StoredObject

CHUNK_BYTES = 1024 * 1024
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")

Reader = Callable[[int], Awaitable[bytes]]
AudioSource = Path | StoredObject  # a file on this machine, or an object read by HTTP ranges


@dataclass(frozen=True)
class ReceivedFile:
    """An upload copied to a temporary file, not yet in the store."""

    path: Path
    sha256: str
    size_bytes: int


def extension_of(filename: str) -> str:
    """A safe extension for the stored copy; soundfile sniffs content, so an odd name only loses a hint."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    return suffix if _EXTENSION.fullmatch(suffix) else "bin"


class AudioStorage(Protocol):
    """Where uploads are received, kept, read back by analyses, and deleted."""

    def prepare(self) -> None: ...

    async def receive(self, read: Reader, *, max_bytes: int, filename: str) -> ReceivedFile: ...

    async def keep(self, received: ReceivedFile, *, filename: str) -> None:
        """Store a received file under its hash (once: identical content is already there)."""

    def discard(self, received: ReceivedFile) -> None: ...

    def analysis_source(self, sha256: str, *, suffix: str) -> AbstractAsyncContextManager[AudioSource | None]:
        """What an analysis process opens for the block: a local file, or an object it reads by ranges (None if
        the audio is missing)."""

    async def delete(self, sha256: str) -> None: ...

    async def size_of(self, sha256: str) -> int | None:
        """The stored file's size in bytes (None if it is missing), for HTTP Range answers."""

    async def read_range(self, sha256: str, *, start: int, length: int) -> bytes:
        """``length`` bytes from ``start`` (fewer at the end), without reading the rest of the file."""

    async def check(self) -> str:
        """A one-line health report for ``/readyz``; raises if the store cannot be used."""


class AudioStore:
    """The local folder: fine for one machine, or several sharing one filesystem."""

    def __init__(self, root: Path) -> None:
        self._audio = root / "audio"
        self._incoming = root / "incoming"

    def prepare(self) -> None:
        self._audio.mkdir(parents=True, exist_ok=True)
        self._incoming.mkdir(parents=True, exist_ok=True)

    async def receive(self, read: Reader, *, max_bytes: int, filename: str) -> ReceivedFile:
        """Copy an upload (``read(n)`` returns ``b""`` at the end) to a temporary file, hashing as it goes.

        The temporary file keeps the upload's extension, so errors about it name the format the user sent.
        """
        fd, name = tempfile.mkstemp(dir=self._incoming, prefix="upload-", suffix=f".{extension_of(filename)}")
        os.close(fd)
        path = Path(name)
        try:
            digest, size = await _copy(read, path, max_bytes=max_bytes)
        except BaseException:
            await anyio.Path(path).unlink(missing_ok=True)
            raise
        if size == 0:
            await anyio.Path(path).unlink(missing_ok=True)
            raise BadUserInput("The uploaded file is empty; choose an audio file (WAV, FLAC, AIFF, MP3 or OGG).")
        return ReceivedFile(path=path, sha256=digest, size_bytes=size)

    async def keep(self, received: ReceivedFile, *, filename: str) -> None:
        """Move a received file into the store; if the content is already there, drop the copy."""
        target = self._audio / received.sha256[:2] / f"{received.sha256}.{extension_of(filename)}"
        if self.path_for(received.sha256) is not None:
            received.path.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received.path, target)

    @asynccontextmanager
    async def analysis_source(self, sha256: str, *, suffix: str) -> AsyncIterator[AudioSource | None]:
        """The stored file itself: it is already local."""
        yield self.path_for(sha256)

    def discard(self, received: ReceivedFile) -> None:
        received.path.unlink(missing_ok=True)

    def path_for(self, sha256: str) -> Path | None:
        return next(iter(sorted((self._audio / sha256[:2]).glob(f"{sha256}.*"))), None)

    async def delete(self, sha256: str) -> None:
        """Remove the stored audio for ``sha256``; the caller checked that no track references it."""
        for path in (self._audio / sha256[:2]).glob(f"{sha256}.*"):
            path.unlink(missing_ok=True)

    async def size_of(self, sha256: str) -> int | None:
        path = self.path_for(sha256)
        return None if path is None else path.stat().st_size

    async def read_range(self, sha256: str, *, start: int, length: int) -> bytes:
        path = self.path_for(sha256)
        if path is None:
            return b""
        async with await anyio.open_file(path, "rb") as source:
            await source.seek(start)
            return await source.read(length)

    async def check(self) -> str:
        if not os.access(self._audio, os.W_OK):
            raise OSError(f"the audio folder {self._audio} is not writable")
        return f"folder {self._audio}"


async def _copy(read: Reader, path: Path, *, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    async with await anyio.open_file(path, "wb") as out:
        while chunk := await read(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                limit_mb = max_bytes / (1024 * 1024)
                raise PayloadTooLarge(
                    f"The file is larger than the {limit_mb:g} MB upload limit; upload a shorter or compressed file."
                )
            digest.update(chunk)
            await out.write(chunk)
    return digest.hexdigest(), size
