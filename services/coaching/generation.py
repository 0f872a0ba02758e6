"""Generation tasks: one per assistant or summary message, owned by the server (not by any socket).

Each task rebuilds its prompt from stored data (``Facts``), streams the engine's reply into ``MessageStreams``,
while one loop per process flushes the text of every live answer to the database every ``flush_interval_s``
in one commit (``services.coaching.partials``), then, at the end, stores the final text, status, usage and
grounding (with the facts the prompt used). A model failure ends the message FAILED with the partial text kept;
shutdown marks this instance's in-flight messages FAILED with ``INTERRUPTED`` so ``retryMessage`` can pick them up.

Several instances may generate against one database, so nothing here is decided by this process's memory: each
STREAMING message carries a lease (owner, expiry) renewed every third of ``lease_s`` while its task runs; an
instance marks a message INTERRUPTED only when it is its own (shutdown) or its lease has lapsed (``sweep``, at
start-up and with every renewal). Summaries are claimed in the database (``store.claim_summaries``), so exactly one
instance starts the summary of each threshold.

Two ways in: ``start`` runs a message as a task of this process (the embedded mode), ``run`` writes it in the
calling task (a ``mixcoach worker``'s job, under the same lease). A worker hands the summaries an answer triggers to
``chain`` (deferred as jobs) and never sweeps: the queue recovers a dead worker's answers (``interrupt``).

Deleting a session or track deletes its messages: ``abandon`` cancels their tasks (closing the model stream, so no
more tokens are spent) and ends every subscriber with ``done`` and ``NOT_FOUND``. A task that finds its message row
gone by itself (a deletion racing its start) ends the same way. Either logs one line, without a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

from services import domain
from services.analysis.musical import tempo_for_genre
from services.analysis.result import Analysis
from services.coaching import chat
from services.coaching.grounding import ground
from services.coaching.partials import PartialTexts
from services.coaching.progress import Progress
from services.coaching.prompts import Facts, Prompt, build_feedback_prompt, build_followup_prompt, build_summary_prompt
from services.diagnosis import diagnose
from services.diagnosis.versions import compare_versions
from services.errors import BadUserInput, DomainError, LLMError, NotFound
from services.genres import GenreMatch, match_genre
from services.llm import LLMProvider, TokenUsage
from services.runtime.streams import MessageStreams
from services.store import conversation as store
from services.store import tracks as track_store
from services.store.messages import message_not_found

log = logging.getLogger(__name__)

INTERRUPTED = "INTERRUPTED"
DELETED = "NOT_FOUND"  # the error code subscribers get when the message is deleted while it is being written
_DELETED_REASON = "This answer was deleted (with its session or track) while it was being written."
_PROMPTS_KEPT = 256

# Called with a message and what happened to it ("MESSAGE_STARTED": an answer or summary began; "MESSAGE_FINISHED"):
# the app announces it on the session's topic of the event bus (``services.coaching.thread_events``).
ThreadEvents = Callable[[domain.Message, str], Awaitable[None]]


async def _load_track(track_id: int | None) -> domain.Track | None:
    return None if track_id is None else await track_store.get_track_any_owner(track_id)


def _analysis_of(track: domain.Track | None) -> Analysis:
    if track is None or track.analysis is None:
        raise BadUserInput("The track has no analysis yet; wait until its status is READY.")
    return Analysis.model_validate(track.analysis)


def facts_from(
    analysis: Analysis,
    *,
    genre: str | None,
    stage: domain.FeedbackType,
    profile: domain.FeedbackProfile,
    reference: Analysis | None = None,
    previous: domain.Track | None = None,
    version: int = 2,
) -> Facts:
    """Findings and facts for one answer (shared by the server and ``mixcoach feedback``); with ``previous`` (an
    earlier version, analysed) the facts also carry what changed since it. A half/double-time tempo reading is
    settled by the genre's typical tempo first."""
    match = match_genre(genre)
    analysis = _genre_tempo(analysis, match)
    report = diagnose(analysis, genre=match, stage=stage, reference=reference)
    versions = None
    if previous is not None and previous.analysis is not None:
        before = _genre_tempo(Analysis.model_validate(previous.analysis), match)
        versions = compare_versions(before=before, after=analysis, after_report=report,
                                    before_report=diagnose(before, genre=match, stage=stage),
                                    before_version=previous.version, after_version=version)  # fmt: skip
    return Facts(analysis=analysis, report=report, profile=profile, reference=reference, versions=versions)


