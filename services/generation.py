"""Generation tasks: one per assistant or summary message, owned by the server (not by any socket).

Each task rebuilds its prompt from stored data (``Facts``), streams the engine's reply into ``MessageStreams``,
flushes the text to the database every ``flush_interval_s`` (and on the end), then stores status, usage and
grounding. A model failure ends the message FAILED with the partial text kept; shutdown marks in-flight
messages FAILED with ``INTERRUPTED`` so ``retryMessage`` can pick them up.

Deleting a session or track deletes its messages: ``abandon`` cancels their tasks (closing the model stream, so no
more tokens are spent) and ends every subscriber with ``done`` and ``NOT_FOUND``. A task that finds its message row
gone by itself (a deletion racing its start) ends the same way. Either logs one line, without a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable

from services import chat, domain
from services.analysis.result import Analysis
from services.diagnosis import diagnose
from services.errors import BadUserInput, DomainError, LLMError, NotFound
from services.genres import match_genre
from services.grounding import ground
from services.llm import LLMProvider, TokenUsage
from services.progress import Progress
from services.prompts import Facts, Prompt, build_feedback_prompt, build_followup_prompt, build_summary_prompt
from services.store import conversation as store
from services.store import tracks as track_store
from services.streams import MessageStreams

log = logging.getLogger(__name__)

INTERRUPTED = "INTERRUPTED"
DELETED = "NOT_FOUND"  # the error code subscribers get when the message is deleted while it is being written
_DELETED_REASON = "This answer was deleted (with its session or track) while it was being written."
_PROMPTS_KEPT = 256


async def load_analysis(track_id: int | None) -> Analysis:
    track = None if track_id is None else await track_store.get_track_any_owner(track_id)
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
) -> Facts:
    """Findings and facts for one answer (shared by the server and ``mixcoach feedback``)."""
    report = diagnose(analysis, genre=match_genre(genre), stage=stage, reference=reference)
    return Facts(analysis=analysis, report=report, profile=profile, reference=reference)


async def facts_for(message: domain.Message) -> Facts:
    """The facts a message is answered from, rebuilt from the stored track(s), genre, stage and profile."""
    analysis = await load_analysis(message.track_id)
    reference = None if message.reference_track_id is None else await load_analysis(message.reference_track_id)
    return facts_from(
        analysis,
        genre=message.genre,
        stage=message.feedback_type or domain.FeedbackType.MIXDOWN,
        profile=message.profile or domain.FeedbackProfile.DETAILED,
        reference=reference,
    )


async def prompt_for(message: domain.Message, *, budget_tokens: int) -> Prompt:
    facts = await facts_for(message)
    if message.kind is domain.MessageKind.FEEDBACK or message.followup_group is None:
        return build_feedback_prompt(facts, budget_tokens=budget_tokens)
    messages = await store.thread(message.followup_group)
    feedback = next(m for m in messages if m.id == message.followup_group)
    if message.kind is domain.MessageKind.SUMMARY:
        convo = chat.conversation_for_summary(messages, feedback=feedback, summary_id=message.id)
        return build_summary_prompt(facts, convo, budget_tokens=budget_tokens)
    convo = chat.conversation_for_answer(messages, feedback=feedback, answer_id=message.id)
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
        flush_interval_s: float = 0.5,
        chain: Callable[[domain.Message], Awaitable[None]] | None = None,
    ) -> None:
        """``chain`` hands over the summaries an answer triggers (a worker defers them as jobs); by default they
        start here."""
        self._chain = chain
        self.provider = provider
        self.streams = streams
        self.summary_every = summary_every
        self.budget_tokens = budget_tokens
        self.flush_interval_s = flush_interval_s
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._abandoned: set[int] = set()  # cancelled because deleted: no partial text to save
        # message id → the prompt sent, for reports and tests; only the latest few, so a long-running server
        # does not keep every prompt it ever built (the stored message keeps its size record).
        self.last_prompt: dict[int, Prompt] = {}
        self._summarising = asyncio.Lock()  # two answers finishing together must not both start a summary
        self._looked_up: dict[int, list[domain.ToolCall]] = {}  # message id → the lookups its stream made

    def start(self, message: domain.Message) -> None:
        """Begin generating ``message`` (already stored as STREAMING) in the background."""
        self.streams.open(message.id)
        task = asyncio.create_task(self._run(message), name=f"generate-message-{message.id}")
        self._tasks[message.id] = task
        task.add_done_callback(functools.partial(self._finished, message.id))

    async def run(self, message: domain.Message) -> None:
        """Write one message in the calling task (a worker's job). If the task is cancelled (the worker is
        stopping, or the job was aborted) the message ends FAILED with ``INTERRUPTED``, retryable; a crash ends
        it FAILED with ``INTERNAL``. Either way no STREAMING row is left behind by a living process."""
        self.streams.open(message.id)
        try:
            await self._run(message)
        except asyncio.CancelledError:
            if message.id not in self._abandoned:
                reason = "The worker stopped while answering; retry it."
                await asyncio.shield(store.fail_streaming(code=INTERRUPTED, error=reason, message_ids=[message.id]))
                await asyncio.shield(self._finish_stored(message.id))
            raise
        except Exception:
            log.exception("generation of message %s crashed", message.id)
            await self._fail(message.id, "INTERNAL", "Generation failed unexpectedly.")

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
            self.streams.finish(message_id, await store.load_message(message_id))
        except NotFound:
            self._gone(message_id, _DELETED_REASON)

    async def close(self) -> None:
        """Shutdown: cancel running tasks and mark their messages FAILED (INTERRUPTED, retryable)."""
        running = list(self._tasks.items())
        for _, task in running:
            task.cancel()
        await asyncio.gather(*(t for _, t in running), return_exceptions=True)
        ids = [mid for mid, _ in running]
        if ids:
            reason = "The server stopped while answering; retry it."
            await store.fail_streaming(code=INTERRUPTED, error=reason, message_ids=ids)
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
            self._gone(mid, reason)

    def _gone(self, message_id: int, reason: str) -> None:
        """Tell subscribers (once) that the message no longer exists; one log line, no traceback."""
        if self.streams.abandon(message_id, code=DELETED, error=reason):
            log.info("message %s: generation stopped, deleted while streaming (%s)", message_id, reason)

    async def _run(self, message: domain.Message) -> None:
        try:
            await self._answer(message)
        except NotFound:  # the row went away under us: a deletion raced the start (or the end) of this task
            self._gone(message.id, _DELETED_REASON)

    async def _answer(self, message: domain.Message) -> None:
        progress = Progress(flush_interval_s=self.flush_interval_s)
        try:
            prompt = await prompt_for(message, budget_tokens=self.budget_tokens)
        except DomainError as exc:  # e.g. the track was deleted since the message was created
            await self._end_failed(message.id, progress, exc)
            return
        self._note_prompt(message.id, prompt)
        try:
            usage = await self._stream(message.id, prompt, progress)
        except asyncio.CancelledError:  # shutdown keeps the text so far (close() marks it INTERRUPTED)
            if message.id not in self._abandoned:  # a deleted message has no row to keep it in
                with contextlib.suppress(NotFound):
                    await asyncio.shield(store.save_partial(message.id, progress.text))
            raise
        except LLMError as exc:
            log.warning("message %s failed: %s (%s)", message.id, exc.code, exc.message)
            await self._end_failed(message.id, progress, exc)
            return
        done = await self._end_complete(message.id, prompt, progress, usage)
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
        """Publish each delta at once; flush the text to the database every ``flush_interval_s``."""
        async with self.provider.stream(prompt) as reply:
            async for delta in reply:
                progress.add(delta)
                self.streams.publish(message_id, delta)
                if progress.flush_due():
                    await store.save_partial(message_id, progress.text)
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
        self.streams.finish(message_id, done)
        return done

    async def _end_complete(
        self, message_id: int, prompt: Prompt, progress: Progress, usage: TokenUsage
    ) -> domain.Message:
        """COMPLETE with usage and the grounding of every number in the text."""
        facts = prompt.facts
        question = prompt.conversation.question if prompt.conversation is not None else None
        looked_up = self._looked_up.pop(message_id, [])
        grounding = ground(
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
            grounding=grounding.to_dict() | {"prompt": _prompt_record(prompt, estimated=usage.estimated)},
            tool_calls=looked_up,
        )
        self.streams.finish(message_id, done)
        return done

    async def _maybe_summarise(self, answer: domain.Message) -> None:
        if answer.kind is not domain.MessageKind.FOLLOWUP or answer.followup_group is None:
            return
        async with self._summarising:
            messages = await store.thread(answer.followup_group)
            if chat.summary_due(messages, every=self.summary_every):
                summary = await self._new_summary(answer)
                if self._chain is None:
                    self.start(summary)
                else:
                    await self._chain(summary)

    async def _new_summary(self, answer: domain.Message) -> domain.Message:
        """A STREAMING SUMMARY message in the answer's thread, inheriting its track, stage, profile and genre."""
        return await store.create_message(
            session_id=answer.session_id,
            role=domain.MessageRole.SUMMARY,
            kind=domain.MessageKind.SUMMARY,
            status=domain.MessageStatus.STREAMING,
            track_id=answer.track_id,
            reference_track_id=answer.reference_track_id,
            followup_group=answer.followup_group,
            feedback_type=answer.feedback_type,
            profile=answer.profile,
            genre=answer.genre,
            engine=self.provider.name,
            model=self.provider.model,
        )


def _prompt_record(prompt: Prompt, *, estimated: bool) -> dict[str, object]:
    return {
        "kind": prompt.kind,
        "estimated_tokens": prompt.estimated_tokens,
        "budget_tokens": prompt.budget_tokens,
        "dropped_turns": prompt.dropped_turns,
        "usage_estimated": estimated,
    }
