"""Tortoise ORM models. Schema changes go through Tortoise migrations (``services/store/migrations``), never by
recreating tables, so a user's existing database upgrades in place."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

# The row enums are the domain enums: one definition, stored as their string values.
from services.domain import MessageKind, MessageRole, MessageStatus, TrackStatus

__all__ = [
    "ClientModel",
    "MessageKind",
    "MessageModel",
    "MessageRole",
    "MessageStatus",
    "SessionModel",
    "ThreadModel",
    "TrackModel",
    "TrackStatus",
    "UsageModel",
]


class ClientModel(Model):
    """An owner identity. Only a SHA-256 of its bearer token is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "client"


class TrackModel(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[ClientModel] = fields.ForeignKeyField(
        "models.ClientModel", related_name="tracks", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)
    original_filename = fields.CharField(max_length=255)
    content_hash = fields.CharField(max_length=64, db_index=True)
    size_bytes = fields.BigIntField(default=0)
    format = fields.CharField(max_length=32, null=True)
    duration_s = fields.FloatField(null=True)
    sample_rate_hz = fields.IntField(null=True)
    channels = fields.IntField(null=True)
    status = fields.CharEnumField(TrackStatus, max_length=16, default=TrackStatus.QUEUED)
    progress = fields.FloatField(default=0.0)
    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    analysis: fields.JSONField[dict[str, object] | None] = fields.JSONField(null=True)
    analysis_schema_version = fields.IntField(null=True)
    # Versions of one song: v2 names v1 as its previous version; deleting v1 leaves v2 standing alone.
    previous_version: fields.ForeignKeyNullableRelation[TrackModel] = fields.ForeignKeyField(
        "models.TrackModel", related_name="next_versions", null=True, on_delete=fields.SET_NULL
    )
    version = fields.IntField(default=1, db_default=1)  # a DB default too: existing rows become v1
    # Which embedded instance analyses a pending track, renewed while it does: another instance sharing the database
    # re-queues the track only once this lapses (``services.tracks.analysis_jobs``). Workers need none: the queue
    # recovers their jobs.
    lease_owner = fields.CharField(max_length=64, null=True)
    lease_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "track"
        indexes = (Index(fields=("owner_id", "content_hash"), name="idx_track_owner_hash"),)


class SessionModel(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[ClientModel] = fields.ForeignKeyField(
        "models.ClientModel", related_name="sessions", on_delete=fields.CASCADE
    )
    track: fields.ForeignKeyRelation[TrackModel] = fields.ForeignKeyField(
        "models.TrackModel", related_name="sessions", on_delete=fields.CASCADE
    )
    reference_track: fields.ForeignKeyNullableRelation[TrackModel] = fields.ForeignKeyField(
        "models.TrackModel", related_name="reference_sessions", null=True, on_delete=fields.SET_NULL
    )
    genre = fields.CharField(max_length=64, default="general")
    # The stage and profile last chosen for the session (FeedbackType / FeedbackProfile values), so a reload or
    # History judges the findings as the user asked; null until the first choice.
    stage = fields.CharField(max_length=32, null=True)
    profile = fields.CharField(max_length=16, null=True)
    title = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "session"


class ThreadModel(Model):
    """One conversation: a FEEDBACK answer and the follow-ups after it, with what they are all about.

    The track, reference, genre, stage and profile live here once (messages no longer copy them), and so does how
    far the thread has been summarised: ``summarised_answers`` only ever grows, by a compare-and-set update, which
    is what lets exactly one of several instances start the summary for a threshold.
    """

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[SessionModel] = fields.ForeignKeyField(
        "models.SessionModel", related_name="threads", on_delete=fields.CASCADE
    )
    track: fields.ForeignKeyNullableRelation[TrackModel] = fields.ForeignKeyField(
        "models.TrackModel", related_name="threads", null=True, on_delete=fields.SET_NULL
    )
    reference_track: fields.ForeignKeyNullableRelation[TrackModel] = fields.ForeignKeyField(
        "models.TrackModel", related_name="reference_threads", null=True, on_delete=fields.SET_NULL
    )
    genre = fields.CharField(max_length=64, null=True)
    stage = fields.CharField(max_length=32, null=True)
    profile = fields.CharField(max_length=16, null=True)
    # The FEEDBACK message that opened the thread (clients know a thread by it: ``followupGroup``).
    opener_id = fields.IntField(null=True, unique=True)
    summarised_answers = fields.IntField(default=0)  # completed answers covered by the latest summary
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "thread"


class MessageModel(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[SessionModel] = fields.ForeignKeyField(
        "models.SessionModel", related_name="messages", on_delete=fields.CASCADE
    )
    thread: fields.ForeignKeyNullableRelation[ThreadModel] = fields.ForeignKeyField(
        "models.ThreadModel", related_name="messages", null=True, on_delete=fields.CASCADE
    )
    # On an answer: the USER message it answers (a follow-up), so pairing never depends on ids or timing.
    question: fields.ForeignKeyNullableRelation[MessageModel] = fields.ForeignKeyField(
        "models.MessageModel", related_name="answers", null=True, on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(MessageRole, max_length=16)
    kind = fields.CharEnumField(MessageKind, max_length=16)
    content = fields.TextField(default="")
    status = fields.CharEnumField(MessageStatus, max_length=16, default=MessageStatus.COMPLETE)
    # On a SUMMARY: the thread's completed-answer count it was started for; unique per thread, so a second
    # summary for the same threshold cannot be stored, whichever instance tries.
    summary_through = fields.IntField(null=True)
    findings: fields.JSONField[list[dict[str, object]] | None] = fields.JSONField(null=True)
    grounding: fields.JSONField[dict[str, object] | None] = fields.JSONField(null=True)
    # On a USER follow-up: {"start_s", "end_s"} the question is about. On an answer: the lookups it made.
    time_range: fields.JSONField[dict[str, float] | None] = fields.JSONField(null=True)
    tool_calls: fields.JSONField[list[dict[str, object]] | None] = fields.JSONField(null=True)
    engine = fields.CharField(max_length=32, null=True)  # "builtin" | "openai"
    model = fields.CharField(max_length=128, null=True)
    prompt_tokens = fields.IntField(null=True)
    completion_tokens = fields.IntField(null=True)
    latency_ms = fields.IntField(null=True)
    time_to_first_token_ms = fields.IntField(null=True)
    error_code = fields.CharField(max_length=64, null=True)
    error = fields.TextField(null=True)
    # The lease of a STREAMING message: which instance is generating it, renewed while it does. Another instance
    # marks it INTERRUPTED only once the lease has lapsed, never because it restarted itself.
    lease_owner = fields.CharField(max_length=64, null=True)
    lease_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "message"
        unique_together = (("thread", "summary_through"),)
        indexes = (
            Index(fields=("session_id", "created_at"), name="idx_message_session_created"),
            # A history page is read in id order; without this SQLite scans every message by rowid to find one
            # session's.
            Index(fields=("session_id", "id"), name="idx_message_session_page"),
            # The concurrent-generations quota counts a client's STREAMING messages: few rows among many.
            Index(fields=("status",), name="idx_message_status"),
        )


class UsageModel(Model):
    """One counted action (a generation started, a track uploaded), for the per-client hourly and daily quotas.

    A ledger rather than counts of messages or tracks, because deleting a session or a track must not give its
    budget back. Rows older than the longest window (a day) are pruned as new ones are written.
    """

    id = fields.BigIntField(primary_key=True)
    client: fields.ForeignKeyRelation[ClientModel] = fields.ForeignKeyField(
        "models.ClientModel", related_name="usage", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)  # "generation" | "upload"
    created_at = fields.DatetimeField()

    class Meta:
        table = "usage_event"
        indexes = (Index(fields=("client_id", "kind", "created_at"), name="idx_usage_client_kind_created"),)
