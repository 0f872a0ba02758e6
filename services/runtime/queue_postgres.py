"""The distributed work queue: procrastinate jobs in PostgreSQL, run by ``mixcoach worker`` processes.

How a job can never be lost (claim-and-sweep, not a shared transaction): Tortoise writes rows over asyncpg and
procrastinate defers over psycopg, so the two cannot share a transaction without an internal procrastinate SQL
function or a private connection attribute. Instead the row *is* the claim: a QUEUED or ANALYZING track, or a
STREAMING message, needs a job. The web instance commits the row, then defers its job; if it dies in between, the
periodic sweep (run by one worker at a time) finds rows older than a grace period with no ``todo``/``doing`` job and
defers one. Every job takes its row id as ``lock`` and ``queueing_lock``, so a second defer while one waits is
refused and two never run at once, and the jobs themselves are idempotent: an analysis claims its track
(QUEUED/ANALYZING → ANALYZING) and does nothing once it is READY or FAILED.

Dead workers (SIGKILL, a lost machine): each worker writes a heartbeat; the sweep takes ``doing`` jobs whose worker
has been silent for ``stalled_after_s``. An analysis is simply retried on another worker. An answer is *not*
re-run (that would call the model twice for one attempt): its message ends FAILED with ``INTERRUPTED`` and its job
``failed``, and ``retryMessage`` defers exactly one new job.

Cancellation: deleting a track or a session cancels its ``todo`` jobs and asks running ones to abort (procrastinate
cancels the job's task in the worker).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status

from services import domain
from services.coaching.generation import Generation
from services.runtime.streams import MessageStreams
from services.store import conversation as message_store
from services.store import lost_work
from services.tracks.analysis_jobs import AnalysisJobs

logger = logging.getLogger(__name__)

ANALYSE = "mixcoach.analyse"
GENERATE = "mixcoach.generate"
SWEEP = "mixcoach.sweep"
PARTS = "mixcoach"  # the key of ``WorkerParts`` in the jobs' additional context
_DEAD_WORKER = "The worker writing this answer stopped; retry it."


def track_lock(track_id: int) -> str:
    return f"track-{track_id}"


def message_lock(message_id: int) -> str:
    return f"message-{message_id}"


@dataclass(frozen=True)
class WorkerParts:
    """What a worker's jobs run with (built by ``api.worker``)."""

    analysis: AnalysisJobs
    generation: Generation
    stalled_after_s: float
    grace_s: float


def build_app(conninfo: str, *, sweep_every_s: int = 5, pool_size: int = 10) -> procrastinate.App:
    """The procrastinate app with mixcoach's three tasks; the same in web instances (to defer) and workers."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=pool_size))

    # Analyses are idempotent, so a failure outside the analyser (a lost database connection) is retried. Only
    # errors: an abort (its track was deleted) or a shutdown cancels the task, which is not an ``Exception``; a
    # track a stopping worker left ANALYZING is deferred again by the sweep.
    retry = procrastinate.RetryStrategy(max_attempts=3, wait=5, retry_exceptions=[Exception])

    @app.task(name=ANALYSE, pass_context=True, retry=retry)
    async def analyse(context: procrastinate.JobContext, track_id: int) -> None:
        await _parts(context).analysis.run(track_id)

    # Never retried: a second run would be a second model request for the same attempt.
    @app.task(name=GENERATE, pass_context=True)
    async def generate(context: procrastinate.JobContext, message_id: int) -> None:
        message = await message_store.find_message(message_id)
        if message is None or message.status is not domain.MessageStatus.STREAMING:
            return  # deleted, or already ended (interrupted by the sweep, finished by an earlier job)
        await _parts(context).generation.run(message)

    @app.periodic(cron=f"* * * * * */{sweep_every_s}", periodic_id="sweep")
    @app.task(name=SWEEP, pass_context=True, queueing_lock=SWEEP)
    async def sweep(context: procrastinate.JobContext, timestamp: int) -> None:
        parts = _parts(context)
        await recover_stalled(context.app, generation=parts.generation, stalled_after_s=parts.stalled_after_s)
        await defer_lost(PostgresQueue(context.app), grace_s=parts.grace_s)

    return app


def _parts(context: procrastinate.JobContext) -> WorkerParts:
    parts: WorkerParts = context.additional_context[PARTS]
    return parts


async def recover_stalled(app: procrastinate.App, *, generation: Generation, stalled_after_s: float) -> None:
    """Dead workers' jobs: analyses go back to ``todo``; answers end INTERRUPTED (retryable) and ``failed``."""
    manager = app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
        assert job.id is not None
        if job.task_name == ANALYSE:
            logger.warning("job %d (%s): its worker died; retrying it", job.id, job.task_kwargs)
            await manager.retry_job(job)
            continue
        if job.task_name == GENERATE:
            message_id = int(job.task_kwargs["message_id"])  # type: ignore[arg-type]
            logger.warning("job %d: the worker writing message %d died; it ends INTERRUPTED", job.id, message_id)
            # The message first: once it is FAILED, nothing defers this attempt again; its stream ends too.
            await generation.interrupt([message_id], reason=_DEAD_WORKER)
        await manager.finish_job_by_id_async(job_id=job.id, status=Status.FAILED, delete_job=False)


