"""Domain errors: one tree, each class carrying the client-facing ``code``.

Services raise only these, with messages a person can act on. ``schema/errors.py`` maps them to GraphQL errors
in one place; anything that is not a ``DomainError`` is masked there as ``INTERNAL``.

    DomainError
    ├── BadUserInput             BAD_USER_INPUT
    ├── NotFound                 NOT_FOUND
    ├── Unauthenticated          UNAUTHENTICATED
    ├── RateLimited              RATE_LIMITED    (too many calls just now; carries ``retry_after_s``)
    ├── QuotaExceeded            QUOTA_EXCEEDED  (a per-client budget is spent; carries ``retry_after_s``)
    ├── PayloadTooLarge          PAYLOAD_TOO_LARGE
    ├── AnalysisError            (analysis input problems)
    │   ├── UnsupportedFormat    UNSUPPORTED_MEDIA
    │   ├── CorruptAudio         UNSUPPORTED_MEDIA
    │   ├── EmptyAudio           BAD_USER_INPUT
    │   ├── InvalidSamples       BAD_USER_INPUT
    │   ├── AudioTooLong         PAYLOAD_TOO_LARGE
    │   └── AnalysisCrashed      INTERNAL (the analysis process failed unexpectedly)
    └── LLMError                 (the model could not answer)
        ├── LLMTimeout           LLM_TIMEOUT
        ├── LLMRateLimited       LLM_RATE_LIMITED
        ├── LLMUnavailable       LLM_UNAVAILABLE
        └── LLMBadResponse       LLM_BAD_RESPONSE
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """Base of every expected failure; ``str(err)`` is safe to show to a user."""

    code: ClassVar[str] = "INTERNAL"
    #: Seconds after which the same call may succeed; ``None`` when waiting does not help.
    retry_after_s: float | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadUserInput(DomainError):
    code = "BAD_USER_INPUT"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class RateLimited(DomainError):
    """Too many calls in a short window (requests per minute, generations at once); worth retrying soon."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class QuotaExceeded(DomainError):
    """A per-client budget (generations per hour or day, uploads, stored bytes) is used up."""

    code = "QUOTA_EXCEEDED"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"


class AnalysisError(DomainError):
    """The audio could not be analysed; the message says what to change."""

    code = "BAD_USER_INPUT"


class UnsupportedFormat(AnalysisError):
    code = "UNSUPPORTED_MEDIA"


class CorruptAudio(AnalysisError):
    code = "UNSUPPORTED_MEDIA"


class EmptyAudio(AnalysisError):
    code = "BAD_USER_INPUT"


class InvalidSamples(AnalysisError):
    code = "BAD_USER_INPUT"


class AudioTooLong(AnalysisError):
    code = "PAYLOAD_TOO_LARGE"


class AnalysisCrashed(AnalysisError):
    """The analysis worker died or failed in a way the analysis itself did not classify."""

    code = "INTERNAL"


class LLMError(DomainError):
    """The language model could not produce an answer."""

    code = "LLM_UNAVAILABLE"


class LLMTimeout(LLMError):
    code = "LLM_TIMEOUT"


class LLMRateLimited(LLMError):
    code = "LLM_RATE_LIMITED"


class LLMUnavailable(LLMError):
    code = "LLM_UNAVAILABLE"


class LLMBadResponse(LLMError):
    code = "LLM_BAD_RESPONSE"
