"""What a prompt is made of and what it becomes: the facts (stored data only) and the chat messages.

The request an engine receives, so it lives with the transport (``services.llm`` needs it and must not import
coaching); ``services.coaching.prompts`` builds these records and re-exports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.analysis.result import Analysis
from services.diagnosis import FindingReport
from services.diagnosis.versions import VersionComparison
from services.domain import FeedbackProfile, FeedbackType

Role = Literal["system", "user", "assistant"]
PromptKind = Literal["feedback", "followup", "summary"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class Facts:
    """Everything a reply may rest on, read from the database, never from client-sent text."""

    analysis: Analysis
    report: FindingReport
    profile: FeedbackProfile
    reference: Analysis | None = None
    versions: VersionComparison | None = None  # this version against the previous one, when it has one

    @property
    def stage(self) -> FeedbackType:
        return self.report.stage


@dataclass(frozen=True)
class Turn:
    """One earlier exchange in a follow-up thread."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Conversation:
    """A follow-up thread as stored: the feedback that opened it, the latest summary and the turns after it."""

    feedback: str
    summary: str | None
    turns: tuple[Turn, ...]
    question: str
    time_range: tuple[float, float] | None = None  # the span the client attached to the question, in seconds


@dataclass(frozen=True)
class Prompt:
    """Chat messages plus the facts they were written from (the builtin engine reads the facts directly)."""

    kind: PromptKind
    messages: tuple[ChatMessage, ...]
    facts: Facts
    conversation: Conversation | None
    estimated_tokens: int
    budget_tokens: int
    dropped_turns: int = 0
    data_text: str = ""  # the measurements, findings and targets as shown to the model (grounding reads it)
