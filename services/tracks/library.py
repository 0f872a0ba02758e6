"""Track use-cases: upload, read, rename, delete, and follow an analysis as it runs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Protocol

import anyio

from services import domain
from services.clients.quotas import Quotas
from services.errors import BadUserInput
from services.runtime.bus import EventBus
from services.runtime.queue import WorkQueue
from services.store import conversation
from services.store import tracks as store
from services.store.audio_store import AudioStorage, Reader, ReceivedFile
from services.tracks.analysis_jobs import decode_event, event_for, publish, topic

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 255


def clean_name(name: str, *, field: str = "name") -> str:
    """A trimmed display name; empty or over-long names are refused with the field named."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BadUserInput(f"The {field} must not be empty.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise BadUserInput(f"The {field} must be at most {MAX_NAME_LENGTH} characters.")
    return cleaned


def name_from(filename: str) -> str:
    """A display name from an upload's filename: its stem, trimmed to fit (the filename is not the user's choice)."""
    stem = " ".join(Path(filename).stem.split())[:MAX_NAME_LENGTH].strip()
    return stem or "Untitled"


def probe_file(path: Path, *, max_duration_s: float) -> domain.AudioFileInfo:
    """Read the header (format, length, rate, channels) and refuse unsupported or over-long files early.

    Imported lazily: the analysis package pulls in librosa and numba, which the server needs only once an upload
    arrives.
    """
    from services.analysis import AnalysisConfig, probe

    info = probe(path, config=AnalysisConfig(max_duration_s=max_duration_s))
    return domain.AudioFileInfo(
        format=info.format, duration_s=info.duration_s, sample_rate_hz=info.sample_rate_hz, channels=info.channels
    )


class AnswerWriter(Protocol):
    """What deleting a track needs of the answers being written about it (``services.coaching.Generation``),
    named here so that tracks/ does not import coaching/."""

    async def abandon(self, message_ids: Iterable[int], *, reason: str) -> None: ...


class Tracks:
    def __init__(
        self,
        *,
        audio: AudioStorage,
        queue: WorkQueue,
        bus: EventBus,
        generation: AnswerWriter,
        max_upload_bytes: int,
        max_duration_s: float,
        quotas: Quotas | None = None,
    ) -> None:
        self._quotas = quotas or Quotas(None)
        self._generation = generation
        self._audio = audio
        self._queue = queue
        self._bus = bus
        self._max_upload_bytes = max_upload_bytes
        self._max_duration_s = max_duration_s

    async def upload(
        self, *, owner_id: int, read: Reader, filename: str, name: str | None, previous_version_id: int | None = None
    ) -> domain.Track:
        """Store the file, check it, and queue its analysis (or reuse this client's finished one); with
        ``previous_version_id`` (one of the caller's tracks) it becomes that track's next version, named like it."""
        previous = None
        if previous_version_id is not None:
            previous = await store.get_track(owner_id=owner_id, track_id=previous_version_id)
        display_name = clean_name(name) if name is not None else (previous.name if previous else name_from(filename))
        await self._quotas.check_upload(owner_id=owner_id, size_bytes=0)  # a spent budget: refuse before reading
        received = await self._audio.receive(read, max_bytes=self._max_upload_bytes, filename=filename or "")
        info = await self._checked(received)
        try:
            async with self._quotas.upload(owner_id=owner_id, size_bytes=received.size_bytes):
                await self._audio.keep(received, filename=filename)
                reuse = await store.find_ready_duplicate(owner_id=owner_id, content_hash=received.sha256)
                track = await store.create_track(
                    owner_id=owner_id,
                    name=display_name,
                    original_filename=(filename or "upload")[:MAX_NAME_LENGTH],
                    content_hash=received.sha256,
                    size_bytes=received.size_bytes,
                    info=info,
                    reuse=reuse,
                    previous=previous,
                )
        finally:
            self._audio.discard(received)  # a no-op once kept; drops the copy the quota refused
        if track.status is domain.TrackStatus.QUEUED:
            # After the commit; if this process dies before the hand-over, the queue's sweep finds the QUEUED row.
            await self._queue.analyse(track.id)
        logger.info("track %d uploaded (%d bytes, reused=%s)", track.id, received.size_bytes, reuse is not None)
        return track

    async def _checked(self, received: ReceivedFile) -> domain.AudioFileInfo:
        try:
            return await anyio.to_thread.run_sync(
                lambda: probe_file(received.path, max_duration_s=self._max_duration_s)
            )
        except BaseException:
            self._audio.discard(received)
            raise

    async def get(self, *, owner_id: int, track_id: int) -> domain.Track:
        return await store.get_track(owner_id=owner_id, track_id=track_id)

    async def page(self, *, owner_id: int, first: int, after: str | None) -> domain.Page[domain.Track]:
        return await store.list_tracks(owner_id=owner_id, first=first, after=after)

    async def rename(self, *, owner_id: int, track_id: int, name: str) -> domain.Track:
        return await store.rename_track(owner_id=owner_id, track_id=track_id, name=clean_name(name))

    async def delete(self, *, owner_id: int, track_id: int) -> None:
        """Delete the track, its sessions and messages (stopping answers being written), and its audio if no other
        track shares it."""
        streaming = await conversation.streaming_ids(track_id=track_id)
        track = await store.delete_track(owner_id=owner_id, track_id=track_id)  # NOT_FOUND unless the caller's
        await self._generation.abandon(streaming, reason="The track was deleted while this answer was being written.")
        await self._queue.cancel(track_ids=[track.id], message_ids=streaming)
        if await store.count_with_hash(track.content_hash) == 0:
            await self._audio.delete(track.content_hash)
        # Ends any trackEvents stream on it: the analysis, if still running, will find no row to update.
        gone = domain.TrackEvent(
            track_id=track.id,
            status=domain.TrackStatus.FAILED,
            progress=track.progress,
            error_code="NOT_FOUND",
            error_message="The track was deleted.",
        )
        await publish(self._bus, gone)

    async def events(self, *, owner_id: int, track_id: int) -> AsyncIterator[domain.TrackEvent]:
        """The current state, then live changes, ending with READY or FAILED."""
        async with self._bus.subscribe(topic(track_id)) as live:
            current = await store.get_track(owner_id=owner_id, track_id=track_id)
            yield event_for(current)
            if event_for(current).is_final:
                return
            async for fields in live:
                event, with_track = decode_event(track_id, fields)
                if with_track:
                    track = await store.get_track_any_owner(track_id)
                    event = event if track is None else event_for(track, stage=event.stage)
                yield event
                if event.is_final:
                    return
