"""``mixcoach migrate``: apply the database migrations (and the job queue's schema) once, then exit.

Run it before starting new web instances and workers with ``MIXCOACH_MIGRATE_ON_START=false``. It takes a
PostgreSQL advisory lock, so two deploys running it at once apply each migration once.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.settings import Settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "migrate", help="Apply database migrations (and the job queue's schema) under a lock, then exit."
    )
    parser.set_defaults(func=migrate)


def migrate(args: argparse.Namespace) -> int:
    import asyncio

    from api.settings import Settings

    settings = Settings()
    asyncio.run(_migrate(settings))
    print(f"migrated {settings.resolved_database_url.split('@')[-1]}")
    return 0


async def _migrate(settings: Settings) -> None:
    from services.runtime.queue_postgres import build_app, ensure_schema
    from services.store.database import apply_migrations

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not settings.distributed:
        await apply_migrations(settings.resolved_database_url)
        return
    jobs_app = build_app(settings.postgres_conninfo, pool_size=1)
    async with jobs_app.open_async():
        await apply_migrations(settings.resolved_database_url, also=lambda: ensure_schema(jobs_app))
