"""Session fields: open a session on a track, read sessions and messages, rename, delete."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import Enum

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import decode_id, decode_optional_id, encode_id
from schema.selections import messages_ahead
from schema.types import Message, Session, connection_of
from services import domain
from services.coaching.thread_events import ThreadEvent


@strawberry.input
class CreateSessionInput:
    track_id: strawberry.ID
    reference_track_id: strawberry.ID | None = None
    genre: str | None = None
    title: str | None = None


@strawberry.input
class SessionChoicesInput:
    id: strawberry.ID
    genre: str | None = None  # "" goes back to the default genre; null leaves it
    type: domain.FeedbackType | None = None
    profile: domain.FeedbackProfile | None = None


@strawberry.type
class SessionQuery:
    # One of your sessions; NOT_FOUND for a missing or another client's session.
    @strawberry.field
    async def session(self, info: Info, id: strawberry.ID) -> Session:
        owner_id = info.context.require_client()
        session_id = decode_id(id, type_name="Session")
        sessions = info.context.services.sessions
        ahead = messages_ahead(info)
        if ahead is None:
            return Session.from_domain(await sessions.get(owner_id=owner_id, session_id=session_id))
        # The session and the page its `messages` shows, in one read (`Session.messages` takes the page).
        found, page = await sessions.get_with_messages(
            owner_id=owner_id, session_id=session_id, first=ahead.first, after=ahead.after, columns=ahead.columns
        )
        session = Session.from_domain(found)
        if page is not None:
            session.messages_read = (ahead, page)
        return session

    # Your sessions, newest first.
    @strawberry.field
    async def sessions(self, info: Info, first: int = 20, after: str | None = None) -> relay.Connection[Session]:
        owner_id = info.context.require_client()
        page = await info.context.services.sessions.page(owner_id=owner_id, first=first, after=after)
        return connection_of(page, Session.from_domain)  # type: ignore[no-any-return]

    # One message of one of your sessions.
    @strawberry.field
    async def message(self, info: Info, id: strawberry.ID) -> Message:
        owner_id = info.context.require_client()
        message_id = decode_id(id, type_name="Message")
        return Message.from_domain(
            await info.context.services.sessions.message(owner_id=owner_id, message_id=message_id)
        )


@strawberry.type
class SessionMutation:
    @strawberry.mutation
    async def create_session(self, info: Info, input: CreateSessionInput) -> Session:
        owner_id = info.context.require_client()
        session = await info.context.services.sessions.create(
            owner_id=owner_id,
            track_id=decode_id(input.track_id, type_name="Track"),
            reference_track_id=decode_optional_id(input.reference_track_id, type_name="Track"),
            genre=input.genre,
            title=input.title,
        )
        return Session.from_domain(session)

    @strawberry.mutation
    async def rename_session(self, info: Info, id: strawberry.ID, title: str) -> Session:
        owner_id = info.context.require_client()
        session_id = decode_id(id, type_name="Session")
        session = await info.context.services.sessions.rename(owner_id=owner_id, session_id=session_id, title=title)
        return Session.from_domain(session)

    # Remember the genre, stage and profile chosen for one of your sessions (null leaves a choice as it was).
    @strawberry.mutation
    async def set_session_choices(self, info: Info, input: SessionChoicesInput) -> Session:
        owner_id = info.context.require_client()
        session = await info.context.services.sessions.set_choices(
            owner_id=owner_id,
            session_id=decode_id(input.id, type_name="Session"),
            genre=input.genre,
            stage=input.type,
            profile=input.profile,
        )
        return Session.from_domain(session)

    # Delete a session and its messages.
    @strawberry.mutation
    async def delete_session(self, info: Info, id: strawberry.ID) -> bool:
        owner_id = info.context.require_client()
        await info.context.services.sessions.delete(owner_id=owner_id, session_id=decode_id(id, type_name="Session"))
        return True


@strawberry.enum
class SessionEventKind(Enum):
    MESSAGE_STARTED = "MESSAGE_STARTED"
    MESSAGE_FINISHED = "MESSAGE_FINISHED"


@strawberry.type
class SessionEvent:
    session_id: strawberry.ID
    kind: SessionEventKind
    message_id: strawberry.ID
    role: domain.MessageRole
    status: domain.MessageStatus
    followup_group: strawberry.ID | None

    @classmethod
    def from_domain(cls, event: ThreadEvent) -> SessionEvent:
        group = event.followup_group
        return cls(
            session_id=strawberry.ID(encode_id("Session", event.session_id)),
            kind=SessionEventKind(event.kind),
            message_id=strawberry.ID(encode_id("Message", event.message_id)),
            role=event.role,
            status=event.status,
            followup_group=None if group is None else strawberry.ID(encode_id("Message", group)),
        )


@strawberry.type
class SessionSubscription:
    # Changes to a session's threads from now on (an answer or a summary started, a message finished), from
    # whichever instance made them; read the message itself with `message` or follow it with `messageStream`.
    @strawberry.subscription
    async def session_events(self, info: Info, session_id: strawberry.ID) -> AsyncGenerator[SessionEvent, None]:
        owner_id = info.context.require_client()
        events = info.context.services.sessions.events(
            owner_id=owner_id, session_id=decode_id(session_id, type_name="Session")
        )
        async for event in events:
            yield SessionEvent.from_domain(event)