def _genre_tempo(analysis: Analysis, match: GenreMatch) -> Analysis:
    musical = tempo_for_genre(analysis.musical, typical_bpm=match.genre.tempo_bpm)
    return analysis.model_copy(update={"musical": musical})


async def _previous_version(track: domain.Track | None) -> tuple[domain.Track | None, int]:
    """The analysed previous version of a track (same owner), and the track's own version number."""
    if track is None or track.previous_version_id is None:
        return None, 1
    previous = await track_store.get_track_any_owner(track.previous_version_id)
    if previous is None or previous.owner_id != track.owner_id or previous.analysis is None:
        return None, track.version
    return previous, track.version


async def facts_for(message: domain.Message) -> Facts:
    """The facts a message is answered from, rebuilt from the stored track(s), genre, stage and profile; the track's
    row is read once (its analysis and its previous version both come from it)."""
    track = await _load_track(message.track_id)
    analysis = _analysis_of(track)
    reference = None
    if message.reference_track_id is not None:
        reference = _analysis_of(await _load_track(message.reference_track_id))
    previous, version = await _previous_version(track)
    return facts_from(
        analysis,
        genre=message.genre,
        stage=message.feedback_type or domain.FeedbackType.MIXDOWN,
        profile=message.profile or domain.FeedbackProfile.DETAILED,
        reference=reference,
        previous=previous,
        version=version,
    )


async def prompt_for(message: domain.Message, *, budget_tokens: int) -> Prompt:
    facts = await facts_for(message)
    if message.kind is domain.MessageKind.FEEDBACK or message.thread_id is None:
        return build_feedback_prompt(facts, budget_tokens=budget_tokens)
    messages = await store.thread(message.thread_id)
    feedback = next((m for m in messages if m.id == message.followup_group), None)
    if feedback is None:
        raise NotFound(f"The feedback that message {message.id} follows up is missing.")
    if message.kind is domain.MessageKind.SUMMARY:
        convo = chat.conversation_for_summary(messages, feedback=feedback, summary_id=message.id)
        return build_summary_prompt(facts, convo, budget_tokens=budget_tokens)
    convo = chat.conversation_for_answer(messages, feedback=feedback, answer=message)
    return build_followup_prompt(facts, convo, budget_tokens=budget_tokens)


