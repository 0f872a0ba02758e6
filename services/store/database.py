"""Open the database for the app's lifetime: apply pending migrations, then bind the ORM.

Migrations run on start-up (unless the operator runs ``mixcoach migrate`` instead and turns that off), so an
upgrade changes a user's existing database in place and never recreates it; applying them to an up-to-date
database is a no-op. On PostgreSQL they run under an advisory lock, so several instances starting at once apply
them once: the others wait, then find nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import connections
from tortoise.migrations.api import migrate

from services.store.config import normalise_db_url, tortoise_config

logger = logging.getLogger(__name__)


def _migration_url(db_url: str) -> str:
    """SQLite alters a table by remaking it (copy, drop, rename); with foreign keys enforced, dropping the old copy
    would cascade-delete rows that reference the table itself (an answer's ``question``). SQLite's documented
    procedure is to remake tables with foreign keys off, so migrations run on a connection that has them off."""
    if not db_url.startswith("sqlite://") or "foreign_keys=" in db_url:
        return db_url
    return db_url + ("&" if "?" in db_url else "?") + "foreign_keys=OFF"


MIGRATION_LOCK_KEY = 0x6D69786D6967  # "mixmig": one advisory lock id for every mixcoach process


def is_postgres(db_url: str) -> bool:
    return db_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


@asynccontextmanager
async def migration_lock(db_url: str) -> AsyncIterator[None]:
    """Hold PostgreSQL's session advisory lock for the block (nothing to hold on SQLite: one process owns it)."""
    if not is_postgres(db_url):
        yield
        return
    dsn = "postgresql://" + normalise_db_url(db_url).split("://", 1)[1]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        yield  # closing the session releases the lock, even if the block failed
    finally:
        await connection.close()


async def apply_migrations(db_url: str, *, also: Callable[[], Awaitable[object]] | None = None) -> None:
    """Bring the database at ``db_url`` up to the latest migration (and run ``also``, e.g. the job queue's schema)
    under the migration lock, then release its connections."""
    async with migration_lock(db_url):
        try:
            await migrate(config=tortoise_config(_migration_url(db_url)))
        finally:
            await Tortoise.close_connections()
        if also is not None:
            await also()


POSTGRES_POOL_SIZE = 16
"""PostgreSQL connections a process keeps at most: as many as the API lets operations execute at once
(``api.graphql_view.OPERATIONS_IN_FLIGHT``), so an admitted operation never queues for a connection. With
Tortoise's default of 5, 100 concurrent session reads on the 2-core box ran at 890-900 req/s and the slowest took
1.6-2.8 s (wrk's 2 s timeout counted them as errors); with 16, 980 req/s and the slowest 0.43 s, side by side."""


async def _keep_session(connection: asyncpg.Connection) -> None:
    """asyncpg's pool, before this reset hook, has already rolled back any transaction left open and dropped the
    connection's listeners; nothing else is left to undo, so the default reset's extra round trip is skipped."""


def _serving_config(db_url: str) -> dict[str, Any]:
    """The app's Tortoise config. On PostgreSQL, asyncpg's pool by default resets every connection it takes back
    (``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``): one more round trip after every query, a
    third of a session read's database time. The pooled connections never take session advisory locks (the
    migration lock has its own connection), never LISTEN (the job queue listens through psycopg), never declare
    cursors outside a transaction and never ``SET`` a session setting, so that reset finds nothing to undo. The pool
    holds up to ``POSTGRES_POOL_SIZE`` connections."""
    config = tortoise_config(db_url)
    if is_postgres(db_url):
        connection = expand_db_url(normalise_db_url(db_url))
        connection["credentials"]["reset"] = _keep_session
        connection["credentials"]["maxsize"] = POSTGRES_POOL_SIZE
        config["connections"]["default"] = connection
    return config


@asynccontextmanager
async def open_database(db_url: str, *, migrate_first: bool = True) -> AsyncIterator[None]:
    """Migrate (unless told not to), then keep the ORM bound while the block runs.

    The global fallback makes the ORM context visible to request tasks, which run outside the task that opened it
    (the ASGI lifespan).
    """
    # Tortoise caches INSERT statements per connection *name* for the whole process; a process that opens another
    # kind of database under the same name (the test suite: SQLite, then PostgreSQL) must not reuse them.
    EXECUTOR_CACHE.clear()
    if migrate_first:
        await apply_migrations(db_url)
    await Tortoise.init(config=_serving_config(db_url), _enable_global_fallback=True)
    logger.info("database ready")
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def ping() -> str:
    """A round trip to the database, for ``/readyz``."""
    await connections.get("default").execute_query("SELECT 1")
    return "database"
