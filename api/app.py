"""The composition root: ``create_app(settings)`` wires settings, services, the schema and the routes.

Run it with ``mixcoach serve`` (or ``uvicorn --factory api.app:create_app``). The lifespan opens the database
(applying migrations unless ``MIXCOACH_MIGRATE_ON_START=false``). In the embedded mode it also starts the analysis
pool and re-queues analyses a previous run left unfinished; with ``MIXCOACH_QUEUE=postgres`` it only defers jobs,
which ``mixcoach worker`` processes run, and a restart leaves every other process's work alone. On shutdown
in-flight work gets ``MIXCOACH_SHUTDOWN_GRACE_S`` to finish. Live events (token deltas, track progress, thread
events) and rate limits go through ``services.runtime``: this process's memory, or Redis with ``MIXCOACH_REDIS_URL``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import procrastinate
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from api.analysis_pool import AnalysisPool
from api.audio_route import AudioRoute
from api.gc_tuning import tune_after_startup
from api.graphiql import LocalGraphiQLView
from api.guards import UploadGuard
from api.headers import SecurityHeaders
from api.health import Check, healthz, readyz
from api.llm import provider_from
from api.proxies import TrustedProxies
from api.request_limit import RequestLimit
from api.settings import Settings
from api.storage import audio_storage_from
from schema import schema
from schema.context import Services
from services.clients.identities import Clients
from services.clients.quotas import Quotas
from services.coaching.feedback import Feedback
from services.coaching.generation import Generation
from services.coaching.reports import Reports
from services.coaching.sessions import Sessions
from services.coaching.thread_events import ThreadEvents
from services.runtime import build_runtime
from services.runtime.queue import InProcessQueue, WorkQueue
from services.runtime.queue_postgres import PostgresQueue, build_app, ensure_schema
from services.runtime.streams import MessageStreams
from services.store.database import apply_migrations, open_database, ping
from services.tracks.analysis_jobs import AnalysisJobs
from services.tracks.audio_links import AudioLinks
from services.tracks.library import Tracks
from services.tracks.versions import Versions

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MULTIPART_OVERHEAD_BYTES = 1024 * 1024  # the `operations` and `map` fields around the file


def create_app(settings: Settings | None = None, *, tune_gc: bool = False) -> Starlette:
    """``tune_gc``: a serving process freezes start-up's objects out of the collector once started and shortens
    the GIL's switch interval (``api.gc_tuning``); tests, which build many apps in one process, leave both alone."""
    settings = settings or Settings()
    settings.check_serving()
    audio = audio_storage_from(settings)
    runtime = build_runtime(settings.redis_url, prefix=settings.redis_prefix)
    bus = runtime.bus()
    thread_events = ThreadEvents(bus)
    generation = Generation(
        provider=provider_from(settings),
        streams=MessageStreams(runtime.log),
        lease_s=settings.generation_lease_s,
        on_thread_event=thread_events.announce,
        summary_every=settings.summary_every,
        budget_tokens=settings.prompt_token_budget,
    )
    # The embedded mode runs jobs here; the distributed one only defers them (``mixcoach worker`` runs them).
    jobs_app: procrastinate.App | None = None
    pool: AnalysisPool | None = None
    jobs: AnalysisJobs | None = None
    queue: WorkQueue
    if settings.distributed:
        jobs_app = build_app(settings.postgres_conninfo, pool_size=4)
        queue = PostgresQueue(jobs_app, streams=generation.streams)
    else:
        pool = AnalysisPool(workers=settings.analysis_workers, max_duration_s=settings.max_duration_s)
        jobs = AnalysisJobs(run=pool.run, audio=audio, bus=bus, workers=settings.analysis_workers)
        queue = InProcessQueue(analysis=jobs, generation=generation)
    quotas = Quotas(settings.quota_limits)
    new_clients = runtime.limiter(
        name="create-client",
        limit=settings.create_client_per_minute,
        window_s=60.0,
        subject="new clients from this address",
    )
    sessions = Sessions(generation=generation, queue=queue, events=thread_events)
    secret = settings.audio_url_secret
    links = AudioLinks(
        audio=audio,
        pepper=secret.get_secret_value().encode() if secret else b"",
        ttl_s=settings.audio_url_ttl_s,
    )
    services = Services(
        clients=Clients(limiter=new_clients),
        tracks=Tracks(
            audio=audio,
            queue=queue,
            bus=bus,
            generation=generation,
            max_upload_bytes=settings.max_upload_bytes,
            max_duration_s=settings.max_duration_s,
            quotas=quotas,
        ),
        sessions=sessions,
        feedback=Feedback(generation=generation, sessions=sessions, quotas=quotas, queue=queue),
        audio_links=links,
        versions=Versions(),
        reports=Reports(),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        audio.prepare()
        async with AsyncExitStack() as stack:
            stack.push_async_callback(runtime.aclose)  # closed last: the drain still publishes events
            if pool is not None:
                pool.start()
                stack.callback(pool.close)
            if jobs_app is not None:
                await stack.enter_async_context(jobs_app.open_async())
            if settings.migrate_on_start:
                schema = None if jobs_app is None else (lambda: ensure_schema(jobs_app))
                await apply_migrations(settings.resolved_database_url, also=schema)
            await stack.enter_async_context(open_database(settings.resolved_database_url, migrate_first=False))
            if jobs is not None:  # in the distributed mode workers run (and recover) jobs; a web instance runs none
                await jobs.requeue_pending()
                await services.feedback.recover()  # only answers whose lease lapsed: other instances' stay alone
            if tune_gc:
                tune_after_startup()
            try:
                yield
            finally:
                await _drain(settings.shutdown_grace_s, jobs=jobs, generation=generation)
                await generation.close()
                await generation.provider.aclose()
                if jobs is not None:
                    await jobs.close()

    checks: dict[str, Check] = {"database": ping, "queue": queue.check, "storage": audio.check}
    if settings.redis_url:
        checks["redis"] = runtime.check

    view = LocalGraphiQLView(schema, services=services, allowed_origins=settings.allowed_origins)
    requests = runtime.limiter(
        name="requests", limit=settings.requests_per_minute, window_s=60.0, subject="requests from this client"
    )
    max_body = settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz(checks), methods=["GET"]),
        Route(
            "/graphql",
            RequestLimit(
                UploadGuard(view, max_body_bytes=max_body, upload_limit_mb=settings.max_upload_mb),
                limiter=requests,
            ),
            methods=["GET", "POST"],
        ),
        WebSocketRoute("/graphql", RequestLimit(view, limiter=requests)),
        Route("/audio/{track_id}", AudioRoute(links=links, clients=services.clients), methods=["GET", "HEAD"]),
        Mount("/", StaticFiles(directory=STATIC_DIR, html=True, check_dir=False), name="static"),
    ]
    proxies = Middleware(TrustedProxies, trusted=settings.trusted_proxies)
    app = Starlette(
        debug=settings.debug, routes=routes, lifespan=lifespan, middleware=[proxies, Middleware(SecurityHeaders)]
    )
    app.state.settings = settings
    return app


async def _drain(grace_s: float, *, jobs: AnalysisJobs | None, generation: Generation) -> None:
    """Graceful shutdown: in-flight analyses and answers get ``grace_s`` to finish; the rest are interrupted (and
    picked up again: re-queued on the next start, or retried by the user)."""
    if jobs is not None:
        await jobs.drain(grace_s)
    await generation.drain(grace_s)
