"""Thread changes as events: an answer or a summary started, a message finished, announced on the session's topic
of the event bus, so a client showing a session follows ``sessionEvents`` instead of polling for summaries.

Any instance announces (whichever generated the message) and any instance delivers (whichever holds the client's
socket): the bus is in process or on Redis (``services.runtime``). Events carry ids and states only; the messages
themselves are read from the database, which holds the truth.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from services import domain
from services.runtime.bus import EventBus
from services.store import sessions as session_store

STARTED, FINISHED = "MESSAGE_STARTED", "MESSAGE_FINISHED"


@dataclass(frozen=True)
class ThreadEvent:
    session_id: int
    kind: str  # MESSAGE_STARTED | MESSAGE_FINISHED
    message_id: int
    role: domain.MessageRole
    status: domain.MessageStatus
    followup_group: int | None


def topic(session_id: int) -> str:
    return f"session:{session_id}"


class ThreadEvents:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def announce(self, message: domain.Message, kind: str) -> None:
        fields = {
            "kind": kind,
            "message_id": str(message.id),
            "role": message.role.value,
            "status": message.status.value,
            "group": "" if message.followup_group is None else str(message.followup_group),
        }
        await self._bus.publish(topic(message.session_id), fields)

    async def follow(self, *, owner_id: int, session_id: int) -> AsyncIterator[ThreadEvent]:
        """Events of one of the client's sessions from now on (NOT_FOUND for a missing or foreign session)."""
        await session_store.get_session(owner_id=owner_id, session_id=session_id)
        async with self._bus.subscribe(topic(session_id)) as live:
            async for fields in live:
                group = fields.get("group")
                yield ThreadEvent(
                    session_id=session_id,
                    kind=fields["kind"],
                    message_id=int(fields["message_id"]),
                    role=domain.MessageRole(fields["role"]),
                    status=domain.MessageStatus(fields["status"]),
                    followup_group=int(group) if group else None,
                )
