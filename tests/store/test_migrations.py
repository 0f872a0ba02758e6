"""Migrations upgrade a database in place: re-applying them is a no-op that keeps every row."""

from __future__ import annotations

from tortoise import connections

from services.store import clients, tracks
from services.store.database import open_database
from services.store.models import ClientModel


async def test_migrations_reapplied_keep_existing_rows(db_url: str) -> None:
    async with open_database(db_url):
        created = await clients.create_client(token_hash="a" * 64)
        page = await tracks.list_tracks(owner_id=created.id, first=5, after=None)
        assert page.items == []
    async with open_database(db_url):
        assert await clients.client_id_for(token_hash="a" * 64) == created.id
        assert await ClientModel.all().count() == 1


async def test_migrations_record_each_migration_once(db_url: str) -> None:
    for _ in range(2):
        async with open_database(db_url):
            rows = await connections.get("default").execute_query_dict("SELECT * FROM tortoise_migrations")
    assert [row["name"] for row in rows] == ["0001_initial", "0002_usage", "0003_chat_lookups"]
