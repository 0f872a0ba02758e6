"""Frozen records that services return and the schema layer converts. ORM rows never leave ``services/store``.

The string enums mirror the GraphQL enums of the same names; ``schema/`` maps them one to one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class TrackStatus(StrEnum):
    QUEUED = "QUEUED"
    ANALYZING = "ANALYZING"
    READY = "READY"
    FAILED = "FAILED"


class FeedbackType(StrEnum):
    MIXDOWN = "MIXDOWN"
    MASTERING = "MASTERING"
    MASTER_REVIEW = "MASTER_REVIEW"


class FeedbackProfile(StrEnum):
    SIMPLE = "SIMPLE"
    DETAILED = "DETAILED"
    PRO = "PRO"


class MessageRole(StrEnum):
    USER = "USER"
    ASSISTANT = "ASSISTANT"
    SUMMARY = "SUMMARY"


class MessageKind(StrEnum):
    FEEDBACK = "FEEDBACK"
    FOLLOWUP = "FOLLOWUP"
    SUMMARY = "SUMMARY"


class MessageStatus(StrEnum):
    STREAMING = "STREAMING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Client:
    id: int
    created_at: datetime


@dataclass(frozen=True)
class Track:
    id: int
    owner_id: int
    name: str
    original_filename: str
    content_hash: str
    size_bytes: int
    format: str | None
    duration_s: float | None
    sample_rate_hz: int | None
    channels: int | None
    status: TrackStatus
    progress: float
    error_code: str | None
    error_message: str | None
    analysis: dict[str, object] | None  # Analysis.to_json_dict(); parse with Analysis.model_validate
    analysis_schema_version: int | None
    created_at: datetime
    updated_at: datetime
    version: int = 1  # 2, 3 ... for a new version of a song uploaded against the previous one
    previous_version_id: int | None = None


@dataclass(frozen=True)
class Session:
    id: int
    owner_id: int
    track_id: int
    reference_track_id: int | None
    genre: str
    title: str
    created_at: datetime
    updated_at: datetime
    stage: FeedbackType | None = None  # the last chosen stage and profile (None until chosen)
    profile: FeedbackProfile | None = None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int | None = None
    time_to_first_token_ms: int | None = None


@dataclass(frozen=True)
class ToolCall:
    """One lookup made while answering (by a model through function calling, or by the offline engine)."""

    name: str
    arguments: dict[str, object]
    result: dict[str, object]

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "arguments": self.arguments, "result": self.result}


@dataclass(frozen=True)
class TimeRange:
    """A stretch of the track a question is about, sent by the client (seconds from the start)."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class Message:
    id: int
    session_id: int
    track_id: int | None
    reference_track_id: int | None
    role: MessageRole
    kind: MessageKind
    status: MessageStatus
    content: str
    followup_group: int | None  # the id of the FEEDBACK message that opened its thread
    feedback_type: FeedbackType | None  # these four are the thread's (stored once, on the Thread row)
    profile: FeedbackProfile | None
    genre: str | None
    findings: list[dict[str, object]] | None  # serialised diagnosis findings (issue 4)
    grounding: dict[str, object] | None  # serialised grounding report (issue 4)
    engine: str | None
    model: str | None
    usage: Usage
    error_code: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    time_range: TimeRange | None = None  # on a USER follow-up: the span the question is about
    tool_calls: list[ToolCall] = field(default_factory=list)  # on an answer: what was looked up
    thread_id: int | None = None  # the conversation (``Thread``) it belongs to; clients know it by followup_group
    question_id: int | None = None  # on a follow-up answer: the USER message it answers


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list; ``cursor`` of each item is opaque to callers above services."""

    items: list[T]
    has_next_page: bool
    has_previous_page: bool = False
    cursors: Sequence[str] = field(default_factory=list)  # one per item; may be encoded as read


@dataclass(frozen=True)
class AudioFileInfo:
    """What a quick probe of an uploaded file tells before the full analysis runs."""

    format: str
    duration_s: float
    sample_rate_hz: int
    channels: int


@dataclass(frozen=True)
class TrackEvent:
    """A change in a track's analysis: published by the analysis runner, streamed by ``trackEvents``.

    ``track`` is set on the current-state event and on the final READY/FAILED event.
    """

    track_id: int
    status: TrackStatus
    progress: float
    stage: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    track: Track | None = None

    @property
    def is_final(self) -> bool:
        return self.status in (TrackStatus.READY, TrackStatus.FAILED)
