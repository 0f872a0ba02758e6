"""Analysis jobs: run a QUEUED track through the analyser and record what happened.

``run`` is one job, the same code whether an in-process task (``submit``, the embedded mode) or a
``mixcoach worker`` (a procrastinate job) calls it. It claims the track first (QUEUED or a dead worker's
ANALYZING → ANALYZING), so a second job for a finished track does nothing. The audio comes from the store as a local
file: the file itself on disk, or a temporary copy streamed from an object store.

In the embedded mode several ``mixcoach serve`` instances may share one database. Each pending track then carries
a lease in its row (``lease_owner``, ``lease_until``): the instance that queued it claims it before running it and
renews the lease while the track waits or runs; at start, and every third of a lease after, an instance takes only
tracks whose lease lapsed (their instance died or stopped) or that never had one for a whole lease. So a starting
instance never analyses another live instance's unfinished tracks a second time, and a dead one's are picked up
within about one lease. (Workers need no lease: procrastinate recovers a dead worker's job.)

Concurrency is bounded by a semaphore of the pool's size, so a track turns ANALYZING only when a worker is free.
Progress is published in order on the track's topic of the event bus (``services.runtime``: in this process or in
Redis, so a subscriber on another instance sees it) and written to the database coalesced (the latest value wins),
so a fast stream of progress reports never queues up database writes.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

from services import domain
from services.errors import DomainError
from services.runtime.bus import EventBus
from services.runtime.log import Fields
from services.store import tracks as store
from services.store.audio_store import AudioSource, AudioStorage, extension_of

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, str], None]
AnalysisRun = Callable[[int, AudioSource, ProgressCallback], Awaitable[dict[str, object]]]


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
    def __init__(
        self, *, run: AnalysisRun, audio: AudioStorage, bus: EventBus, workers: int, lease_s: float = 30.0
    ) -> None:
        self._run = run
        self._audio = audio
        self._bus = bus
        self._slots = asyncio.Semaphore(workers)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self.instance_id = f"{socket.gethostname()[:32]}-{uuid.uuid4().hex[:12]}"
        self.lease = timedelta(seconds=lease_s)
        self._leases: asyncio.Task[None] | None = None

    def submit(self, track_id: int) -> None:
        """Queue one track in this process; it starts when a worker is free (if this instance holds its lease)."""
        if track_id in self._tasks:
            return
        task = asyncio.create_task(self._leased(track_id), name=f"analysis-{track_id}")
        self._tasks[track_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(track_id, None))

    async def _leased(self, track_id: int) -> None:
        """``run`` under this instance's lease; nothing if another live instance holds the track."""
        if not await store.claim_tracks(owner=self.instance_id, track_ids=[track_id], lease=self.lease):
            logger.info("track %d is another instance's; leaving it", track_id)
            return
        await self.run(track_id)

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
        """At start: queue the pending tracks no live instance holds (see the module's doc), then keep renewing
        this instance's leases and taking lapsed ones until ``close``. Returns how many were queued now."""
        queued = await self._take_abandoned()
        if self._leases is None:
            self._leases = asyncio.create_task(self._keep_leases(), name="analysis-leases")
        return queued

    async def _take_abandoned(self) -> int:
        track_ids = await store.claim_abandoned_tracks(
            owner=self.instance_id, lease=self.lease, unleased_grace=self.lease
        )
        for track_id in track_ids:
            self.submit(track_id)
        if track_ids:
            logger.info("re-queued %d unfinished analyses", len(track_ids))
        return len(track_ids)

    async def _keep_leases(self) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await store.claim_tracks(owner=self.instance_id, track_ids=list(self._tasks), lease=self.lease)
                await self._take_abandoned()
            except Exception:  # a database hiccup: try again next tick, the lease has two more ticks to go
                logger.warning("renewing analysis leases failed", exc_info=True)

    async def close(self) -> None:
        """Stop waiting on analyses; unfinished tracks stay QUEUED/ANALYZING with their lease lapsed, so the next
        start (of this or another instance) takes them at once."""
        if self._leases is not None:
            self._leases.cancel()
            await asyncio.gather(self._leases, return_exceptions=True)
        tasks = list(self._tasks.values())
        unfinished = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await store.release_tracks(owner=self.instance_id, track_ids=unfinished)
        except Exception:  # the database is gone already: the leases lapse by themselves
            logger.warning("releasing analysis leases failed", exc_info=True)

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
        async with self._audio.analysis_source(
            track.content_hash, suffix=extension_of(track.original_filename)
        ) as source:
            if source is None:
                return await store.mark_failed(
                    track_id=track.id, code="NOT_FOUND", message="The stored audio is missing; upload the file again."
                )
            progress = _ProgressWriter(track.id, self._bus)
            try:
                analysis = await self._run(track.id, source, progress.report)
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
