"""Feedback use-cases: findings for a track, requesting feedback, follow-up questions, retries and streams.

``request`` and ``ask`` store the messages (the user's question first), start a server-owned generation task and
return the STREAMING assistant message at once; ``stream`` follows it from any socket, any time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from services import domain
from services.analysis.result import Analysis
from services.clients.quotas import Quotas
from services.coaching.generation import Generation
from services.coaching.sessions import Sessions
from services.diagnosis import FindingReport, diagnose
from services.errors import BadUserInput, DomainError, NotFound
from services.genres import clean_genre, match_genre
from services.runtime.queue import InProcessQueue, WorkQueue
from services.runtime.streams import MessageEvent
from services.store import conversation as store
from services.store import messages as message_store
from services.store import sessions as session_store
from services.store import tracks as track_store

MAX_QUESTION_CHARS = 2000


async def _ready(*, owner_id: int, track_id: int) -> tuple[domain.Track, Analysis]:
    track = await track_store.get_track(owner_id=owner_id, track_id=track_id)
    if track.status is not domain.TrackStatus.READY or track.analysis is None:
        raise BadUserInput(f"The track is not analysed yet (status {track.status.value}); wait until it is READY.")
    return track, Analysis.model_validate(track.analysis)


async def _ready_analysis(*, owner_id: int, track_id: int) -> Analysis:
    return (await _ready(owner_id=owner_id, track_id=track_id))[1]


async def _check_reference(*, owner_id: int, track_id: int, reference_track_id: int | None) -> Analysis | None:
    """A reference must be another of the client's tracks, analysed (NOT_FOUND for a missing or foreign one)."""
    if reference_track_id is None:
        return None
    if reference_track_id == track_id:
        raise BadUserInput("The reference track must be a different track from the one under review.")
    return await _ready_analysis(owner_id=owner_id, track_id=reference_track_id)


def _report(
    analysis: Analysis, *, genre: str | None, stage: domain.FeedbackType, reference: Analysis | None
) -> FindingReport:
    chosen_genre = clean_genre(genre) if genre is not None else None
    return diagnose(analysis, genre=match_genre(chosen_genre), stage=stage, reference=reference)


async def _own_session(owner_id: int, session_id: int, *, track_id: int) -> domain.Session:
    session = await session_store.get_session(owner_id=owner_id, session_id=session_id)
    if session.track_id != track_id:
        raise BadUserInput("That session is about another track; omit sessionId to start a new session.")
    return session


@dataclass(frozen=True)
class _Checked:
    """What ``requestFeedback``'s checks read and decided, for the writes."""

    track: domain.Track
    genre: str | None  # as given (cleaned)
    chosen_genre: str | None  # as given, else the existing session's
    existing: domain.Session | None
    reference_track_id: int | None  # as given
    reference: int | None  # as given, else the existing session's
    report: FindingReport


