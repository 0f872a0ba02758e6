"""The worker's composition root: ``mixcoach worker`` runs analysis and generation jobs from the PostgreSQL queue.

Any number of workers can run, on any machine that reaches the database and the audio store. Each runs up to
``concurrency`` jobs at once; analyses go to a process pool of that size (CPU-bound numpy), answers are asyncio
tasks (waiting on the model). SIGTERM or SIGINT stops taking jobs and gives running ones
``MIXCOACH_SHUTDOWN_GRACE_S`` to finish; after that they are aborted (an analysis is queued again by the sweep, an
answer ends INTERRUPTED). A SIGKILLed worker's jobs are recovered by another worker's sweep once its heartbeat is
``MIXCOACH_STALLED_AFTER_S`` old.
"""

from __future__ import annotations

import logging
import os
import socket

from api.analysis_pool import AnalysisPool
from api.llm import provider_from
from api.settings import Settings
from api.storage import audio_storage_from
from services.coaching.generation import Generation
from services.coaching.thread_events import ThreadEvents
from services.runtime import build_runtime
from services.runtime.queue_postgres import PARTS, PostgresQueue, WorkerParts, build_app, ensure_schema
from services.runtime.streams import MessageStreams
from services.store.database import apply_migrations, open_database
from services.tracks.analysis_jobs import AnalysisJobs

logger = logging.getLogger(__name__)

# A retried job (a dead worker's analysis) is found by polling, not NOTIFY: one cheap query a second per worker.
FETCH_POLL_S = 1.0


async def run_worker(settings: Settings, *, concurrency: int, name: str | None = None) -> None:
    """Run jobs until SIGTERM/SIGINT."""
    if not settings.distributed:
        raise SystemExit("mixcoach worker needs MIXCOACH_QUEUE=postgres and a PostgreSQL DATABASE_URL")
    settings.check_serving()
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    audio = audio_storage_from(settings)
    audio.prepare()
    pool = AnalysisPool(workers=concurrency, max_duration_s=settings.max_duration_s)
    # Token deltas, track progress and thread events go through Redis to whichever web instance holds the client.
    runtime = build_runtime(settings.redis_url, prefix=settings.redis_prefix)
    bus = runtime.bus()
    jobs_app = build_app(settings.postgres_conninfo, sweep_every_s=settings.sweep_every_s, pool_size=concurrency + 3)
    pool.start()
    try:
        async with jobs_app.open_async():
            if settings.migrate_on_start:
                await apply_migrations(settings.resolved_database_url, also=lambda: ensure_schema(jobs_app))
            async with open_database(settings.resolved_database_url, migrate_first=False):
                streams = MessageStreams(runtime.log)
                queue = PostgresQueue(jobs_app, streams=streams)
                generation = Generation(
                    provider=provider_from(settings),
                    streams=streams,
                    summary_every=settings.summary_every,
                    budget_tokens=settings.prompt_token_budget,
                    lease_s=settings.generation_lease_s,
                    on_thread_event=ThreadEvents(bus).announce,
                    chain=queue.generate,
                    sweeps=False,
                )
                parts = WorkerParts(
                    analysis=AnalysisJobs(run=pool.run, audio=audio, bus=bus, workers=concurrency),
                    generation=generation,
                    stalled_after_s=settings.stalled_after_s,
                    grace_s=settings.stalled_after_s,
                )
                logger.info("worker %s: running up to %d jobs at once", name, concurrency)
                try:
                    await jobs_app.run_worker_async(
                        name=name,
                        concurrency=concurrency,
                        additional_context={PARTS: parts},
                        update_heartbeat_interval=settings.worker_heartbeat_s,
                        stalled_worker_timeout=settings.stalled_after_s,
                        shutdown_graceful_timeout=settings.shutdown_grace_s,
                        fetch_job_polling_interval=FETCH_POLL_S,
                        install_signal_handlers=True,
                        delete_jobs="successful",  # the rows are the record; failed and cancelled jobs stay to inspect
                    )
                finally:
                    await generation.close()  # stops the lease loop (jobs end INTERRUPTED themselves)
                    await generation.provider.aclose()
    finally:
        pool.close()
        await runtime.aclose()
