"""``mixcoach worker``: run analysis and answer jobs from the PostgreSQL queue (``MIXCOACH_QUEUE=postgres``)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "worker", help="Run analysis and answer jobs (needs MIXCOACH_QUEUE=postgres)."
    )
    parser.add_argument(
        "--concurrency", type=int, default=None, help="Jobs at once (default: MIXCOACH_WORKER_CONCURRENCY, else 2)."
    )
    parser.add_argument("--name", default=None, help="Name in logs and in the queue (default: host-pid).")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(func=worker)


def worker(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from api.commands.exit import leave
    from api.settings import Settings
    from api.worker import run_worker

    settings = Settings()
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    concurrency = args.concurrency or settings.worker_concurrency
    asyncio.run(run_worker(settings, concurrency=concurrency, name=args.name))
    return leave(0, used_object_store=settings.s3_bucket is not None)
