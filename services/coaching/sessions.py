"""Session use-cases: open a session on a track (optionally with a reference), read its history."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection

from services import domain
from services.coaching.generation import Generation
from services.coaching.suggestions import suggested_questions
from services.coaching.thread_events import ThreadEvent, ThreadEvents
from services.diagnosis import Finding
from services.errors import BadUserInput
from services.genres import clean_genre
from services.runtime.bus import EventBus
from services.runtime.log import MemoryLog
from services.runtime.queue import InProcessQueue, WorkQueue
from services.store import conversation
from services.store import messages as message_store
from services.store import sessions as store
from services.store import tracks as track_store
from services.store.message_columns import list_message_columns, session_with_message_columns
from services.store.pages import MAX_PAGE_SIZE
from services.tracks.library import clean_name

DEFAULT_GENRE = "general"


class Sessions:
    def __init__(
        self, *, generation: Generation, queue: WorkQueue | None = None, events: ThreadEvents | None = None
    ) -> None:
        self._generation = generation
        self._queue = queue or InProcessQueue(analysis=None, generation=generation)
        self._events = events or ThreadEvents(EventBus(MemoryLog()))

    def events(self, *, owner_id: int, session_id: int) -> AsyncIterator[ThreadEvent]:
        """Changes to the session's threads from now on (see ``services.coaching.thread_events``)."""
        return self._events.follow(owner_id=owner_id, session_id=session_id)

    async def create(
        self, *, owner_id: int, track_id: int, reference_track_id: int | None, genre: str | None, title: str | None
    ) -> domain.Session:
        """Both tracks must belong to the client; another client's track is NOT_FOUND like a missing one."""
        track = await track_store.get_track(owner_id=owner_id, track_id=track_id)
        if reference_track_id is not None:
            if reference_track_id == track_id:
                raise BadUserInput("The reference track must be a different track from the one under review.")
            await track_store.get_track(owner_id=owner_id, track_id=reference_track_id)
        return await self.create_checked(track=track, reference_track_id=reference_track_id, genre=genre, title=title)

    async def create_checked(
        self,
        *,
        track: domain.Track,
        reference_track_id: int | None,
        genre: str | None,
        title: str | None,
        choices: tuple[domain.FeedbackType, domain.FeedbackProfile] | None = None,
    ) -> domain.Session:
        """For a caller that has just read the client's own ``track`` and checked the reference (requestFeedback):
        the session without reading the track row, analysis and all, once more. ``choices`` (stage, profile) are
        stored with it, and a given genre as chosen, just as ``set_choices`` right after would leave the row, in
        one statement instead of three."""
        stored_genre = genre if choices is not None and genre is not None else _genre(genre)
        return await store.create_session(
            owner_id=track.owner_id,
            track_id=track.id,
            reference_track_id=reference_track_id,
            genre=stored_genre,
            title=clean_name(title, field="title") if title is not None else track.name,
            stage=None if choices is None else choices[0],
            profile=None if choices is None else choices[1],
        )

    async def get(self, *, owner_id: int, session_id: int) -> domain.Session:
        return await store.get_session(owner_id=owner_id, session_id=session_id)

    async def get_with_messages(
        self, *, owner_id: int, session_id: int, first: int, after: str | None, columns: Collection[str]
    ) -> tuple[domain.Session, domain.Page[domain.Message] | None]:
        """``get`` and the page ``messages_of`` would read for it (``columns`` as there), in one read; the page is
        ``None`` when ``first`` or ``after`` is refused, for ``messages_of`` to refuse where the page was asked."""
        try:
            return await session_with_message_columns(
                owner_id=owner_id, session_id=session_id, first=first, after=after, columns=columns
            )
        except BadUserInput:
            return await self.get(owner_id=owner_id, session_id=session_id), None

    async def page(self, *, owner_id: int, first: int, after: str | None) -> domain.Page[domain.Session]:
        return await store.list_sessions(owner_id=owner_id, first=first, after=after)

    async def rename(self, *, owner_id: int, session_id: int, title: str) -> domain.Session:
        return await store.rename_session(
            owner_id=owner_id, session_id=session_id, title=clean_name(title, field="title")
        )

    async def set_choices(
        self,
        *,
        owner_id: int,
        session_id: int,
        genre: str | None,
        stage: domain.FeedbackType | None,
        profile: domain.FeedbackProfile | None,
    ) -> domain.Session:
        """Store the genre, stage and profile chosen on the page, so a reload or History restores them.

        An empty genre goes back to the default; None leaves a choice unchanged.
        """
        return await store.set_session_choices(
            owner_id=owner_id,
            session_id=session_id,
            genre=None if genre is None else _genre(genre),
            stage=stage,
            profile=profile,
        )

    async def delete(self, *, owner_id: int, session_id: int) -> None:
        """Delete the session and its messages, stopping any answer still being written in it."""
        streaming = await conversation.streaming_ids(session_id=session_id)
        await store.delete_session(owner_id=owner_id, session_id=session_id)  # NOT_FOUND unless it is the caller's
        await self._generation.abandon(streaming, reason="The session was deleted while this answer was being written.")
        await self._queue.cancel(message_ids=streaming)

    async def suggested_questions(self, *, owner_id: int, session_id: int) -> list[str]:
        """From the latest feedback's findings, minus every question already asked in the session."""
        await store.get_session(owner_id=owner_id, session_id=session_id)
        findings: list[Finding] = []
        asked: list[str] = []
        after: str | None = None
        while True:
            page = await message_store.list_messages(session_id=session_id, first=MAX_PAGE_SIZE, after=after)
            for m in page.items:
                if m.kind is domain.MessageKind.FEEDBACK and m.role is domain.MessageRole.ASSISTANT and m.findings:
                    findings = [Finding.from_dict(raw) for raw in m.findings]
                elif m.role is domain.MessageRole.USER and m.kind is domain.MessageKind.FOLLOWUP:
                    asked.append(m.content)
            if not page.has_next_page or not page.cursors:
                return suggested_questions(findings, asked)
            after = page.cursors[-1]

    async def messages(
        self, *, owner_id: int, session_id: int, first: int, after: str | None
    ) -> domain.Page[domain.Message]:
        """Oldest first, the order a conversation is read in."""
        await store.get_session(owner_id=owner_id, session_id=session_id)
        return await message_store.list_messages(session_id=session_id, first=first, after=after)

    async def messages_of(
        self,
        *,
        owner_id: int,
        session: domain.Session,
        first: int,
        after: str | None,
        columns: Collection[str] | None = None,
    ) -> domain.Page[domain.Message]:
        """``messages`` for a session the caller has just read: its owner is known, so it is not read again.
        ``columns`` (a subset of ``message_columns.PLAIN_COLUMNS``): read only those; the messages' other fields
        are placeholders, for a caller that shows nothing else."""
        if session.owner_id != owner_id:
            raise store.session_not_found()
        if columns is not None:
            return await list_message_columns(session_id=session.id, first=first, after=after, columns=columns)
        return await message_store.list_messages(session_id=session.id, first=first, after=after)

    async def message(self, *, owner_id: int, message_id: int) -> domain.Message:
        return await message_store.get_message(owner_id=owner_id, message_id=message_id)

    async def track(self, *, owner_id: int, track_id: int) -> domain.Track:
        """A track seen through a session (its subject or reference)."""
        return await track_store.get_track(owner_id=owner_id, track_id=track_id)


def _genre(genre: str | None) -> str:
    return clean_genre(genre or "").lower() or DEFAULT_GENRE