class Feedback:
    def __init__(
        self,
        *,
        generation: Generation,
        sessions: Sessions | None = None,
        quotas: Quotas | None = None,
        queue: WorkQueue | None = None,
    ) -> None:
        self.generation = generation
        self.queue = queue or InProcessQueue(analysis=None, generation=generation)
        self.sessions = sessions or Sessions(generation=generation)
        self.quotas = quotas or Quotas(None)

    async def findings(
        self,
        *,
        owner_id: int,
        track_id: int,
        genre: str | None,
        stage: domain.FeedbackType,
        reference_track_id: int | None = None,
    ) -> FindingReport:
        """The track's findings for a genre and stage (and a reference, loudness-matched)."""
        analysis = await _ready_analysis(owner_id=owner_id, track_id=track_id)
        reference = None
        if reference_track_id is not None:
            reference = await _ready_analysis(owner_id=owner_id, track_id=reference_track_id)
        return _report(analysis, genre=genre, stage=stage, reference=reference)

    async def request(
        self,
        *,
        owner_id: int,
        track_id: int,
        session_id: int | None,
        genre: str | None,
        stage: domain.FeedbackType,
        profile: domain.FeedbackProfile,
        reference_track_id: int | None = None,
    ) -> domain.Message:
        """Store a STREAMING FEEDBACK message (creating a session if none is given) and start generating it.

        The reads, checks and findings come first, outside the quota's transaction (which, on SQLite, holds the
        process's only connection): a refused quota still wins over a refused input, as the check's error is
        raised inside the block, after the quota check."""
        try:
            checked: _Checked | DomainError = await self._check_request(
                owner_id=owner_id,
                track_id=track_id,
                session_id=session_id,
                genre=genre,
                stage=stage,
                reference_track_id=reference_track_id,
            )
        except DomainError as exc:
            checked = exc
        async with self.quotas.generation(owner_id=owner_id):  # admitted before anything is written
            if isinstance(checked, DomainError):
                raise checked
            message = await self._store_request(checked, owner_id=owner_id, stage=stage, profile=profile)
        await self.queue.generate(message)  # after the commit: a job must find its row (and not inherit its connection)
        return message

    async def _check_request(
        self,
        *,
        owner_id: int,
        track_id: int,
        session_id: int | None,
        genre: str | None,
        stage: domain.FeedbackType,
        reference_track_id: int | None,
    ) -> _Checked:
        """Every input and every referenced id is checked before anything is written, so a refused call (a missing
        or another client's track, session or reference, all NOT_FOUND alike) leaves no trace. Each track row is read
        (and its analysis parsed) once: the checks keep what they read for the findings."""
        genre = (clean_genre(genre) or None) if genre is not None else None
        track, analysis = await _ready(owner_id=owner_id, track_id=track_id)
        given = await _check_reference(owner_id=owner_id, track_id=track_id, reference_track_id=reference_track_id)
        existing = None if session_id is None else await _own_session(owner_id, session_id, track_id=track_id)
        reference = reference_track_id
        reference_analysis = given
        if reference is None and existing is not None and existing.reference_track_id is not None:
            reference = existing.reference_track_id
            reference_analysis = await _ready_analysis(owner_id=owner_id, track_id=reference)
        chosen_genre = genre if genre is not None or existing is None else existing.genre
        report = _report(analysis, genre=chosen_genre, stage=stage, reference=reference_analysis)
        return _Checked(
            track=track,
            genre=genre,
            chosen_genre=chosen_genre,
            existing=existing,
            reference_track_id=reference_track_id,
            reference=reference,
            report=report,
        )

    async def _store_request(
        self, checked: _Checked, *, owner_id: int, stage: domain.FeedbackType, profile: domain.FeedbackProfile
    ) -> domain.Message:
        existing, reference_track_id, chosen_genre = checked.existing, checked.reference_track_id, checked.chosen_genre
        if existing is None:  # a new session is stored with the choices at once, as set_choices would leave it
            session = await self.sessions.create_checked(
                track=checked.track,
                genre=checked.genre,
                title=None,
                reference_track_id=reference_track_id,
                choices=(stage, profile),
            )
        else:
            session = existing
            if reference_track_id not in (None, existing.reference_track_id):
                await store.set_session_reference(session_id=existing.id, reference_track_id=reference_track_id)
            # The session remembers the latest choices (History shows its genre; a reload restores all three).
            await session_store.set_session_choices(
                owner_id=owner_id, session_id=session.id, genre=chosen_genre, stage=stage, profile=profile
            )
        return await self._start_feedback(
            session=session,
            track_id=checked.track.id,
            reference=checked.reference,
            genre=chosen_genre or session.genre,
            stage=stage,
            profile=profile,
            report=checked.report,
        )

    async def _start_feedback(
        self,
        *,
        session: domain.Session,
        track_id: int,
        reference: int | None,
        genre: str,
        stage: domain.FeedbackType,
        profile: domain.FeedbackProfile,
        report: FindingReport,
    ) -> domain.Message:
        provider = self.generation.provider
        thread_id = await store.create_thread(
            session_id=session.id,
            track_id=track_id,
            reference_track_id=reference,
            genre=genre,
            stage=stage,
            profile=profile,
        )
        return await store.create_message(
            session_id=session.id,
            thread_id=thread_id,
            role=domain.MessageRole.ASSISTANT,
            kind=domain.MessageKind.FEEDBACK,
            status=domain.MessageStatus.STREAMING,
            findings=[f.to_dict() for f in report.findings],
            engine=provider.name,
            model=provider.model,
            opens_thread=True,
        )

    async def ask(
        self,
        *,
        owner_id: int,
        session_id: int,
        question: str,
        followup_group: int | None = None,
        reference_track_id: int | None = None,
        time_range: domain.TimeRange | None = None,
    ) -> domain.Message:
        """Store the question (first, so it is never lost), then a STREAMING answer, and start generating it.

        ``time_range`` (seconds) is the stretch of the track the question is about; it is stored with the question.
        """
        async with self.quotas.generation(owner_id=owner_id):  # refused before the question is stored
            answer = await self._store_question(
                owner_id=owner_id,
                session_id=session_id,
                question=question,
                followup_group=followup_group,
                reference_track_id=reference_track_id,
                time_range=time_range,
            )
        await self.queue.generate(answer)
        return answer

    async def _store_question(
        self,
        *,
        owner_id: int,
        session_id: int,
        question: str,
        followup_group: int | None,
        reference_track_id: int | None,
        time_range: domain.TimeRange | None = None,
    ) -> domain.Message:
        text = question.strip()
        if not text or len(text) > MAX_QUESTION_CHARS:
            raise BadUserInput(f"The question must be between 1 and {MAX_QUESTION_CHARS} characters.")
        session = await session_store.get_session(owner_id=owner_id, session_id=session_id)
        feedback = await self._feedback_for(session, followup_group)
        if time_range is not None:
            await _check_time_range(time_range, owner_id=owner_id, track_id=feedback.track_id)
        if reference_track_id is not None:
            await _check_reference(owner_id=owner_id, track_id=session.track_id, reference_track_id=reference_track_id)
            await store.set_session_reference(session_id=session.id, reference_track_id=reference_track_id)
            if feedback.thread_id is not None:
                await store.set_thread_reference(feedback.thread_id, reference_track_id)
        asked = await self._followup(feedback, role=domain.MessageRole.USER, content=text, time_range=time_range)
        return await self._followup(feedback, role=domain.MessageRole.ASSISTANT, content="", question=asked)

    async def _followup(
        self,
        feedback: domain.Message,
        *,
        role: domain.MessageRole,
        content: str,
        time_range: domain.TimeRange | None = None,
        question: domain.Message | None = None,
    ) -> domain.Message:
        """A follow-up message in the FEEDBACK's thread (which holds its track, stage, profile and genre); an
        answer points at its question by foreign key, so concurrent questions can never swap answers."""
        answering = role is domain.MessageRole.ASSISTANT
        return await store.create_message(
            session_id=feedback.session_id,
            thread_id=feedback.thread_id,
            role=role,
            kind=domain.MessageKind.FOLLOWUP,
            status=domain.MessageStatus.STREAMING if answering else domain.MessageStatus.COMPLETE,
            content=content,
            question_id=None if question is None else question.id,
            engine=self.generation.provider.name if answering else None,
            model=self.generation.provider.model if answering else None,
            time_range=time_range,
        )

    async def _feedback_for(self, session: domain.Session, group: int | None) -> domain.Message:
        if group is None:
            latest = await store.latest_feedback(session.id)
            if latest is None:
                raise BadUserInput("This session has no feedback yet; call requestFeedback first.")
            return latest
        feedback = await store.find_message(group)
        if feedback is None or feedback.session_id != session.id or feedback.kind is not domain.MessageKind.FEEDBACK:
            raise NotFound("Follow-up group not found in this session; pass the id of one of its FEEDBACK messages.")
        return feedback

    async def retry(self, *, owner_id: int, message_id: int) -> domain.Message:
        """Regenerate a FAILED assistant or summary message in place, from the same stored inputs."""
        message = await message_store.get_message(owner_id=owner_id, message_id=message_id)
        if message.role is domain.MessageRole.USER or message.status is not domain.MessageStatus.FAILED:
            raise BadUserInput(
                f"Only FAILED assistant messages can be retried; this one is a {message.role.value} message with "
                f"status {message.status.value}."
            )
        provider = self.generation.provider
        async with self.quotas.generation(owner_id=owner_id):
            restarted = await store.restart_message(message_id=message.id, engine=provider.name, model=provider.model)
            if restarted is None:
                raise BadUserInput("This message is already being retried; follow it with messageStream.")
        await self.queue.generate(restarted)
        return restarted

    def stream(self, *, owner_id: int, message_id: int) -> AsyncIterator[MessageEvent]:
        """Replay, live deltas, then a final event with the stored message."""

        async def load() -> domain.Message:
            return await message_store.get_message(owner_id=owner_id, message_id=message_id)

        return self.generation.streams.follow(message_id, load=load)

    async def recover(self) -> int:
        """Start-up: messages left STREAMING by a dead instance (their lease lapsed) become FAILED (INTERRUPTED) so
        they can be retried; another live instance's answers are left alone. Then keeps sweeping (``watch_leases``),
        so answers of an instance that dies later are found too."""
        swept = await self.generation.sweep()
        self.generation.watch_leases()
        return len(swept)


async def _check_time_range(time_range: domain.TimeRange, *, owner_id: int, track_id: int | None) -> None:
    """0 <= start < end <= the track's duration, so a range always points inside the track."""
    duration = None
    if track_id is not None:
        duration = (await track_store.get_track(owner_id=owner_id, track_id=track_id)).duration_s
    start, end = time_range.start_s, time_range.end_s
    if not 0 <= start < end or (duration is not None and end > duration + 0.01):
        limit = "" if duration is None else f" and end at or before {duration:.1f} s (the track's length)"
        raise BadUserInput(f"The time range must start at 0 s or later, end after it starts{limit}.")
