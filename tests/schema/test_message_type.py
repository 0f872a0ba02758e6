"""``Message.from_domain`` fills the Strawberry object without its dataclass ``__init__``: it must still give every
field, and nothing else, with the values ``__init__`` would hold."""

from __future__ import annotations

from dataclasses import replace
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


def test_a_page_of_messages_is_built_as_each_message_alone() -> None:
    """``page_from_domain`` converts what neighbours share once (session id, usage): each message still equals
    ``from_domain`` of it alone, with the attributes ``__init__`` sets, and later sessions or usages are their own."""
    first = _message()
    same_usage = replace(first, id=8, usage=first.usage, followup_group=None, time_range=None, tool_calls=[])
    other_session = replace(first, id=9, session_id=4, usage=domain.Usage())
    back = replace(first, id=10, session_id=3, usage=first.usage)
    page = [first, same_usage, other_session, back]
    built = Message.page_from_domain(page)
    assert built == [Message.from_domain(record) for record in page]
    for node, record in zip(built, page, strict=True):
        assert set(vars(node)) == set(vars(Message.from_domain(record))) and node.record is record
    assert [node.session_id for node in built] == [encode_id("Session", n) for n in (3, 3, 4, 3)]
    assert built[0].usage is built[1].usage and built[2].usage == Usage(
        prompt_tokens=None, completion_tokens=None, latency_ms=None, time_to_first_token_ms=None
    )
    assert built[1].tool_calls == [] and built[1].tool_calls is not built[2].tool_calls
