"""Analysis jobs: run a QUEUED track through the analyser and record what happened.

``run`` is one job, the same code whether an in-process task (``submit``, the embedded mode) or a
``mixcoach worker`` (a procrastinate job) calls it. It claims the track first (QUEUED or a dead worker's
ANALYZING → ANALYZING), so a second job for a finished track does nothing. The audio comes from the store as a local
file: the file itself on disk, or a temporary copy streamed from an object store.

Concurrency is bounded by a semaphore of the pool's size, so a track turns ANALYZING only when a worker is free.
Progress is published in order on the track's topic of the event bus (``services.runtime``: in this process or in
Redis, so a subscriber on another instance sees it) and written to the database coalesced (the latest value wins),
so a fast stream of progress reports never queues up database writes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from services import domain
from services.errors import DomainError
from services.runtime.bus import EventBus
from services.runtime.log import Fields
from services.store import tracks as store
from services.store.audio_store import AudioStorage, extension_of

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, str], None]
AnalysisRun = Callable[[int, Path, ProgressCallback], Awaitable[dict[str, object]]]


def topic(track_id: int) -> str:
    return f"track:{track_id}"


def encode_event(event: domain.TrackEvent) -> Fields:
    """A track event as bus fields. The track itself is not copied (an analysis is large): ``with_track`` tells
    the subscriber to read it from the database, which is where the truth is anyway."""
    fields = {"status": event.status.value, "progress": repr(event.progress), "with_track": "1" if event.track else ""}
    for name in ("stage", "error_code", "error_message"):
        value = getattr(event, name)
        if value is not None:
            fields[name] = value
    return fields


def decode_event(track_id: int, fields: Fields) -> tuple[domain.TrackEvent, bool]:
    """The event (without its track) and whether it carried one."""
    event = domain.TrackEvent(
        track_id=track_id,
        status=domain.TrackStatus(fields["status"]),
        progress=float(fields["progress"]),
        stage=fields.get("stage"),
        error_code=fields.get("error_code"),
        error_message=fields.get("error_message"),
    )
    return event, bool(fields.get("with_track"))


async def publish(bus: EventBus, event: domain.TrackEvent) -> None:
    await bus.publish(topic(event.track_id), encode_event(event))


def event_for(track: domain.Track, *, stage: str | None = None) -> domain.TrackEvent:
    return domain.TrackEvent(
        track_id=track.id,
        status=track.status,
        progress=track.progress,
        stage=stage,
        error_code=track.error_code,
        error_message=track.error_message,
        track=track,
    )


class AnalysisJobs:
    def __init__(self, *, run: AnalysisRun, audio: AudioStorage, bus: EventBus, workers: int) -> None:
        self._run = run
        self._audio = audio
        self._bus = bus
        self._slots = asyncio.Semaphore(workers)
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def submit(self, track_id: int) -> None:
        """Queue one track in this process; it starts when a worker is free."""
        if track_id in self._tasks:
            return
        task = asyncio.create_task(self.run(track_id), name=f"analysis-{track_id}")
        self._tasks[track_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(track_id, None))

    async def cancel(self, track_ids: Iterable[int]) -> None:
        """Stop waiting for deleted tracks' analyses (a running one's result would find no row anyway)."""
        running = [task for track_id in track_ids if (task := self._tasks.get(track_id)) is not None]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def drain(self, timeout_s: float) -> None:
        """Graceful shutdown: let running analyses finish for up to ``timeout_s``, then stop waiting."""
        if self._tasks:
            await asyncio.wait(list(self._tasks.values()), timeout=timeout_s)

    async def requeue_pending(self) -> int:
        """Queue again what a previous run left QUEUED or ANALYZING; returns how many."""
        track_ids = await store.pending_track_ids()
        for track_id in track_ids:
            self.submit(track_id)
        if track_ids:
            logger.info("re-queued %d unfinished analyses", len(track_ids))
        return len(track_ids)

    async def close(self) -> None:
        """Stop waiting on analyses; unfinished tracks stay QUEUED/ANALYZING and are re-queued on next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run(self, track_id: int) -> None:
        """One analysis job: claim the track, analyse it, store the result (or the failure)."""
        async with self._slots:
            track = await store.mark_analyzing(track_id)
            if track is None:  # deleted while it waited
                return
            await publish(self._bus, event_for(track, stage="starting"))
            final = await self._analyze(track)
            if final is not None:
                await publish(self._bus, event_for(final))

    async def _analyze(self, track: domain.Track) -> domain.Track | None:
        async with self._audio.local_copy(track.content_hash, suffix=extension_of(track.original_filename)) as path:
            if path is None:
                return await store.mark_failed(
                    track_id=track.id, code="NOT_FOUND", message="The stored audio is missing; upload the file again."
                )
            progress = _ProgressWriter(track.id, self._bus)
            try:
                analysis = await self._run(track.id, path, progress.report)
            except DomainError as exc:
                logger.info("analysis of track %d failed: %s", track.id, exc.code)
                return await store.mark_failed(track_id=track.id, code=exc.code, message=exc.message)
            finally:
                await progress.close()
        version = analysis.get("schema_version")
        return await store.mark_ready(
            track_id=track.id, analysis=analysis, schema_version=version if isinstance(version, int) else 0
        )


class _ProgressWriter:
    """Publishes each report in order and keeps the database's ``progress`` close behind, one write at a time.

    ``report`` is a plain callback on the event loop, so it only queues; the loop below does the I/O."""

    def __init__(self, track_id: int, bus: EventBus) -> None:
        self._track_id = track_id
        self._bus = bus
        self._pending: list[domain.TrackEvent] = []
        self._latest = 0.0
        self._changed = asyncio.Event()
        self._closing = False
        self._writer = asyncio.create_task(self._write_loop())

    def report(self, fraction: float, stage: str) -> None:
        self._latest = min(max(fraction, 0.0), 1.0)
        event = domain.TrackEvent(
            track_id=self._track_id, status=domain.TrackStatus.ANALYZING, progress=self._latest, stage=stage
        )
        self._pending.append(event)
        self._changed.set()

    async def close(self) -> None:
        self._closing = True
        self._changed.set()
        await self._writer

    async def _write_loop(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            events, self._pending = self._pending, []
            for event in events:
                await publish(self._bus, event)
            if self._closing:
                return
            await store.set_progress(self._track_id, self._latest)
