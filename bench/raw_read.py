"""``python -m bench.raw_read --port P --db URL``: the yardstick for the GraphQL session read.

A plain Starlette endpoint, one process, that answers ``GET /raw/{session_id}`` (bearer token as in the API) with
exactly the JSON the GraphQL read

    session(id){ title messages(first:50){ edges{ node{ id role content status createdAt }}}}

returns, from the same database, through the same driver Tortoise uses: one query for the session (owner checked
through the token hash) and one for its messages. ``bench.read_speed`` checks the two bodies are equal before
timing anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.connection import connections

from schema.ids import encode_id
from services.store.database import is_postgres, open_database

PAGE = 50


def _iso(value: object) -> str:
    """What Strawberry prints for a ``DateTime``: ``datetime.isoformat()`` of the aware UTC value."""
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def build_app(db_url: str) -> Starlette:
    mark = (lambda n: f"${n}") if is_postgres(db_url) else (lambda n: "?")
    session_sql = (
        f"SELECT s.title FROM session s JOIN client c ON c.id = s.owner_id "
        f"WHERE s.id = {mark(1)} AND c.token_hash = {mark(2)}"
    )
    messages_sql = (
        f"SELECT id, role, content, status, created_at FROM message WHERE session_id = {mark(1)} "
        f"ORDER BY id LIMIT {PAGE}"
    )

    async def read(request: Request) -> Response:
        session_id = int(request.path_params["session_id"])
        token = request.headers.get("authorization", "").partition(" ")[2]
        db = connections.get("default")
        _, sessions = await db.execute_query(session_sql, [session_id, hashlib.sha256(token.encode()).hexdigest()])
        if not sessions:
            return Response('{"data":null}', status_code=404, media_type="application/json")
        _, rows = await db.execute_query(messages_sql, [session_id])
        edges: list[dict[str, Any]] = [
            {
                "node": {
                    "id": encode_id("Message", row[0]),
                    "role": row[1],
                    "content": row[2],
                    "status": row[3],
                    "createdAt": _iso(row[4]),
                }
            }
            for row in rows
        ]
        body = {"data": {"session": {"title": sessions[0][0], "messages": {"edges": edges}}}}
        return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_database(db_url, migrate_first=False):
            yield

    return Starlette(routes=[Route("/raw/{session_id:int}", read)], lifespan=lifespan)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(args.db), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
