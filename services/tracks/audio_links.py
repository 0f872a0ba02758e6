"""Short-lived signed links to a track's audio, so an ``<audio>`` element (which cannot send a bearer header) can
play and seek it.

A link names the track, the client it was issued to and its expiry, and carries an HMAC-SHA256 of the three under
a key derived from that client's stored token hash (peppered with ``MIXCOACH_AUDIO_URL_SECRET`` when set). The key
lives in the database, not in one process's memory, so a link issued by one web instance plays on any other, and a
client whose row is gone can no longer use its links. The audio route checks the signature and the expiry, then
reads the track *as that client*: a link can never reach another client's track, and one issued before a track was
deleted dies with it.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services import domain
from services.errors import NotFound, Unauthenticated
from services.store import clients as client_store
from services.store import tracks as store
from services.store.audio_store import AudioStorage

AUDIO_PATH = "/audio"
_TYPES = {
    **{"wav": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg", "ogg": "audio/ogg", "opus": "audio/ogg"},
    **{"aif": "audio/aiff", "aiff": "audio/aiff", "m4a": "audio/mp4", "mp4": "audio/mp4", "aac": "audio/aac"},
}


@dataclass(frozen=True)
class AudioLink:
    """A URL path with its query, valid until ``expires_at``."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class AudioBlob:
    """What the route needs to answer: the size, the media type and where the bytes are."""

    sha256: str
    size_bytes: int
    content_type: str
    filename: str


def content_type_for(filename: str) -> str:
    """The media type a browser needs to pick a decoder; from the upload's extension (soundfile sniffed content)."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    return _TYPES.get(suffix) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def sign(key: bytes, *, track_id: int, client_id: int, expires: int) -> str:
    """The signature of one link under one client's key."""
    return hmac.new(key, f"{track_id}.{client_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def check(key: bytes, *, track_id: int, client_id: int, expires: int, signature: str, now: datetime) -> None:
    """UNAUTHENTICATED for a forged, altered or expired link."""
    expected = sign(key, track_id=track_id, client_id=client_id, expires=expires)
    if not hmac.compare_digest(expected, signature):
        raise Unauthenticated("The audio link is not valid; ask the API for a new one (`Track.audioUrl`).")
    if now.timestamp() > expires:
        raise Unauthenticated("The audio link has expired; ask the API for a new one (`Track.audioUrl`).")


class AudioLinks:
    """Issues and checks signed links; ``pepper`` comes from the settings, ``ttl_s`` is how long a link lives."""

    def __init__(self, *, audio: AudioStorage, pepper: bytes, ttl_s: float) -> None:
        self._audio = audio
        self._pepper = pepper
        self._ttl_s = ttl_s

    async def _key(self, client_id: int) -> bytes:
        token_hash = await client_store.token_hash_of(client_id)
        if token_hash is None:
            raise Unauthenticated("The audio link is not valid; ask the API for a new one (`Track.audioUrl`).")
        return hmac.new(self._pepper, token_hash.encode(), hashlib.sha256).digest()

    async def link(self, *, owner_id: int, track_id: int, now: datetime | None = None) -> AudioLink:
        """A link to one of the caller's tracks (NOT_FOUND for any other)."""
        await store.get_track(owner_id=owner_id, track_id=track_id)
        expires = int((now or datetime.now(UTC)).timestamp() + self._ttl_s)
        signature = sign(await self._key(owner_id), track_id=track_id, client_id=owner_id, expires=expires)
        url = f"{AUDIO_PATH}/{track_id}?client={owner_id}&expires={expires}&signature={signature}"
        return AudioLink(url=url, expires_at=datetime.fromtimestamp(expires, UTC))

    async def verify(self, *, track_id: int, client_id: int, expires: int, signature: str) -> int:
        """The client the link was issued to; UNAUTHENTICATED for a forged, altered or expired link."""
        key = await self._key(client_id)
        check(key, track_id=track_id, client_id=client_id, expires=expires, signature=signature, now=datetime.now(UTC))
        return client_id

    async def blob(self, *, owner_id: int, track_id: int) -> AudioBlob:
        """The stored audio of one of the caller's tracks; NOT_FOUND for another client's or a missing file."""
        track: domain.Track = await store.get_track(owner_id=owner_id, track_id=track_id)
        size = await self._audio.size_of(track.content_hash)
        if size is None:
            raise NotFound("The track's audio is no longer stored.")
        return AudioBlob(
            sha256=track.content_hash,
            size_bytes=size,
            content_type=content_type_for(track.original_filename),
            filename=track.original_filename,
        )

    async def read(self, blob: AudioBlob, *, start: int, length: int) -> bytes:
        """``length`` bytes from ``start`` (fewer at the end of the file)."""
        return await self._audio.read_range(blob.sha256, start=start, length=length)
