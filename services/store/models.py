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
    title = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "session"


class MessageModel(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[SessionModel] = fields.ForeignKeyField(
        "models.SessionModel", related_name="messages", on_delete=fields.CASCADE
    )
    track: fields.ForeignKeyNullableRelation[TrackModel] = fields.ForeignKeyField(
        "models.TrackModel", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    reference_track: fields.ForeignKeyNullableRelation[TrackModel] = fields.ForeignKeyField(
        "models.TrackModel", related_name="reference_messages", null=True, on_delete=fields.SET_NULL
    )
    role = fields.CharEnumField(MessageRole, max_length=16)
    kind = fields.CharEnumField(MessageKind, max_length=16)
    content = fields.TextField(default="")
    status = fields.CharEnumField(MessageStatus, max_length=16, default=MessageStatus.COMPLETE)
    followup_group = fields.IntField(null=True)  # id of the FEEDBACK message that opened the thread
    feedback_type = fields.CharField(max_length=32, null=True)
    profile = fields.CharField(max_length=16, null=True)
    genre = fields.CharField(max_length=64, null=True)
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
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "message"
        indexes = (
            Index(fields=("session_id", "created_at"), name="idx_message_session_created"),
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
