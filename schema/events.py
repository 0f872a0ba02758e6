"""Subscription payload types for track analysis events."""

from __future__ import annotations

import strawberry

from schema.ids import encode_id
from schema.types import Track
from services import domain


@strawberry.type
class TrackEvent:
    track_id: strawberry.ID
    status: domain.TrackStatus
    progress: float
    stage: str | None
    error_code: str | None
    error_message: str | None
    track: Track | None = strawberry.field(description="Set on the first event and on the final READY/FAILED one.")

    @classmethod
    def from_domain(cls, event: domain.TrackEvent) -> TrackEvent:
        return cls(
            track_id=strawberry.ID(encode_id("Track", event.track_id)),
            status=event.status,
            progress=event.progress,
            stage=event.stage,
            error_code=event.error_code,
            error_message=event.error_message,
            track=Track.from_domain(event.track) if event.track else None,
        )
