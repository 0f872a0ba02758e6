"""Short-lived signed links to a track's audio, so an ``<audio>`` element (which cannot send a bearer header) can
play and seek it.

A link names the track, the client it was issued to and its expiry, and carries an HMAC-SHA256 of the three under
a server secret. The audio route checks the signature and the expiry, then reads the track *as that client*: a
link can never reach another client's track, and one issued before a track was deleted dies with it.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services import domain
from services.audio_store import AudioStorage
from services.errors import NotFound, Unauthenticated
from services.store import tracks as store

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


class AudioLinks:
    """Issues and checks signed links; ``secret`` comes from the settings, ``ttl_s`` is how long a link lives."""

    def __init__(self, *, audio: AudioStorage, secret: bytes, ttl_s: float) -> None:
        self._audio = audio
        self._secret = secret
        self._ttl_s = ttl_s

    def _signature(self, *, track_id: int, client_id: int, expires: int) -> str:
        message = f"{track_id}.{client_id}.{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    async def link(self, *, owner_id: int, track_id: int, now: datetime | None = None) -> AudioLink:
        """A link to one of the caller's tracks (NOT_FOUND for any other)."""
        await store.get_track(owner_id=owner_id, track_id=track_id)
        expires = int((now or datetime.now(UTC)).timestamp() + self._ttl_s)
        signature = self._signature(track_id=track_id, client_id=owner_id, expires=expires)
        url = f"{AUDIO_PATH}/{track_id}?client={owner_id}&expires={expires}&signature={signature}"
        return AudioLink(url=url, expires_at=datetime.fromtimestamp(expires, UTC))

    def verify(
        self, *, track_id: int, client_id: int, expires: int, signature: str, now: datetime | None = None
    ) -> int:
        """The client the link was issued to; UNAUTHENTICATED for a forged, altered or expired link."""
        expected = self._signature(track_id=track_id, client_id=client_id, expires=expires)
        if not hmac.compare_digest(expected, signature):
            raise Unauthenticated("The audio link is not valid; ask the API for a new one (`Track.audioUrl`).")
        if (now or datetime.now(UTC)).timestamp() > expires:
            raise Unauthenticated("The audio link has expired; ask the API for a new one (`Track.audioUrl`).")
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
