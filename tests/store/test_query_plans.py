"""A session's history page is found through an index, not by walking every client's messages."""

from __future__ import annotations

from pathlib import Path

from tortoise import connections

from services.store.database import open_database


async def test_history_page_is_an_index_search_on_sqlite(tmp_path: Path) -> None:
    async with open_database(f"sqlite://{tmp_path / 'plan.db'}"):
        db = connections.get("default")
        for page in (
            'SELECT "id" FROM "message" WHERE "session_id" = 5 ORDER BY "id" LIMIT 50',
            'SELECT "id" FROM "message" WHERE "session_id" = 5 AND "id" > 3 ORDER BY "id" LIMIT 50',
        ):
            plan = " ".join(str(row["detail"]) for row in await db.execute_query_dict(f"EXPLAIN QUERY PLAN {page}"))
            assert "idx_message_session_page" in plan, plan
            assert "SCAN" not in plan, plan
