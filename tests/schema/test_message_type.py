"""``Message.from_domain`` fills the Strawberry object without its dataclass ``__init__``: it must still give every
field, and nothing else, with the values ``__init__`` would hold."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from strawberry.scalars import JSON

from schema.analysis import TimeRange
from schema.ids import encode_id
from schema.types import Message, ToolCall, Usage
from services import domain


def _message() -> domain.Message:
    return domain.Message(
        id=7,
        session_id=3,
        track_id=1,
        reference_track_id=None,
        role=domain.MessageRole.ASSISTANT,
        kind=domain.MessageKind.FOLLOWUP,
        status=domain.MessageStatus.COMPLETE,
        content="More low end.",
        followup_group=5,
        feedback_type=None,
        profile=None,
        genre="rock",
        findings=None,
        grounding=None,
        engine="builtin",
        model=None,
        usage=domain.Usage(prompt_tokens=10, completion_tokens=4),
        error_code=None,
        error=None,
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
        updated_at=datetime(2026, 1, 3, tzinfo=UTC),
        time_range=domain.TimeRange(start_s=1.0, end_s=2.5),
        tool_calls=[domain.ToolCall(name="band_energy", arguments={"band": "low"}, result={"db": -12})],
    )


def test_from_domain_sets_every_field_and_only_those() -> None:
    record = _message()
    built = Message.from_domain(record)
    expected = Message(
        id=7,
        session_id=encode_id("Session", 3),  # type: ignore[arg-type]
        role=record.role,
        kind=record.kind,
        status=record.status,
        content=record.content,
        followup_group=encode_id("Message", 5),  # type: ignore[arg-type]
        feedback_type=None,
        profile=None,
        genre="rock",
        engine="builtin",
        model=None,
        usage=Usage(prompt_tokens=10, completion_tokens=4, latency_ms=None, time_to_first_token_ms=None),
        error_code=None,
        error=None,
        created_at=record.created_at,
        updated_at=record.updated_at,
        time_range=TimeRange(start_s=1.0, end_s=2.5),
        tool_calls=[
            ToolCall(name="band_energy", arguments=cast(JSON, {"band": "low"}), result=cast(JSON, {"db": -12}))
        ],
        record=record,
    )
    assert set(vars(built)) == set(vars(expected))  # the attributes __init__ sets, no more, no fewer
    assert built == expected
