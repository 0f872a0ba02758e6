"""Writing the conversation: threads, feedback, follow-up and summary messages, and the reads that build prompts.

Reads for clients go through ``services.store.messages`` (owner-scoped); these functions serve the generation
pipeline, which has already checked ownership when the message was created.

The invariants live in the database, not in any process: an answer points at its question by foreign key; a
thread's ``summarised_answers`` advances by compare-and-set, and ``(thread, summary_through)`` is unique, so one
summary per threshold whichever instance finishes the answer; a STREAMING message carries a lease
(``lease_owner``, ``lease_until``) that its generating instance renews, and only a lapsed lease lets another
instance mark it INTERRUPTED; a retry restarts a message only if it is still FAILED (one retry wins).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from services import domain
from services.store.messages import message_not_found, to_domain
from services.store.models import MessageKind, MessageModel, MessageRole, MessageStatus, SessionModel, ThreadModel

_ANSWER = {"role": MessageRole.ASSISTANT, "kind": MessageKind.FOLLOWUP}


def _now() -> datetime:
    return datetime.now(UTC)


async def create_thread(
    *,
    session_id: int,
    track_id: int | None,
    reference_track_id: int | None,
    genre: str | None,
    stage: domain.FeedbackType | None,
    profile: domain.FeedbackProfile | None,
) -> int:
    row = await ThreadModel.create(
        session_id=session_id,
        track_id=track_id,
        reference_track_id=reference_track_id,
        genre=genre,
        stage=None if stage is None else stage.value,
        profile=None if profile is None else profile.value,
    )
    return row.id


async def set_thread_opener(thread_id: int, message_id: int) -> domain.Message:
    """Name the FEEDBACK message that opened the thread (what clients call its ``followupGroup``)."""
    await ThreadModel.filter(id=thread_id).update(opener_id=message_id, updated_at=_now())
    return await load_message(message_id)


async def set_thread_reference(thread_id: int, reference_track_id: int) -> None:
    await ThreadModel.filter(id=thread_id).update(reference_track_id=reference_track_id, updated_at=_now())


async def create_message(
    *,
    session_id: int,
    thread_id: int | None,
    role: domain.MessageRole,
    kind: domain.MessageKind,
    status: domain.MessageStatus,
    content: str = "",
    question_id: int | None = None,
    findings: list[dict[str, object]] | None = None,
    engine: str | None = None,
    model: str | None = None,
    time_range: domain.TimeRange | None = None,
    summary_through: int | None = None,
    opens_thread: bool = False,
) -> domain.Message:
    """The new message as stored; ``opens_thread`` also names it its thread's opener (a FEEDBACK message) before
    it is read back, so the caller gets its ``followupGroup`` without a second read."""
    row = await MessageModel.create(
        session_id=session_id,
        thread_id=thread_id,
        role=role,
        kind=kind,
        status=status,
        content=content,
        question_id=question_id,
        findings=findings,
        engine=engine,
        model=model,
        time_range=None if time_range is None else {"start_s": time_range.start_s, "end_s": time_range.end_s},
        summary_through=summary_through,
    )
    if opens_thread and thread_id is not None:
        await ThreadModel.filter(id=thread_id).update(opener_id=row.id, updated_at=_now())
    return await load_message(row.id)


async def find_message(message_id: int) -> domain.Message | None:
    row = await MessageModel.filter(id=message_id).select_related("thread").first()
    return None if row is None else to_domain(row)


async def load_message(message_id: int) -> domain.Message:
    found = await find_message(message_id)
    if found is None:
        raise message_not_found()
    return found


async def save_partial(message_id: int, content: str) -> None:
    """Flush the text so far; a crash then loses at most the text since the last flush.

    Raises ``NotFound`` when the message was deleted meanwhile, so its generation stops instead of writing on.
    """
    if not await MessageModel.filter(id=message_id).update(content=content, updated_at=_now()):
        raise message_not_found()


async def save_partials(texts: dict[int, str]) -> set[int]:
    """Flush the text so far of several messages in one transaction (one commit, however many streams are live).

    Returns the ids whose row is gone (deleted meanwhile), so their generations stop instead of writing on.
    """
    missing: set[int] = set()
    now = _now()
    async with in_transaction():
        for message_id, content in texts.items():
            if not await MessageModel.filter(id=message_id).update(content=content, updated_at=now):
                missing.add(message_id)
    return missing


async def save_findings(message_id: int, findings: list[dict[str, object]]) -> None:
    """The findings the prompt was actually built from, stored with the answer (not recomputed later)."""
    await MessageModel.filter(id=message_id).update(findings=findings, updated_at=_now())


async def finish_message(
    *,
    message_id: int,
    content: str,
    status: domain.MessageStatus,
    usage: domain.Usage,
    grounding: dict[str, object] | None = None,
    error_code: str | None = None,
    error: str | None = None,
    tool_calls: list[domain.ToolCall] | None = None,
) -> domain.Message:
    await MessageModel.filter(id=message_id).update(
        tool_calls=None if tool_calls is None else [c.to_dict() for c in tool_calls],
        content=content,
        status=status,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        latency_ms=usage.latency_ms,
        time_to_first_token_ms=usage.time_to_first_token_ms,
        grounding=grounding,
        error_code=error_code,
        error=error,
        lease_owner=None,
        lease_until=None,
        updated_at=_now(),
    )
    return await load_message(message_id)


async def restart_message(*, message_id: int, engine: str, model: str) -> domain.Message | None:
    """Reset a FAILED message for a retry: empty text, STREAMING, the engine that will answer now.

    ``None`` when it is no longer FAILED: another retry (on any instance) got there first, and only one may run.
    """
    restarted = await MessageModel.filter(id=message_id, status=MessageStatus.FAILED).update(
        content="",
        status=MessageStatus.STREAMING,
        error_code=None,
        error=None,
        grounding=None,
        tool_calls=None,
        prompt_tokens=None,
        completion_tokens=None,
        latency_ms=None,
        time_to_first_token_ms=None,
        engine=engine,
        model=model,
        lease_owner=None,
        lease_until=None,
        updated_at=_now(),
    )
    return await load_message(message_id) if restarted else None


async def take_leases(*, owner: str, message_ids: list[int], lease: timedelta) -> None:
    """Claim (or renew) STREAMING messages for the instance ``owner`` until ``now + lease``."""
    if message_ids:
        await MessageModel.filter(id__in=message_ids, status=MessageStatus.STREAMING).update(
            lease_owner=owner, lease_until=_now() + lease
        )


async def fail_streaming(
    *,
    code: str,
    error: str,
    message_ids: list[int] | None = None,
    owner: str | None = None,
    unleased_grace: timedelta = timedelta(seconds=30),
) -> list[int]:
    """Mark STREAMING messages FAILED; returns their ids.

    With ``message_ids``: those (shutdown, by their owner). Without: only those whose lease has lapsed, or that
    have had none for ``unleased_grace`` since they were written (a message is stored a moment before its
    generation takes the lease), so a restarting instance never interrupts another instance's live answer.
    """
    query = MessageModel.filter(status=MessageStatus.STREAMING)
    if message_ids is not None:
        query = query.filter(id__in=message_ids)
        if owner is not None:
            query = query.filter(Q(lease_owner=owner) | Q(lease_owner__isnull=True))
    else:
        now = _now()
        lapsed = Q(lease_until__lt=now)
        never = Q(lease_until__isnull=True) & Q(updated_at__lt=now - unleased_grace)
        query = query.filter(lapsed | never)
    ids = [int(row["id"]) for row in await query.values("id")]
    if ids:
        await MessageModel.filter(id__in=ids, status=MessageStatus.STREAMING).update(  # one finishing meanwhile stays
            status=MessageStatus.FAILED,
            error_code=code,
            error=error,
            lease_owner=None,
            lease_until=None,
            updated_at=_now(),
        )
    return ids


async def streaming_ids(*, session_id: int | None = None, track_id: int | None = None) -> list[int]:
    """The STREAMING messages of a session, or of every session about a track (what deleting it removes)."""
    query = MessageModel.filter(status=MessageStatus.STREAMING)
    if session_id is not None:
        query = query.filter(session_id=session_id)
    if track_id is not None:
        query = query.filter(session__track_id=track_id)
    return [int(row["id"]) for row in await query.values("id")]


async def thread(thread_id: int) -> list[domain.Message]:
    """Every message of a thread (the FEEDBACK message itself included), oldest first."""
    rows = await MessageModel.filter(thread_id=thread_id).order_by("id").select_related("thread")
    return [to_domain(r) for r in rows]


async def completed_answers(thread_id: int) -> int:
    return await MessageModel.filter(thread_id=thread_id, status=MessageStatus.COMPLETE, **_ANSWER).count()


async def claim_summaries(*, answer: domain.Message, every: int, engine: str, model: str) -> list[domain.Message]:
    """Store a STREAMING summary for each threshold (every ``every`` completed answers) that ``answer``'s thread
    has reached and no instance has claimed yet; usually none or one.

    Each claim advances the thread's ``summarised_answers`` by exactly ``every`` with a compare-and-set (one UPDATE
    with the old value in its WHERE), and writes its summary in the same transaction, so a claim cannot be left
    without its summary and two instances cannot both claim one threshold (``(thread, summary_through)`` is
    unique besides).
    """
    if answer.thread_id is None:
        return []
    reached = await completed_answers(answer.thread_id)
    claimed: list[domain.Message] = []
    while True:
        row = await ThreadModel.filter(id=answer.thread_id).only("id", "summarised_answers").first()
        if row is None or row.summarised_answers + every > reached:
            return claimed
        through = row.summarised_answers + every
        async with in_transaction():
            won = await ThreadModel.filter(id=answer.thread_id, summarised_answers=row.summarised_answers).update(
                summarised_answers=through, updated_at=_now()
            )
            if won:
                summary = await MessageModel.create(
                    session_id=answer.session_id,
                    thread_id=answer.thread_id,
                    role=MessageRole.SUMMARY,
                    kind=MessageKind.SUMMARY,
                    status=MessageStatus.STREAMING,
                    summary_through=through,
                    engine=engine,
                    model=model,
                )
        if won:
            claimed.append(await load_message(summary.id))


async def latest_feedback(session_id: int) -> domain.Message | None:
    row = (
        await MessageModel.filter(session_id=session_id, kind=MessageKind.FEEDBACK, role=MessageRole.ASSISTANT)
        .order_by("-id")
        .select_related("thread")
        .first()
    )
    return None if row is None else to_domain(row)


async def set_session_reference(*, session_id: int, reference_track_id: int) -> None:
    await SessionModel.filter(id=session_id).update(reference_track_id=reference_track_id, updated_at=_now())
