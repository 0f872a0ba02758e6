"""Tolerant parsing of the feedback type and profile for the CLI and old clients (GraphQL uses enums)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from services.domain import FeedbackProfile, FeedbackType
from services.errors import BadUserInput

E = TypeVar("E", bound=StrEnum)

_TYPE_ALIASES: dict[str, FeedbackType] = {
    "mix": FeedbackType.MIXDOWN,
    "mixdown": FeedbackType.MIXDOWN,
    "mixing": FeedbackType.MIXDOWN,
    "mastering": FeedbackType.MASTERING,
    "master": FeedbackType.MASTERING,
    "masterreview": FeedbackType.MASTER_REVIEW,
    "review": FeedbackType.MASTER_REVIEW,
    "qc": FeedbackType.MASTER_REVIEW,
}
_PROFILE_ALIASES: dict[str, FeedbackProfile] = {
    "simple": FeedbackProfile.SIMPLE,
    "beginner": FeedbackProfile.SIMPLE,
    "basic": FeedbackProfile.SIMPLE,
    "detailed": FeedbackProfile.DETAILED,
    "intermediate": FeedbackProfile.DETAILED,
    "pro": FeedbackProfile.PRO,
    "professional": FeedbackProfile.PRO,
    "expert": FeedbackProfile.PRO,
    "advanced": FeedbackProfile.PRO,
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _parse(text: str, aliases: dict[str, E], what: str, enum: type[E]) -> E:
    found = aliases.get(_key(text))
    if found is None:
        allowed = ", ".join(m.value for m in enum)
        raise BadUserInput(f'Unknown {what} "{text}". Allowed values: {allowed}.')
    return found


def parse_feedback_type(text: str) -> FeedbackType:
    """ "master review", "master_review", "review" → MASTER_REVIEW; BadUserInput lists the allowed values."""
    return _parse(text, _TYPE_ALIASES, "feedback type", FeedbackType)


def parse_profile(text: str) -> FeedbackProfile:
    """ "pro", "professional", "expert" → PRO; BadUserInput lists the allowed values."""
    return _parse(text, _PROFILE_ALIASES, "profile", FeedbackProfile)
