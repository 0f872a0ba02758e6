"""``mixcoach serve``: run the API with uvicorn (GraphQL and GraphiQL at /graphql, the web app at /).

``--workers N`` runs N server processes on one port (uvicorn's supervisor). Several processes must share live
events and rate limits, which only the scale-out runtime (Redis, ``MIXCOACH_REDIS_URL``) carries between them, so
the default is the number of cores when Redis is configured and 1 in the embedded mode, and more than one worker
without Redis is refused. With several workers the migrations run once here, before the workers start.
uvloop and httptools (``uvicorn[standard]``) serve the event loop and HTTP parsing when installed (``auto``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from api.settings import Settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser("serve", help="Serve the GraphQL API and the web app.")
    parser.add_argument("--host", default=None, help="Interface to bind (default: HOST, else 127.0.0.1).")
    parser.add_argument("--port", type=int, default=None, help="Port (default: PORT, else 8000).")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Server processes (default: MIXCOACH_WORKERS, else the number of cores when MIXCOACH_REDIS_URL is "
        "set, else 1; more than 1 needs MIXCOACH_REDIS_URL).",
    )
    parser.set_defaults(func=serve)


def worker_count(requested: int | None, settings: Settings) -> int:
    """``--workers``, else ``MIXCOACH_WORKERS``, else one per core with a shared bus and one without."""
    if requested is not None:
        return requested
    if settings.workers is not None:
        return settings.workers
    return (os.cpu_count() or 1) if settings.redis_url else 1


def serve(args: argparse.Namespace) -> int:
    from api.settings import Settings

    settings = Settings()
    workers = worker_count(args.workers, settings)
    if workers < 1:
        print("mixcoach serve: --workers must be at least 1", file=sys.stderr)
        return 2
    if workers > 1 and not settings.redis_url:
        print(
            "mixcoach serve: several workers share live events and rate limits through Redis; "
            "set MIXCOACH_REDIS_URL or use --workers 1",
            file=sys.stderr,
        )
        return 2
    import asyncio
    import logging

    import uvicorn

    from api.app import create_app
    from api.commands.exit import leave
    from api.commands.migrate import _migrate

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    common: dict[str, Any] = {
        "factory": True,
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "log_level": args.log_level,
        "ws": "websockets-sansio",
        # Live events are small frames, many a second per subscriber: compressing each cost more CPU than it saved
        "ws_per_message_deflate": False,
        "loop": "auto",  # uvloop when installed
        "http": "auto",  # httptools when installed
        "proxy_headers": False,  # api.proxies resolves forwarded addresses, from MIXCOACH_TRUSTED_PROXIES only
    }
    if workers == 1:
        uvicorn.run(lambda: create_app(settings, tune_gc=True), **common)
    else:
        if settings.migrate_on_start:
            asyncio.run(_migrate(settings))  # once, not once per worker racing the others
            os.environ["MIXCOACH_MIGRATE_ON_START"] = "false"  # the workers read their settings from the env
        uvicorn.run("api.commands.serve:served_app", workers=workers, **common)
    return leave(0, used_object_store=settings.s3_bucket is not None)


def served_app() -> Starlette:
    """The app factory each ``--workers`` process imports (uvicorn needs an import string to start workers)."""
    from api.app import create_app
    from api.settings import Settings

    return create_app(Settings(), tune_gc=True)
