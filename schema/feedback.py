"""Feedback and follow-up chat: request, ask, retry, and follow a message as it is generated."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from schema.context import Info
from schema.ids import decode_id, decode_optional_id, encode_id
from schema.types import Message
from services import domain
from services.errors import BadUserInput
from services.runtime.streams import MessageEvent as DomainEvent


@strawberry.input
class RequestFeedbackInput:
    track_id: strawberry.ID
    session_id: strawberry.ID | None = None
    genre: str | None = None
    type: domain.FeedbackType = domain.FeedbackType.MIXDOWN
    profile: domain.FeedbackProfile = domain.FeedbackProfile.DETAILED
    reference_track_id: strawberry.ID | None = None


@strawberry.input
class AskFollowupInput:
    session_id: strawberry.ID
    question: str
    followup_group: strawberry.ID | None = None
    reference_track_id: strawberry.ID | None = None
    start_s: float | None = strawberry.field(
        default=None, description="With endS: the stretch of the track the question is about, in seconds."
    )
    end_s: float | None = None


def _time_range(input: AskFollowupInput) -> domain.TimeRange | None:
    if input.start_s is None and input.end_s is None:
        return None
    if input.start_s is None or input.end_s is None:
        raise BadUserInput("Send both startS and endS for a time range, or neither.")
    return domain.TimeRange(start_s=input.start_s, end_s=input.end_s)


@strawberry.type
class MessageEvent:
    message_id: strawberry.ID
    delta: str
    done: bool
    message: Message | None = strawberry.field(
        description="The stored message, on the final event; null if it was deleted while streaming."
    )
    error_code: str | None = strawberry.field(
        description="On a final event without a message: NOT_FOUND when its session or track was deleted."
    )
    error: str | None = strawberry.field(description="Why the stream ended without a message, in plain words.")

    @classmethod
    def from_domain(cls, event: DomainEvent, *, message_id: strawberry.ID) -> MessageEvent:
        """``message_id``: the event's global ID, encoded once per subscription by the caller, not per event."""
        return cls(
            message_id=message_id,
            delta=event.delta,
            done=event.done,
            message=None if event.message is None else Message.from_domain(event.message),
            error_code=event.error_code,
            error=event.error,
        )


@strawberry.type
class FeedbackMutation:
    # Start feedback on a track; returns the ASSISTANT message at once (STREAMING); follow it with messageStream.
    @strawberry.mutation
    async def request_feedback(self, info: Info, input: RequestFeedbackInput) -> Message:
        owner_id = info.context.require_client()
        message = await info.context.services.feedback.request(
            owner_id=owner_id,
            track_id=decode_id(input.track_id, type_name="Track"),
            session_id=decode_optional_id(input.session_id, type_name="Session"),
            genre=input.genre,
            stage=input.type,
            profile=input.profile,
            reference_track_id=decode_optional_id(input.reference_track_id, type_name="Track"),
        )
        return Message.from_domain(message)

    # Ask a follow-up; the USER question is stored first, then the STREAMING answer is returned.
    @strawberry.mutation
    async def ask_followup(self, info: Info, input: AskFollowupInput) -> Message:
        owner_id = info.context.require_client()
        message = await info.context.services.feedback.ask(
            owner_id=owner_id,
            session_id=decode_id(input.session_id, type_name="Session"),
            question=input.question,
            followup_group=decode_optional_id(input.followup_group, type_name="Message"),
            reference_track_id=decode_optional_id(input.reference_track_id, type_name="Track"),
            time_range=_time_range(input),
        )
        return Message.from_domain(message)

    # Regenerate a FAILED assistant message in place, from the same stored inputs.
    @strawberry.mutation
    async def retry_message(self, info: Info, id: strawberry.ID) -> Message:
        owner_id = info.context.require_client()
        message = await info.context.services.feedback.retry(
            owner_id=owner_id, message_id=decode_id(id, type_name="Message")
        )
        return Message.from_domain(message)


@strawberry.type
class FeedbackSubscription:
    # Text generated so far, then live deltas; the last event has done=true and the finished message (or, if
    # its session or track was deleted meanwhile, no message and errorCode NOT_FOUND).
    @strawberry.subscription
    async def message_stream(self, info: Info, message_id: strawberry.ID) -> AsyncGenerator[MessageEvent, None]:
        owner_id = info.context.require_client()
        pk = decode_id(message_id, type_name="Message")
        events = info.context.services.feedback.stream(owner_id=owner_id, message_id=pk)
        global_id = strawberry.ID(encode_id("Message", pk))  # once per subscription, not per event
        async for event in events:
            yield MessageEvent.from_domain(event, message_id=global_id)
