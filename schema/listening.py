"""``Track.audioUrl``: a short-lived signed link to the track's audio, which ``GET /audio/{id}`` serves with HTTP
Range, so the page's ``<audio>`` element can play and seek it without a bearer header."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info


@strawberry.type
class AudioLink:
    url: str = strawberry.field(
        description="A path on this server (/audio/<id>?client=&expires=&signature=); GET it, with Range to seek."
    )
    expires_at: datetime = strawberry.field(description="After this the link is refused (401): ask for a new one.")


async def track_audio_link(track_id: int, info: Info) -> AudioLink:
    """The resolver behind ``Track.audioUrl``: one of the caller's tracks only."""
    owner_id = info.context.require_client()
    link = await info.context.services.audio_links.link(owner_id=owner_id, track_id=track_id)
    return AudioLink(url=link.url, expires_at=link.expires_at)
