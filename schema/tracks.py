"""Track fields: read, upload, rename, delete, and follow an analysis."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from schema.context import Info
from schema.events import TrackEvent
from schema.ids import decode_id, decode_optional_id
from schema.types import Track, connection_of
from services.errors import BadUserInput


@strawberry.type
class TrackQuery:
    # One of your tracks; NOT_FOUND for a missing or another client's track.
    @strawberry.field
    async def track(self, info: Info, id: strawberry.ID) -> Track:
        owner_id = info.context.require_client()
        track = await info.context.services.tracks.get(owner_id=owner_id, track_id=decode_id(id, type_name="Track"))
        return Track.from_domain(track)

    # Your tracks, newest first.
    @strawberry.field
    async def tracks(self, info: Info, first: int = 20, after: str | None = None) -> relay.Connection[Track]:
        owner_id = info.context.require_client()
        page = await info.context.services.tracks.page(owner_id=owner_id, first=first, after=after)
        return connection_of(page, Track.from_domain)  # type: ignore[no-any-return]


@strawberry.type
class TrackMutation:
    # Upload audio (GraphQL multipart request); its analysis starts at once. With previousVersionId (one of your
    # tracks) it is that track's next version (v2, v3 ...), named like it unless a name is given.
    @strawberry.mutation
    async def upload_track(
        self, info: Info, file: Upload, name: str | None = None, previous_version_id: strawberry.ID | None = None
    ) -> Track:
        upload: Any = file  # Starlette's UploadFile at run time, unless the client sent something else
        if not callable(getattr(upload, "read", None)):
            raise BadUserInput(
                "`file` must be a file part of a multipart request (the GraphQL multipart request spec), "
                "mapped to `variables.file`."
            )
        try:
            owner_id = info.context.require_client()
            track = await info.context.services.tracks.upload(
                owner_id=owner_id,
                read=upload.read,
                filename=upload.filename or "upload",
                name=name,
                previous_version_id=decode_optional_id(previous_version_id, type_name="Track"),
            )
        finally:
            await upload.close()
        return Track.from_domain(track)

    @strawberry.mutation
    async def rename_track(self, info: Info, id: strawberry.ID, name: str) -> Track:
        owner_id = info.context.require_client()
        track_id = decode_id(id, type_name="Track")
        return Track.from_domain(
            await info.context.services.tracks.rename(owner_id=owner_id, track_id=track_id, name=name)
        )

    # Delete a track, its sessions and messages, and its audio if nothing else uses it.
    @strawberry.mutation
    async def delete_track(self, info: Info, id: strawberry.ID) -> bool:
        owner_id = info.context.require_client()
        await info.context.services.tracks.delete(owner_id=owner_id, track_id=decode_id(id, type_name="Track"))
        return True


@strawberry.type
class TrackSubscription:
    # The track's state now, then status and progress until READY or FAILED.
    @strawberry.subscription
    async def track_events(self, info: Info, track_id: strawberry.ID) -> AsyncGenerator[TrackEvent, None]:
        owner_id = info.context.require_client()
        events = info.context.services.tracks.events(owner_id=owner_id, track_id=decode_id(track_id, type_name="Track"))
        async for event in events:
            yield TrackEvent.from_domain(event)
