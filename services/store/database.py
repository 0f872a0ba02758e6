"""Open the database for the app's lifetime: apply pending migrations, then bind the ORM.

Migrations run on every start-up, so an upgrade changes a user's existing database in place and never recreates
it; applying them to an up-to-date database is a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate

from services.store.config import tortoise_config

logger = logging.getLogger(__name__)


def _migration_url(db_url: str) -> str:
    """SQLite alters a table by remaking it (copy, drop, rename); with foreign keys enforced, dropping the old copy
    would cascade-delete rows that reference the table itself (an answer's ``question``). SQLite's documented
    procedure is to remake tables with foreign keys off, so migrations run on a connection that has them off."""
    if not db_url.startswith("sqlite://") or "foreign_keys=" in db_url:
        return db_url
    return db_url + ("&" if "?" in db_url else "?") + "foreign_keys=OFF"


async def apply_migrations(db_url: str) -> None:
    """Bring the database at ``db_url`` up to the latest migration, then release its connections."""
    try:
        await migrate(config=tortoise_config(_migration_url(db_url)))
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def open_database(db_url: str) -> AsyncIterator[None]:
    """Migrate, then keep the ORM bound while the block runs.

    The global fallback makes the ORM context visible to request tasks, which run outside the task that opened it
    (the ASGI lifespan).
    """
    # Tortoise caches INSERT statements per connection *name* for the whole process; a process that opens another
    # kind of database under the same name (the test suite: SQLite, then PostgreSQL) must not reuse them.
    EXECUTOR_CACHE.clear()
    await apply_migrations(db_url)
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)
    logger.info("database ready")
    try:
        yield
    finally:
        await Tortoise.close_connections()
