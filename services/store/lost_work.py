"""Rows that need a job and have none: the sweep's half of claim-and-sweep (``services.runtime.queue_postgres``).

PostgreSQL only: it reads procrastinate's ``procrastinate_jobs`` table, which lives in the same database. A row
younger than ``grace_s`` is left alone, because the web instance that wrote it is probably deferring its job right
now; a running analysis or answer keeps its row fresh and has a ``doing`` job anyway.
"""

from __future__ import annotations

from tortoise.connection import connections

_TRACKS = """
SELECT t.id FROM track t
WHERE t.status IN ('QUEUED', 'ANALYZING') AND t.updated_at < now() - make_interval(secs => $1)
  AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                  WHERE j.lock = 'track-' || t.id AND j.status IN ('todo', 'doing'))
ORDER BY t.id
"""

_MESSAGES = """
SELECT m.id FROM message m
WHERE m.status = 'STREAMING' AND m.updated_at < now() - make_interval(secs => $1)
  AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                  WHERE j.lock = 'message-' || m.id AND j.status IN ('todo', 'doing'))
ORDER BY m.id
"""


async def tracks_without_job(*, grace_s: float) -> list[int]:
    rows = await connections.get("default").execute_query_dict(_TRACKS, [grace_s])
    return [int(row["id"]) for row in rows]


async def messages_without_job(*, grace_s: float) -> list[int]:
    rows = await connections.get("default").execute_query_dict(_MESSAGES, [grace_s])
    return [int(row["id"]) for row in rows]
