"""Migrations upgrade a database in place: re-applying them is a no-op that keeps every row."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from services.domain import FeedbackProfile, FeedbackType
from services.store import clients, conversation, sessions, tracks
from services.store.config import tortoise_config
from services.store.database import open_database
from services.store.models import ClientModel, ThreadModel


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
    assert [row["name"] for row in rows] == [
        "0001_initial",
        "0002_usage",
        "0003_chat_lookups",
        "0004_h11r_threads",
        "0005_h13a_track_versions",
        "0006_session_choices",
        "0007_track_leases",
        "0008_message_session_page",
    ]


# Rows as 0003 stored them: a feedback thread (group 10) with two questions, their answers and a summary after the
# second; its reference changed on the second question; and a second feedback in the same session (group 20).
_OLD_ROWS = [
    "INSERT INTO client (id, token_hash, created_at) VALUES (1, '{h}', '2026-01-01 00:00:00')",
    *[
        "INSERT INTO track (id, owner_id, name, original_filename, content_hash, size_bytes, status, progress,"
        f" created_at, updated_at) VALUES ({t}, 1, 't{t}', 't{t}.wav', 'h{t}', 1, 'READY', 1.0,"
        " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        for t in (1, 2, 3)
    ],
    "INSERT INTO session (id, owner_id, track_id, reference_track_id, genre, title, created_at, updated_at)"
    " VALUES (5, 1, 1, 3, 'rock', 's', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    *[
        "INSERT INTO message (id, session_id, track_id, reference_track_id, role, kind, content, status,"
        " followup_group, feedback_type, profile, genre, created_at, updated_at)"
        f" VALUES ({mid}, 5, 1, {ref}, '{role}', '{kind}', '{text}', 'COMPLETE', {group}, 'MASTERING', 'PRO',"
        " 'rock', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        for mid, ref, role, kind, text, group in [
            (10, 2, "ASSISTANT", "FEEDBACK", "feedback", 10),
            (11, 2, "USER", "FOLLOWUP", "q1", 10),
            (12, 2, "ASSISTANT", "FOLLOWUP", "a1", 10),
            (13, 3, "USER", "FOLLOWUP", "q2", 10),
            (14, 3, "ASSISTANT", "FOLLOWUP", "a2", 10),
            (15, 3, "SUMMARY", "SUMMARY", "notes", 10),
            (20, "NULL", "ASSISTANT", "FEEDBACK", "again", 20),
        ]
    ],
]


async def test_migration_0004_moves_copied_columns_into_threads_and_pairs_answers(db_url: str) -> None:
    await migrate(config=tortoise_config(db_url), target="models.0003_chat_lookups")
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(db_url))
    try:
        for sql in _OLD_ROWS:
            await connections.get("default").execute_script(sql.replace("{h}", "a" * 64))
    finally:
        await Tortoise.close_connections()
    async with open_database(db_url):
        messages = {m.id: m for m in await conversation.thread((await conversation.load_message(10)).thread_id or 0)}
        assert sorted(messages) == [10, 11, 12, 13, 14, 15]
        for m in messages.values():
            assert (m.track_id, m.followup_group, m.genre) == (1, 10, "rock")
            assert (m.feedback_type, m.profile) == (FeedbackType.MASTERING, FeedbackProfile.PRO)
            assert m.reference_track_id == 3  # the thread keeps its latest reference
        assert (messages[12].question_id, messages[14].question_id) == (11, 13)
        assert [m.content for m in messages.values()] == ["feedback", "q1", "a1", "q2", "a2", "notes"]
        other = await conversation.load_message(20)
        assert (other.followup_group, other.reference_track_id, other.thread_id) == (20, None, other.thread_id)
        assert other.thread_id != messages[10].thread_id
        thread = await ThreadModel.get(id=messages[10].thread_id)
        assert thread.summarised_answers == 2
        # 0005: the session takes the stage and profile of its latest thread
        session = await sessions.get_session(owner_id=1, session_id=5)
        assert (session.stage, session.profile) == (FeedbackType.MASTERING, FeedbackProfile.PRO)