class Generation:
    """Starts, tracks and stops generation tasks; held by the app context (one per process)."""

    def __init__(
        self,
        *,
        provider: LLMProvider,
        streams: MessageStreams,
        summary_every: int,
        budget_tokens: int,
        flush_interval_s: float = 1.0,
        lease_s: float = 30.0,
        on_thread_event: ThreadEvents | None = None,
        chain: Callable[[domain.Message], Awaitable[None]] | None = None,
        sweeps: bool = True,
    ) -> None:
        """``chain`` hands over the summaries an answer triggers (a worker defers them as jobs); by default they
        start here. ``sweeps=False`` (workers): the lease loop only renews, it never marks other answers
        INTERRUPTED, because the queue recovers a dead worker's answers itself and an answer still waiting in the
        queue has no lease yet."""
        self._chain = chain
        self._sweeps = sweeps
        self.provider = provider
        self.streams = streams
        self.summary_every = summary_every
        self.budget_tokens = budget_tokens
        self.flush_interval_s = flush_interval_s
        self.partials = PartialTexts(interval_s=flush_interval_s)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._abandoned: set[int] = set()  # cancelled because deleted: no partial text to save
        # message id → the prompt sent, for reports and tests; only the latest few, so a long-running server
        # does not keep every prompt it ever built (the stored message keeps its size record).
        self.last_prompt: dict[int, Prompt] = {}
        # Which instance generates a message is recorded in the database (a lease this process renews), so another
        # instance restarting, or sweeping, never takes a live answer for a dead one.
        self.instance_id = f"{socket.gethostname()[:32]}-{uuid.uuid4().hex[:12]}"
        self.lease = timedelta(seconds=lease_s)
        self._heartbeat: asyncio.Task[None] | None = None
        self._forever: asyncio.Task[None] | None = None
        self._on_thread_event = on_thread_event
        self._looked_up: dict[int, list[domain.ToolCall]] = {}  # message id → the lookups its stream made

    async def start(self, message: domain.Message) -> None:
        """Begin generating ``message`` (already stored as STREAMING) in the background; its stream is open (so
        any instance can follow it) before this returns."""
        await store.take_leases(owner=self.instance_id, message_ids=[message.id], lease=self.lease)
        await self.streams.open(message.id)
        task = asyncio.create_task(self._run(message), name=f"generate-message-{message.id}")
        self._tasks[message.id] = task
        task.add_done_callback(functools.partial(self._finished, message.id))
        self._keep_leases()
        await self._announce(message, "MESSAGE_STARTED")

    def _keep_leases(self) -> None:
        if self._heartbeat is None or self._heartbeat.done():  # renews while this instance generates anything
            self._heartbeat = asyncio.create_task(self._renew_leases(forever=False), name="generation-leases")

    async def run(self, message: domain.Message) -> None:
        """Write one message in the calling task (a worker's job), under this instance's lease like ``start``. If
        the task is cancelled (the worker is stopping, or the job was aborted) the message ends FAILED with
        ``INTERRUPTED``, retryable; a crash ends it FAILED with ``INTERNAL``. Either way no STREAMING row is left
        behind by a living process."""
        await store.take_leases(owner=self.instance_id, message_ids=[message.id], lease=self.lease)
        await self.streams.open(message.id)  # again if the web instance opened it: replays start after the latest
        task = asyncio.current_task()
        assert task is not None
        self._tasks[message.id] = task  # so the lease is renewed, and drain and wait see it
        self._keep_leases()
        await self._announce(message, "MESSAGE_STARTED")
        try:
            await self._run(message)
        except asyncio.CancelledError:
            if message.id not in self._abandoned:
                reason = "The worker stopped while answering; retry it."
                ended = store.fail_streaming(
                    code=INTERRUPTED, error=reason, message_ids=[message.id], owner=self.instance_id
                )
                await asyncio.shield(ended)
                await asyncio.shield(self._finish_stored(message.id))
            raise
        except Exception:
            log.exception("generation of message %s crashed", message.id)
            await self._fail(message.id, "INTERNAL", "Generation failed unexpectedly.")
        finally:
            if self._tasks.get(message.id) is task:
                del self._tasks[message.id]
            self._abandoned.discard(message.id)

    async def drain(self, timeout_s: float) -> None:
        """Graceful shutdown: let running answers finish for up to ``timeout_s`` (``close`` interrupts the rest)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks.values()), timeout=timeout_s)

    async def wait(self, message_id: int) -> domain.Message:
        """The finished message (for the CLI and tests); returns the stored one if nothing is running."""
        while (task := self._tasks.get(message_id)) is not None:  # a summary may have been chained after it
            await asyncio.wait({task})
        return await store.load_message(message_id)

    async def idle(self) -> None:
        """Wait until every task (answers and the summaries they trigger) has finished."""
        while self._tasks:
            await asyncio.wait(set(self._tasks.values()))

    def _finished(self, message_id: int, task: asyncio.Task[None]) -> None:
        if self._tasks.get(message_id) is task:
            del self._tasks[message_id]
        self._abandoned.discard(message_id)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:  # a bug, not a model failure: keep the message retryable and tell subscribers
            log.error("generation of message %s crashed", message_id, exc_info=error)
            asyncio.get_running_loop().create_task(
                self._fail(message_id, "INTERNAL", "Generation failed unexpectedly.")
            )

    async def _fail(self, message_id: int, code: str, error: str) -> None:
        await store.fail_streaming(code=code, error=error, message_ids=[message_id])
        await self._finish_stored(message_id)

    async def _finish_stored(self, message_id: int) -> None:
        """End the subscribers with the stored message, or with ``NOT_FOUND`` if it was deleted meanwhile."""
        try:
            await store.load_message(message_id)
        except NotFound:
            await self._gone(message_id, _DELETED_REASON)
            return
        await self.streams.finish(message_id)

    def watch_leases(self) -> None:
        """Start (once) the loop that renews this instance's leases and sweeps lapsed ones, every third of the
        lease, until ``close``: a crashed instance's answers become retryable within about one lease."""
        if self._forever is None or self._forever.done():
            self._forever = asyncio.create_task(self._renew_leases(forever=True), name="generation-sweep")

    async def _renew_leases(self, *, forever: bool) -> None:
        while forever or self._tasks:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await store.take_leases(owner=self.instance_id, message_ids=list(self._tasks), lease=self.lease)
                if self._sweeps:
                    await self.sweep()
            except Exception:  # the database is briefly unreachable: try again next beat
                log.warning("renewing generation leases failed", exc_info=True)

    async def sweep(self) -> list[int]:
        """Mark STREAMING messages whose lease has lapsed (their instance died) FAILED/INTERRUPTED, and end their
        streams so subscribers anywhere stop waiting. Returns their ids."""
        reason = "The server answering this stopped; retry it."
        ids = await store.fail_streaming(code=INTERRUPTED, error=reason, unleased_grace=self.lease)
        for mid in ids:
            await self._finish_stored(mid)
        return ids

    async def interrupt(self, message_ids: list[int], *, reason: str) -> list[int]:
        """Mark these STREAMING messages FAILED/INTERRUPTED whoever generated them (the queue found their worker
        dead) and end their streams, so subscribers on any instance stop waiting. Returns the ids it ended."""
        ids = await store.fail_streaming(code=INTERRUPTED, error=reason, message_ids=message_ids)
        for mid in ids:
            await self._finish_stored(mid)
        return ids

    async def close(self) -> None:
        """Shutdown: cancel running tasks and mark their messages FAILED (INTERRUPTED, retryable)."""
        loops = [t for t in (self._heartbeat, self._forever) if t is not None]
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        running = list(self._tasks.items())
        for _, task in running:
            task.cancel()
        await asyncio.gather(*(t for _, t in running), return_exceptions=True)
        await self.partials.close()
        ids = [mid for mid, _ in running]
        if ids:
            reason = "The server stopped while answering; retry it."
            await store.fail_streaming(code=INTERRUPTED, error=reason, message_ids=ids, owner=self.instance_id)
            for mid in ids:
                await self._finish_stored(mid)

    async def abandon(self, message_ids: Iterable[int], *, reason: str) -> None:
        """The messages were deleted: stop generating them now and end their subscribers with ``NOT_FOUND``."""
        ids = list(message_ids)
        running = [self._tasks[mid] for mid in ids if mid in self._tasks]
        self._abandoned.update(ids)
        for task in running:
            task.cancel()  # leaving ``async with provider.stream`` closes the model's HTTP response
        await asyncio.gather(*running, return_exceptions=True)
        for mid in ids:
            await self._gone(mid, reason)

    async def _gone(self, message_id: int, reason: str) -> None:
        """Tell subscribers (once) that the message no longer exists; one log line, no traceback."""
        if await self.streams.abandon(message_id, code=DELETED, error=reason):
            log.info("message %s: generation stopped, deleted while streaming (%s)", message_id, reason)

    async def _run(self, message: domain.Message) -> None:
        try:
            await self._answer(message)
        except NotFound:  # the row went away under us: a deletion raced the start (or the end) of this task
            await self._gone(message.id, _DELETED_REASON)

    async def _answer(self, message: domain.Message) -> None:
        progress = Progress()
        try:
            prompt = await prompt_for(message, budget_tokens=self.budget_tokens)
        except DomainError as exc:  # e.g. the track was deleted since the message was created
            await self._end_failed(message.id, progress, exc)
            return
        self._note_prompt(message.id, prompt)
        if message.kind is domain.MessageKind.FEEDBACK:  # the findings shown are the ones this prompt used
            findings = [f.to_dict() for f in prompt.facts.report.findings]
            if findings != message.findings:  # most often requestFeedback stored these already: no write needed
                await store.save_findings(message.id, findings)
        self.partials.track(message.id, progress)
        try:
            try:
                usage = await self._stream(message.id, prompt, progress)
            finally:  # no partial flush may land after the final text written below
                await asyncio.shield(self.partials.release(message.id))
        except asyncio.CancelledError:  # shutdown keeps the text so far (close() marks it INTERRUPTED)
            if message.id not in self._abandoned:  # a deleted message has no row to keep it in
                with contextlib.suppress(NotFound):
                    await asyncio.shield(store.save_partial(message.id, progress.text))
            raise
        except LLMError as exc:
            log.warning("message %s failed: %s (%s)", message.id, exc.code, exc.message)
            await self._end_failed(message.id, progress, exc)
            return
        done = await self._end_complete(message, prompt, progress, usage)
        await self._maybe_summarise(done)

    def _note_prompt(self, message_id: int, prompt: Prompt) -> None:
        self.last_prompt[message_id] = prompt
        while len(self.last_prompt) > _PROMPTS_KEPT:
            del self.last_prompt[next(iter(self.last_prompt))]
        log.info(
            "message %s: %s prompt ≈%d of %d tokens (%d older turns dropped)",
            message_id,
            prompt.kind,
            prompt.estimated_tokens,
            prompt.budget_tokens,
            prompt.dropped_turns,
        )

    async def _stream(self, message_id: int, prompt: Prompt, progress: Progress) -> TokenUsage:
        """Publish each delta at once (``self.partials`` flushes the text); stop if a flush found the row gone."""
        async with self.provider.stream(prompt) as reply:
            async for delta in reply:
                progress.add(delta)
                await self.streams.publish(message_id, delta)
                if self.partials.gone(message_id):
                    raise message_not_found()
        self._looked_up[message_id] = list(reply.tool_calls)
        return reply.usage

    async def _end_failed(self, message_id: int, progress: Progress, exc: DomainError) -> domain.Message:
        """FAILED with the code and reason; the partial text stays."""
        done = await store.finish_message(
            message_id=message_id,
            content=progress.text,
            status=domain.MessageStatus.FAILED,
            usage=progress.usage(None),
            error_code=exc.code,
            error=exc.message,
        )
        await self.streams.finish(message_id)
        await self._announce(done, "MESSAGE_FINISHED")
        return done

    async def _end_complete(
        self, message: domain.Message, prompt: Prompt, progress: Progress, usage: TokenUsage
    ) -> domain.Message:
        """COMPLETE with usage and the grounding of every number in the text."""
        message_id = message.id
        facts = prompt.facts
        question = prompt.conversation.question if prompt.conversation is not None else None
        looked_up = self._looked_up.pop(message_id, [])
        # On a worker thread: tracing a whole answer's numbers takes a few ms of CPU (some 25 ms for 16 KB), which on
        # the event loop would hold up every other live stream's tokens that long; beside it, they wait a GIL switch
        # at most.
        grounding = await asyncio.to_thread(
            ground,
            progress.text,
            analysis=facts.analysis,
            report=facts.report,
            reference=facts.reference,
            question=question,
            tool_results=[(c.name, c.result) for c in looked_up],
        )
        done = await store.finish_message(
            message_id=message_id,
            content=progress.text,
            status=domain.MessageStatus.COMPLETE,
            usage=progress.usage(usage),
            grounding=grounding.to_dict()
            | {"prompt": _prompt_record(prompt, estimated=usage.estimated, message=message)},
            tool_calls=looked_up,
        )
        await self.streams.finish(message_id)
        await self._announce(done, "MESSAGE_FINISHED")
        return done

    async def _maybe_summarise(self, answer: domain.Message) -> None:
        """Start the thread's summary when this answer reaches a threshold that no instance has claimed yet."""
        if answer.kind is not domain.MessageKind.FOLLOWUP or answer.thread_id is None:
            return
        summaries = await store.claim_summaries(
            answer=answer, every=self.summary_every, engine=self.provider.name, model=self.provider.model
        )
        for summary in summaries:
            if self._chain is None:
                await self.start(summary)
            else:
                await self._chain(summary)

    async def _announce(self, message: domain.Message, kind: str) -> None:
        if self._on_thread_event is not None:
            await self._on_thread_event(message, kind)


def _prompt_record(prompt: Prompt, *, estimated: bool, message: domain.Message) -> dict[str, object]:
    """What the answer was written from, kept with it: sizes, and the facts (findings, reference, stage, profile,
    genre) as they were when the prompt was built, so later changes to the thread or the diagnosis do not rewrite
    what this answer was based on."""
    return {
        "findings": [f.to_dict() for f in prompt.facts.report.findings],
        "reference_track_id": message.reference_track_id,
        "stage": None if message.feedback_type is None else message.feedback_type.value,
        "profile": None if message.profile is None else message.profile.value,
        "genre": message.genre,
        "kind": prompt.kind,
        "estimated_tokens": prompt.estimated_tokens,
        "budget_tokens": prompt.budget_tokens,
        "dropped_turns": prompt.dropped_turns,
        "usage_estimated": estimated,
    }
