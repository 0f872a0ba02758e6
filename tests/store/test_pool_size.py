"""On PostgreSQL every operation the API admits at once holds a connection of its own at the same time: none waits
for another to give its connection back (with Tortoise's default pool of 5, reads at c=100 queued behind each other
for seconds)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from api.graphql_view import OPERATIONS_IN_FLIGHT
from services.store.database import POSTGRES_POOL_SIZE, is_postgres, open_database


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # SQLite serialises on one connection by design
async def test_every_admitted_operation_holds_its_own_connection_at_once(db_url: str) -> None:
    assert is_postgres(db_url)
    assert POSTGRES_POOL_SIZE >= OPERATIONS_IN_FLIGHT
    all_held = asyncio.Barrier(OPERATIONS_IN_FLIGHT)

    async def hold() -> int:
        async with in_transaction() as connection:
            _, rows = await connection.execute_query("SELECT pg_backend_pid()")
            await all_held.wait()  # every operation is inside its transaction, on its connection, together
            return int(rows[0][0])

    async with open_database(db_url):
        backends = await asyncio.wait_for(asyncio.gather(*(hold() for _ in range(OPERATIONS_IN_FLIGHT))), timeout=30)
    assert len(set(backends)) == OPERATIONS_IN_FLIGHT
