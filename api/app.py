"""The composition root: ``create_app(settings)`` wires settings, services, the schema and the routes.

Run it with ``mixcoach serve`` (or ``uvicorn --factory api.app:create_app``). The lifespan opens the database
(applying migrations), starts the analysis pool and re-queues analyses a previous run left unfinished.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from api.analysis_pool import AnalysisPool
from api.graphiql import LocalGraphiQLView
from api.guards import UploadGuard
from api.headers import SecurityHeaders
from api.llm import provider_from
from api.proxies import TrustedProxies
from api.request_limit import RequestLimit
from api.settings import Settings
from schema import schema
from schema.context import Services
from services.analysis_jobs import AnalysisJobs
from services.audio_store import AudioStore
from services.clients import Clients
from services.feedback import Feedback
from services.generation import Generation
from services.quotas import Quotas
from services.runtime import build_runtime
from services.sessions import Sessions
from services.store.database import open_database
from services.streams import MessageStreams
from services.thread_events import ThreadEvents
from services.tracks import Tracks

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MULTIPART_OVERHEAD_BYTES = 1024 * 1024  # the `operations` and `map` fields around the file


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    audio = AudioStore(settings.data_dir)
    pool = AnalysisPool(workers=settings.analysis_workers, max_duration_s=settings.max_duration_s)
    runtime = build_runtime(settings.redis_url, prefix=settings.redis_prefix)
    bus = runtime.bus()
    jobs = AnalysisJobs(run=pool.run, audio=audio, bus=bus, workers=settings.analysis_workers)
    thread_events = ThreadEvents(bus)
    generation = Generation(
        provider=provider_from(settings),
        streams=MessageStreams(runtime.log),
        lease_s=settings.generation_lease_s,
        on_thread_event=thread_events.announce,
        summary_every=settings.summary_every,
        budget_tokens=settings.prompt_token_budget,
    )
    quotas = Quotas(settings.quota_limits)
    new_clients = runtime.limiter(
        name="create-client",
        limit=settings.create_client_per_minute,
        window_s=60.0,
        subject="new clients from this address",
    )
    sessions = Sessions(generation=generation, events=thread_events)
    services = Services(
        clients=Clients(limiter=new_clients),
        tracks=Tracks(
            audio=audio,
            jobs=jobs,
            bus=bus,
            generation=generation,
            max_upload_bytes=settings.max_upload_bytes,
            max_duration_s=settings.max_duration_s,
            quotas=quotas,
        ),
        sessions=sessions,
        feedback=Feedback(generation=generation, sessions=sessions, quotas=quotas),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        audio.prepare()
        pool.start()
        try:
            async with open_database(settings.resolved_database_url):
                await jobs.requeue_pending()
                await services.feedback.recover()
                try:
                    yield
                finally:
                    await generation.close()
                    await generation.provider.aclose()
                    await jobs.close()
        finally:
            pool.close()
            await runtime.aclose()

    view = LocalGraphiQLView(schema, services=services, allowed_origins=settings.allowed_origins)
    requests = runtime.limiter(
        name="requests", limit=settings.requests_per_minute, window_s=60.0, subject="requests from this client"
    )
    max_body = settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route(
            "/graphql",
            RequestLimit(
                UploadGuard(view, max_body_bytes=max_body, upload_limit_mb=settings.max_upload_mb),
                limiter=requests,
            ),
            methods=["GET", "POST"],
        ),
        WebSocketRoute("/graphql", RequestLimit(view, limiter=requests)),
        Mount("/", StaticFiles(directory=STATIC_DIR, html=True, check_dir=False), name="static"),
    ]
    proxies = Middleware(TrustedProxies, trusted=settings.trusted_proxies)
    app = Starlette(
        debug=settings.debug, routes=routes, lifespan=lifespan, middleware=[proxies, Middleware(SecurityHeaders)]
    )
    app.state.settings = settings
    return app