async def defer_lost(queue: PostgresQueue, *, grace_s: float) -> None:
    """Rows that need a job and have none (their web instance died between the commit and the defer)."""
    for track_id in await lost_work.tracks_without_job(grace_s=grace_s):
        logger.warning("track %d had no analysis job; deferring one", track_id)
        await queue.analyse(track_id)
    for message_id in await lost_work.messages_without_job(grace_s=grace_s):
        logger.warning("message %d had no generation job; deferring one", message_id)
        await queue.defer_generation(message_id)


class PostgresQueue:
    """``WorkQueue`` over procrastinate; the app must be open (``app.open_async()``).

    With ``streams`` (web instances), an answer's stream is opened before its job is deferred, so a subscriber
    arriving before a worker takes the job waits for its deltas instead of finding no stream."""

    def __init__(self, app: procrastinate.App, *, streams: MessageStreams | None = None) -> None:
        self._app = app
        self._streams = streams

    async def analyse(self, track_id: int) -> None:
        await self._defer(ANALYSE, track_lock(track_id), track_id=track_id)

    async def generate(self, message: domain.Message) -> None:
        if self._streams is not None:
            await self._streams.open(message.id)
        await self.defer_generation(message.id)

    async def defer_generation(self, message_id: int) -> None:
        await self._defer(GENERATE, message_lock(message_id), message_id=message_id)

    async def _defer(self, task: str, lock: str, **kwargs: Any) -> None:
        try:
            await self._app.configure_task(task, lock=lock, queueing_lock=lock).defer_async(**kwargs)
        except AlreadyEnqueued:
            logger.info("%s (%s) is already queued", task, lock)

    async def cancel(self, *, track_ids: Sequence[int] = (), message_ids: Sequence[int] = ()) -> None:
        locks = [track_lock(t) for t in track_ids] + [message_lock(m) for m in message_ids]
        manager = self._app.job_manager
        for lock in locks:
            for status in ("todo", "doing"):
                for job in await manager.list_jobs_async(lock=lock, status=status):
                    assert job.id is not None
                    await manager.cancel_job_by_id_async(job.id, abort=True)

    async def check(self) -> str:
        if not await self._app.job_manager.check_connection_async():
            raise RuntimeError("the procrastinate schema is missing; run `mixcoach migrate`")
        waiting = 0
        for queue in await self._app.job_manager.list_queues_async():
            waiting += int(queue.get("todo", 0))
        return f"procrastinate, {waiting} jobs waiting"


async def ensure_schema(app: procrastinate.App) -> bool:
    """Apply procrastinate's schema if this database has none yet; True if it did. Call under the migration lock:
    applying it twice fails (its types already exist)."""
    if await app.job_manager.check_connection_async():
        return False
    await app.schema_manager.apply_schema_async()
    return True
